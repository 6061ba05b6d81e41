package store

import (
	"context"
	"slices"

	sq "github.com/Masterminds/squirrel"

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
	out, _, err := s.ProgramStatsFrom(ctx, groupBy, where, true)
	return out, err
}

// ProgramStatsFrom is ProgramStats, saying what answered: the program
// summary, when summary allows and it holds the groups and the filter
// (countries, categories and expertises, filtered by country), or else the
// base tables.
func (s *Store) ProgramStatsFrom(ctx context.Context, groupBy []mvpgraph.StatsDimension, where *mvpgraph.MemberWhere, summary bool) ([]mvpgraph.StatsGroup, StatsSource, error) {
	cond, err := checked(s.memberWhere(where, "where", 0))
	if err != nil {
		return nil, "", err
	}
	var dims []mvpgraph.StatsDimension
	for _, d := range groupBy {
		if _, ok := statsKeys[d]; !ok {
			return nil, "", mvpgraph.Invalidf("groupBy", "%q is not a dimension of program statistics.", d)
		}
		if !slices.Contains(dims, d) {
			dims = append(dims, d)
		}
	}
	if grain := summaryGrain(dims, where); summary && grain != "" {
		out, err := s.summaryStats(ctx, grain, dims, cond)
		return out, FromSummary, mapError("program stats", err)
	}
	out, err := s.baseStats(ctx, dims, cond)
	return out, FromBase, err
}

// baseStats counts program statistics over the base tables.
func (s *Store) baseStats(ctx context.Context, groupBy []mvpgraph.StatsDimension, cond sq.Sqlizer) ([]mvpgraph.StatsGroup, error) {
	// Each member is counted once per group: first one row per group and
	// member (is the member an MVP there, how many awards), then the groups.
	// Hash aggregation does the first; COUNT(DISTINCT ...) over the joined
	// rows would sort them within every group, which at scale costs
	// seconds (bench/README.md, "Figures behind the code").
	inner := s.sb.Select(
		"m.id AS member_id",
		"MAX(CASE WHEN a.status = 'ACTIVE' THEN 1 ELSE 0 END) AS is_mvp",
		"COUNT(a.id) AS awards",
	).From("members m").
		LeftJoin("awards a ON a.member_id = m.id").
		LeftJoin("expertises e ON e.id = a.expertise_id").
		Where(cond).GroupBy("m.id")
	b := s.sb.Select("COUNT(*) AS members", "SUM(t.is_mvp) AS mvps", "SUM(t.awards) AS awards")
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
		inner = inner.Column(k[0] + " AS " + k[1]).GroupBy(k[0])
		b = b.Column("t." + k[1]).GroupBy("t." + k[1]).OrderBy("t." + k[1] + " NULLS LAST")
	}
	if slices.Contains(seen, mvpgraph.ByLead) {
		// Each active award counts for its lead by the lead rule (leadRule).
		inner = inner.LeftJoin("lead_expertises le ON a.status = 'ACTIVE' AND " + usLeadOn("a", "m")).
			LeftJoin("lead_countries lc ON a.status = 'ACTIVE' AND " + intlLeadOn("m"))
	}
	b = b.FromSelect(inner, "t")
	var out []mvpgraph.StatsGroup
	err := s.selectAll(ctx, s.db, &out, b)
	return out, mapError("program stats", err)
}
