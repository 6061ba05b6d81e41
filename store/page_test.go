package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
)

func TestPageSize(t *testing.T) {
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		args     store.PageArgs
		size     int
		backward bool
		field    string
	}{
		{store.PageArgs{}, 20, false, ""},
		{store.PageArgs{First: n(100)}, 100, false, ""},
		{store.PageArgs{Last: n(5)}, 5, true, ""},
		{store.PageArgs{Before: s("c")}, 20, true, ""},
		{store.PageArgs{First: n(1000)}, 0, false, "first"},
		{store.PageArgs{Last: n(101)}, 0, false, "last"},
		{store.PageArgs{First: n(-1)}, 0, false, "first"},
		{store.PageArgs{First: n(1), Last: n(1)}, 0, false, "first"},
	} {
		size, backward, err := tc.args.Size()
		require.Equal(t, tc.field, mvpgraph.ErrorField(err))
		require.Equal(t, tc.size, size)
		require.Equal(t, tc.backward, backward)
	}
}
