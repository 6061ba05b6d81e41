package store

import (
	"context"
	"slices"
	"time"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

// Candidate is a contributor ranked for an award, with the reasons.
type Candidate struct {
	ContributorID int64   `db:"contributor_id"`
	Name          string  `db:"name"`
	Handle        string  `db:"handle"`
	MemberID      *int64  `db:"member_id"`
	Score         float64 `db:"score"`
	ByKind        map[mvpgraph.ActivityKind]int
	BySpace       map[string]int
	Best          []mvpgraph.CandidateItem // the highest-scoring items, at most three
}

// CandidateQuery selects award candidates.
type CandidateQuery struct {
	ExpertiseID int64
	Country     *string // only contributors known as members of this country
	From, To    time.Time
	Weights     mvpgraph.KindWeights
	Limit       int
}

// pointsExpr is mvpgraph.ItemPoints in SQL over the activity a: its kind's
// weight, raised by a tenth of it per point of the space's own score.
func pointsExpr(w mvpgraph.KindWeights) sq.Sqlizer {
	kinds := make([]mvpgraph.ActivityKind, 0, len(w))
	for k := range w {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds) // one statement shape for one set of weights
	sql, args := "(CASE a.kind", []any{}
	for _, k := range kinds {
		sql += " WHEN ? THEN CAST(? AS DOUBLE PRECISION)"
		args = append(args, string(k), w[k])
	}
	sql += " ELSE 0 END) * (CASE WHEN a.score > 0 THEN 1 + a.score / 10.0 ELSE 1 END)"
	return sq.Expr(sql, args...)
}

// candidateActivity selects the activity of an expertise's spaces in a
// period whose contributors may be candidates: not current MVPs, not the
// vendor's employees.
func (s *Store) candidateActivity(q CandidateQuery, columns ...string) (sq.SelectBuilder, error) {
	b := s.sb.Select(columns...).
		From("activities a").
		Join("community_spaces sp ON sp.id = a.space_id").
		JoinClause(sq.Expr("JOIN space_expertises se ON se.space_id = a.space_id AND se.expertise_id = ?", q.ExpertiseID)).
		Join("contributors c ON c.id = a.contributor_id").
		LeftJoin("members m ON m.id = c.member_id").
		Where(sq.Expr("a.occurred_at >= ? AND a.occurred_at < ?", q.From, q.To)).
		Where(sq.Or{sq.Eq{"c.member_id": nil}, sq.And{
			sq.Eq{"m.is_employee": false},
			sq.Expr("NOT EXISTS (SELECT 1 FROM awards ca WHERE ca.member_id = m.id AND ca.status = 'ACTIVE')"),
		}})
	if q.Country != nil {
		c, err := mvpgraph.NormalizeCountry("country", *q.Country)
		if err != nil {
			return b, err
		}
		b = b.Where(sq.Eq{"m.country": c})
	}
	return b, nil
}

// AwardCandidates ranks the contributors to an expertise's spaces in a
// period by the weighted score of all their activity (see
// mvpgraph.ItemPoints), leaving out current MVPs and the vendor's
// employees. The database adds the scores up, so that every item of the
// period counts however many there are: three statements, whatever the
// period and the limit.
func (s *Store) AwardCandidates(ctx context.Context, q CandidateQuery) ([]Candidate, error) {
	points, args, err := pointsExpr(q.Weights).ToSql()
	if err != nil {
		return nil, err
	}
	rank, err := s.candidateActivity(q, "a.contributor_id", "c.name", "c.handle", "c.member_id")
	if err != nil {
		return nil, err
	}
	rank = rank.Column(sq.Expr("SUM("+points+") AS score", args...)).
		GroupBy("a.contributor_id", "c.name", "c.handle", "c.member_id").
		OrderBy("score DESC", "a.contributor_id")
	if q.Limit > 0 {
		rank = rank.Limit(uint64(q.Limit))
	}
	var out []Candidate
	if err := s.selectAll(ctx, s.db, &out, rank); err != nil {
		return nil, mapError("award candidates", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	at := make(map[int64]int, len(out))
	for i := range out {
		ids[i], at[out[i].ContributorID] = out[i].ContributorID, i
		out[i].ByKind, out[i].BySpace = map[mvpgraph.ActivityKind]int{}, map[string]int{}
	}

	// Their items per kind and per space, in one statement.
	byKind, err := s.candidateActivity(q, "a.contributor_id", "'KIND' AS dimension", "a.kind AS name", "COUNT(*) AS n")
	if err != nil {
		return nil, err
	}
	bySpace, err := s.candidateActivity(q, "a.contributor_id", "'SPACE' AS dimension", "sp.name AS name", "COUNT(*) AS n")
	if err != nil {
		return nil, err
	}
	byKind = byKind.Where(s.in("a.contributor_id", ids)).GroupBy("a.contributor_id", "a.kind")
	bySpace = bySpace.Where(s.in("a.contributor_id", ids)).GroupBy("a.contributor_id", "sp.name")
	var counts []struct {
		ContributorID int64  `db:"contributor_id"`
		Dimension     string `db:"dimension"`
		Name          string `db:"name"`
		N             int    `db:"n"`
	}
	// The second select is written into the first with plain placeholders,
	// which the first's numbers for PostgreSQL with its own.
	if err := s.selectAll(ctx, s.db, &counts, byKind.SuffixExpr(sq.ConcatExpr("UNION ALL ", bySpace.PlaceholderFormat(sq.Question)))); err != nil {
		return nil, mapError("award candidates", err)
	}
	for _, c := range counts {
		if c.Dimension == "KIND" {
			out[at[c.ContributorID]].ByKind[mvpgraph.ActivityKind(c.Name)] = c.N
		} else {
			out[at[c.ContributorID]].BySpace[c.Name] = c.N
		}
	}

	// Their three best items each.
	best, err := s.candidateActivity(q, "a.contributor_id", "a.id", "sp.name AS space", "a.kind", "a.occurred_at", "a.title", "a.url", "a.score")
	if err != nil {
		return nil, err
	}
	best = best.Column(sq.Expr("ROW_NUMBER() OVER (PARTITION BY a.contributor_id ORDER BY "+points+" DESC, a.occurred_at DESC, a.id) AS place", args...)).
		Where(s.in("a.contributor_id", ids))
	var items []struct {
		ContributorID int64 `db:"contributor_id"`
		Place         int   `db:"place"`
		mvpgraph.CandidateItem
	}
	top := s.sb.Select("*").FromSelect(best, "t").Where("t.place <= 3").OrderBy("t.contributor_id", "t.place")
	if err := s.selectAll(ctx, s.db, &items, top); err != nil {
		return nil, mapError("award candidates", err)
	}
	for _, it := range items {
		c := &out[at[it.ContributorID]]
		c.Best = append(c.Best, it.CandidateItem)
	}
	return out, nil
}
