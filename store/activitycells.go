package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// activity_months and activity_days hold each space's activity per month
// and per day: what activityStats grouped by space and month, or by space
// and day (and expertise), counts, so that the question reads one row per
// space and month or day instead of every item. Distinct contributors do
// not add up across months, days or spaces, so each answers its own
// grouping only, unfiltered by kind, over whole months or days.

// grain is one of the two: its table, its key column and dimension, and
// the length of its key in an item's UTC day, YYYY-MM-DD.
type grain struct {
	table, col, dim string
	width           int
	layout          string
	source          StatsSource
}

var (
	byMonth = grain{table: "activity_months", col: "month", dim: "MONTH", width: 7, layout: "2006-01", source: FromMonths}
	byDay   = grain{table: "activity_days", col: "day", dim: "DAY", width: 10, layout: time.DateOnly, source: FromDays}
	grains  = []grain{byMonth, byDay}
)

// next returns the start of the month or day after the one starting at t.
func (g grain) next(t time.Time) time.Time {
	if g == byMonth {
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// starts reports whether t is the start of a month or day in UTC.
func (g grain) starts(t time.Time) bool {
	u := t.UTC()
	return u.Equal(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)) && (g == byDay || u.Day() == 1)
}

// boundedScore is a's score as activityStats counts it: bounded at
// mvpgraph.MaxActivityScore, as imports bound it, so that sums over every
// row stay finite on both databases.
func boundedScore() string {
	return fmt.Sprintf("CASE WHEN a.score > %[1]g THEN %[1]g WHEN a.score < -%[1]g THEN -%[1]g ELSE a.score END", float64(mvpgraph.MaxActivityScore))
}

// cellsOf selects g's rows from activities a filtered by where.
func (s *Store) cellsOf(g grain, where sq.Sqlizer) sq.SelectBuilder {
	key := fmt.Sprintf("substr(%s, 1, %d)", s.dayExpr("a.occurred_at"), g.width)
	return s.sb.Select("a.space_id", key+" AS "+g.col, "COUNT(*)", "COUNT(DISTINCT a.contributor_id)", "COUNT(a.score)",
		"SUM("+boundedScore()+")", "MIN("+boundedScore()+")", "MAX("+boundedScore()+")").
		From("activities a").Where(where).GroupBy("a.space_id", key)
}

func (g grain) columns() []string {
	return []string{"space_id", g.col, "items", "contributors", "scored", "score_sum", "score_min", "score_max"}
}

// activityCells are the months and days, by space, that activity fell in.
type activityCells map[grain]map[int64]map[string]bool

// add records an item of space at t.
func (c activityCells) add(space int64, t time.Time) {
	for _, g := range grains {
		if c[g] == nil {
			c[g] = map[int64]map[string]bool{}
		}
		if c[g][space] == nil {
			c[g][space] = map[string]bool{}
		}
		c[g][space][t.UTC().Format(g.layout)] = true
	}
}

// recount counts again the months and days of cells from their items.
func (s *Store) recount(ctx context.Context, tx queryer, cells activityCells) error {
	for _, g := range grains {
		if err := s.recountCells(ctx, tx, g, cells[g]); err != nil {
			return err
		}
	}
	return nil
}

// recountCells counts again the given months or days of the given spaces
// from their items, inside the transaction that added to them: one
// statement drops and one counts up to 500 of them at a time, whatever the
// spaces, within SQLite's bound on parameters.
func (s *Store) recountCells(ctx context.Context, tx queryer, g grain, keys map[int64]map[string]bool) error {
	type cell struct {
		space int64
		key   string
	}
	var all []cell
	for space, set := range keys {
		for k := range set {
			all = append(all, cell{space, k})
		}
	}
	const batch = 500
	for start := 0; start < len(all); start += batch {
		cells, ranges := sq.Or{}, sq.Or{}
		for _, c := range all[start:min(start+batch, len(all))] {
			from, err := time.Parse(g.layout, c.key)
			if err != nil {
				return err
			}
			cells = append(cells, sq.Eq{"space_id": c.space, g.col: c.key})
			ranges = append(ranges, sq.And{sq.Eq{"a.space_id": c.space}, sq.GtOrEq{"a.occurred_at": from}, sq.Lt{"a.occurred_at": g.next(from)}})
		}
		if _, err := s.exec(ctx, tx, s.sb.Delete(g.table).Where(cells)); err != nil {
			return err
		}
		// An import of the same cells committed meanwhile may have put
		// them back: counted from what is committed now, they are replaced.
		if _, err := s.exec(ctx, tx, s.sb.Insert(g.table).Columns(g.columns()...).Select(s.cellsOf(g, ranges)).
			Suffix("ON CONFLICT (space_id, "+g.col+") DO UPDATE SET items = excluded.items, contributors = excluded.contributors, scored = excluded.scored, "+
				"score_sum = excluded.score_sum, score_min = excluded.score_min, score_max = excluded.score_max")); err != nil {
			return err
		}
	}
	return nil
}

// rebuildCells counts activity_months and activity_days afresh from every
// item: after a bulk load, and after migrating to a database that has
// activity but none counted yet.
func (s *Store) rebuildCells(ctx context.Context, tx queryer, only ...grain) error {
	if only == nil {
		only = grains
	}
	for _, g := range only {
		if _, err := s.exec(ctx, tx, s.sb.Delete(g.table)); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, s.sb.Insert(g.table).Columns(g.columns()...).Select(s.cellsOf(g, sq.Expr("1 = 1")))); err != nil {
			return err
		}
	}
	return nil
}

// fillCells builds activity_months or activity_days for a database with
// activity and none counted in them: one migrated from before they
// existed.
func (s *Store) fillCells(ctx context.Context) error {
	for _, g := range grains {
		var n int
		if err := s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From(g.table)); err != nil || n > 0 {
			if err != nil {
				return err
			}
			continue
		}
		if err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.rebuildCells(ctx, tx, g) }); err != nil {
			return err
		}
	}
	return nil
}

// cellsAnswer returns the grain whose cells answer q, if any: grouped by
// space and month or by space and day (and perhaps expertise), not
// filtered by kind, and bounded, if at all, at the start of a month or a
// day.
func cellsAnswer(q ActivityStatsQuery) (grain, bool) {
	if q.Kinds != nil {
		return grain{}, false
	}
	var space bool
	var by []grain
	for _, d := range q.GroupBy {
		switch d {
		case "SPACE":
			space = true
		case "MONTH":
			by = append(by, byMonth)
		case "DAY":
			by = append(by, byDay)
		case "EXPERTISE":
		default:
			return grain{}, false
		}
	}
	if !space || len(by) == 0 || slices.ContainsFunc(by, func(g grain) bool { return g != by[0] }) {
		return grain{}, false
	}
	g := by[0]
	for _, t := range []*time.Time{q.From, q.To} {
		if t != nil && !g.starts(*t) {
			return grain{}, false
		}
	}
	return g, true
}

// cellsStats answers activityStats from g's table: the same groups,
// figures and order as the items give (see cellsAnswer for when).
func (s *Store) cellsStats(ctx context.Context, g grain, q ActivityStatsQuery) ([]mvpgraph.ActivityGroup, error) {
	b := s.sb.Select("m.items AS n", "m.contributors", "m.score_sum", "m.score_min", "m.score_max",
		"CASE WHEN m.scored > 0 THEN m.score_sum / m.scored END AS score_avg").From(g.table + " m")
	joined := false
	seen := map[string]bool{}
	for _, d := range q.GroupBy {
		if seen[d] {
			continue
		}
		seen[d] = true
		switch d {
		case "SPACE":
			b = b.Column("m.space_id").OrderBy("m.space_id")
		case g.dim:
			b = b.Column("m." + g.col).OrderBy("m." + g.col)
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
		b = b.Where(sq.GtOrEq{"m." + g.col: q.From.UTC().Format(g.layout)})
	}
	if q.To != nil {
		b = b.Where(sq.Lt{"m." + g.col: q.To.UTC().Format(g.layout)})
	}
	var out []mvpgraph.ActivityGroup
	err := s.selectAll(ctx, s.db, &out, q.bounded(b))
	return out, err
}
