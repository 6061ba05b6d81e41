package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// openAt opens and migrates a store at rawURL, closed when t ends.
func openAt(t *testing.T, rawURL string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, rawURL, store.WithClock(storetest.Clock))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	return s
}

// TestConnectionsCut cuts the connections between the store and
// PostgreSQL, as a restart, a failover or a network fault does. SQLite is
// in the process, with no connection to cut; TestBusyDatabase is its
// counterpart.
func TestConnectionsCut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	proxy, via := storetest.NewProxy(t, storetest.URL(t, store.Postgres))
	s := openAt(t, via)
	ada := mvpgraph.Member{Handle: "ada", Name: "Ada", Country: "GB"}
	require.NoError(t, s.CreateMember(ctx, &ada))

	t.Run("a read cut while its answer is on the way runs again", func(t *testing.T) {
		go func() {
			time.Sleep(200 * time.Millisecond)
			proxy.Cut()
		}()
		n, err := s.SlowRead(ctx, 0.8)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
	})

	t.Run("a ping drops dead pooled connections until one answers", func(t *testing.T) {
		var g errgroup.Group
		for range 6 {
			g.Go(func() error { _, err := s.SlowRead(ctx, 0.2); return err })
		}
		require.NoError(t, g.Wait())
		require.GreaterOrEqual(t, s.OpenConnections(), 6, "the pool holds the connections the reads opened")
		proxy.Cut()
		require.NoError(t, s.Ping(ctx), "the database is up; only the pooled connections died")
	})

	t.Run("while the database is unreachable, reads and writes are UNAVAILABLE", func(t *testing.T) {
		proxy.Down()
		_, err := s.MemberByHandle(ctx, "ada")
		requireCode(t, err, mvpgraph.EUNAVAILABLE)
		require.Contains(t, mvpgraph.ErrorMessage(err), "try again")
		err = s.CreateMember(ctx, &mvpgraph.Member{Handle: "grace", Name: "Grace", Country: "US"})
		requireCode(t, err, mvpgraph.EUNAVAILABLE)
		require.Error(t, s.Ping(ctx))

		proxy.Up()
		got, err := s.MemberByHandle(ctx, "ada")
		require.NoError(t, err)
		require.Equal(t, ada.ID, got.ID)
		_, err = s.MemberByHandle(ctx, "grace")
		requireCode(t, err, mvpgraph.ENOTFOUND)
	})
}

// TestBusyDatabase holds SQLite's write lock past the store's busy
// timeout: writes are UNAVAILABLE, to be tried again, and reads go on.
func TestBusyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.URL(t, store.SQLite)
	s := openAt(t, u+"?_pragma=busy_timeout(100)")
	ada := mvpgraph.Member{Handle: "ada", Name: "Ada", Country: "GB"}
	require.NoError(t, s.CreateMember(ctx, &ada))

	other, err := sql.Open("sqlite", "file:"+u[len("sqlite:"):])
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	grace := mvpgraph.Member{Handle: "grace", Name: "Grace", Country: "US"}
	err = s.CreateMember(ctx, &grace)
	requireCode(t, err, mvpgraph.EUNAVAILABLE)
	require.Contains(t, mvpgraph.ErrorMessage(err), "busy")
	_, err = s.MemberByHandle(ctx, "ada")
	require.NoError(t, err, "reads go on while another connection writes")

	_, err = conn.ExecContext(ctx, "COMMIT")
	require.NoError(t, err)
	require.NoError(t, s.CreateMember(ctx, &grace))
}
