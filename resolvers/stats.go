package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"mvpgraph"
	"mvpgraph/store"
)

// statsAnswer is programStats' answer, and what answered it.
type statsAnswer struct {
	groups []mvpgraph.StatsGroup
	from   store.StatsSource
}

// programStats counts the program's members, MVPs and awards per group,
// kept for AnalyticsTTL per question. Grouped by country, category and
// expertise, and filtered by country alone, the program summary answers
// at once; other questions read the base tables, which over a program of
// 100,000 members takes the database a few hundred milliseconds. The
// answer's extensions say which answered (programStats.from).
func (r *Resolver) programStats(ctx context.Context, groupBy []mvpgraph.StatsDimension, where *mvpgraph.MemberWhere) ([]*mvpgraph.StatsGroup, error) {
	if err := mayFilter(ctx, where); err != nil {
		return nil, err
	}
	q := struct {
		GroupBy []mvpgraph.StatsDimension
		Where   *mvpgraph.MemberWhere
	}{groupBy, where}
	a, err := r.stats.get(ctx, r.AnalyticsTTL, q, func(c context.Context) (statsAnswer, error) {
		groups, from, err := r.Store.ProgramStatsFrom(c, groupBy, where, true)
		return statsAnswer{groups, from}, err
	})
	if err != nil {
		return nil, err
	}
	answeredFrom(ctx, "programStats", string(a.from))
	return ptrs(a.groups), nil
}

// extensionsMu guards the maps answeredFrom shares between fields.
var extensionsMu sync.Mutex

// answeredFrom says in the response's extensions, under name and the
// field's alias, what answered the field: {"programStats": {"stats":
// "program_summary"}}.
func answeredFrom(ctx context.Context, name, from string) {
	alias := graphql.GetFieldContext(ctx).Field.Alias
	extensionsMu.Lock()
	defer extensionsMu.Unlock()
	m, _ := graphql.GetExtension(ctx, name).(map[string]string)
	if m == nil {
		m = map[string]string{}
		graphql.RegisterExtension(ctx, name, m)
	}
	m[alias] = from
}
