package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestConcurrentChangesKeepTheRules races awards against employment and
// renewals against retirements, and checks that the rules still hold and no
// edit is lost.
func TestConcurrentChangesKeepTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		const n = 12
		var members []mvpgraph.Member
		for i := range n {
			m := mvpgraph.Member{Handle: fmt.Sprintf("race%02d", i), Name: "Racer", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			members = append(members, m)
		}
		var wg sync.WaitGroup
		for _, m := range members {
			wg.Add(3)
			go func() {
				defer wg.Done()
				_, _ = s.AwardMember(ctx, m.ID, p.ax.ID, 2026, mvpgraph.Principal{Name: "test"})
			}()
			go func() {
				defer wg.Done()
				_, err := s.UpdateMember(ctx, m.ID, mvpgraph.MemberUpdate{IsEmployee: ptr(true), City: ptr("Redmond")}, mvpgraph.Principal{Name: "test"})
				require.NoError(t, err)
			}()
			go func() {
				defer wg.Done()
				_, err := s.UpdateMember(ctx, m.ID, mvpgraph.MemberUpdate{Bio: ptr("joined")}, mvpgraph.Principal{Name: "test"})
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		ids := make([]int64, n)
		for i, m := range members {
			ids[i] = m.ID
		}
		awards, err := s.AwardsOfMembers(ctx, ids)
		require.NoError(t, err)
		got, err := s.MembersByIDs(ctx, ids)
		require.NoError(t, err)
		for _, m := range got {
			require.True(t, m.IsEmployee)
			require.False(t, m.IsMVP, "%s is an employee and an MVP", m.Handle)
			require.Equal(t, "Redmond", *m.City, "no edit is lost")
			require.Equal(t, "joined", *m.Bio, "no edit is lost")
			for _, a := range awards[m.ID] {
				require.NotEqual(t, mvpgraph.AwardActive, a.Status, "%s is an employee with an active award", m.Handle)
			}
		}

		// Renewal against retirement of the same award: exactly one wins, and
		// the member is left with a consistent history.
		for i := range n {
			m := mvpgraph.Member{Handle: fmt.Sprintf("renew%02d", i), Name: "Renewer", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			a, err := s.AwardMember(ctx, m.ID, p.crm.ID, 2026, mvpgraph.Principal{Name: "test"})
			require.NoError(t, err)
			var renewErr, retireErr error
			wg.Add(2)
			go func() { defer wg.Done(); _, renewErr = s.RenewAward(ctx, a.ID, mvpgraph.Principal{Name: "test"}) }()
			go func() { defer wg.Done(); _, retireErr = s.RetireAward(ctx, a.ID, mvpgraph.Principal{Name: "test"}) }()
			wg.Wait()
			require.True(t, (renewErr == nil) != (retireErr == nil), "renew: %v, retire: %v", renewErr, retireErr)
			history, err := s.AwardsOfMembers(ctx, []int64{m.ID})
			require.NoError(t, err)
			if renewErr == nil {
				require.Len(t, history[m.ID], 2)
				require.Equal(t, mvpgraph.AwardActive, history[m.ID][0].Status)
				require.Equal(t, mvpgraph.AwardAlumni, history[m.ID][1].Status)
			} else {
				require.Len(t, history[m.ID], 1)
				require.Equal(t, mvpgraph.AwardRetired, history[m.ID][0].Status)
			}
		}

		// Every writer above changed awards at once with others: the MVP
		// count kept by the awards' triggers is still the count of MVPs.
		requireMVPCount(t, s, -1)

		// Two first awards of one member at once, in two expertises: the
		// member is one MVP more, not two.
		kept := requireMVPCount(t, s, -1)
		for i := range n {
			m := mvpgraph.Member{Handle: fmt.Sprintf("twice%02d", i), Name: "Twice", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			wg.Add(2)
			for _, e := range []int64{p.ax.ID, p.excel.ID} {
				go func() { defer wg.Done(); _, _ = s.AwardMember(ctx, m.ID, e, 2026, mvpgraph.Principal{Name: "test"}) }()
			}
			wg.Wait()
		}
		requireMVPCount(t, s, kept+n)
	})
}
