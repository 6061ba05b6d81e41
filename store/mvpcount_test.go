package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// requireMVPCount checks that the MVP list's total, which the awards'
// triggers keep, is the count of members with an active award, and is want
// unless want is negative; it returns the count.
func requireMVPCount(t *testing.T, s *store.Store, want int) int {
	t.Helper()
	ctx := context.Background()
	kept, err := s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true})
	require.NoError(t, err)
	// A filter that every member passes makes the store count the rows.
	counted, err := s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true, Where: &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{IsNull: ptr(false)}}})
	require.NoError(t, err)
	require.Equal(t, counted, kept, "the kept MVP count against the counted one")
	if want >= 0 {
		require.Equal(t, want, kept)
	}
	return kept
}

// TestMVPCountKept: every way an award changes moves the MVP count as a
// user counting MVPs by hand would: a member is one MVP however many
// active awards they hold.
func TestMVPCountKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		// us1, us2 (two awards), ca1 and de1; fr1 is an alumnus.
		requireMVPCount(t, s, 4)

		_, err := s.AwardMember(ctx, p.us1.ID, p.excel.ID, 2026, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 4) // a second award, the same MVP

		_, err = s.RetireAward(ctx, p.us2CRM.ID, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 4) // us2 still holds Excel
		_, err = s.RetireAward(ctx, p.us2Excel.ID, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 3) // us2's last active award

		_, err = s.AwardMember(ctx, p.fr1.ID, p.ax.ID, 2026, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 4) // an alumnus awarded again

		_, err = s.RenewAward(ctx, p.caEx.ID, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 4) // the old year's award ends, the new one starts

		// us1 holds two active awards; becoming an employee retires both in
		// one statement, and us1 is one MVP less.
		_, err = s.UpdateMember(ctx, p.us1.ID, mvpgraph.MemberUpdate{IsEmployee: ptr(true)}, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		requireMVPCount(t, s, 3)
	})
}
