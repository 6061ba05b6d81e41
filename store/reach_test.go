package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestReachRankings checks the leaderboard, growth and lead summaries on
// a small program with hand-computed answers.
func TestReachRankings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		link := func(m mvpgraph.Member, pl mvpgraph.Platform, h string) int64 {
			a, err := s.LinkSocialAccount(ctx, m.ID, pl, h)
			require.NoError(t, err)
			return a.ID
		}
		sync := func(id, followers int64) {
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: id, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}}))
		}
		us1tw, us1gh := link(p.us1, mvpgraph.Twitter, "us1"), link(p.us1, mvpgraph.GitHub, "us1")
		us2tw := link(p.us2, mvpgraph.Twitter, "us2")
		ca1tw := link(p.ca1, mvpgraph.Twitter, "ca1")
		fr1tw := link(p.fr1, mvpgraph.Twitter, "fr1") // an alumnus
		sync(us1tw, 100)
		sync(us1gh, 50)
		sync(us2tw, 300)
		sync(ca1tw, 200)
		sync(fr1tw, 1000)
		today := store.Day(storetest.Clock())
		// Growth needs a reading before today's; in the same day a sync
		// replaces the snapshot, so growth within one day is the change
		// from the day's first reading: none.
		growth, err := s.FollowerGrowth(ctx, []int64{us1tw, us2tw}, today)
		require.NoError(t, err)
		require.Equal(t, map[int64]int64{us1tw: 0, us2tw: 0}, growth)

		board, err := s.Leaderboard(ctx, store.LeaderboardQuery{IsMVP: ptr(true), SinceDay: today, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.us2.ID, Followers: 300}, {MemberID: p.ca1.ID, Followers: 200}, {MemberID: p.us1.ID, Followers: 150}}, board)
		n, err := s.CountLeaderboard(ctx, store.LeaderboardQuery{IsMVP: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, 3, n)

		board, err = s.Leaderboard(ctx, store.LeaderboardQuery{IsMVP: ptr(true), Platform: ptr(mvpgraph.GitHub), SinceDay: today, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.us1.ID, Followers: 50}}, board)
		board, err = s.Leaderboard(ctx, store.LeaderboardQuery{LeadID: &p.uma.ID, SinceDay: today, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.us2.ID, Followers: 300}, {MemberID: p.us1.ID, Followers: 150}}, board)
		board, err = s.Leaderboard(ctx, store.LeaderboardQuery{ExpertiseID: &p.excel.ID, Country: ptr("ca"), SinceDay: today, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.ca1.ID, Followers: 200}}, board)
		board, err = s.Leaderboard(ctx, store.LeaderboardQuery{IsMVP: ptr(false), SinceDay: today, Limit: 10, Offset: 0})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.fr1.ID, Followers: 1000}}, board)
		board, err = s.Leaderboard(ctx, store.LeaderboardQuery{IsMVP: ptr(true), SinceDay: today, Limit: 2, Offset: 2})
		require.NoError(t, err)
		require.Equal(t, []store.LeaderRow{{MemberID: p.us1.ID, Followers: 150}}, board, "the second page")
		_, err = s.Leaderboard(ctx, store.LeaderboardQuery{Country: ptr("Canada")})
		requireCode(t, err, mvpgraph.EINVALID, "where.country")

		leads, err := s.LeadsReach(ctx, []int64{p.uma.ID, p.olaf.ID, p.chloe.ID}, today)
		require.NoError(t, err)
		require.Equal(t, store.LeadReach{MVPs: 2, Accounts: 3, Followers: 450, ByPlatform: []mvpgraph.PlatformTotal{
			{Platform: mvpgraph.Twitter, Accounts: 2, Followers: 400}, {Platform: mvpgraph.GitHub, Accounts: 1, Followers: 50},
		}}, leads[p.uma.ID])
		require.Equal(t, store.LeadReach{MVPs: 1, Accounts: 1, Followers: 300, ByPlatform: []mvpgraph.PlatformTotal{
			{Platform: mvpgraph.Twitter, Accounts: 1, Followers: 300},
		}}, leads[p.olaf.ID])
		require.Equal(t, 200, int(leads[p.chloe.ID].Followers))
	})
}

// TestFollowerGrowth syncs on three days and checks the growth windows.
func TestFollowerGrowth(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			u := storetest.URL(t, d)
			at := func(day string) *store.Store {
				ts, err := time.Parse(time.DateOnly, day)
				require.NoError(t, err)
				s, err := store.Open(ctx, u, store.WithClock(func() time.Time { return ts.Add(12 * time.Hour) }))
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				_, err = s.Migrate(ctx)
				require.NoError(t, err)
				return s
			}
			s := at("2026-06-01")
			m := mvpgraph.Member{Handle: "grower", Name: "G", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			a, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.Twitter, "grower")
			require.NoError(t, err)
			for day, followers := range map[string]int64{"2026-06-01": 100, "2026-06-20": 130, "2026-07-01": 160} {
				require.NoError(t, at(day).RecordSync(ctx, []store.Outcome{{AccountID: a.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}}))
			}
			// The newest reading is what the last sync wrote, whatever the order above.
			latest := at("2026-07-02")
			f := int64(160)
			require.NoError(t, latest.RecordSync(ctx, []store.Outcome{{AccountID: a.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}}}))
			for since, want := range map[string]int64{"2026-05-01": 60, "2026-06-01": 60, "2026-06-02": 30, "2026-06-21": 0, "2026-08-01": 0} {
				g, err := latest.FollowerGrowth(ctx, []int64{a.ID}, since)
				require.NoError(t, err)
				require.Equal(t, want, g[a.ID], "since %s", since)
			}
			snaps, err := latest.SnapshotsOf(ctx, []int64{a.ID}, "2026-06-01", "2026-06-30")
			require.NoError(t, err)
			require.Len(t, snaps[a.ID], 2)
			require.Equal(t, "2026-06-20", snaps[a.ID][1].Day)
		})
	}
}
