package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestServedIsShared runs, on one database, an API replica with no
// platform credentials, a server that syncs but has no credentials either,
// and a worker that syncs Twitter: whether a platform is switched on is
// what the syncing processes record, whichever process starts last.
func TestServedIsShared(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.Twitter: 3, mvpgraph.GitHub: 3})
			byPlatform := map[mvpgraph.Platform][]int64{}
			for _, a := range w.accounts {
				byPlatform[a.Platform] = append(byPlatform[a.Platform], a.ID)
			}
			// A GitHub account that was found gone, and one suspended: a
			// freeze keeps saying so.
			gone, suspended := byPlatform[mvpgraph.GitHub][1], byPlatform[mvpgraph.GitHub][2]
			require.NoError(t, w.store.RecordSync(ctx, []store.Outcome{
				{AccountID: gone, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}},
				{AccountID: suspended, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountSuspended}},
			}))
			statuses := func(ids []int64) []mvpgraph.AccountStatus {
				accounts, err := w.store.SocialAccountsByIDs(ctx, ids)
				require.NoError(t, err)
				out := make([]mvpgraph.AccountStatus, len(accounts))
				for i, a := range accounts {
					out[i] = a.Status
				}
				return out
			}
			const beat = 500 * time.Millisecond

			twitter := newFake(mvpgraph.Twitter, 100)
			worker := w.runner(t, jobs.Config{
				Sources:   map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.Twitter: twitter},
				Intervals: map[mvpgraph.Platform]time.Duration{mvpgraph.Twitter: 6 * time.Hour},
				Work:      true, Round: 200 * time.Millisecond, Heartbeat: beat,
			})
			require.NoError(t, worker.Start(ctx))
			workerStopped := false
			defer func() {
				if !workerStopped {
					_ = worker.Stop(ctx)
				}
			}()
			w.waitSynced(t, mvpgraph.Twitter)

			// Started after the worker: an API replica and a syncing server,
			// neither with credentials. Neither switches Twitter off.
			replica := w.runner(t, jobs.Config{Heartbeat: beat})
			require.NoError(t, replica.Start(ctx))
			defer replica.Stop(ctx)
			server := w.runner(t, jobs.Config{Work: true, Round: 200 * time.Millisecond, Heartbeat: beat})
			require.NoError(t, server.Start(ctx))
			defer server.Stop(ctx)
			for _, r := range []*jobs.Runner{replica, server} {
				n, err := r.Round(ctx)
				require.NoError(t, err)
				require.Zero(t, n, "nothing is due")
			}
			require.Equal(t, []mvpgraph.AccountStatus{mvpgraph.AccountActive, mvpgraph.AccountActive, mvpgraph.AccountActive}, statuses(byPlatform[mvpgraph.Twitter]))
			require.True(t, replica.Enabled(mvpgraph.Twitter), "the replica reads that the worker serves Twitter")
			require.Equal(t, 6*time.Hour, replica.Interval(mvpgraph.Twitter), "at the worker's interval")
			require.False(t, replica.Enabled(mvpgraph.GitHub))
			require.Equal(t, []mvpgraph.AccountStatus{mvpgraph.AccountFrozen, mvpgraph.AccountNotFound, mvpgraph.AccountSuspended},
				statuses(byPlatform[mvpgraph.GitHub]), "a platform nobody serves has its active accounts frozen, and only those")

			// The worker goes: once its heartbeat expires, Twitter is off
			// for every process, and its accounts are frozen.
			require.NoError(t, worker.Stop(ctx))
			workerStopped = true
			require.Eventually(t, func() bool {
				return !replica.Enabled(mvpgraph.Twitter) &&
					statuses(byPlatform[mvpgraph.Twitter])[0] == mvpgraph.AccountFrozen
			}, 20*time.Second, 50*time.Millisecond)
			require.Equal(t, 24*time.Hour, replica.Interval(mvpgraph.Twitter), "the replica's own setting when nobody serves it")

			// A worker that serves GitHub thaws what was there before.
			github := newFake(mvpgraph.GitHub, 1)
			again := w.runner(t, jobs.Config{
				Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.GitHub: github},
				Work:    true, Round: 200 * time.Millisecond, Heartbeat: beat,
			})
			require.NoError(t, again.Start(ctx))
			defer again.Stop(ctx)
			require.Eventually(t, func() bool {
				return replica.Enabled(mvpgraph.GitHub) && statuses(byPlatform[mvpgraph.GitHub])[0] == mvpgraph.AccountActive
			}, 20*time.Second, 50*time.Millisecond)
			require.Equal(t, mvpgraph.AccountNotFound, statuses(byPlatform[mvpgraph.GitHub])[1])
			require.Equal(t, mvpgraph.AccountSuspended, statuses(byPlatform[mvpgraph.GitHub])[2])
		})
	}
}
