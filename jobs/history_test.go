package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store"
)

// TestWorkerKeepsHistory starts a working process with a retention of a
// month on a history that holds ten days of 2020 and today: the old days
// go, on start, and today's stays.
func TestWorkerKeepsHistory(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.GitHub: 1})
			id := w.accounts[0].ID
			f := int64(10)
			require.NoError(t, w.store.RecordSync(ctx, []store.Outcome{{AccountID: id, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}}}))
			dialect, dsn, err := store.ParseURL(w.url)
			require.NoError(t, err)
			db, err := sqlx.Open(string(dialect), dsn)
			require.NoError(t, err)
			defer db.Close()
			for day := 1; day <= 10; day++ {
				_, err := db.ExecContext(ctx, db.Rebind("INSERT INTO reach_snapshots (account_id, day, captured_at, followers) VALUES (?, ?, ?, ?)"),
					id, time.Date(2020, 1, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), time.Date(2020, 1, day, 3, 0, 0, 0, time.UTC), day)
				require.NoError(t, err)
			}
			keep, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", "1mo")
			require.NoError(t, err)
			r := w.runner(t, jobs.Config{Work: true, Round: time.Hour, HistoryKeep: keep})
			require.NoError(t, r.Start(ctx))
			defer func() { require.NoError(t, r.Stop(ctx)) }()
			require.Eventually(t, func() bool {
				snaps, err := w.store.SnapshotsOf(ctx, []int64{id}, "2000-01-01", "2100-01-01")
				require.NoError(t, err)
				return len(snaps[id]) == 1 && snaps[id][0].Day == store.Day(time.Now())
			}, 20*time.Second, 50*time.Millisecond)
		})
	}
}
