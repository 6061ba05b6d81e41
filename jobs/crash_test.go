package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// doomedWorkerDB names, to the test binary run as a worker process by
// TestKilledWorker, the database it works on.
const doomedWorkerDB = "MVPGRAPH_TEST_DOOMED_WORKER_DB"

// runningLease is the running batches' claim in TestKilledWorker.
const runningLease = 2 * time.Second

// TestDoomedWorker is the worker process TestKilledWorker kills: its calls
// to Twitter never return. It does nothing when run as a test.
func TestDoomedWorker(t *testing.T) {
	u := os.Getenv(doomedWorkerDB)
	if u == "" {
		t.Skip("run by TestKilledWorker")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, u)
	require.NoError(t, err)
	stuck := newFake(mvpgraph.Twitter, 100)
	stuck.block = true
	r, err := jobs.New(ctx, s, u, jobs.Config{
		Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: stuck},
		Work:    true, Round: 100 * time.Millisecond, RunningLease: runningLease,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx))
	select {} // until killed
}

// TestKilledWorker kills (SIGKILL) a worker process in the middle of its
// batches and shows another process take their accounts over within
// seconds of the running batches' claim, each account synced once.
func TestKilledWorker(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Twitter: 150})
			// The allowance is known: no probe, the killed process's, to wait
			// for.
			require.NoError(t, w.store.SaveQuota(ctx, mvpgraph.Twitter, &mvpgraph.Quota{Limit: 1000, Remaining: 1000, Reset: time.Now().Add(time.Hour)}))
			cmd := exec.Command(os.Args[0], "-test.run=^TestDoomedWorker$", "-test.count=1")
			cmd.Env = append(os.Environ(), doomedWorkerDB+"="+w.url)
			require.NoError(t, cmd.Start())
			killed := false
			defer func() {
				if !killed {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				}
			}()

			// Both batches (100 and 50 accounts) are running: their
			// accounts' claim is the running batches' short one.
			require.Eventually(t, func() bool {
				got, err := w.store.SocialAccountsByIDs(ctx, ids(w.accounts))
				require.NoError(t, err)
				for _, a := range got {
					if a.ClaimedUntil == nil || time.Until(*a.ClaimedUntil) > time.Minute {
						return false
					}
				}
				return true
			}, 60*time.Second, 50*time.Millisecond, "the worker process runs both batches")
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()
			killed = true
			died := time.Now()

			fine := newFake(mvpgraph.Twitter, 100)
			b := w.runner(t, jobs.Config{
				Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: fine},
				Work:    true, Round: 200 * time.Millisecond, RunningLease: runningLease,
			})
			require.NoError(t, b.Start(ctx))
			defer b.Stop(ctx)
			synced := w.waitSynced(t, mvpgraph.Twitter)
			t.Logf("the accounts were taken over and synced %s after the worker died", time.Since(died).Round(100*time.Millisecond))
			require.Len(t, fine.counts(), 150, "the other process fetched every account of the killed batches")
			for h, n := range fine.counts() {
				require.Equal(t, 1, n, "%s fetched %d times", h, n)
			}
			for id, n := range snapshotsPerAccount(t, w.store, synced) {
				require.Equal(t, 1, n, "account %d", id)
			}
		})
	}
}
