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

// TestReadReplicas runs against a real streaming replica: an API request's
// reads go to it; the caller who just wrote reads from the primary and
// sees their change; a replica past the lag bound, or stopped, is left
// out, its reads taken by the primary, and readmitted once well again.
func TestReadReplicas(t *testing.T) {
	pair := storetest.ReplicaPair(t)
	ctx := context.Background()
	s, err := store.Open(ctx, pair.Primary)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	pair.WaitReplica(t, "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'members'")

	// The replica's own connection, to pause and resume its replay; its
	// replay goes on whatever becomes of the test.
	admin, err := store.Open(ctx, pair.Replica)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = admin.ResumeReplay(context.Background())
		admin.Close()
	})

	require.NoError(t, s.UseReplicas(ctx, []string{pair.Replica}, store.ReplicaOptions{MaxLag: 2 * time.Second, CheckEvery: 100 * time.Millisecond}))
	up := func(want bool) {
		t.Helper()
		require.Eventually(t, func() bool { return s.ReplicaStates()[0].Up == want }, 20*time.Second, 50*time.Millisecond,
			"want the replica up=%v: %+v", want, s.ReplicaStates())
	}
	up(true)
	require.Equal(t, "127.0.0.1:55433/postgres", s.ReplicaStates()[0].Name, "host, port and database, no credentials")

	alice := mvpgraph.WithPrincipal(store.PreferReplica(ctx), mvpgraph.Principal{TokenID: 1, Name: "alice", Role: mvpgraph.RoleAdmin})
	bob := mvpgraph.WithPrincipal(store.PreferReplica(ctx), mvpgraph.Principal{TokenID: 2, Name: "bob", Role: mvpgraph.RoleAnalyst})
	exists := func(ctx context.Context, handle string) bool {
		t.Helper()
		_, err := s.MemberByHandle(ctx, handle)
		if mvpgraph.ErrorCode(err) == mvpgraph.ENOTFOUND {
			return false
		}
		require.NoError(t, err)
		return true
	}

	// With the replica's replay paused, Alice adds a member: her reads go
	// to the primary and see it; Bob's go to the replica, which has not
	// replayed it; a worker's (unmarked) go to the primary.
	require.NoError(t, admin.PauseReplay(ctx))
	require.NoError(t, s.CreateMember(alice, &mvpgraph.Member{Handle: "first", Name: "First Member", Country: "US"}))
	require.True(t, exists(alice, "first"), "a caller reads their own write")
	require.False(t, exists(bob, "first"), "another caller's read is the replica's")
	require.True(t, exists(ctx, "first"), "an unmarked read is the primary's")

	// Past the bound, the replica is left out and Bob reads the primary.
	up(false)
	require.Contains(t, s.ReplicaStates()[0].Problem, "past the bound")
	require.True(t, exists(bob, "first"))
	require.NoError(t, admin.ResumeReplay(ctx))
	up(true)
	require.True(t, exists(bob, "first"), "readmitted, and caught up")

	// A stopped replica: the read in flight goes to the primary at once,
	// and the replica is left out until it answers again.
	pair.StopReplica(t)
	require.True(t, exists(bob, "first"))
	up(false)
	require.Contains(t, s.ReplicaStates()[0].Problem, "unreachable")
	pair.StartReplica(t)
	up(true)
	require.True(t, exists(bob, "first"))
}
