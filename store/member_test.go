package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func handles(p store.Page[mvpgraph.Member]) []string {
	out := []string{}
	for _, m := range p.Items {
		out = append(out, m.Handle)
	}
	return out
}

func TestListMembersFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		byName := []*mvpgraph.OrderBy{{Field: "HANDLE", Direction: mvpgraph.Asc}}
		for _, tc := range []struct {
			name  string
			where *mvpgraph.MemberWhere
			want  []string
		}{
			{"all", nil, []string{"ca1", "de1", "emp", "fr1", "us1", "us2"}},
			{"_eq", &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{Eq: ptr("US")}}, []string{"emp", "us1", "us2"}},
			{"_neq keeps nulls out of equality", &mvpgraph.MemberWhere{City: &mvpgraph.StringFilter{Neq: ptr("Paris")}}, []string{"ca1", "de1", "emp", "us1", "us2"}},
			{"_in", &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{In: []string{"CA", "FR"}}}, []string{"ca1", "fr1"}},
			{"empty _in", &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{In: []string{}}}, []string{}},
			{"_gt/_lte", &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{Gt: ptr("de1"), Lte: ptr("fr1")}}, []string{"emp", "fr1"}},
			{"_like is case-sensitive", &mvpgraph.MemberWhere{Name: &mvpgraph.StringFilter{Like: ptr("%BROWN")}}, []string{}},
			{"_like", &mvpgraph.MemberWhere{Name: &mvpgraph.StringFilter{Like: ptr("B%")}}, []string{"us2"}},
			{"_ilike", &mvpgraph.MemberWhere{Name: &mvpgraph.StringFilter{Ilike: ptr("%BROWN")}}, []string{"us2"}},
			{"_isNull", &mvpgraph.MemberWhere{City: &mvpgraph.StringFilter{IsNull: ptr(true)}}, []string{"us2"}},
			{"isMvp", &mvpgraph.MemberWhere{IsMvp: &mvpgraph.BooleanFilter{Eq: ptr(true)}}, []string{"ca1", "de1", "us1", "us2"}},
			{"isEmployee", &mvpgraph.MemberWhere{IsEmployee: &mvpgraph.BooleanFilter{Eq: ptr(true)}}, []string{"emp"}},
			{"id", &mvpgraph.MemberWhere{ID: &mvpgraph.IDFilter{In: []string{mvpgraph.GlobalID("Member", p.us1.ID), mvpgraph.GlobalID("Member", p.fr1.ID)}}}, []string{"fr1", "us1"}},
			{"_or", &mvpgraph.MemberWhere{Or: []*mvpgraph.MemberWhere{
				{Country: &mvpgraph.StringFilter{Eq: ptr("CA")}},
				{Handle: &mvpgraph.StringFilter{Eq: ptr("de1")}},
			}}, []string{"ca1", "de1"}},
			{"empty _or matches nothing", &mvpgraph.MemberWhere{Or: []*mvpgraph.MemberWhere{}}, []string{}},
			{"_not is the complement, missing values included", &mvpgraph.MemberWhere{Not: &mvpgraph.MemberWhere{City: &mvpgraph.StringFilter{Eq: ptr("Paris")}}}, []string{"ca1", "de1", "emp", "us1", "us2"}},
			{"_like escapes", &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{Like: ptr(`us\_`)}}, []string{}},
			{"_like _ matches one character", &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{Like: ptr(`us_`)}}, []string{"us1", "us2"}},
			{"_and with _not", &mvpgraph.MemberWhere{And: []*mvpgraph.MemberWhere{
				{Country: &mvpgraph.StringFilter{Eq: ptr("US")}},
				{Not: &mvpgraph.MemberWhere{IsEmployee: &mvpgraph.BooleanFilter{Eq: ptr(true)}}},
			}}, []string{"us1", "us2"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				q := store.MemberQuery{Where: tc.where, OrderBy: byName, Page: store.PageArgs{First: ptr(100)}}
				page, err := s.ListMembers(ctx, q)
				require.NoError(t, err)
				require.Equal(t, tc.want, handles(page))
				n, err := s.CountMembers(ctx, q)
				require.NoError(t, err)
				require.Equal(t, len(tc.want), n)
			})
		}

		page, err := s.ListMembers(ctx, store.MemberQuery{MVPsOnly: true, OrderBy: byName})
		require.NoError(t, err)
		require.Equal(t, []string{"ca1", "de1", "us1", "us2"}, handles(page))
		for _, m := range page.Items {
			require.True(t, m.IsMVP, m.Handle)
		}
		// Unfiltered, the count comes from the active awards alone; it
		// agrees with the filtered way of counting.
		n, err := s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true})
		require.NoError(t, err)
		require.Equal(t, 4, n)
		n, err = s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true, Where: &mvpgraph.MemberWhere{}})
		require.NoError(t, err)
		require.Equal(t, 4, n)
		all, err := s.ListMembers(ctx, store.MemberQuery{OrderBy: byName, Page: store.PageArgs{First: ptr(100)}})
		require.NoError(t, err)
		for _, m := range all.Items {
			require.Equal(t, slices.Contains([]string{"ca1", "de1", "us1", "us2"}, m.Handle), m.IsMVP, m.Handle)
		}
	})
}

func TestListMembersBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{First: ptr(1000)}})
		requireCode(t, err, mvpgraph.EINVALID, "first")
		_, err = s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{Last: ptr(-1)}})
		requireCode(t, err, mvpgraph.EINVALID, "last")
		_, err = s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{After: ptr("garbage")}})
		requireCode(t, err, mvpgraph.EINVALID, "after")
		_, err = s.ListMembers(ctx, store.MemberQuery{Where: &mvpgraph.MemberWhere{ID: &mvpgraph.IDFilter{Eq: ptr("nope")}}})
		requireCode(t, err, mvpgraph.EINVALID, "where.id._eq")
		_, err = s.ListMembers(ctx, store.MemberQuery{Where: &mvpgraph.MemberWhere{ID: &mvpgraph.IDFilter{Eq: ptr(mvpgraph.GlobalID("Lead", 1))}}})
		requireCode(t, err, mvpgraph.EINVALID, "where.id._eq")
		deep := &mvpgraph.MemberWhere{}
		for range 20 {
			deep = &mvpgraph.MemberWhere{Not: deep}
		}
		_, err = s.ListMembers(ctx, store.MemberQuery{Where: deep})
		requireCode(t, err, mvpgraph.EINVALID)
		var ors []*mvpgraph.MemberWhere
		for range 10 {
			ors = append(ors, &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{In: make([]string, 1000)}})
		}
		_, err = s.ListMembers(ctx, store.MemberQuery{Where: &mvpgraph.MemberWhere{Or: ors}})
		requireCode(t, err, mvpgraph.EINVALID, "where")
		many := make([]string, 1001)
		_, err = s.ListMembers(ctx, store.MemberQuery{Where: &mvpgraph.MemberWhere{Handle: &mvpgraph.StringFilter{In: many}}})
		requireCode(t, err, mvpgraph.EINVALID)
	})
}

// TestPaginationWalk pages through members in both directions under a
// multi-column ordering with ties and missing values, and checks that the
// pages join up into the same order as one big page.
func TestPaginationWalk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		countries := []string{"US", "CA", "DE"}
		for i := range 23 {
			m := mvpgraph.Member{Handle: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("Member %d", i%5), Country: countries[i%3]}
			if i%4 != 0 {
				m.City = ptr(fmt.Sprintf("City %d", i%3))
			}
			require.NoError(t, s.CreateMember(ctx, &m))
		}
		for _, order := range [][]*mvpgraph.OrderBy{
			{{Field: "CITY", Direction: mvpgraph.Asc}, {Field: "NAME", Direction: mvpgraph.Desc}},
			{{Field: "CITY", Direction: mvpgraph.Desc}, {Field: "COUNTRY", Direction: mvpgraph.Asc}},
			{{Field: "CREATED_AT", Direction: mvpgraph.Desc}},
			nil,
		} {
			all, err := s.ListMembers(ctx, store.MemberQuery{OrderBy: order, Page: store.PageArgs{First: ptr(100)}})
			require.NoError(t, err)
			want := handles(all)
			require.Len(t, want, 23)

			var got []string
			var after *string
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				p, err := s.ListMembers(ctx, store.MemberQuery{OrderBy: order, Page: store.PageArgs{First: ptr(5), After: after}})
				require.NoError(t, err)
				got = append(got, handles(p)...)
				require.Equal(t, after != nil, p.HasPrevious)
				if !p.HasNext {
					break
				}
				after = &p.Cursors[len(p.Cursors)-1]
			}
			require.Equal(t, want, got, "forward pages join up")

			got = nil
			var before *string
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				p, err := s.ListMembers(ctx, store.MemberQuery{OrderBy: order, Page: store.PageArgs{Last: ptr(4), Before: before}})
				require.NoError(t, err)
				got = append(handles(p), got...)
				if !p.HasPrevious {
					break
				}
				before = &p.Cursors[0]
			}
			require.Equal(t, want, got, "backward pages join up")

			// Between two cursors.
			p, err := s.ListMembers(ctx, store.MemberQuery{OrderBy: order, Page: store.PageArgs{After: &all.Cursors[2], Before: &all.Cursors[8]}})
			require.NoError(t, err)
			require.Equal(t, want[3:8], handles(p))
		}
		none, err := s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{First: ptr(0)}})
		require.NoError(t, err)
		require.Empty(t, none.Items)
		require.True(t, none.HasNext, "an empty page still says more lie beyond")
		p, err := s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{First: ptr(2)}})
		require.NoError(t, err)
		_, err = s.ListMembers(ctx, store.MemberQuery{OrderBy: []*mvpgraph.OrderBy{{Field: "NAME"}}, Page: store.PageArgs{After: &p.Cursors[0]}})
		requireCode(t, err, mvpgraph.EINVALID, "after")
	})
}

func TestMVPsOfParents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		order := []*mvpgraph.OrderBy{{Field: "HANDLE", Direction: mvpgraph.Asc}}
		byExp, err := s.MVPsOf(ctx, store.ExpertiseMVPs, []int64{p.crm.ID, p.ax.ID, p.excel.ID}, store.MemberQuery{OrderBy: order})
		require.NoError(t, err)
		require.Equal(t, []string{"de1", "us1", "us2"}, handles(byExp[p.crm.ID]))
		require.Equal(t, []string{"ca1", "us2"}, handles(byExp[p.excel.ID]))
		require.Empty(t, byExp[p.ax.ID].Items, "an ended award makes no MVP")

		byLead, err := s.MVPsOf(ctx, store.LeadMVPs, []int64{p.uma.ID, p.olaf.ID, p.chloe.ID}, store.MemberQuery{OrderBy: order})
		require.NoError(t, err)
		require.Equal(t, []string{"us1", "us2"}, handles(byLead[p.uma.ID]), "US MVPs only; de1 is not Uma's")
		require.Equal(t, []string{"us2"}, handles(byLead[p.olaf.ID]))
		require.Equal(t, []string{"ca1"}, handles(byLead[p.chloe.ID]))

		// Pages per parent: the first of each, then the next after a cursor.
		first, err := s.MVPsOf(ctx, store.ExpertiseMVPs, []int64{p.crm.ID, p.excel.ID}, store.MemberQuery{OrderBy: order, Page: store.PageArgs{First: ptr(1)}})
		require.NoError(t, err)
		require.Equal(t, []string{"de1"}, handles(first[p.crm.ID]))
		require.True(t, first[p.crm.ID].HasNext)
		require.Equal(t, []string{"ca1"}, handles(first[p.excel.ID]))
		next, err := s.MVPsOf(ctx, store.ExpertiseMVPs, []int64{p.crm.ID}, store.MemberQuery{OrderBy: order, Page: store.PageArgs{First: ptr(5), After: &first[p.crm.ID].Cursors[0]}})
		require.NoError(t, err)
		require.Equal(t, []string{"us1", "us2"}, handles(next[p.crm.ID]))
		require.False(t, next[p.crm.ID].HasNext)
		last, err := s.MVPsOf(ctx, store.ExpertiseMVPs, []int64{p.crm.ID}, store.MemberQuery{OrderBy: order, Page: store.PageArgs{Last: ptr(2)}})
		require.NoError(t, err)
		require.Equal(t, []string{"us1", "us2"}, handles(last[p.crm.ID]))
		require.True(t, last[p.crm.ID].HasPrevious)

		counts, err := s.CountMVPsOf(ctx, store.LeadMVPs, []int64{p.uma.ID, p.olaf.ID, p.chloe.ID}, store.MemberQuery{})
		require.NoError(t, err)
		require.Equal(t, map[int64]int{p.uma.ID: 2, p.olaf.ID: 1, p.chloe.ID: 1}, counts)
		counts, err = s.CountMVPsOf(ctx, store.ExpertiseMVPs, []int64{p.crm.ID}, store.MemberQuery{Where: &mvpgraph.MemberWhere{Country: &mvpgraph.StringFilter{Eq: ptr("US")}}})
		require.NoError(t, err)
		require.Equal(t, map[int64]int{p.crm.ID: 2}, counts)
	})
}

func TestProgramStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)

		total, err := s.ProgramStats(ctx, nil, nil)
		require.NoError(t, err)
		require.Equal(t, []mvpgraph.StatsGroup{{Members: 6, MVPs: 4, Awards: 6}}, total)

		byCountry, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCountry}, nil)
		require.NoError(t, err)
		require.Equal(t, []mvpgraph.StatsGroup{
			{Country: ptr("CA"), Members: 1, MVPs: 1, Awards: 1},
			{Country: ptr("DE"), Members: 1, MVPs: 1, Awards: 1},
			{Country: ptr("FR"), Members: 1, MVPs: 0, Awards: 1},
			{Country: ptr("US"), Members: 3, MVPs: 2, Awards: 3},
		}, byCountry)

		byCat, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCategory, mvpgraph.ByYear}, nil)
		require.NoError(t, err)
		require.Equal(t, []mvpgraph.StatsGroup{
			{Category: ptr("Business Applications"), Year: ptr(2024), Members: 1, MVPs: 0, Awards: 1},
			{Category: ptr("Business Applications"), Year: ptr(2026), Members: 3, MVPs: 3, Awards: 3},
			{Category: ptr("Office"), Year: ptr(2026), Members: 2, MVPs: 2, Awards: 2},
			{Members: 1, MVPs: 0, Awards: 0}, // the employee, with no award
		}, byCat)

		byLead, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByLead}, &mvpgraph.MemberWhere{IsMvp: &mvpgraph.BooleanFilter{Eq: ptr(true)}})
		require.NoError(t, err)
		require.Equal(t, []mvpgraph.StatsGroup{
			{LeadID: &p.uma.ID, Members: 2, MVPs: 2, Awards: 2},
			{LeadID: &p.olaf.ID, Members: 1, MVPs: 1, Awards: 1},
			{LeadID: &p.chloe.ID, Members: 1, MVPs: 1, Awards: 1},
			{Members: 1, MVPs: 1, Awards: 1}, // de1: no lead owns DE
		}, byLead)

		byLead, err = s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByLead}, nil)
		require.NoError(t, err)
		require.Equal(t, []mvpgraph.StatsGroup{
			{LeadID: &p.uma.ID, Members: 2, MVPs: 2, Awards: 2},
			{LeadID: &p.olaf.ID, Members: 1, MVPs: 1, Awards: 1},
			{LeadID: &p.chloe.ID, Members: 1, MVPs: 1, Awards: 1},
			{Members: 3, MVPs: 1, Awards: 2}, // de1, the French alumnus and the employee: no lead by the rule
		}, byLead)
	})
}
