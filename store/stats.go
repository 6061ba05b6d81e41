package store

import (
	"context"
	"slices"

	"mvpgraph"
)

// statsKeys maps each dimension to its SQL expression and column name.
var statsKeys = map[mvpgraph.StatsDimension][2]string{
	mvpgraph.ByExpertise: {"a.expertise_id", "expertise_id"},
	mvpgraph.ByCategory:  {"e.category", "category"},
	mvpgraph.ByCountry:   {"m.country", "country"},
	mvpgraph.ByLead:      {"COALESCE(le.lead_id, lc.lead_id)", "lead_id"},
	mvpgraph.ByYear:      {"a.year", "year"},
}

// ProgramStats counts members, MVPs and awards per group of the given
// dimensions, over the members a filter selects. With no dimension it
// returns one group: the whole program.
func (s *Store) ProgramStats(ctx context.Context, groupBy []mvpgraph.StatsDimension, where *mvpgraph.MemberWhere) ([]mvpgraph.StatsGroup, error) {
	cond, err := checked(s.memberWhere(where, "where", 0))
	if err != nil {
		return nil, err
	}
	b := s.sb.Select(
		"COUNT(DISTINCT m.id) AS members",
		"COUNT(DISTINCT CASE WHEN a.status = 'ACTIVE' THEN m.id END) AS mvps",
		"COUNT(a.id) AS awards",
	).From("members m").
		LeftJoin("awards a ON a.member_id = m.id").
		LeftJoin("expertises e ON e.id = a.expertise_id").
		Where(cond)
	var seen []mvpgraph.StatsDimension
	for _, d := range groupBy {
		k, ok := statsKeys[d]
		if !ok {
			return nil, mvpgraph.Invalidf("groupBy", "%q is not a dimension of program statistics.", d)
		}
		if slices.Contains(seen, d) {
			continue
		}
		seen = append(seen, d)
		b = b.Column(k[0] + " AS " + k[1]).GroupBy(k[0]).OrderBy(k[0] + " NULLS LAST")
	}
	if slices.Contains(seen, mvpgraph.ByLead) {
		// The lead rule looks after MVPs: only active awards have a lead.
		b = b.LeftJoin("lead_expertises le ON le.expertise_id = a.expertise_id AND a.status = 'ACTIVE' AND m.country = 'US'").
			LeftJoin("lead_countries lc ON lc.country = m.country AND a.status = 'ACTIVE' AND m.country <> 'US'")
	}
	var out []mvpgraph.StatsGroup
	err = s.selectAll(ctx, s.db, &out, b)
	return out, mapError("program stats", err)
}
