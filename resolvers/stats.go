package resolvers

import (
	"context"

	"mvpgraph"
)

// programStats counts the program's members, MVPs and awards per group,
// kept for AnalyticsTTL per question: over a whole program of 100,000
// members the count takes the database a few hundred milliseconds.
func (r *Resolver) programStats(ctx context.Context, groupBy []mvpgraph.StatsDimension, where *mvpgraph.MemberWhere) ([]*mvpgraph.StatsGroup, error) {
	if err := mayFilter(ctx, where); err != nil {
		return nil, err
	}
	q := struct {
		GroupBy []mvpgraph.StatsDimension
		Where   *mvpgraph.MemberWhere
	}{groupBy, where}
	groups, err := r.stats.get(ctx, r.AnalyticsTTL, q, func(c context.Context) ([]mvpgraph.StatsGroup, error) {
		return r.Store.ProgramStats(c, groupBy, where)
	})
	return ptrs(groups), err
}
