package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestLinkSocialAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, "https://twitter.com/Alice_A?lang=en")
		require.NoError(t, err)
		require.Equal(t, "alice_a", a.Handle)
		require.Equal(t, "https://x.com/alice_a", a.URL)
		require.Equal(t, mvpgraph.AccountActive, a.Status)

		_, err = s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, "@ALICE_A")
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.LinkSocialAccount(ctx, p.us2.ID, mvpgraph.Twitter, "x.com/alice_a")
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.LinkSocialAccount(ctx, p.us1.ID+999, mvpgraph.GitHub, "alice")
		requireCode(t, err, mvpgraph.ENOTFOUND, "memberId")
		_, err = s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.YouTube, "youtube.com/user/legacy")
		requireCode(t, err, mvpgraph.EINVALID, "handle")

		// The same handle on another platform is another account.
		gh, err := s.LinkSocialAccount(ctx, p.us2.ID, mvpgraph.GitHub, "github.com/alice_a")
		if err == nil {
			t.Fatalf("github logins have no underscore, but %q was accepted", gh.Handle)
		}
		_, err = s.LinkSocialAccount(ctx, p.us2.ID, mvpgraph.GitHub, "github.com/alice-a/")
		require.NoError(t, err)

		got, err := s.SocialAccountsOfMembers(ctx, []int64{p.us1.ID, p.us2.ID, p.ca1.ID})
		require.NoError(t, err)
		require.Len(t, got[p.us1.ID], 1)
		require.Len(t, got[p.us2.ID], 1)
		require.Empty(t, got[p.ca1.ID])

		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: a.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr[int64](10)}}}}))
		gone, err := s.UnlinkSocialAccount(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a.ID, gone.ID)
		snaps, err := s.SnapshotsOf(ctx, []int64{a.ID}, "2000-01-01", "2100-01-01")
		require.NoError(t, err)
		require.Empty(t, snaps[a.ID], "unlinking removes the history")
		_, err = s.UnlinkSocialAccount(ctx, a.ID)
		requireCode(t, err, mvpgraph.ENOTFOUND)
	})
}

func TestRecordSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		tw, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Twitter, "alice")
		require.NoError(t, err)
		gone, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, "gone")
		require.NoError(t, err)
		flaky, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.Blog, "https://example.com/feed")
		require.NoError(t, err)

		sync := func(followers int64) {
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{
				{AccountID: tw.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers, Posts: ptr[int64](7)}}},
				{AccountID: gone.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}},
				{AccountID: flaky.ID, Lookup: mvpgraph.Lookup{Err: errors.New("not a feed")}},
			}))
		}
		sync(100)
		sync(120) // a repeated sync the same day replaces the snapshot

		snaps, err := s.SnapshotsOf(ctx, []int64{tw.ID, gone.ID}, "2000-01-01", "2100-01-01")
		require.NoError(t, err)
		require.Len(t, snaps[tw.ID], 1, "one snapshot per account per day")
		require.EqualValues(t, 120, *snaps[tw.ID][0].Followers)
		require.Equal(t, store.Day(storetest.Clock()), snaps[tw.ID][0].Day)
		require.Empty(t, snaps[gone.ID])

		accounts, err := s.SocialAccountsByIDs(ctx, []int64{tw.ID, gone.ID, flaky.ID})
		require.NoError(t, err)
		require.EqualValues(t, 120, *accounts[0].Followers, "the newest reading is on the account")
		require.NotNil(t, accounts[0].LastSyncedAt)
		require.Equal(t, mvpgraph.AccountNotFound, accounts[1].Status)
		require.Equal(t, mvpgraph.AccountActive, accounts[2].Status, "two failures are not yet an error")
		require.Equal(t, 2, accounts[2].Failures)
		require.Equal(t, "not a feed", *accounts[2].LastError)

		sync(130)
		accounts, err = s.SocialAccountsByIDs(ctx, []int64{flaky.ID})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.AccountError, accounts[0].Status)

		// Freezing a platform keeps the data; thawing makes it active again.
		n, err := s.FreezePlatform(ctx, mvpgraph.Twitter)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		accounts, err = s.SocialAccountsByIDs(ctx, []int64{tw.ID})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.AccountFrozen, accounts[0].Status)
		require.EqualValues(t, 130, *accounts[0].Followers)
		n, err = s.ThawPlatform(ctx, mvpgraph.Twitter)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
	})
}

func TestClaimDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		var ids []int64
		for _, h := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
			a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, h)
			require.NoError(t, err)
			ids = append(ids, a.ID)
		}
		// a1 synced just now: not due. A platform frozen and thawed has
		// its accounts due again.
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: ids[0], Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive}}}))
		_, err := s.FreezePlatform(ctx, mvpgraph.GitHub)
		require.NoError(t, err)
		_, err = s.ThawPlatform(ctx, mvpgraph.GitHub)
		require.NoError(t, err)

		var mu sync.Mutex
		claimed := map[int64]int{}
		enqueue := func(_ context.Context, tx *sql.Tx, _ string, accounts []mvpgraph.SocialAccount) error {
			require.NotNil(t, tx)
			mu.Lock()
			defer mu.Unlock()
			for _, a := range accounts {
				claimed[a.ID]++
			}
			return nil
		}
		// Two rounds at once take different accounts.
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.ClaimDue(ctx, mvpgraph.GitHub, 24*time.Hour, 3, time.Hour, enqueue)
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		require.Len(t, claimed, 5, "every due account once")
		for id, n := range claimed {
			require.Equal(t, 1, n, "account %d claimed twice", id)
		}
		require.NotContains(t, claimed, ids[0], "a fresh account is not due")

		n, err := s.ClaimDue(ctx, mvpgraph.GitHub, 24*time.Hour, 10, time.Hour, enqueue)
		require.NoError(t, err)
		require.Zero(t, n, "claimed accounts wait for their lease")

		// A failed enqueue leaves no claim behind.
		_, err = s.ClaimAccounts(ctx, []int64{ids[0]}, []mvpgraph.Platform{mvpgraph.GitHub}, time.Hour, func(context.Context, *sql.Tx, string, []mvpgraph.SocialAccount) error {
			return errors.New("queue down")
		})
		require.Error(t, err)
		n, err = s.ClaimAccounts(ctx, []int64{ids[0]}, []mvpgraph.Platform{mvpgraph.GitHub}, time.Hour, enqueue)
		require.NoError(t, err)
		require.Equal(t, 1, n, "refresh claims an account that is not due")

		counts, err := s.AccountCounts(ctx, map[mvpgraph.Platform]time.Duration{mvpgraph.GitHub: 24 * time.Hour, mvpgraph.Twitter: time.Hour})
		require.NoError(t, err)
		require.Equal(t, store.AccountCount{Platform: mvpgraph.GitHub, Accounts: 6, Due: 5}, counts[mvpgraph.GitHub])
	})
}

func TestSharedRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g, err := s.AcquireRequests(ctx, mvpgraph.Twitter, 5)
		require.NoError(t, err)
		require.Equal(t, 1, g.N, "nothing known: one request, whose answer tells the rest")
		require.True(t, g.Probe)

		reset := storetest.Clock().Add(10 * time.Minute)
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.Twitter, &mvpgraph.Quota{Limit: 900, Remaining: 2, Reset: reset}))
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 5)
		require.NoError(t, err)
		require.Equal(t, 2, g.N, "what is left: the probe's answer counts the probe")
		require.False(t, g.Probe)
		require.WithinDuration(t, reset.Add(-250*time.Millisecond), g.Until, time.Millisecond, "to be sent before the reset")
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 1)
		require.NoError(t, err)
		require.Zero(t, g.N)
		require.InDelta(t, 10*time.Minute, g.Wait, float64(5*time.Second), "spent: wait for the reset")

		// A late answer from the same window does not give back what was taken.
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.Twitter, &mvpgraph.Quota{Limit: 900, Remaining: 1, Reset: reset}))
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 1)
		require.NoError(t, err)
		require.Zero(t, g.N)

		// A 429 pauses the platform, whatever the count says.
		require.NoError(t, s.PausePlatform(ctx, mvpgraph.GitHub, storetest.Clock().Add(time.Hour), "HTTP 429"))
		g, err = s.AcquireRequests(ctx, mvpgraph.GitHub, 1)
		require.NoError(t, err)
		require.Zero(t, g.N)
		require.InDelta(t, time.Hour, g.Wait, float64(5*time.Second))

		// Close to the reset, requests count against the next window; when the
		// window is over, the next starts with what they left.
		soon := storetest.Clock().Add(100 * time.Millisecond)
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.YouTube, &mvpgraph.Quota{Limit: 5, Remaining: 3, Reset: soon}))
		g, err = s.AcquireRequests(ctx, mvpgraph.YouTube, 2)
		require.NoError(t, err)
		require.Equal(t, 2, g.N)
		require.True(t, g.Until.IsZero(), "they count against the next window, whenever they land")
		time.Sleep(150 * time.Millisecond)
		g, err = s.AcquireRequests(ctx, mvpgraph.YouTube, 10)
		require.NoError(t, err)
		require.Equal(t, 3, g.N, "5 a window, 2 of them taken before the reset")
		// A late answer from the window that is over does not reopen the
		// allowance.
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.YouTube, &mvpgraph.Quota{Limit: 5, Remaining: 4, Reset: soon}))
		g, err = s.AcquireRequests(ctx, mvpgraph.YouTube, 10)
		require.NoError(t, err)
		require.Zero(t, g.N)

		states, err := s.PlatformStates(ctx)
		require.NoError(t, err)
		require.Equal(t, "HTTP 429", *states[mvpgraph.GitHub].LastError)
		require.Equal(t, 0, *states[mvpgraph.YouTube].QuotaRemaining)
		require.Equal(t, 0, *states[mvpgraph.Twitter].QuotaRemaining)
	})
}

// TestQuotaWithoutLimit: an API that said how much is left but never the
// limit is probed again once its window is over, rather than waited on
// forever.
func TestQuotaWithoutLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.Mastodon, &mvpgraph.Quota{Remaining: 0, Reset: storetest.Clock().Add(50 * time.Millisecond)}))
		g, err := s.AcquireRequests(ctx, mvpgraph.Mastodon, 5)
		require.NoError(t, err)
		require.Zero(t, g.N)
		time.Sleep(80 * time.Millisecond)
		g, err = s.AcquireRequests(ctx, mvpgraph.Mastodon, 5)
		require.NoError(t, err)
		require.Equal(t, 1, g.N, "a probe, whose answer tells the new window")
	})
}

// TestClaimsHoldTheirOwn: a batch's claim holds only its accounts; once a
// newer round has taken an account whose claim ran out, the older claim
// neither reads nor extends it.
func TestClaimsHoldTheirOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		var ids []int64
		for _, h := range []string{"a1", "a2", "a3"} {
			a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, h)
			require.NoError(t, err)
			ids = append(ids, a.ID)
		}
		claimOf := func(s *store.Store, lease time.Duration) string {
			var claim string
			n, err := s.ClaimDue(ctx, mvpgraph.GitHub, time.Hour, 10, lease, func(_ context.Context, _ *sql.Tx, c string, _ []mvpgraph.SocialAccount) error {
				claim = c
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 3, n)
			return claim
		}
		old := claimOf(s, time.Minute)
		held, err := s.ClaimedAccounts(ctx, old, ids)
		require.NoError(t, err)
		require.Len(t, held, 3)
		// a1 is recorded: no claim holds it any more.
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: ids[0], Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive}}}))

		// The claim runs out; a newer round takes the accounts due.
		later := s.WithClock(func() time.Time { return storetest.Clock().Add(2 * time.Hour) })
		newer := claimOf(later, time.Hour)
		require.NotEqual(t, old, newer)
		held, err = s.ClaimedAccounts(ctx, old, ids)
		require.NoError(t, err)
		require.Empty(t, held, "the old claim holds nothing the newer took")
		held, err = s.ClaimedAccounts(ctx, newer, ids)
		require.NoError(t, err)
		require.Len(t, held, 3)

		// The old claim's batch cannot keep or release the newer's accounts.
		require.NoError(t, s.ExtendClaims(ctx, old, ids, storetest.Clock().Add(100*time.Hour)))
		require.NoError(t, s.ReleaseClaims(ctx, old, ids))
		got, err := s.SocialAccountsByIDs(ctx, ids)
		require.NoError(t, err)
		for _, a := range got {
			require.NotNil(t, a.ClaimedUntil)
			require.True(t, a.ClaimedUntil.Before(storetest.Clock().Add(4*time.Hour)), "the newer claim's lease stands")
		}
	})
}

// TestOneProbeAtATime: until a platform has said its allowance, processes
// together have one request in flight.
func TestOneProbeAtATime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g, err := s.AcquireRequests(ctx, mvpgraph.Twitter, 5)
		require.NoError(t, err)
		require.Equal(t, store.Grant{N: 1, Probe: true}, g)
		for range 3 { // other batches, other processes
			g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 5)
			require.NoError(t, err)
			require.Zero(t, g.N, "the probe is in flight")
			require.Positive(t, g.Wait)
			require.LessOrEqual(t, g.Wait, time.Second)
		}
		// The probe failed without an answer: another may go.
		require.NoError(t, s.EndProbe(ctx, mvpgraph.Twitter, false))
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 5)
		require.NoError(t, err)
		require.Equal(t, store.Grant{N: 1, Probe: true}, g)
		// Its answer says 5 a window, 4 left (itself counted); the first
		// probe may have landed after it, and counts too.
		reset := storetest.Clock().Add(time.Minute)
		require.NoError(t, s.SaveQuota(ctx, mvpgraph.Twitter, &mvpgraph.Quota{Limit: 5, Remaining: 4, Reset: reset}))
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 10)
		require.NoError(t, err)
		require.Equal(t, 3, g.N)
		g, err = s.AcquireRequests(ctx, mvpgraph.Twitter, 10)
		require.NoError(t, err)
		require.Zero(t, g.N)

		// A probe whose process died is given up after its lease.
		g, err = s.AcquireRequests(ctx, mvpgraph.GitHub, 5)
		require.NoError(t, err)
		require.True(t, g.Probe)
		later := s.WithClock(func() time.Time { return storetest.Clock().Add(2 * time.Minute) })
		g, err = later.AcquireRequests(ctx, mvpgraph.GitHub, 5)
		require.NoError(t, err)
		require.Equal(t, store.Grant{N: 1, Probe: true}, g)

		// A platform that answers without saying any allowance is not
		// limited.
		g, err = s.AcquireRequests(ctx, mvpgraph.Blog, 5)
		require.NoError(t, err)
		require.True(t, g.Probe)
		require.NoError(t, s.EndProbe(ctx, mvpgraph.Blog, true))
		g, err = s.AcquireRequests(ctx, mvpgraph.Blog, 50)
		require.NoError(t, err)
		require.Equal(t, store.Grant{N: 50}, g)
	})
}
