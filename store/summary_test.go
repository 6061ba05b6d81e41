package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// summaryQuestions are program statistics the summary answers, and one
// it does not.
var summaryQuestions = []struct {
	groupBy []mvpgraph.StatsDimension
	where   *mvpgraph.MemberWhere
	from    store.StatsSource
}{
	{nil, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCountry}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCategory}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByExpertise}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByCategory}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCategory, mvpgraph.ByCountry}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByExpertise}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByExpertise, mvpgraph.ByCategory}, nil, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByCategory}, &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{Neq: ptr("US")}}, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByExpertise}, &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{In: []string{"DE", "FR", "JP"}}}, store.FromSummary},
	{nil, &mvpgraph.MemberWhere{Not: &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{Eq: ptr("DE")}}}, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCategory}, &mvpgraph.MemberWhere{Or: []*mvpgraph.MemberWhere{
		{Country: &mvpgraph.StringFilter{Eq: ptr("US")}}, {Country: &mvpgraph.StringFilter{Like: ptr("F%")}}}}, store.FromSummary},
	{[]mvpgraph.StatsDimension{mvpgraph.ByCountry}, &mvpgraph.MemberWhere{Name: &mvpgraph.StringFilter{Ilike: ptr("a%")}}, store.FromBase},
	{[]mvpgraph.StatsDimension{mvpgraph.ByYear}, nil, store.FromBase},
	{[]mvpgraph.StatsDimension{mvpgraph.ByLead, mvpgraph.ByCountry}, nil, store.FromBase},
}

// requireSummaryExact checks the summary against the base tables: every
// cell, and every question it answers the same as they do.
func requireSummaryExact(t *testing.T, s *store.Store, when string) {
	t.Helper()
	ctx := context.Background()
	diffs, err := s.SummaryCheck(ctx)
	require.NoError(t, err)
	require.Empty(t, diffs, when)
	for _, q := range summaryQuestions {
		got, from, err := s.ProgramStatsFrom(ctx, q.groupBy, q.where, true)
		require.NoError(t, err)
		require.Equal(t, q.from, from, "%v", q.groupBy)
		want, base, err := s.ProgramStatsFrom(ctx, q.groupBy, q.where, false)
		require.NoError(t, err)
		require.Equal(t, store.FromBase, base)
		require.Equal(t, want, got, "%s: %v where %+v", when, q.groupBy, q.where)
	}
}

// TestSummaryKeptExact makes random changes (members created, moved and
// employed; awards given, renewed and retired, some refused) and checks
// after each that the summary holds what the base tables do.
func TestSummaryKeptExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		requireSummaryExact(t, s, "after the program's set-up")
		r := rand.New(rand.NewPCG(21, 2026))
		countries := []string{"US", "DE", "FR", "JP", "CA"}
		expertises := []int64{p.crm.ID, p.ax.ID, p.excel.ID}
		members := []int64{p.us1.ID, p.us2.ID, p.ca1.ID, p.fr1.ID, p.de1.ID, p.emp.ID}
		admin := mvpgraph.Principal{Name: "admin", Role: mvpgraph.RoleAdmin}
		activeAwards := func() []mvpgraph.Award {
			got, err := s.AwardsOfMembers(ctx, members)
			require.NoError(t, err)
			var out []mvpgraph.Award
			for _, list := range got {
				for _, a := range list {
					if a.Status == mvpgraph.AwardActive {
						out = append(out, a)
					}
				}
			}
			return out
		}
		done := map[string]int{} // changes made, by kind
		for i := range 80 {
			var what string
			switch op := r.IntN(6); op {
			case 0:
				m := mvpgraph.Member{Handle: fmt.Sprintf("m%d", i), Name: fmt.Sprintf("Member %d", i), Country: countries[r.IntN(len(countries))]}
				require.NoError(t, s.CreateMember(ctx, &m))
				members = append(members, m.ID)
				what = "created " + m.Handle
			case 1, 2:
				m, e := members[r.IntN(len(members))], expertises[r.IntN(len(expertises))]
				_, err := s.AwardMember(ctx, m, e, storetest.Year-r.IntN(3), admin)
				what = fmt.Sprintf("awarded %d in %d (%v)", m, e, mvpgraph.ErrorCode(err))
				if err == nil {
					done["awarded"]++
				}
			case 3:
				if list := activeAwards(); len(list) > 0 {
					a := list[r.IntN(len(list))]
					_, err := s.RenewAward(ctx, a.ID, admin)
					what = fmt.Sprintf("renewed %d (%v)", a.ID, mvpgraph.ErrorCode(err))
					if err == nil {
						done["renewed"]++
					}
				}
			case 4:
				if list := activeAwards(); len(list) > 0 {
					a := list[r.IntN(len(list))]
					_, err := s.RetireAward(ctx, a.ID, admin)
					what = fmt.Sprintf("retired %d (%v)", a.ID, mvpgraph.ErrorCode(err))
					if err == nil {
						done["retired"]++
					}
				}
			case 5:
				m := members[r.IntN(len(members))]
				u := mvpgraph.MemberUpdate{Country: ptr(countries[r.IntN(len(countries))])}
				if r.IntN(4) == 0 {
					u = mvpgraph.MemberUpdate{IsEmployee: ptr(true)}
				}
				_, err := s.UpdateMember(ctx, m, u, admin)
				what = fmt.Sprintf("updated %d (%v)", m, mvpgraph.ErrorCode(err))
				if err == nil {
					done["updated"]++
				}
			}
			requireSummaryExact(t, s, fmt.Sprintf("change %d: %s", i, what))
		}
		for _, kind := range []string{"awarded", "renewed", "retired", "updated"} {
			require.GreaterOrEqual(t, done[kind], 3, "changes %s: %v", kind, done)
		}
	})
}

// TestSummaryAfterLoad: a bulk-loaded program's summary is built with it,
// and a database migrated from before the summary gets one.
func TestSummaryAfterLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		require.NoError(t, seed.Scale(ctx, s, 300, 7))
		requireSummaryExact(t, s, "after a load")

		before := map[store.Dialect]int64{store.Postgres: 18, store.SQLite: 16}[s.Dialect()]
		require.NoError(t, s.MigrateDownTo(ctx, before))
		_, err := s.Migrate(ctx)
		require.NoError(t, err)
		requireSummaryExact(t, s, "after migrating up to the summary")
	})
}
