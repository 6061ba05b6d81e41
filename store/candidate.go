package store

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

// Candidate is a person ranked for an award, with the reasons.
type Candidate struct {
	PersonID   int64   `db:"person_id"`
	Name       string  `db:"name"`
	MemberID   *int64  `db:"member_id"`
	Score      float64 `db:"score"`
	ByKind     map[mvpgraph.ActivityKind]int
	BySpace    map[string]int
	Identities []CandidateIdentity      // the identities behind the score, highest first
	Best       []mvpgraph.CandidateItem // the highest-scoring items, at most three
	// FirstAnswers is how many questions the person answered first in the
	// period, and FirstAnswerMedian the nearest-rank median seconds those
	// questions waited for it.
	FirstAnswers      int
	FirstAnswerMedian *float64
}

// CandidateIdentity is one identity's part of a candidate's score.
type CandidateIdentity struct {
	IdentityID int64
	Count      int
	Score      float64
}

// CandidateQuery selects award candidates.
type CandidateQuery struct {
	ExpertiseID int64
	Country     *string // only people known as members of this country
	From, To    time.Time
	Weights     mvpgraph.KindWeights
	// FirstAnswerWeight is the points each first answer to a question adds.
	FirstAnswerWeight float64
	Limit             int
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
// period of the people who may be candidates: not current MVPs, not the
// vendor's employees.
func (s *Store) candidateActivity(q CandidateQuery, columns ...string) (sq.SelectBuilder, error) {
	b := s.sb.Select(columns...).
		From("activities a").
		Join("community_spaces sp ON sp.id = a.space_id").
		JoinClause(sq.Expr("JOIN space_expertises se ON se.space_id = a.space_id AND se.expertise_id = ?", q.ExpertiseID)).
		Join("contributors c ON c.id = a.contributor_id").
		Join("people p ON p.id = c.person_id").
		LeftJoin("members m ON m.id = p.member_id").
		LeftJoin("activities fq ON fq.first_answer_id = a.id").
		Where(sq.Expr("a.occurred_at >= ? AND a.occurred_at < ?", q.From, q.To)).
		Where(sq.Or{sq.Eq{"p.member_id": nil}, sq.And{
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

// AwardCandidates ranks the people active in an expertise's spaces in a
// period by the weighted score of all their activity, over all their
// identities (see
// mvpgraph.ItemPoints), leaving out current MVPs and the vendor's
// employees. The database adds the scores up, so that every item of the
// period counts however many there are: three statements, whatever the
// period and the limit.
func (s *Store) AwardCandidates(ctx context.Context, q CandidateQuery) ([]Candidate, error) {
	points, args, err := pointsExpr(q.Weights).ToSql()
	if err != nil {
		return nil, err
	}
	rank, err := s.candidateActivity(q, "c.person_id", "COALESCE(m.name, p.name) AS name", "p.member_id")
	if err != nil {
		return nil, err
	}
	rank = rank.Column(sq.Expr("SUM("+points+") + ? * COUNT(fq.id) AS score", append(slices.Clone(args), q.FirstAnswerWeight)...)).
		GroupBy("c.person_id", "m.name", "p.name", "p.member_id").
		OrderBy("score DESC", "c.person_id")
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
		ids[i], at[out[i].PersonID] = out[i].PersonID, i
		out[i].ByKind, out[i].BySpace = map[mvpgraph.ActivityKind]int{}, map[string]int{}
	}

	// Their items per kind, per space and per identity, in one statement.
	byKind, err := s.candidateActivity(q, "c.person_id", "'KIND' AS dimension", "a.kind AS name", "COUNT(*) AS n", "0 AS score")
	if err != nil {
		return nil, err
	}
	bySpace, err := s.candidateActivity(q, "c.person_id", "'SPACE' AS dimension", "sp.name AS name", "COUNT(*) AS n", "0 AS score")
	if err != nil {
		return nil, err
	}
	byIdentity, err := s.candidateActivity(q, "c.person_id", "'IDENTITY' AS dimension", "CAST(c.id AS TEXT) AS name", "COUNT(*) AS n")
	if err != nil {
		return nil, err
	}
	byKind = byKind.Where(s.in("c.person_id", ids)).GroupBy("c.person_id", "a.kind")
	bySpace = bySpace.Where(s.in("c.person_id", ids)).GroupBy("c.person_id", "sp.name")
	byIdentity = byIdentity.Column(sq.Expr("SUM("+points+") AS score", args...)).Where(s.in("c.person_id", ids)).GroupBy("c.person_id", "c.id")
	var counts []struct {
		PersonID  int64   `db:"person_id"`
		Dimension string  `db:"dimension"`
		Name      string  `db:"name"`
		N         int     `db:"n"`
		Score     float64 `db:"score"`
	}
	// Their first answers, each with the seconds its question waited.
	firsts, err := s.candidateActivity(q, "c.person_id", "'FIRST' AS dimension",
		"CAST("+s.secondsBetween("fq.first_answer_at", "fq.occurred_at")+" AS TEXT) AS name", "1 AS n", "0 AS score")
	if err != nil {
		return nil, err
	}
	firsts = firsts.Where(s.in("c.person_id", ids)).Where("fq.id IS NOT NULL")
	// The later selects are written into the first with plain placeholders,
	// which the first's numbers for PostgreSQL with its own.
	if err := s.selectAll(ctx, s.db, &counts, byKind.SuffixExpr(sq.ConcatExpr("UNION ALL ", bySpace.PlaceholderFormat(sq.Question),
		" UNION ALL ", byIdentity.PlaceholderFormat(sq.Question), " UNION ALL ", firsts.PlaceholderFormat(sq.Question)))); err != nil {
		return nil, mapError("award candidates", err)
	}
	waits := map[int64][]float64{}
	for _, c := range counts {
		cand := &out[at[c.PersonID]]
		switch c.Dimension {
		case "KIND":
			cand.ByKind[mvpgraph.ActivityKind(c.Name)] = c.N
		case "SPACE":
			cand.BySpace[c.Name] = c.N
		case "FIRST":
			secs, err := strconv.ParseFloat(c.Name, 64)
			if err != nil {
				return nil, err
			}
			waits[c.PersonID] = append(waits[c.PersonID], secs)
		default:
			id, err := strconv.ParseInt(c.Name, 10, 64)
			if err != nil {
				return nil, err
			}
			cand.Identities = append(cand.Identities, CandidateIdentity{IdentityID: id, Count: c.N, Score: c.Score})
		}
	}
	for i := range out {
		if w := waits[out[i].PersonID]; len(w) > 0 {
			slices.Sort(w)
			median := w[(len(w)+1)/2-1] // nearest rank, as the needs-met figures take it
			out[i].FirstAnswers, out[i].FirstAnswerMedian = len(w), &median
		}
		sort.Slice(out[i].Identities, func(a, b int) bool {
			x, y := out[i].Identities[a], out[i].Identities[b]
			if x.Score != y.Score {
				return x.Score > y.Score
			}
			return x.IdentityID < y.IdentityID
		})
	}

	// Their three best items each.
	best, err := s.candidateActivity(q, "c.person_id", "a.id", "sp.name AS space", "a.kind", "a.occurred_at", "a.title", "a.url", "a.score")
	if err != nil {
		return nil, err
	}
	best = best.Column(sq.Expr("ROW_NUMBER() OVER (PARTITION BY c.person_id ORDER BY "+points+" DESC, a.occurred_at DESC, a.id) AS place", args...)).
		Where(s.in("c.person_id", ids))
	var items []struct {
		PersonID int64 `db:"person_id"`
		Place    int   `db:"place"`
		mvpgraph.CandidateItem
	}
	top := s.sb.Select("*").FromSelect(best, "t").Where("t.place <= 3").OrderBy("t.person_id", "t.place")
	if err := s.selectAll(ctx, s.db, &items, top); err != nil {
		return nil, mapError("award candidates", err)
	}
	for _, it := range items {
		c := &out[at[it.PersonID]]
		c.Best = append(c.Best, it.CandidateItem)
	}
	return out, nil
}
