package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/importer"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// cellQuestions asks activityStats the questions the spaces' months and
// days answer, and some they do not, of a program with the given expertise
// and space.
func cellQuestions(expertise, space int64) []struct {
	q    store.ActivityStatsQuery
	from store.StatsSource
} {
	at := func(s string) *time.Time {
		t, _ := time.Parse(time.RFC3339, s)
		return &t
	}
	return []struct {
		q    store.ActivityStatsQuery
		from store.StatsSource
	}{
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH"}}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"MONTH", "SPACE"}}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH", "EXPERTISE"}}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"EXPERTISE", "SPACE", "MONTH"}, ExpertiseID: &expertise}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH"}, SpaceID: &space}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH"}, From: at("2026-02-01T00:00:00Z"), To: at("2026-05-01T00:00:00Z")}, store.FromMonths},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH"}, From: at("2026-02-15T00:00:00Z")}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH"}, Kinds: []string{"ANSWER"}}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE"}}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "MONTH", "KIND"}}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}}, store.FromDays},
		{store.ActivityStatsQuery{GroupBy: []string{"DAY", "SPACE", "EXPERTISE"}}, store.FromDays},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}, ExpertiseID: &expertise, From: at("2026-02-15T00:00:00Z"), To: at("2026-03-08T00:00:00Z")}, store.FromDays},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}, SpaceID: &space}, store.FromDays},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}, From: at("2026-02-15T12:00:00Z")}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY", "MONTH"}}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}, Kinds: []string{"QUESTION"}}, store.FromBase},
		{store.ActivityStatsQuery{GroupBy: []string{"DAY"}}, store.FromBase},
	}
}

// requireCellsExact asks each question of the months and of the items,
// and requires the same groups, counts and scores (sums to rounding).
func requireCellsExact(t *testing.T, s *store.Store, expertise, space int64, when string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cellQuestions(expertise, space) {
		got, from, err := s.ActivityStatsFrom(ctx, c.q, true)
		require.NoError(t, err)
		require.Equal(t, c.from, from, "%+v", c.q)
		want, base, err := s.ActivityStatsFrom(ctx, c.q, false)
		require.NoError(t, err)
		require.Equal(t, store.FromBase, base)
		require.Len(t, got, len(want), "%s: %+v", when, c.q)
		for i := range want {
			w, g := want[i], got[i]
			for _, f := range [][2]*float64{{w.ScoreSum, g.ScoreSum}, {w.ScoreAvg, g.ScoreAvg}, {w.ScoreMin, g.ScoreMin}, {w.ScoreMax, g.ScoreMax}} {
				require.Equal(t, f[0] == nil, f[1] == nil, "%s: %+v group %d", when, c.q, i)
				if f[0] != nil {
					require.InDelta(t, *f[0], *f[1], 1e-9*max(1, *f[0]), "%s: %+v group %d", when, c.q, i)
				}
			}
			w.ScoreSum, w.ScoreAvg, w.ScoreMin, w.ScoreMax = nil, nil, nil, nil
			g.ScoreSum, g.ScoreAvg, g.ScoreMin, g.ScoreMax = nil, nil, nil, nil
			require.Equal(t, w, g, "%s: %+v group %d", when, c.q, i)
		}
	}
}

// TestActivityCellsKeptExact imports random activity in batches (some
// rows again, some scoreless, some in months and days already counted)
// into three spaces, and after each batch checks the months and days
// against the items.
func TestActivityCellsKeptExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		var spaces []mvpgraph.CommunitySpace
		for i, e := range [][]int64{{p.crm.ID}, {p.crm.ID, p.excel.ID}, {p.excel.ID}} {
			sp := mvpgraph.CommunitySpace{Name: fmt.Sprintf("Space %d", i), Kind: "FORUM"}
			require.NoError(t, s.CreateSpace(ctx, &sp, e))
			spaces = append(spaces, sp)
		}
		r := rand.New(rand.NewPCG(4, 2026))
		kinds := []string{"QUESTION", "ANSWER", "POST", "ARTICLE"}
		for batch := range 8 {
			var b strings.Builder
			b.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,score\n")
			for range 40 {
				score := ""
				switch r.IntN(3) {
				case 0:
					score = fmt.Sprint(r.IntN(20) - 3)
				case 1:
					score = fmt.Sprintf("%.1f", r.Float64()*10)
				}
				at := time.Date(2026, time.Month(1+r.IntN(6)), 1+7*r.IntN(4), r.IntN(24), 0, 0, 0, time.UTC)
				fmt.Fprintf(&b, "%s,x%d,%s,%s,h%d,Person %d,%s\n", spaces[r.IntN(3)].Name, r.IntN(200), kinds[r.IntN(4)],
					at.Format(time.RFC3339), r.IntN(15), r.IntN(15), score)
			}
			rows, bad, err := importer.Activities(strings.NewReader(b.String()), "csv")
			require.NoError(t, err)
			require.Empty(t, bad)
			_, err = s.ImportActivities(ctx, rows, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
			require.NoError(t, err)
			requireCellsExact(t, s, p.crm.ID, spaces[1].ID, fmt.Sprintf("after batch %d", batch))
		}

		// An answer of more groups than the query allows is refused, from
		// the cells and from the items alike; one of as many is not.
		for _, cells := range []bool{true, false} {
			q := store.ActivityStatsQuery{GroupBy: []string{"SPACE", "DAY"}}
			all, _, err := s.ActivityStatsFrom(ctx, q, cells)
			require.NoError(t, err)
			q.MaxGroups = len(all)
			got, _, err := s.ActivityStatsFrom(ctx, q, cells)
			require.NoError(t, err)
			require.Len(t, got, len(all))
			q.MaxGroups = len(all) - 1
			_, _, err = s.ActivityStatsFrom(ctx, q, cells)
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "%v", err)
			require.Contains(t, mvpgraph.ErrorMessage(err), fmt.Sprintf("more than %d groups; narrow where", len(all)-1))
		}
	})
}

// TestActivityCellsAfterLoad: a bulk-loaded program's months and days are
// counted with it, and a database migrated from before them gets them.
func TestActivityCellsAfterLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		require.NoError(t, seed.Scale(ctx, s, 300, 7))
		requireCellsExact(t, s, 1, 1, "after a load")
		before := map[store.Dialect]int64{store.Postgres: 19, store.SQLite: 17}[s.Dialect()]
		require.NoError(t, s.MigrateDownTo(ctx, before))
		_, err := s.Migrate(ctx)
		require.NoError(t, err)
		requireCellsExact(t, s, 1, 1, "after migrating up to the months and days")
	})
}
