package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fakeSource stands in for a platform client. The platforms' wire formats
// are tested in integrations/; here what matters is what the workers do with
// answers and failures.
type fakeSource struct {
	platform mvpgraph.Platform
	batch    int

	mu      sync.Mutex
	fetched map[string]int
	calls   int
	// fail, when set, decides the outcome of call n (from 1).
	fail func(n int, handles []string) error
	// block, when set, holds calls until their context ends.
	block bool
	// gate, when set, holds calls until it is closed; a call whose context
	// ended first counts in cancelled.
	gate      chan struct{}
	cancelled int
}

func (f *fakeSource) Platform() mvpgraph.Platform { return f.platform }
func (f *fakeSource) BatchSize() int              { return f.batch }

func (f *fakeSource) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	for _, h := range handles {
		f.fetched[h]++
	}
	block, fail, gate := f.block, f.fail, f.gate
	f.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled++
			f.mu.Unlock()
			return nil, nil, ctx.Err()
		}
	}
	if fail != nil {
		if err := fail(n, handles); err != nil {
			return nil, nil, err
		}
	}
	out := make([]mvpgraph.Lookup, len(handles))
	for i, h := range handles {
		followers := int64(100 + i)
		out[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}
	}
	return out, &mvpgraph.Quota{Limit: 1000, Remaining: 1000 - n, Reset: time.Now().Add(time.Minute)}, nil
}

func (f *fakeSource) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.fetched {
		out[k] = v
	}
	return out
}

func newFake(p mvpgraph.Platform, batch int) *fakeSource {
	return &fakeSource{platform: p, batch: batch, fetched: map[string]int{}}
}

// world is a database with members and linked accounts.
type world struct {
	url      string
	store    *store.Store
	accounts []mvpgraph.SocialAccount
}

func newWorld(t *testing.T, d store.Dialect, perPlatform map[mvpgraph.Platform]int) *world {
	t.Helper()
	ctx := context.Background()
	u := storetest.URL(t, d)
	s, err := store.Open(ctx, u)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	w := &world{url: u, store: s}
	m := mvpgraph.Member{Handle: "owner", Name: "Owner", Country: "US"}
	require.NoError(t, s.CreateMember(ctx, &m))
	for p, n := range perPlatform {
		for i := range n {
			handle := fmt.Sprintf("acct%04d", i)
			switch p {
			case mvpgraph.Blog:
				handle = fmt.Sprintf("https://example.com/%d/feed", i)
			case mvpgraph.YouTube:
				handle = "@" + handle
			case mvpgraph.Mastodon:
				handle += "@example.social"
			case mvpgraph.Bluesky:
				handle += ".bsky.social"
			}
			a, err := s.LinkSocialAccount(ctx, m.ID, p, handle)
			require.NoError(t, err)
			w.accounts = append(w.accounts, a)
		}
	}
	return w
}

func (w *world) runner(t *testing.T, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 200 * time.Millisecond
	}
	r, err := jobs.New(context.Background(), w.store, w.url, cfg)
	require.NoError(t, err)
	return r
}

// waitSynced waits until every account of the platforms has synced.
func (w *world) waitSynced(t *testing.T, platforms ...mvpgraph.Platform) []mvpgraph.SocialAccount {
	t.Helper()
	ids := []int64{}
	for _, a := range w.accounts {
		for _, p := range platforms {
			if a.Platform == p {
				ids = append(ids, a.ID)
			}
		}
	}
	var got []mvpgraph.SocialAccount
	require.Eventually(t, func() bool {
		var err error
		got, err = w.store.SocialAccountsByIDs(context.Background(), ids)
		require.NoError(t, err)
		for _, a := range got {
			if a.LastSyncedAt == nil {
				return false
			}
		}
		return true
	}, 60*time.Second, 100*time.Millisecond)
	return got
}

func snapshotsPerAccount(t *testing.T, s *store.Store, accounts []mvpgraph.SocialAccount) map[int64]int {
	t.Helper()
	ids := make([]int64, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	snaps, err := s.SnapshotsOf(context.Background(), ids, "2000-01-01", "2100-01-01")
	require.NoError(t, err)
	out := map[int64]int{}
	for id, list := range snaps {
		out[id] = len(list)
	}
	return out
}

// TestWorkersShareTheWork runs two worker processes' River clients on one
// database, with rounds racing each other, and shows every due account
// fetched once.
func TestWorkersShareTheWork(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Twitter: 240, mvpgraph.GitHub: 30})
			twitter, github := newFake(mvpgraph.Twitter, 100), newFake(mvpgraph.GitHub, 1)
			sources := map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: twitter, mvpgraph.GitHub: github}
			ctx := context.Background()
			var runners []*jobs.Runner
			for range 2 {
				r := w.runner(t, jobs.Config{Sources: sources, Work: true, Round: 300 * time.Millisecond, Concurrency: 3})
				require.NoError(t, r.Start(ctx))
				runners = append(runners, r)
			}
			defer func() {
				for _, r := range runners {
					require.NoError(t, r.Stop(ctx))
				}
			}()
			// Rounds of both processes at once, on top of the periodic ones.
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := r.Round(ctx)
					require.NoError(t, err)
				}()
			}
			wg.Wait()
			synced := w.waitSynced(t, mvpgraph.Twitter, mvpgraph.GitHub)
			for h, n := range twitter.counts() {
				require.Equal(t, 1, n, "twitter %s fetched %d times", h, n)
			}
			for h, n := range github.counts() {
				require.Equal(t, 1, n, "github %s fetched %d times", h, n)
			}
			require.Len(t, twitter.counts(), 240)
			require.Len(t, github.counts(), 30)
			require.Equal(t, 3, twitter.calls, "240 Twitter accounts go in calls of 100")
			for id, n := range snapshotsPerAccount(t, w.store, synced) {
				require.Equal(t, 1, n, "account %d", id)
			}
			for _, a := range synced {
				require.Equal(t, mvpgraph.AccountActive, a.Status)
				require.NotNil(t, a.Followers)
			}
			// Nothing is due any more: another round queues nothing.
			n, err := runners[0].Round(ctx)
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}
}

// TestCrashMidBatch stops a worker process in the middle of a batch and
// shows another finish it: no batch lost, no snapshot lost or doubled.
func TestCrashMidBatch(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Twitter: 150})
			// The allowance is known: both batches call at once, with no
			// probe to wait for.
			require.NoError(t, w.store.SaveQuota(ctx, mvpgraph.Twitter, &mvpgraph.Quota{Limit: 1000, Remaining: 1000, Reset: time.Now().Add(time.Hour)}))
			stuck := newFake(mvpgraph.Twitter, 100)
			stuck.block = true
			a := w.runner(t, jobs.Config{Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: stuck}, Work: true, Round: time.Hour})
			require.NoError(t, a.Start(ctx))
			require.Eventually(t, func() bool {
				stuck.mu.Lock()
				defer stuck.mu.Unlock()
				return stuck.calls == 2
			}, 30*time.Second, 50*time.Millisecond, "both batches in flight")
			// The process dies: its work is cut off mid-batch.
			stopCtx, cancel := context.WithCancel(ctx)
			cancel()
			_ = a.Stop(stopCtx)

			fine := newFake(mvpgraph.Twitter, 100)
			b := w.runner(t, jobs.Config{Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: fine}, Work: true, Round: time.Hour})
			require.NoError(t, b.Start(ctx))
			defer b.Stop(ctx)
			synced := w.waitSynced(t, mvpgraph.Twitter)
			require.Len(t, fine.counts(), 150, "the other process fetched every account of the cut-off batches")
			for id, n := range snapshotsPerAccount(t, w.store, synced) {
				require.Equal(t, 1, n, "account %d", id)
			}
			require.Len(t, snapshotsPerAccount(t, w.store, synced), 150)
		})
	}
}

// TestStopFinishesBatchesInHand stops a worker as a signal does: the
// context it started with ends, then Stop runs. The batches in flight finish
// and are stored; none is cancelled to be fetched again later.
func TestStopFinishesBatchesInHand(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Twitter: 150})
			require.NoError(t, w.store.SaveQuota(context.Background(), mvpgraph.Twitter, &mvpgraph.Quota{Limit: 1000, Remaining: 1000, Reset: time.Now().Add(time.Hour)}))
			slow := newFake(mvpgraph.Twitter, 100)
			slow.gate = make(chan struct{})
			r := w.runner(t, jobs.Config{Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: slow}, Work: true, Round: time.Hour})
			signal, stop := context.WithCancel(context.Background())
			require.NoError(t, r.Start(signal))
			require.Eventually(t, func() bool {
				slow.mu.Lock()
				defer slow.mu.Unlock()
				return slow.calls == 2
			}, 30*time.Second, 50*time.Millisecond, "both batches in flight")

			stop()
			stopped := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				stopped <- r.Stop(ctx)
			}()
			select {
			case err := <-stopped:
				t.Fatalf("Stop returned with batches in hand: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			close(slow.gate)
			require.NoError(t, <-stopped)

			slow.mu.Lock()
			require.Zero(t, slow.cancelled, "no call in flight was cancelled")
			slow.mu.Unlock()
			accounts, err := w.store.SocialAccountsByIDs(context.Background(), ids(w.accounts))
			require.NoError(t, err)
			for _, a := range accounts {
				require.NotNil(t, a.LastSyncedAt, "account %s synced before the worker stopped", a.Handle)
			}
		})
	}
}

func TestFailuresAndLimits(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, store.Postgres, map[mvpgraph.Platform]int{mvpgraph.Twitter: 5, mvpgraph.GitHub: 3, mvpgraph.YouTube: 2, mvpgraph.Mastodon: 2, mvpgraph.Blog: 2})

	limited := newFake(mvpgraph.Twitter, 100)
	reset := time.Now().Add(1500 * time.Millisecond)
	limited.fail = func(n int, _ []string) error {
		if n == 1 {
			return &mvpgraph.RateLimitError{Reset: reset, Err: errors.New("HTTP 429")}
		}
		return nil
	}
	flaky := newFake(mvpgraph.GitHub, 1)
	flaky.fail = func(n int, _ []string) error {
		if n <= 2 { // the first two tries of the batch
			return &mvpgraph.TransientError{Err: errors.New("HTTP 503")}
		}
		return nil
	}
	refused := newFake(mvpgraph.YouTube, 50)
	refused.fail = func(int, []string) error {
		return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "the platform refused the credentials (HTTP 400)")
	}
	down := newFake(mvpgraph.Mastodon, 1)
	down.fail = func(int, []string) error { return &mvpgraph.TransientError{Err: errors.New("HTTP 502")} }

	r := w.runner(t, jobs.Config{
		Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{
			mvpgraph.Twitter: limited, mvpgraph.GitHub: flaky, mvpgraph.YouTube: refused, mvpgraph.Mastodon: down,
			// Blog has no source: switched off.
		},
		Work: true, Round: time.Hour, MaxAttempts: 3,
	})
	require.NoError(t, r.Start(ctx))
	defer r.Stop(ctx)

	// A switched-off platform's accounts are frozen by the first round,
	// their data kept.
	accounts := map[mvpgraph.Platform][]mvpgraph.SocialAccount{}
	for _, a := range w.accounts {
		accounts[a.Platform] = append(accounts[a.Platform], a)
	}
	require.Eventually(t, func() bool {
		blogs, err := w.store.SocialAccountsByIDs(ctx, ids(accounts[mvpgraph.Blog]))
		require.NoError(t, err)
		for _, a := range blogs {
			if a.Status != mvpgraph.AccountFrozen {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond)

	// A 429 pauses Twitter for every process until the reset, then the batch
	// goes through; the 503s are retried with backoff.
	synced := w.waitSynced(t, mvpgraph.Twitter, mvpgraph.GitHub)
	require.Equal(t, 2, limited.calls, "one refused call, one after the reset")
	require.False(t, time.Now().Before(reset), "nothing was sent before the reset")
	states, err := w.store.PlatformStates(ctx)
	require.NoError(t, err)
	require.NotNil(t, states[mvpgraph.Twitter].PausedUntil)
	for _, a := range synced {
		require.Equal(t, mvpgraph.AccountActive, a.Status)
		require.Zero(t, a.Failures, "a success clears the failures")
	}

	// Refused credentials end the batch and say so on the platform; a
	// platform that keeps failing exhausts its attempts. Neither stopped the
	// others above.
	require.Eventually(t, func() bool {
		states, err := w.store.PlatformStates(ctx)
		require.NoError(t, err)
		got, err := w.store.SocialAccountsByIDs(ctx, ids(accounts[mvpgraph.Mastodon]))
		require.NoError(t, err)
		return states[mvpgraph.YouTube].LastError != nil && got[0].Failures >= 1
	}, 30*time.Second, 100*time.Millisecond)
	got, err := w.store.SocialAccountsByIDs(ctx, ids(accounts[mvpgraph.Mastodon]))
	require.NoError(t, err)
	require.Equal(t, 1, got[0].Failures, "one sync's retries are one failure")
	require.Equal(t, mvpgraph.AccountActive, got[0].Status, "ERROR comes after three failed syncs in a row")
	require.Contains(t, *got[0].LastError, "HTTP 502")
	down.mu.Lock()
	require.LessOrEqual(t, down.calls, 2*3, "bounded attempts")
	down.mu.Unlock()
	states, err = w.store.PlatformStates(ctx)
	require.NoError(t, err)
	require.Contains(t, *states[mvpgraph.YouTube].LastError, "refused the credentials")
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, store.SQLite, map[mvpgraph.Platform]int{mvpgraph.GitHub: 3})
	src := newFake(mvpgraph.GitHub, 1)
	reg := prometheus.NewRegistry()
	metrics := jobs.NewMetrics(reg, w.store)
	r := w.runner(t, jobs.Config{Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.GitHub: src}, Work: true, Round: time.Hour, Metrics: metrics})
	require.NoError(t, r.Start(ctx))
	defer r.Stop(ctx)
	w.waitSynced(t, mvpgraph.GitHub)
	n, err := r.Round(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing due")
	n, err = r.Refresh(ctx, []int64{w.accounts[0].ID})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Eventually(t, func() bool { return src.counts()[w.accounts[0].Handle] == 2 }, 20*time.Second, 50*time.Millisecond)

	// The batches and accounts are counted, and the quota is reported as the
	// database holds it.
	require.Eventually(t, func() bool {
		n, err := testutil.GatherAndCount(reg, "mvpgraph_sync_batches_total")
		return err == nil && n == 1
	}, 5*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		// The refreshed account is fetched before it is recorded.
		return testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP mvpgraph_sync_accounts_total Accounts whose sync was recorded, by platform and status.
# TYPE mvpgraph_sync_accounts_total counter
mvpgraph_sync_accounts_total{platform="GITHUB",status="ACTIVE"} 4
`), "mvpgraph_sync_accounts_total") == nil
	}, 5*time.Second, 20*time.Millisecond)
	quotas, err := testutil.GatherAndCount(reg, "mvpgraph_platform_quota_remaining")
	require.NoError(t, err)
	require.Equal(t, 1, quotas)
}

func ids(accounts []mvpgraph.SocialAccount) []int64 {
	out := make([]int64, len(accounts))
	for i, a := range accounts {
		out[i] = a.ID
	}
	return out
}

// TestProcessesStartTogether: several processes starting at once on one
// new database (API replicas, workers) all bring the job queue up, and
// then work together.
func TestProcessesStartTogether(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d, nil)
			const n = 4
			errs := make(chan error, n)
			for range n {
				go func() {
					r, err := jobs.New(context.Background(), w.store, w.url, jobs.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
					if err == nil {
						err = r.Stop(context.Background())
					}
					errs <- err
				}()
			}
			for range n {
				require.NoError(t, <-errs)
			}
		})
	}
}

// tellingSource answers as Bluesky does: a batch leaves out the accounts
// it does not have, without saying why; one account alone is told.
type tellingSource struct {
	*fakeSource
	suspended, gone map[string]bool
}

func (f *tellingSource) TellsMissingAlone() bool { return true }

func (f *tellingSource) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	out, q, err := f.fakeSource.Fetch(ctx, handles)
	for i := range out {
		h := out[i].Handle
		if f.suspended[h] || f.gone[h] {
			out[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountNotFound}
			if len(handles) == 1 && f.suspended[h] {
				out[i].Status = mvpgraph.AccountSuspended
			}
		}
	}
	return out, q, err
}

// TestMissingLookedUpAlone: accounts a batch left out are looked up again
// alone, once each, so that the suspended are told from the missing.
func TestMissingLookedUpAlone(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Bluesky: 30})
			src := &tellingSource{fakeSource: newFake(mvpgraph.Bluesky, 25),
				suspended: map[string]bool{"acct0003.bsky.social": true, "acct0027.bsky.social": true},
				gone:      map[string]bool{"acct0017.bsky.social": true}}
			ctx := context.Background()
			r := w.runner(t, jobs.Config{Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Bluesky: src}, Work: true, Round: time.Hour})
			require.NoError(t, r.Start(ctx))
			defer func() { require.NoError(t, r.Stop(ctx)) }()
			_, err := r.Round(ctx)
			require.NoError(t, err)
			synced := w.waitSynced(t, mvpgraph.Bluesky)
			want := map[string]mvpgraph.AccountStatus{"acct0003.bsky.social": mvpgraph.AccountSuspended, "acct0027.bsky.social": mvpgraph.AccountSuspended,
				"acct0017.bsky.social": mvpgraph.AccountNotFound}
			for _, a := range synced {
				status, odd := want[a.Handle]
				if !odd {
					status = mvpgraph.AccountActive
				}
				require.Equal(t, status, a.Status, a.Handle)
			}
			for h, n := range src.counts() {
				if _, odd := want[h]; odd {
					require.Equal(t, 2, n, "%s: in its batch, then alone", h)
				} else {
					require.Equal(t, 1, n, h)
				}
			}
			require.Equal(t, 2+3, src.calls, "two batches, and one call for each account they left out")
		})
	}
}
