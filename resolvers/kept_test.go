package resolvers

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKeptPanic: a computation that panics fails its callers with an error,
// as any resolver's panic does, instead of ending the process, and keeps
// nothing: the next caller computes again.
func TestKeptPanic(t *testing.T) {
	var k kept[int]
	ctx := context.Background()
	_, err := k.get(ctx, time.Minute, "q", func(context.Context) (int, error) { panic("boom") })
	require.ErrorContains(t, err, "boom")
	v, err := k.get(ctx, time.Minute, "q", func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	require.Equal(t, 7, v)
}
