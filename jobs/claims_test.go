package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store/storetest"
)

// windowed is a platform that allows limit calls per fixed window, says so
// in every answer as the platforms' headers do, and refuses calls over it.
// It records when each handle was fetched.
type windowed struct {
	platform mvpgraph.Platform
	batch    int
	limit    int
	window   time.Duration
	start    time.Time // of the first window; guarded by mu
	// delay, when set, is how long a call takes.
	delay time.Duration

	mu       sync.Mutex
	inWindow map[int64]int
	fetched  map[string][]time.Time
	over     int // calls over the limit
	inFlight int
	// maxEarly is the most calls in flight before the first answer.
	maxEarly int
	answered bool
}

func newWindowed(p mvpgraph.Platform, batch, limit int, window time.Duration) *windowed {
	return &windowed{platform: p, batch: batch, limit: limit, window: window,
		inWindow: map[int64]int{}, fetched: map[string][]time.Time{}}
}

func (f *windowed) Platform() mvpgraph.Platform { return f.platform }
func (f *windowed) BatchSize() int              { return f.batch }

func (f *windowed) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	now := time.Now()
	f.mu.Lock()
	if f.start.IsZero() {
		f.start = now // the first window starts with the first call
	}
	w := int64(now.Sub(f.start) / f.window)
	reset := f.start.Add(time.Duration(w+1) * f.window)
	f.inWindow[w]++
	n := f.inWindow[w]
	f.inFlight++
	if !f.answered {
		f.maxEarly = max(f.maxEarly, f.inFlight)
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.answered = true
		f.mu.Unlock()
	}()
	if f.delay > 0 {
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(f.delay):
		}
	}
	q := &mvpgraph.Quota{Limit: f.limit, Remaining: max(f.limit-n, 0), Reset: reset}
	if n > f.limit {
		f.mu.Lock()
		f.over++
		f.mu.Unlock()
		return nil, q, &mvpgraph.RateLimitError{Reset: reset}
	}
	f.mu.Lock()
	out := make([]mvpgraph.Lookup, len(handles))
	for i, h := range handles {
		f.fetched[h] = append(f.fetched[h], now)
		followers := int64(len(f.fetched[h]))
		out[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}
	}
	f.mu.Unlock()
	return out, q, nil
}

func (f *windowed) fetches() map[string][]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string][]time.Time, len(f.fetched))
	for h, ts := range f.fetched {
		out[h] = append([]time.Time(nil), ts...)
	}
	return out
}

// TestPutOffBatchKeepsToItsOwn: a batch put off until the allowance resets,
// while the accounts it has already synced are queued again (they come due,
// or are refreshed), syncs only its own accounts when it runs again: none is
// fetched by two batches at once, and none of its own waits behind those it
// already did.
func TestPutOffBatchKeepsToItsOwn(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			const accounts, limit, interval = 15, 10, time.Second
			window := 3 * time.Second
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.GitHub: accounts})
			src := newWindowed(mvpgraph.GitHub, 1, limit, window)
			r := w.runner(t, jobs.Config{
				Sources:   map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.GitHub: src},
				Intervals: map[mvpgraph.Platform]time.Duration{mvpgraph.GitHub: interval},
				Work:      true, Round: 200 * time.Millisecond,
			})
			require.NoError(t, r.Start(ctx))
			defer r.Stop(ctx)

			// The batch of fifteen spends the first window's allowance and is
			// put off; what it synced is refreshed meanwhile.
			var synced []int64
			require.Eventually(t, func() bool {
				got, err := w.store.SocialAccountsByIDs(ctx, ids(w.accounts))
				require.NoError(t, err)
				synced = nil
				for _, a := range got {
					if a.LastSyncedAt != nil {
						synced = append(synced, a.ID)
					}
				}
				return len(synced) >= limit-1
			}, 30*time.Second, 20*time.Millisecond)
			n, err := r.Refresh(ctx, synced)
			require.NoError(t, err)
			require.Equal(t, len(synced), n)

			// Its own accounts are all fetched within a few windows: the
			// refreshed ones compete for the allowance, but do not take its
			// place.
			if !assertEventually(func() bool { return len(src.fetches()) == accounts }, 4*window) {
				for h, ts := range src.fetches() {
					t.Logf("%s %v", h, ts)
				}
				t.Fatal("not every account of the put-off batch was fetched")
			}
			time.Sleep(window)
			for h, ts := range src.fetches() {
				for i := 1; i < len(ts); i++ {
					require.GreaterOrEqual(t, ts[i].Sub(ts[i-1]), interval-100*time.Millisecond,
						"%s fetched twice within its interval: %v", h, ts)
				}
			}
			src.mu.Lock()
			defer src.mu.Unlock()
			require.Zero(t, src.over, "no call over the limit")
		})
	}
}

// assertEventually reports whether f becomes true within d.
func assertEventually(f func() bool, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if f() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f()
}
