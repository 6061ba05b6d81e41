package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// The program summary (table program_summary) counts members, MVPs and
// awards per country (grain C), per country and expertise category (CC)
// and per country and expertise (CE). A member has one country, so a
// cell's distinct counts add up across countries exactly; they do not
// across categories or expertises, hence a grain for each. The
// transactions that change members and awards change it too, by the
// difference between what their members counted for before and after
// (summaryMark), so that it is exact whenever they commit.

// summaryCell is one row of program_summary, or a change to it.
type summaryCell struct {
	Cell        string  `db:"cell"`
	Grain       string  `db:"grain"`
	Country     string  `db:"country"`
	Category    *string `db:"category"`
	ExpertiseID *int64  `db:"expertise_id"`
	Members     int64   `db:"members"`
	MVPs        int64   `db:"mvps"`
	Awards      int64   `db:"awards"`
}

// memberPart is what one member counts for per expertise: the awards and
// whether one is active. A member without awards has one part, of no
// expertise.
type memberPart struct {
	MemberID    int64   `db:"member_id"`
	Country     string  `db:"country"`
	ExpertiseID *int64  `db:"expertise_id"`
	Category    *string `db:"category"`
	Awards      int64   `db:"awards"`
	Active      int64   `db:"active"`
}

// memberParts selects each member's parts (all members when ids is nil).
func (s *Store) memberParts(ids []int64) sq.SelectBuilder {
	b := s.sb.Select("m.id AS member_id", "m.country", "a.expertise_id", "e.category", "COUNT(a.id) AS awards",
		"MAX(CASE WHEN a.status = 'ACTIVE' THEN 1 ELSE 0 END) AS active").
		From("members m").LeftJoin("awards a ON a.member_id = m.id").LeftJoin("expertises e ON e.id = a.expertise_id").
		GroupBy("m.id", "m.country", "a.expertise_id", "e.category")
	if ids != nil {
		b = b.Where(s.in("m.id", ids))
	}
	return b
}

// summaryCells turns members' parts into the cells they count in, with
// sign (1 or -1) times their counts, added into into.
func summaryCells(parts []memberPart, sign int64, into map[string]*summaryCell) {
	add := func(c summaryCell, members, mvps, awards int64) {
		got := into[c.Cell]
		if got == nil {
			got = &c
			into[c.Cell] = got
		}
		got.Members += sign * members
		got.MVPs += sign * mvps
		got.Awards += sign * awards
	}
	type member struct {
		country       string
		awards        int64
		active        bool
		byCategory    map[string][2]int64 // awards, active
		hasNoCategory bool
	}
	members := map[int64]*member{}
	for _, p := range parts {
		m := members[p.MemberID]
		if m == nil {
			m = &member{country: p.Country, byCategory: map[string][2]int64{}}
			members[p.MemberID] = m
		}
		m.awards += p.Awards
		m.active = m.active || p.Active == 1
		ce := summaryCell{Grain: "CE", Country: p.Country, ExpertiseID: p.ExpertiseID}
		ce.Cell = cellKey(ce)
		add(ce, 1, p.Active, p.Awards)
		if p.Category == nil {
			m.hasNoCategory = true
			continue
		}
		c := m.byCategory[*p.Category]
		m.byCategory[*p.Category] = [2]int64{c[0] + p.Awards, max(c[1], p.Active)}
	}
	for _, m := range members {
		c := summaryCell{Grain: "C", Country: m.country}
		c.Cell = cellKey(c)
		active := int64(0)
		if m.active {
			active = 1
		}
		add(c, 1, active, m.awards)
		if m.hasNoCategory {
			cc := summaryCell{Grain: "CC", Country: m.country}
			cc.Cell = cellKey(cc)
			add(cc, 1, 0, 0)
		}
		for cat, n := range m.byCategory {
			cc := summaryCell{Grain: "CC", Country: m.country, Category: &cat}
			cc.Cell = cellKey(cc)
			add(cc, 1, n[1], n[0])
		}
	}
}

// cellKey is a cell's key: its grain and values joined by '|' (a country
// holds none; a category, last, may).
func cellKey(c summaryCell) string {
	switch c.Grain {
	case "CC":
		cat := ""
		if c.Category != nil {
			cat = *c.Category
		}
		return "CC|" + c.Country + "|" + cat
	case "CE":
		id := ""
		if c.ExpertiseID != nil {
			id = strconv.FormatInt(*c.ExpertiseID, 10)
		}
		return "CE|" + c.Country + "|" + id
	}
	return "C|" + c.Country
}

// summaryMark is what some members counted for before a change.
type summaryMark struct {
	ids    []int64
	before []memberPart
}

// markSummary reads what members count for now, inside the transaction
// that is about to change them or their awards; settle then applies the
// difference the change made.
func (s *Store) markSummary(ctx context.Context, tx queryer, ids ...int64) (summaryMark, error) {
	mark := summaryMark{ids: ids}
	err := s.selectAll(ctx, tx, &mark.before, s.memberParts(ids))
	return mark, err
}

// settleSummary applies to program_summary the difference between what
// the mark's members count for now and what they counted for at the mark.
func (s *Store) settleSummary(ctx context.Context, tx queryer, mark summaryMark) error {
	var after []memberPart
	if err := s.selectAll(ctx, tx, &after, s.memberParts(mark.ids)); err != nil {
		return err
	}
	delta := map[string]*summaryCell{}
	summaryCells(mark.before, -1, delta)
	summaryCells(after, 1, delta)
	return s.addToSummary(ctx, tx, delta)
}

// addToSummary adds cells' counts to program_summary, in the order of
// their keys, so that transactions changing the same cells queue rather
// than deadlock.
func (s *Store) addToSummary(ctx context.Context, tx queryer, cells map[string]*summaryCell) error {
	keys := make([]string, 0, len(cells))
	for k, c := range cells {
		if c.Members != 0 || c.MVPs != 0 || c.Awards != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	const batch = 500
	for start := 0; start < len(keys); start += batch {
		b := s.sb.Insert("program_summary").Columns("cell", "grain", "country", "category", "expertise_id", "members", "mvps", "awards")
		for _, k := range keys[start:min(start+batch, len(keys))] {
			c := cells[k]
			b = b.Values(c.Cell, c.Grain, c.Country, c.Category, c.ExpertiseID, c.Members, c.MVPs, c.Awards)
		}
		b = b.Suffix("ON CONFLICT (cell) DO UPDATE SET members = program_summary.members + excluded.members, " +
			"mvps = program_summary.mvps + excluded.mvps, awards = program_summary.awards + excluded.awards")
		if _, err := s.exec(ctx, tx, b); err != nil {
			return err
		}
	}
	return nil
}

// rebuildSummary counts program_summary afresh from the base tables: after
// a bulk load, and after migrating to a database that has members but no
// summary yet.
func (s *Store) rebuildSummary(ctx context.Context, tx queryer) error {
	if _, err := s.exec(ctx, tx, s.sb.Delete("program_summary")); err != nil {
		return err
	}
	// The database groups the members' parts into cells: what
	// summaryCells does for a few members, for all of them.
	parts := s.memberParts(nil)
	perCategory := s.sb.Select("p.member_id", "p.country", "p.category", "SUM(p.awards) AS awards", "MAX(p.active) AS active").
		FromSelect(parts, "p").GroupBy("p.member_id", "p.country", "p.category")
	perMember := s.sb.Select("p.member_id", "p.country", "SUM(p.awards) AS awards", "MAX(p.active) AS active").
		FromSelect(parts, "p").GroupBy("p.member_id", "p.country")
	cells := []sq.SelectBuilder{
		s.sb.Select("'CE|' || p.country || '|' || COALESCE(CAST(p.expertise_id AS TEXT), '')", "'CE'", "p.country", "NULL", "p.expertise_id",
			"COUNT(*)", "SUM(p.active)", "SUM(p.awards)").FromSelect(parts, "p").GroupBy("p.country", "p.expertise_id"),
		s.sb.Select("'CC|' || p.country || '|' || COALESCE(p.category, '')", "'CC'", "p.country", "p.category", "NULL",
			"COUNT(*)", "SUM(p.active)", "SUM(p.awards)").FromSelect(perCategory, "p").GroupBy("p.country", "p.category"),
		s.sb.Select("'C|' || p.country", "'C'", "p.country", "NULL", "NULL",
			"COUNT(*)", "SUM(p.active)", "SUM(p.awards)").FromSelect(perMember, "p").GroupBy("p.country"),
	}
	for _, c := range cells {
		if _, err := s.exec(ctx, tx, s.sb.Insert("program_summary").
			Columns("cell", "grain", "country", "category", "expertise_id", "members", "mvps", "awards").Select(c)); err != nil {
			return fmt.Errorf("rebuild the program summary: %w", err)
		}
	}
	return nil
}

// fillSummary builds the summary of a database that has members and no
// summary: one migrated from before it existed.
func (s *Store) fillSummary(ctx context.Context) error {
	var n int
	if err := s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From("program_summary")); err != nil || n > 0 {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.rebuildSummary(ctx, tx) })
}

// summaryGrain is the grain of program_summary that answers a grouping of
// program statistics, or "" when none does: a lead or a year, or a filter
// on anything but the country.
func summaryGrain(groupBy []mvpgraph.StatsDimension, where *mvpgraph.MemberWhere) string {
	if !countryOnly(where) {
		return ""
	}
	grain := "C"
	for _, d := range groupBy {
		switch d {
		case mvpgraph.ByCountry:
		case mvpgraph.ByCategory:
			if grain == "C" {
				grain = "CC"
			}
		case mvpgraph.ByExpertise:
			grain = "CE"
		default:
			return ""
		}
	}
	return grain
}

// countryOnly reports whether a member filter tests the country alone.
func countryOnly(w *mvpgraph.MemberWhere) bool {
	if w == nil {
		return true
	}
	if w.ID != nil || w.Handle != nil || w.Name != nil || w.Email != nil || w.City != nil || w.Bio != nil ||
		w.Employer != nil || w.IsEmployee != nil || w.IsMvp != nil || !countryOnly(w.Not) {
		return false
	}
	for _, list := range [][]*mvpgraph.MemberWhere{w.And, w.Or} {
		for _, x := range list {
			if !countryOnly(x) {
				return false
			}
		}
	}
	return true
}

// summaryStats answers program statistics from program_summary's grain:
// the same groups, counts and order as the base tables give.
func (s *Store) summaryStats(ctx context.Context, grain string, dims []mvpgraph.StatsDimension, cond sq.Sqlizer) ([]mvpgraph.StatsGroup, error) {
	b := s.sb.Select("COALESCE(SUM(m.members), 0) AS members", "COALESCE(SUM(m.mvps), 0) AS mvps", "COALESCE(SUM(m.awards), 0) AS awards").
		From("program_summary m").Where(sq.Eq{"m.grain": grain}).Where(cond)
	for _, d := range dims {
		var col, name string
		switch d {
		case mvpgraph.ByCountry:
			col, name = "m.country", "country"
		case mvpgraph.ByExpertise:
			col, name = "m.expertise_id", "expertise_id"
		case mvpgraph.ByCategory:
			col, name = "m.category", "category"
			if grain == "CE" {
				col = "e.category"
				b = b.LeftJoin("expertises e ON e.id = m.expertise_id")
			}
		}
		b = b.Column(col + " AS " + name).GroupBy(col).OrderBy(col + " NULLS LAST")
	}
	if len(dims) > 0 {
		b = b.Having("SUM(m.members) > 0")
	}
	var out []mvpgraph.StatsGroup
	err := s.selectAll(ctx, s.db, &out, b)
	return out, err
}

// SummaryCheck compares program_summary with the base tables and returns
// the cells that differ, as "cell: summary members/mvps/awards, base
// members/mvps/awards"; none when the summary is exact.
func (s *Store) SummaryCheck(ctx context.Context) ([]string, error) {
	var stored []summaryCell
	if err := s.selectAll(ctx, s.db, &stored, s.sb.Select("cell", "grain", "country", "category", "expertise_id", "members", "mvps", "awards").From("program_summary")); err != nil {
		return nil, err
	}
	var parts []memberPart
	if err := s.selectAll(ctx, s.db, &parts, s.memberParts(nil)); err != nil {
		return nil, err
	}
	want := map[string]*summaryCell{}
	summaryCells(parts, 1, want)
	var diffs []string
	seen := map[string]bool{}
	for _, c := range stored {
		seen[c.Cell] = true
		w := want[c.Cell]
		if w == nil {
			w = &summaryCell{}
		}
		if w.Members != c.Members || w.MVPs != c.MVPs || w.Awards != c.Awards {
			diffs = append(diffs, fmt.Sprintf("%s: summary %d/%d/%d, base %d/%d/%d", c.Cell, c.Members, c.MVPs, c.Awards, w.Members, w.MVPs, w.Awards))
		}
	}
	for k, w := range want {
		if !seen[k] && (w.Members != 0 || w.MVPs != 0 || w.Awards != 0) {
			diffs = append(diffs, fmt.Sprintf("%s: summary none, base %d/%d/%d", k, w.Members, w.MVPs, w.Awards))
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

// StatsSource says what answered program statistics.
type StatsSource string

// Sources of program statistics.
const (
	FromSummary StatsSource = "program_summary"
	FromMonths  StatsSource = "activity_months"
	FromDays    StatsSource = "activity_days"
	FromBase    StatsSource = "base tables"
)
