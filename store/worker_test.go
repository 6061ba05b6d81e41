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

// TestServedPlatforms: a platform is served while a syncing process's
// heartbeat for it is live, at the shortest interval the processes sync it.
func TestServedPlatforms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		served, err := s.ServedPlatforms(ctx)
		require.NoError(t, err)
		require.Empty(t, served, "nothing is served before a process says so")

		require.NoError(t, s.Heartbeat(ctx, "worker-a", map[mvpgraph.Platform]store.Service{
			mvpgraph.Twitter: {Interval: time.Hour, BatchSize: 100},
		}, time.Minute))
		require.NoError(t, s.Heartbeat(ctx, "worker-b", map[mvpgraph.Platform]store.Service{
			mvpgraph.Twitter: {Interval: 30 * time.Minute, BatchSize: 100},
			mvpgraph.GitHub:  {Interval: 24 * time.Hour, BatchSize: 1},
		}, 10*time.Minute))
		require.NoError(t, s.Heartbeat(ctx, "api-replica", nil, time.Minute))
		served, err = s.ServedPlatforms(ctx)
		require.NoError(t, err)
		require.Equal(t, map[mvpgraph.Platform]store.Service{
			mvpgraph.Twitter: {Interval: 30 * time.Minute, BatchSize: 100},
			mvpgraph.GitHub:  {Interval: 24 * time.Hour, BatchSize: 1},
		}, served)

		// A process that stops beating stops serving once its heartbeat
		// expires; another's beat keeps a platform served.
		later := s.WithClock(func() time.Time { return storetest.Clock().Add(2 * time.Minute) })
		served, err = later.ServedPlatforms(ctx)
		require.NoError(t, err)
		require.Equal(t, 30*time.Minute, served[mvpgraph.Twitter].Interval)
		require.NoError(t, later.Heartbeat(ctx, "worker-a", map[mvpgraph.Platform]store.Service{
			mvpgraph.Twitter: {Interval: 20 * time.Minute, BatchSize: 100},
		}, time.Minute))
		served, err = later.ServedPlatforms(ctx)
		require.NoError(t, err)
		require.Equal(t, 20*time.Minute, served[mvpgraph.Twitter].Interval)

		muchLater := s.WithClock(func() time.Time { return storetest.Clock().Add(time.Hour) })
		served, err = muchLater.ServedPlatforms(ctx)
		require.NoError(t, err)
		require.Empty(t, served, "every heartbeat has expired")
	})
}

// TestFreezeKeepsWhatAccountsWere: freezing a platform marks its active
// accounts FROZEN and leaves NOT_FOUND, SUSPENDED and ERROR as they are;
// thawing gives back what was there.
func TestFreezeKeepsWhatAccountsWere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		link := func(handle string) int64 {
			a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, handle)
			require.NoError(t, err)
			return a.ID
		}
		active, flaky, gone, suspended, broken := link("active"), link("flaky"), link("gone"), link("suspended"), link("broken")
		other, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, "other")
		require.NoError(t, err)
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{
			{AccountID: active, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr[int64](10)}}},
			{AccountID: gone, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}},
			{AccountID: suspended, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountSuspended}},
		}))
		require.NoError(t, s.RecordFailure(ctx, []int64{flaky}, "HTTP 502", time.Time{}))
		for range mvpgraph.MaxFailures {
			require.NoError(t, s.RecordFailure(ctx, []int64{broken}, "HTTP 502", time.Time{}))
		}
		statuses := func() map[int64]mvpgraph.AccountStatus {
			accounts, err := s.SocialAccountsByIDs(ctx, []int64{active, flaky, gone, suspended, broken, other.ID})
			require.NoError(t, err)
			out := map[int64]mvpgraph.AccountStatus{}
			for _, a := range accounts {
				out[a.ID] = a.Status
				if a.ID == flaky {
					require.Equal(t, 1, a.Failures, "a freeze and a thaw keep the failures counted")
				}
			}
			return out
		}
		before := statuses()
		require.Equal(t, mvpgraph.AccountError, before[broken])

		n, err := s.FreezePlatform(ctx, mvpgraph.Twitter)
		require.NoError(t, err)
		require.EqualValues(t, 2, n, "the two active accounts")
		frozen := statuses()
		require.Equal(t, mvpgraph.AccountFrozen, frozen[active])
		require.Equal(t, mvpgraph.AccountFrozen, frozen[flaky])
		require.Equal(t, mvpgraph.AccountNotFound, frozen[gone])
		require.Equal(t, mvpgraph.AccountSuspended, frozen[suspended])
		require.Equal(t, mvpgraph.AccountError, frozen[broken])
		require.Equal(t, mvpgraph.AccountActive, frozen[other.ID], "another platform is untouched")
		n, err = s.FreezePlatform(ctx, mvpgraph.Twitter)
		require.NoError(t, err)
		require.Zero(t, n, "freezing again changes nothing")

		n, err = s.ThawPlatform(ctx, mvpgraph.Twitter)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		require.Equal(t, before, statuses(), "thawing gives back what was there")

		// One account linked on a platform nobody syncs waits frozen alone.
		require.NoError(t, s.FreezeAccount(ctx, active))
		after := statuses()
		require.Equal(t, mvpgraph.AccountFrozen, after[active])
		require.Equal(t, mvpgraph.AccountActive, after[flaky])
		require.NoError(t, s.FreezeAccount(ctx, gone))
		require.Equal(t, mvpgraph.AccountNotFound, statuses()[gone])
	})
}

// TestMigrationsGoBothWays reverts every migration and applies them again,
// with data in the tables the newest ones change.
func TestMigrationsGoBothWays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, "alice")
		require.NoError(t, err)
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: a.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr[int64](10)}}}}))
		require.NoError(t, s.Heartbeat(ctx, "worker", map[mvpgraph.Platform]store.Service{mvpgraph.Twitter: {Interval: time.Hour, BatchSize: 100}}, time.Minute))
		// Down to the migrations before the workers' record, and up again:
		// the accounts and their reach are kept.
		before := map[store.Dialect]int64{store.Postgres: 9, store.SQLite: 7}[s.Dialect()]
		require.NoError(t, s.MigrateDownTo(ctx, before))
		_, err = s.Migrate(ctx)
		require.NoError(t, err)
		got, err := s.SocialAccountsByIDs(ctx, []int64{a.ID})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.EqualValues(t, 10, *got[0].Followers)

		require.NoError(t, s.MigrateDownTo(ctx, 0))
		n, err := s.Migrate(ctx)
		require.NoError(t, err)
		require.Positive(t, n)
		pending, err := s.MigrationsPending(ctx)
		require.NoError(t, err)
		require.False(t, pending)
	})
}

// TestBlueskyMigration: the migration that lets social accounts be on
// Bluesky keeps every account and its history both ways, and is refused
// going down while a Bluesky account remains.
func TestBlueskyMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		tw, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, "alice")
		require.NoError(t, err)
		bs, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Bluesky, "https://bsky.app/profile/Alice.bsky.social")
		require.NoError(t, err)
		require.Equal(t, "alice.bsky.social", bs.Handle)
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{
			{AccountID: tw.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr[int64](10)}}},
			{AccountID: bs.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr[int64](20)}}},
		}))
		before := map[store.Dialect]int64{store.Postgres: 17, store.SQLite: 15}[s.Dialect()]

		require.Error(t, s.MigrateDownTo(ctx, before), "a Bluesky account remains")
		got, err := s.SocialAccountsByIDs(ctx, []int64{tw.ID, bs.ID})
		require.NoError(t, err)
		require.Len(t, got, 2, "the refused migration changed nothing")

		_, err = s.UnlinkSocialAccount(ctx, bs.ID)
		require.NoError(t, err)
		require.NoError(t, s.MigrateDownTo(ctx, before))
		_, err = s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Bluesky, "alice.bsky.social")
		require.Error(t, err, "no Bluesky before the migration")
		_, err = s.Migrate(ctx)
		require.NoError(t, err)
		got, err = s.SocialAccountsByIDs(ctx, []int64{tw.ID})
		require.NoError(t, err)
		require.EqualValues(t, 10, *got[0].Followers)
		snaps, err := s.SnapshotsOf(ctx, []int64{tw.ID}, "2000-01-01", "2100-01-01")
		require.NoError(t, err)
		require.Len(t, snaps[tw.ID], 1, "the history is kept")
		_, err = s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Bluesky, "alice.bsky.social")
		require.NoError(t, err)
	})
}
