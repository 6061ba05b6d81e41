package store

import (
	"context"
	"fmt"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// activity_months holds each space's activity per month: what
// activityStats grouped by space and month (and expertise) counts, so
// that the question reads one row per space and month instead of every
// item. Distinct contributors do not add up across months or spaces, so it
// answers those groupings only, unfiltered by kind, over whole months.

// boundedScore is a's score as activityStats counts it: bounded at
// mvpgraph.MaxActivityScore, as imports bound it, so that sums over every
// row stay finite on both databases.
func boundedScore() string {
	return fmt.Sprintf("CASE WHEN a.score > %[1]g THEN %[1]g WHEN a.score < -%[1]g THEN -%[1]g ELSE a.score END", float64(mvpgraph.MaxActivityScore))
}

// monthsOf selects activity_months' rows from activities a filtered by
// where.
func (s *Store) monthsOf(where sq.Sqlizer) sq.SelectBuilder {
	month := "substr(" + s.dayExpr("a.occurred_at") + ", 1, 7)"
	return s.sb.Select("a.space_id", month+" AS month", "COUNT(*)", "COUNT(DISTINCT a.contributor_id)", "COUNT(a.score)",
		"SUM("+boundedScore()+")", "MIN("+boundedScore()+")", "MAX("+boundedScore()+")").
		From("activities a").Where(where).GroupBy("a.space_id", month)
}

var activityMonthColumns = []string{"space_id", "month", "items", "contributors", "scored", "score_sum", "score_min", "score_max"}

// recountMonths counts again the given months (YYYY-MM) of the given
// spaces from their items, inside the transaction that added to them: one
// statement drops and one counts up to 500 of them at a time, whatever the
// spaces, within SQLite's bound on parameters.
func (s *Store) recountMonths(ctx context.Context, tx queryer, months map[int64]map[string]bool) error {
	type cell struct {
		space int64
		month string
	}
	var all []cell
	for space, set := range months {
		for m := range set {
			all = append(all, cell{space, m})
		}
	}
	const batch = 500
	for start := 0; start < len(all); start += batch {
		cells, ranges := sq.Or{}, sq.Or{}
		for _, c := range all[start:min(start+batch, len(all))] {
			from, err := time.Parse("2006-01", c.month)
			if err != nil {
				return err
			}
			cells = append(cells, sq.Eq{"space_id": c.space, "month": c.month})
			ranges = append(ranges, sq.And{sq.Eq{"a.space_id": c.space}, sq.GtOrEq{"a.occurred_at": from}, sq.Lt{"a.occurred_at": from.AddDate(0, 1, 0)}})
		}
		if _, err := s.exec(ctx, tx, s.sb.Delete("activity_months").Where(cells)); err != nil {
			return err
		}
		// An import of the same months committed meanwhile may have put
		// them back: counted from what is committed now, they are replaced.
		if _, err := s.exec(ctx, tx, s.sb.Insert("activity_months").Columns(activityMonthColumns...).Select(s.monthsOf(ranges)).
			Suffix("ON CONFLICT (space_id, month) DO UPDATE SET items = excluded.items, contributors = excluded.contributors, scored = excluded.scored, "+
				"score_sum = excluded.score_sum, score_min = excluded.score_min, score_max = excluded.score_max")); err != nil {
			return err
		}
	}
	return nil
}

// rebuildMonths counts activity_months afresh from every item: after a
// bulk load, and after migrating to a database that has activity but no
// months yet.
func (s *Store) rebuildMonths(ctx context.Context, tx queryer) error {
	if _, err := s.exec(ctx, tx, s.sb.Delete("activity_months")); err != nil {
		return err
	}
	_, err := s.exec(ctx, tx, s.sb.Insert("activity_months").Columns(activityMonthColumns...).Select(s.monthsOf(sq.Expr("1 = 1"))))
	return err
}

// fillMonths builds activity_months for a database with activity and
// none counted: one migrated from before it existed.
func (s *Store) fillMonths(ctx context.Context) error {
	var n int
	if err := s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From("activity_months")); err != nil || n > 0 {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.rebuildMonths(ctx, tx) })
}

// monthsAnswer reports whether activity_months answers q: grouped by
// space and month (and perhaps expertise), not filtered by kind, and
// bounded, if at all, at the start of a month.
func monthsAnswer(q ActivityStatsQuery) bool {
	if q.Kinds != nil {
		return false
	}
	for _, t := range []*time.Time{q.From, q.To} {
		if t == nil {
			continue
		}
		u := t.UTC()
		if u.Day() != 1 || u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
			return false
		}
	}
	var space, month bool
	for _, d := range q.GroupBy {
		switch d {
		case "SPACE":
			space = true
		case "MONTH":
			month = true
		case "EXPERTISE":
		default:
			return false
		}
	}
	return space && month
}

// monthsStats answers activityStats from activity_months: the same groups,
// figures and order as the items give (see monthsAnswer for when).
func (s *Store) monthsStats(ctx context.Context, q ActivityStatsQuery) ([]mvpgraph.ActivityGroup, error) {
	b := s.sb.Select("m.items AS n", "m.contributors", "m.score_sum", "m.score_min", "m.score_max",
		"CASE WHEN m.scored > 0 THEN m.score_sum / m.scored END AS score_avg").From("activity_months m")
	joined := false
	for _, d := range q.GroupBy {
		switch d {
		case "SPACE":
			b = b.Column("m.space_id").OrderBy("m.space_id")
		case "MONTH":
			b = b.Column("m.month").OrderBy("m.month")
		case "EXPERTISE":
			joined = true
			b = b.Column("se.expertise_id").OrderBy("se.expertise_id")
		}
	}
	if joined || q.ExpertiseID != nil {
		b = b.Join("space_expertises se ON se.space_id = m.space_id")
	}
	if q.ExpertiseID != nil {
		b = b.Where(sq.Eq{"se.expertise_id": *q.ExpertiseID})
	}
	if q.SpaceID != nil {
		b = b.Where(sq.Eq{"m.space_id": *q.SpaceID})
	}
	if q.From != nil {
		b = b.Where(sq.GtOrEq{"m.month": q.From.UTC().Format("2006-01")})
	}
	if q.To != nil {
		b = b.Where(sq.Lt{"m.month": q.To.UTC().Format("2006-01")})
	}
	var out []mvpgraph.ActivityGroup
	err := s.selectAll(ctx, s.db, &out, b)
	return out, err
}
