package store

import (
	"context"
	"sort"
	"time"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

// candidateRow is one contribution weighed for a ranking, with its
// contributor.
type candidateRow struct {
	ContributorID int64 `db:"contributor_id"`
	mvpgraph.CandidateItem
}

// Candidate is a contributor ranked for an award, with the reasons.
type Candidate struct {
	ContributorID int64
	Name, Handle  string
	MemberID      *int64
	Score         float64
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

// maxCandidateItems bounds the items weighed for one ranking.
const maxCandidateItems = 200000

// AwardCandidates ranks the contributors to an expertise's spaces in a
// period by the weighted score of their activity (see mvpgraph.ItemPoints),
// leaving out current MVPs and the vendor's employees.
func (s *Store) AwardCandidates(ctx context.Context, q CandidateQuery) ([]Candidate, error) {
	b := s.sb.Select("a.contributor_id", "a.id", "sp.name AS space", "a.kind", "a.occurred_at", "a.title", "a.url", "a.score").
		From("activities a").
		Join("community_spaces sp ON sp.id = a.space_id").
		JoinClause(sq.Expr("JOIN space_expertises se ON se.space_id = a.space_id AND se.expertise_id = ?", q.ExpertiseID)).
		Join("contributors c ON c.id = a.contributor_id").
		LeftJoin("members m ON m.id = c.member_id").
		Where(sq.Expr("a.occurred_at >= ? AND a.occurred_at < ?", q.From, q.To)).
		Where(sq.Or{sq.Eq{"c.member_id": nil}, sq.And{
			sq.Eq{"m.is_employee": false},
			sq.Expr("NOT EXISTS (SELECT 1 FROM awards ca WHERE ca.member_id = m.id AND ca.status = 'ACTIVE')"),
		}}).Limit(maxCandidateItems)
	if q.Country != nil {
		c, err := mvpgraph.NormalizeCountry("country", *q.Country)
		if err != nil {
			return nil, err
		}
		b = b.Where(sq.Eq{"m.country": c})
	}
	var items []candidateRow
	if err := s.selectAll(ctx, s.db, &items, b); err != nil {
		return nil, mapError("award candidates", err)
	}
	byID := map[int64]*Candidate{}
	for _, it := range items {
		c := byID[it.ContributorID]
		if c == nil {
			c = &Candidate{ContributorID: it.ContributorID, ByKind: map[mvpgraph.ActivityKind]int{}, BySpace: map[string]int{}}
			byID[it.ContributorID] = c
		}
		c.Score += mvpgraph.ItemPoints(q.Weights, it.Kind, it.Score)
		c.ByKind[it.Kind]++
		c.BySpace[it.Space]++
		c.Best = append(c.Best, it.CandidateItem)
	}
	out := make([]Candidate, 0, len(byID))
	for _, c := range byID {
		sort.SliceStable(c.Best, func(i, j int) bool {
			return mvpgraph.ItemPoints(q.Weights, c.Best[i].Kind, c.Best[i].Score) > mvpgraph.ItemPoints(q.Weights, c.Best[j].Kind, c.Best[j].Score)
		})
		c.Best = c.Best[:min(3, len(c.Best))]
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ContributorID < out[j].ContributorID
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ContributorID
	}
	var who []struct {
		ID       int64  `db:"id"`
		Name     string `db:"name"`
		Handle   string `db:"handle"`
		MemberID *int64 `db:"member_id"`
	}
	if err := s.selectAll(ctx, s.db, &who, s.sb.Select("id", "name", "handle", "member_id").From("contributors").Where(s.in("id", ids))); err != nil {
		return nil, mapError("award candidates", err)
	}
	names := map[int64]int{}
	for i, w := range who {
		names[w.ID] = i
	}
	for i := range out {
		w := who[names[out[i].ContributorID]]
		out[i].Name, out[i].Handle, out[i].MemberID = w.Name, w.Handle, w.MemberID
	}
	return out, nil
}
