package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

// repliesElsewhere takes out of rows the answers whose question is not in
// their own space but in another (stored, or among rows), as rejected
// rows: an answer replies within its space. An answer whose question is
// nowhere yet is kept, to be linked when the question arrives.
func (s *Store) repliesElsewhere(ctx context.Context, rows []mvpgraph.ActivityRow, spaces map[string]int64) ([]mvpgraph.ActivityRow, []mvpgraph.RowError, error) {
	type at struct {
		space int64
		id    string
	}
	questions := map[at]bool{}
	questionSpace := map[string]string{} // external ID → a space name it is a question of, among rows
	var refs []string
	for _, r := range rows {
		if r.Kind == "QUESTION" {
			questions[at{spaces[r.Space], r.ExternalID}] = true
			questionSpace[r.ExternalID] = r.Space
		}
		if r.InReplyTo != "" {
			refs = append(refs, r.InReplyTo)
		}
	}
	if len(refs) == 0 {
		return rows, nil, nil
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	stored := map[string][]int64{} // external ID → the spaces it is a question in
	names := map[int64]string{}
	for start := 0; start < len(refs); start += importBatch {
		var part []struct {
			SpaceID    int64  `db:"space_id"`
			Name       string `db:"name"`
			ExternalID string `db:"external_id"`
		}
		if err := s.selectAll(ctx, s.db, &part, s.sb.Select("a.space_id", "sp.name", "a.external_id").From("activities a").
			Join("community_spaces sp ON sp.id = a.space_id").
			Where(sq.Eq{"a.kind": "QUESTION", "a.external_id": refs[start:min(start+importBatch, len(refs))]})); err != nil {
			return nil, nil, err
		}
		for _, q := range part {
			stored[q.ExternalID] = append(stored[q.ExternalID], q.SpaceID)
			names[q.SpaceID] = q.Name
		}
	}
	var kept []mvpgraph.ActivityRow
	var bad []mvpgraph.RowError
	for _, r := range rows {
		space := spaces[r.Space]
		if r.InReplyTo == "" || questions[at{space, r.InReplyTo}] || slices.Contains(stored[r.InReplyTo], space) {
			kept = append(kept, r)
			continue
		}
		other := questionSpace[r.InReplyTo]
		if other == "" && len(stored[r.InReplyTo]) > 0 {
			other = names[stored[r.InReplyTo][0]]
		}
		if other == "" {
			kept = append(kept, r) // its question may come later
			continue
		}
		bad = append(bad, mvpgraph.RowError{Line: r.Line, Reason: fmt.Sprintf("in_reply_to %q is a question of space %q, not of %q; an answer replies to a question of its own space", r.InReplyTo, other, r.Space)})
	}
	return kept, bad, nil
}

// linkAnswers links the answers of the given spaces to their questions,
// whichever was stored first, and keeps each question's first answer, when
// it came, and whether an answer was accepted.
func (s *Store) linkAnswers(ctx context.Context, tx queryer, spaceIDs []int64) error {
	if len(spaceIDs) == 0 {
		return nil
	}
	in, args, err := s.in("activities.space_id", spaceIDs).ToSql()
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, tx, s.raw("UPDATE activities SET reply_to_id = q.id FROM activities q "+
		"WHERE activities.reply_to_id IS NULL AND activities.in_reply_to IS NOT NULL AND q.space_id = activities.space_id "+
		"AND q.external_id = activities.in_reply_to AND q.kind = 'QUESTION' AND "+in, args...)); err != nil {
		return err
	}
	qin, qargs, err := s.in("q.space_id", spaceIDs).ToSql()
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, s.raw(`UPDATE activities SET first_answer_id = f.id, first_answer_at = f.occurred_at, answer_accepted = f.accepted
FROM (SELECT r.reply_to_id AS question_id, r.id, r.occurred_at,
        MAX(CASE WHEN r.accepted THEN 1 ELSE 0 END) OVER (PARTITION BY r.reply_to_id) = 1 AS accepted,
        ROW_NUMBER() OVER (PARTITION BY r.reply_to_id ORDER BY r.occurred_at, r.id) AS place
      FROM activities r JOIN activities q ON q.id = r.reply_to_id
      WHERE r.kind = 'ANSWER' AND `+qin+`) f
WHERE f.place = 1 AND activities.id = f.question_id
  AND (activities.first_answer_id IS NULL OR activities.first_answer_id <> f.id OR activities.answer_accepted <> f.accepted)`, qargs...))
	return err
}

// NeedsGroup is how the questions of one group were answered: the group's
// keys, those it is grouped by, and its figures.
type NeedsGroup struct {
	SpaceID     *int64  `db:"space_id"`
	Month       *string `db:"month"`
	Day         *string `db:"day"`
	ExpertiseID *int64  `db:"expertise_id"`
	mvpgraph.NeedsMet
}

// NeedsQuery selects the questions of Needs.
type NeedsQuery struct {
	ExpertiseID *int64
	SpaceID     *int64
	From, To    *time.Time
	// UnansweredAfter is how long a question may wait before it counts as
	// unanswered.
	UnansweredAfter time.Duration
	GroupBy         []string // SPACE, MONTH, DAY, EXPERTISE
}

// secondsBetween is the seconds from b to a, two timestamp columns, never
// below zero.
func (s *Store) secondsBetween(a, b string) string {
	if s.dialect == Postgres {
		return "GREATEST(0, EXTRACT(EPOCH FROM (" + a + " - " + b + ")))"
	}
	return "MAX(0, ROUND((julianday(substr(" + a + ", 1, 19)) - julianday(substr(" + b + ", 1, 19))) * 86400.0))"
}

// Needs computes NeedsMet over the questions a query selects, in one group
// or per space and month: questions asked, answered, with an accepted
// answer, unanswered past the threshold, and the median and 90th
// percentile time to the first answer.
func (s *Store) Needs(ctx context.Context, q NeedsQuery) ([]NeedsGroup, error) {
	base := s.sb.Select().From("activities q").Where("q.kind = 'QUESTION'")
	byExpertise := slices.Contains(q.GroupBy, "EXPERTISE")
	if byExpertise {
		base = base.Join("space_expertises se ON se.space_id = q.space_id")
		if q.ExpertiseID != nil {
			base = base.Where(sq.Eq{"se.expertise_id": *q.ExpertiseID})
		}
	} else if q.ExpertiseID != nil {
		base = base.Where(sq.Expr("q.space_id IN (SELECT space_id FROM space_expertises WHERE expertise_id = ?)", *q.ExpertiseID))
	}
	if q.SpaceID != nil {
		base = base.Where(sq.Eq{"q.space_id": *q.SpaceID})
	}
	if q.From != nil {
		base = base.Where(sq.GtOrEq{"q.occurred_at": q.From.UTC()})
	}
	if q.To != nil {
		base = base.Where(sq.Lt{"q.occurred_at": q.To.UTC()})
	}
	var keys []string
	for _, d := range q.GroupBy {
		switch d {
		case "SPACE":
			keys = append(keys, "q.space_id")
		case "MONTH":
			keys = append(keys, s.monthExpr("q.occurred_at"))
		case "DAY":
			keys = append(keys, s.dayExpr("q.occurred_at"))
		case "EXPERTISE":
			keys = append(keys, "se.expertise_id")
		default:
			return nil, mvpgraph.Invalidf("groupBy", "needs are grouped by SPACE, MONTH, DAY or EXPERTISE, not %q.", d)
		}
	}
	partition := ""
	cols := []string{"NULL AS space_id", "NULL AS month", "NULL AS day", "NULL AS expertise_id"}
	if slices.Contains(q.GroupBy, "SPACE") {
		cols[0] = "d.space_id"
	}
	if slices.Contains(q.GroupBy, "MONTH") {
		cols[1] = "d.month"
	}
	if slices.Contains(q.GroupBy, "DAY") {
		cols[2] = "d.day"
	}
	expertiseCol := "NULL AS expertise_id"
	if byExpertise {
		cols[3], expertiseCol = "d.expertise_id", "se.expertise_id AS expertise_id"
	}
	if len(keys) > 0 {
		partition = "PARTITION BY " + strings.Join(keys, ", ") + " "
	}
	secs := s.secondsBetween("q.first_answer_at", "q.occurred_at")
	cutoff := s.now().Add(-q.UnansweredAfter).UTC()
	inner := base.Columns("q.space_id", s.monthExpr("q.occurred_at")+" AS month", s.dayExpr("q.occurred_at")+" AS day", expertiseCol,
		"CASE WHEN q.first_answer_at IS NULL THEN 0 ELSE 1 END AS answered",
		"CASE WHEN q.answer_accepted THEN 1 ELSE 0 END AS accepted").
		Column(sq.Expr("CASE WHEN q.first_answer_at IS NULL AND q.occurred_at < ? THEN 1 ELSE 0 END AS waiting", cutoff)).
		Column("CASE WHEN q.first_answer_at IS NULL THEN NULL ELSE " + secs + " END AS secs").
		Column("ROW_NUMBER() OVER (" + partition + "ORDER BY CASE WHEN q.first_answer_at IS NULL THEN 1 ELSE 0 END, " + secs + ") AS place").
		Column("SUM(CASE WHEN q.first_answer_at IS NULL THEN 0 ELSE 1 END) OVER (" + partition + ") AS n")
	outer := s.sb.Select(cols...).
		Columns("COUNT(*) AS questions", "COALESCE(SUM(d.answered), 0) AS answered", "COALESCE(SUM(d.accepted), 0) AS accepted",
			"COALESCE(SUM(d.waiting), 0) AS unanswered",
			// nearest rank: the value at ceil(p·n)
			"MAX(CASE WHEN d.secs IS NOT NULL AND d.place = CAST((d.n + 1) / 2 AS INTEGER) THEN d.secs END) AS median",
			"MAX(CASE WHEN d.secs IS NOT NULL AND d.place = CAST((9 * d.n + 9) / 10 AS INTEGER) THEN d.secs END) AS p90").
		FromSelect(inner, "d")
	for _, d := range q.GroupBy {
		outer = outer.GroupBy(map[string]string{"SPACE": "d.space_id", "MONTH": "d.month", "DAY": "d.day", "EXPERTISE": "d.expertise_id"}[d])
	}
	if len(keys) > 0 {
		outer = outer.OrderBy("questions DESC")
	}
	var out []NeedsGroup
	if err := s.selectAll(ctx, s.db, &out, outer); err != nil {
		return nil, mapError("needs met", err)
	}
	return out, nil
}

// Question is a question still waiting for an answer.
type Question struct {
	ID         int64     `db:"id"`
	SpaceID    int64     `db:"space_id"`
	ExternalID string    `db:"external_id"`
	Title      *string   `db:"title"`
	URL        *string   `db:"url"`
	OccurredAt time.Time `db:"occurred_at"`
}

func questionOf(row any) *Question { return row.(*Question) }

// UnansweredQuery selects the questions still waiting.
type UnansweredQuery struct {
	ExpertiseID *int64
	SpaceID     *int64
	OlderThan   time.Duration
	Page        PageArgs
}

// UnansweredQuestions returns the questions without an answer asked longer
// than OlderThan ago, oldest first.
func (s *Store) UnansweredQuestions(ctx context.Context, q UnansweredQuery) (Page[Question], error) {
	b := s.sb.Select("q.id", "q.space_id", "q.external_id", "q.title", "q.url", "q.occurred_at").From("activities q").
		Where("q.kind = 'QUESTION' AND q.first_answer_at IS NULL").Where(sq.Lt{"q.occurred_at": s.now().Add(-q.OlderThan).UTC()})
	if q.ExpertiseID != nil {
		b = b.Where(sq.Expr("q.space_id IN (SELECT space_id FROM space_expertises WHERE expertise_id = ?)", *q.ExpertiseID))
	}
	if q.SpaceID != nil {
		b = b.Where(sq.Eq{"q.space_id": *q.SpaceID})
	}
	oldestFirst := ordering{
		{column: column{expr: "q.occurred_at", kind: kindTime}, value: func(r any) any { return questionOf(r).OccurredAt }},
		{column: column{expr: "q.id", kind: kindInt}, value: func(r any) any { return questionOf(r).ID }},
	}
	p, err := listPage[Question](ctx, s, b, oldestFirst, q.Page)
	return p, mapError("unanswered questions", err)
}
