package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// A server that meets many query shapes (analysts' filters) prepares a
// shape the second time it sees it, keeps a bounded set prepared, answers
// every read correctly while statements fall out of the set under
// concurrent use, and prepares a shape again when it comes back.
func TestPreparedStatementsBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.OneConnection()
		run := func(shapes int) {
			t.Helper()
			var g errgroup.Group
			for w := range 8 {
				g.Go(func() error {
					for k := w; k < shapes; k += 8 {
						got, err := s.AddShape(ctx, k, int64(w)*1000)
						if err != nil {
							return err
						}
						if want := int64(w)*1000 + int64(k); got != want {
							t.Errorf("shape %d: got %d, want %d", k, got, want)
						}
					}
					return nil
				})
			}
			require.NoError(t, g.Wait())
		}

		before := s.PreparedKept()
		run(100)
		require.Equal(t, before, s.PreparedKept(), "a shape seen once is not prepared")
		run(100)
		require.Equal(t, before+100, s.PreparedKept(), "a shape seen twice is")

		shapes := 2*store.PreparedLimit + 50
		run(shapes)
		run(shapes)
		require.LessOrEqual(t, s.PreparedKept(), store.PreparedLimit)

		if s.Dialect() == store.Postgres {
			// What the database session holds: the kept statements, not
			// every shape ever seen.
			var held int
			require.NoError(t, s.CountServerPrepared(ctx, &held))
			require.LessOrEqual(t, held, store.PreparedLimit+1)
			require.Greater(t, held, 0)
		}

		// The first shapes were evicted long ago; they are prepared again.
		for range 2 {
			got, err := s.AddShape(ctx, 0, 7)
			require.NoError(t, err)
			require.Equal(t, int64(7), got)
		}
	})
}

// A statement that falls out of the kept set while another caller is
// running it is closed only when that caller is done: with room for two
// statements and eight callers over sixteen shapes, statements are evicted
// in use all the time, and every read still answers.
func TestPreparedEvictedInUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.KeepPrepared(2)
		var g errgroup.Group
		for w := range 8 {
			g.Go(func() error {
				for i := range 300 {
					k := (i + w) % 16
					got, err := s.AddShape(ctx, k, int64(i))
					if err != nil {
						return err
					}
					if got != int64(i+k) {
						t.Errorf("shape %d: got %d, want %d", k, got, i+k)
					}
				}
				return nil
			})
		}
		require.NoError(t, g.Wait())
		require.LessOrEqual(t, s.PreparedKept(), 2)
	})
}
