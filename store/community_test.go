package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/importer"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestImportAndSpaceActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		spaces := map[string]*mvpgraph.CommunitySpace{}
		for _, name := range []string{"Forum", "Blog Ring", "User Group"} {
			sp := &mvpgraph.CommunitySpace{Name: name, Kind: "forum"}
			require.NoError(t, s.CreateSpace(ctx, sp, []int64{p.crm.ID}))
			spaces[name] = sp
		}
		require.Equal(t, mvpgraph.SpaceKind("FORUM"), spaces["Forum"].Kind)
		requireCode(t, s.CreateSpace(ctx, &mvpgraph.CommunitySpace{Name: "Forum", Kind: "FORUM"}, nil), mvpgraph.ECONFLICT)
		requireCode(t, s.CreateSpace(ctx, &mvpgraph.CommunitySpace{Name: "X", Kind: "PIGEON"}, nil), mvpgraph.EINVALID, "kind")
		requireCode(t, s.CreateSpace(ctx, &mvpgraph.CommunitySpace{Name: "Y", Kind: "FORUM"}, []int64{9999}), mvpgraph.ENOTFOUND, "expertiseIds[0]")

		// May: Forum 6 (3 people), Blog Ring 3, User Group 1; April: Forum 2, Blog Ring 3.
		var b strings.Builder
		b.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle\n")
		add := func(space, id, day, who string) {
			fmt.Fprintf(&b, "%s,%s,ANSWER,%s,%s,%s,\n", space, id, day, who, strings.ToUpper(who))
		}
		for i, who := range []string{"ann", "ann", "ben", "ben", "cid", "cid"} {
			add("Forum", fmt.Sprint("f", i), fmt.Sprintf("2026-05-%02d", i+1), who)
		}
		for i := range 3 {
			add("Blog Ring", fmt.Sprint("b", i), "2026-05-10", "dee")
			add("Blog Ring", fmt.Sprint("old-b", i), "2026-04-10", "dee")
		}
		add("User Group", "u1", "2026-05-20", "eve")
		add("Forum", "old-f1", "2026-04-02", "ann")
		add("Forum", "old-f2", "2026-04-03", "ann")
		add("Nowhere", "n1", "2026-05-20", "eve")
		b.WriteString("Forum,f-bad,ANSWER,2026-13-45,ann,ANN,\n")
		b.WriteString("Forum,f-member,ANSWER,2026-05-30,zed,ZED,nobody\n")
		rows, bad, err := importer.Activities(strings.NewReader(b.String()), "csv")
		require.NoError(t, err)

		// All or nothing: a bad row stores none.
		res, err := s.ImportActivities(ctx, rows, bad, true, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
		require.NoError(t, err)
		require.Zero(t, res.Imported)
		require.Len(t, res.Rejected, 3)

		res, err = s.ImportActivities(ctx, rows, bad, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
		require.NoError(t, err)
		require.Equal(t, 15, res.Imported)
		require.Equal(t, []mvpgraph.RowError{
			{Line: 17, Reason: `unknown space "Nowhere"; create it first`},
			{Line: 18, Reason: bad[0].Reason},
			{Line: 19, Reason: `unknown member "nobody"`},
		}, res.Rejected)

		again, err := s.ImportActivities(ctx, rows, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
		require.NoError(t, err)
		require.Zero(t, again.Imported, "a re-import changes nothing")
		require.Equal(t, 15, again.Duplicates)

		from := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
		counts, days, err := s.SpaceActivity(ctx, p.crm.ID, from, to)
		require.NoError(t, err)
		by := map[string]mvpgraph.SpaceCount{}
		for _, c := range counts {
			by[c.Name] = c
		}
		require.Equal(t, 6, by["Forum"].Count)
		require.Equal(t, 3, by["Forum"].Contributors)
		require.Equal(t, 2, by["Forum"].Previous, "the 30 days before")
		require.Equal(t, 3, by["Blog Ring"].Count)
		require.Equal(t, 3, by["Blog Ring"].Previous)
		require.Equal(t, 1, by["User Group"].Count)
		require.Equal(t, 3, days["2026-05-10"])
		require.Equal(t, 1, days["2026-05-01"])
		none, _, err := s.SpaceActivity(ctx, p.excel.ID, from, to)
		require.NoError(t, err)
		require.Empty(t, none, "no space discusses Excel")
	})
}

// TestImportChecksEveryRow: rows from any source (a file, a space's feed)
// are checked one by one, each bad one reported with its line while the
// others are imported: text that is not UTF-8 (which PostgreSQL would
// refuse for the whole import), a URL that is not http or https, a score
// past the bound. A score stored before the bound existed is counted at
// the bound, so that statistics stay finite.
func TestImportChecksEveryRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		sp := &mvpgraph.CommunitySpace{Name: "Forum", Kind: "FORUM"}
		require.NoError(t, s.CreateSpace(ctx, sp, []int64{p.crm.ID}))
		at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		score := func(v float64) *float64 { return &v }
		rows := []mvpgraph.ActivityRow{
			{Line: 2, Space: "Forum", ExternalID: "ok", Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ann", ContributorName: "Ann", Title: "Grüße", URL: "https://forum.example/1", Score: score(3)},
			{Line: 3, Space: "Forum", ExternalID: "latin1", Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ann", ContributorName: "Ann", Title: "Gr\xfc\xdfe"},
			{Line: 4, Space: "Forum", ExternalID: "js", Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ann", ContributorName: "Ann", URL: "javascript:alert(1)"},
			{Line: 5, Space: "Forum", ExternalID: "huge", Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ann", ContributorName: "Ann", Score: score(1.7e308)},
			{Line: 6, Space: "Forum", ExternalID: "nul", Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ann\x00", ContributorName: "Ann"},
		}
		res, err := s.ImportActivities(ctx, rows, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
		require.NoError(t, err)
		require.Equal(t, 1, res.Imported)
		reasons := map[int]string{}
		for _, r := range res.Rejected {
			reasons[r.Line] = r.Reason
		}
		require.Len(t, reasons, 4)
		require.Contains(t, reasons[3], "title is not valid UTF-8")
		require.Contains(t, reasons[4], "not an http or https address")
		require.Contains(t, reasons[5], "score")
		require.Contains(t, reasons[6], "contributor_handle contains a NUL")

		// Two huge scores stored before the bound: the sums stay finite.
		for i, v := range []float64{1.7e308, 1.7e308} {
			rows := []mvpgraph.ActivityRow{{Line: 2, Space: "Forum", ExternalID: fmt.Sprint("old", i), Kind: "ANSWER", OccurredAt: at, ContributorHandle: "ben", ContributorName: "Ben", Score: score(1)}}
			_, err := s.ImportActivities(ctx, rows, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
			require.NoError(t, err)
			require.NoError(t, store.SetActivityScoreForTest(ctx, s, sp.ID, fmt.Sprint("old", i), v))
		}
		groups, err := s.ActivityStats(ctx, store.ActivityStatsQuery{})
		require.NoError(t, err)
		require.Len(t, groups, 1)
		require.Equal(t, 3, groups[0].Count)
		require.InDelta(t, 3+2*mvpgraph.MaxActivityScore, *groups[0].ScoreSum, 1)
		require.InDelta(t, mvpgraph.MaxActivityScore, *groups[0].ScoreMax, 1)
	})
}
