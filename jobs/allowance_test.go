package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/jobs"
	"mvpgraph/store/storetest"
)

// TestColdStartSendsOneRequest starts two worker processes together on a
// platform nothing is known of yet (5 calls per 30 s, each taking a while):
// until its first answer tells the allowance, they send one call between
// them, and none over the limit after it.
func TestColdStartSendsOneRequest(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d, map[mvpgraph.Platform]int{mvpgraph.GitHub: 200})
			src := newWindowed(mvpgraph.GitHub, 1, 5, 30*time.Second)
			src.delay = 300 * time.Millisecond
			for range 2 {
				r := w.runner(t, jobs.Config{
					Sources: map[mvpgraph.Platform]mvpgraph.ReachSource{mvpgraph.GitHub: src},
					Work:    true, Round: 100 * time.Millisecond, Concurrency: 4,
				})
				require.NoError(t, r.Start(ctx))
				defer r.Stop(ctx)
			}
			// Both batches of 100 run; the window's five calls are sent, the
			// rest put off.
			require.Eventually(t, func() bool { return len(src.fetches()) == 5 }, 60*time.Second, 20*time.Millisecond)
			time.Sleep(2 * time.Second)
			src.mu.Lock()
			defer src.mu.Unlock()
			require.Equal(t, 1, src.maxEarly, "one call in flight before the first answer")
			require.Zero(t, src.over, "no call over the limit")
			require.Len(t, src.fetched, 5)
		})
	}
}
