package seed_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ptr[T any](v T) *T { return &v }

var all = mvpgraph.PageArgs{First: ptr(mvpgraph.MaxPageSize)}

// leadNamed returns the lead with a name.
func leadNamed(t *testing.T, s *store.Store, name string) mvpgraph.Lead {
	t.Helper()
	p, err := s.ListLeads(context.Background(), &mvpgraph.LeadWhere{Name: &mvpgraph.StringFilter{Eq: &name}}, nil, all)
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "leads named %q", name)
	return p.Items[0]
}

// countryLeads returns the international lead of each owned country.
func countryLeads(t *testing.T, s *store.Store) map[string]mvpgraph.Lead {
	t.Helper()
	ctx := context.Background()
	kind := string(mvpgraph.LeadInternational)
	p, err := s.ListLeads(ctx, &mvpgraph.LeadWhere{Kind: &mvpgraph.StringFilter{Eq: &kind}}, nil, all)
	require.NoError(t, err)
	require.False(t, p.HasNext)
	ids := make([]int64, len(p.Items))
	for i, l := range p.Items {
		ids[i] = l.ID
	}
	owned, err := s.CountriesOfLeads(ctx, ids)
	require.NoError(t, err)
	out := map[string]mvpgraph.Lead{}
	for _, l := range p.Items {
		for _, c := range owned[l.ID] {
			out[c] = l
		}
	}
	return out
}

// requireCountriesLed asserts that every non-US country with members has an
// international lead, and returns how many countries have members.
func requireCountriesLed(t *testing.T, s *store.Store) int {
	t.Helper()
	stats, err := s.ProgramStats(context.Background(), []mvpgraph.StatsDimension{mvpgraph.ByCountry}, nil)
	require.NoError(t, err)
	leads := countryLeads(t, s)
	for _, g := range stats {
		if *g.Country != "US" {
			require.Contains(t, leads, *g.Country, "members in %s have no international lead", *g.Country)
		}
	}
	return len(stats)
}

// requireExpertisesLed asserts that every expertise has a US lead.
func requireExpertisesLed(t *testing.T, s *store.Store) []mvpgraph.Expertise {
	t.Helper()
	ctx := context.Background()
	p, err := s.ListExpertises(ctx, nil, nil, all)
	require.NoError(t, err)
	ids := make([]int64, len(p.Items))
	for i, e := range p.Items {
		ids[i] = e.ID
	}
	leads, err := s.USLeadsOfExpertises(ctx, ids)
	require.NoError(t, err)
	for _, e := range p.Items {
		require.Contains(t, leads, e.ID, "expertise %q has no US lead", e.Name)
		require.Equal(t, mvpgraph.LeadUS, leads[e.ID].Kind)
	}
	return p.Items
}

// requireNoActiveEmployee asserts that no employee holds an active award,
// and returns how many employees there are.
func requireNoActiveEmployee(t *testing.T, s *store.Store) int {
	t.Helper()
	ctx := context.Background()
	employees := &mvpgraph.MemberWhere{IsEmployee: &mvpgraph.BooleanFilter{Eq: ptr(true)}}
	n, err := s.CountMembers(ctx, store.MemberQuery{Where: employees, MVPsOnly: true})
	require.NoError(t, err)
	require.Zero(t, n, "employees holding an active award")
	n, err = s.CountMembers(ctx, store.MemberQuery{Where: employees})
	require.NoError(t, err)
	return n
}

func byHandle(t *testing.T, s *store.Store, handle string) (mvpgraph.Member, []mvpgraph.Lead, []mvpgraph.Award) {
	t.Helper()
	ctx := context.Background()
	m, err := s.MemberByHandle(ctx, handle)
	require.NoError(t, err, handle)
	leads, err := s.LeadsOfMembers(ctx, []int64{m.ID})
	require.NoError(t, err)
	awards, err := s.AwardsOfMembers(ctx, []int64{m.ID})
	require.NoError(t, err)
	return m, leads[m.ID], awards[m.ID]
}

func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loaded, err := seed.Demo(ctx, s)
		require.NoError(t, err)
		require.True(t, loaded)

		// The Dynamics lead owns exactly the Dynamics expertises, Windows
		// SDK and the Windows Server expertises.
		dyn := leadNamed(t, s, seed.DynamicsLead)
		require.Equal(t, mvpgraph.LeadUS, dyn.Kind)
		owned, err := s.ExpertisesOfLeads(ctx, []int64{dyn.ID})
		require.NoError(t, err)
		var names []string
		for _, e := range owned[dyn.ID] {
			names = append(names, e.Name)
		}
		require.Equal(t, []string{
			"Dynamics AX", "Dynamics CRM", "Dynamics GP", "Dynamics NAV", "Dynamics Retail Management Systems", "Dynamics SL",
			"Windows SDK",
			"Windows Server - Commerce Server", "Windows Server - Customer Experience", "Windows Server - Setup & Deployment", "Windows Server - Terminal Services",
		}, names)

		expertises := requireExpertisesLed(t, s)
		require.Len(t, expertises, 40)
		categories := map[string]bool{}
		for _, e := range expertises {
			categories[e.Category] = true
		}
		require.Len(t, categories, 10)
		nUS, err := s.CountLeads(ctx, &mvpgraph.LeadWhere{Kind: &mvpgraph.StringFilter{Eq: ptr("US")}})
		require.NoError(t, err)
		require.Equal(t, 12, nUS)

		leads := countryLeads(t, s)
		require.Equal(t, seed.CanadaLead, leads["CA"].Name)
		require.Equal(t, 40, requireCountriesLed(t, s), "countries with members")
		require.InDelta(t, 20, len(sortedUnique(leads)), 3, "international leads")

		total, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Equal(t, 600, total)
		mvps, err := s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true})
		require.NoError(t, err)
		require.InDelta(t, 400, mvps, 40, "about two in three members are MVPs")
		require.Equal(t, 20, requireNoActiveEmployee(t, s))

		stats, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCountry}, nil)
		require.NoError(t, err)
		largest := slices.MaxFunc(stats, func(a, b mvpgraph.StatsGroup) int { return a.Members - b.Members })
		require.Equal(t, "US", *largest.Country)
		years, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByYear}, nil)
		require.NoError(t, err)
		require.Greater(t, len(years), 10, "awards span many years")
		for _, g := range years {
			if g.Year != nil && *g.Year != seed.DemoYear {
				require.Zero(t, g.MVPs, "active awards in %d", *g.Year)
			}
		}

		ada, adaLeads, adaAwards := byHandle(t, s, seed.DemoUSMVP)
		require.True(t, ada.IsMVP)
		require.Equal(t, "US", ada.Country)
		require.Equal(t, []string{seed.DynamicsLead}, leadNames(adaLeads))
		require.Greater(t, len(adaAwards), 5, "years of history")

		jean, jeanLeads, _ := byHandle(t, s, seed.DemoCanadianMVP)
		require.True(t, jean.IsMVP)
		require.Equal(t, "CA", jean.Country)
		require.Equal(t, []string{seed.CanadaLead}, leadNames(jeanLeads))

		kenji, _, kenjiAwards := byHandle(t, s, seed.DemoTwoExpertiseMVP)
		require.True(t, kenji.IsMVP)
		require.Len(t, activeExpertises(kenjiAwards), 2)

		lena, lenaLeads, lenaAwards := byHandle(t, s, seed.DemoAlumnus)
		require.False(t, lena.IsMVP)
		require.Empty(t, lenaLeads)
		require.NotEmpty(t, lenaAwards)

		omar, _, omarAwards := byHandle(t, s, seed.DemoEmployee)
		require.True(t, omar.IsEmployee)
		require.False(t, omar.IsMVP)
		require.Equal(t, mvpgraph.AwardRetired, omarAwards[0].Status)
		require.Equal(t, seed.DemoYear, omarAwards[0].Year)

		// A second Demo, as on every start of serve --demo, changes nothing.
		before, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByYear}, nil)
		require.NoError(t, err)
		loaded, err = seed.Demo(ctx, s)
		require.NoError(t, err)
		require.False(t, loaded)
		after, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByYear}, nil)
		require.NoError(t, err)
		require.Equal(t, before, after)
		n, err := s.CountLeads(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, 12+len(sortedUnique(leads)), n)
	})
}

func sortedLeadIDs(leads map[string]mvpgraph.Lead) []int64 {
	var ids []int64
	for _, l := range leads {
		ids = append(ids, l.ID)
	}
	slices.Sort(ids)
	return ids
}

func sortedUnique(leads map[string]mvpgraph.Lead) []int64 {
	return slices.Compact(sortedLeadIDs(leads))
}

func leadNames(ls []mvpgraph.Lead) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

func activeExpertises(as []mvpgraph.Award) []int64 {
	var out []int64
	for _, a := range as {
		if a.Status == mvpgraph.AwardActive {
			out = append(out, a.ExpertiseID)
		}
	}
	return out
}

// snapshot is what a user would compare between two programs.
type snapshot struct {
	Handles []string
	Stats   []mvpgraph.StatsGroup
	MVPs    int
}

func take(t *testing.T, s *store.Store, n int) snapshot {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	ms, err := s.MembersByIDs(ctx, ids)
	require.NoError(t, err)
	require.Len(t, ms, n)
	slices.SortFunc(ms, func(a, b mvpgraph.Member) int { return int(a.ID - b.ID) })
	var snap snapshot
	for _, m := range ms {
		snap.Handles = append(snap.Handles, m.Handle)
	}
	snap.Stats, err = s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByCountry, mvpgraph.ByYear}, nil)
	require.NoError(t, err)
	snap.MVPs, err = s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true})
	require.NoError(t, err)
	return snap
}

func TestScale(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			const n = 1000
			a, b, c := storetest.New(t, d), storetest.New(t, d), storetest.New(t, d)
			require.NoError(t, seed.Scale(ctx, a, n, 1))
			require.NoError(t, seed.Scale(ctx, b, n, 1))
			require.NoError(t, seed.Scale(ctx, c, n, 2))

			sa, sb, sc := take(t, a, n), take(t, b, n), take(t, c, n)
			require.Equal(t, sa, sb, "same size and seed, same program")
			require.NotEqual(t, sa.Handles, sc.Handles, "another seed, another program")

			total, err := a.CountMembers(ctx, store.MemberQuery{})
			require.NoError(t, err)
			require.Equal(t, n, total)
			require.InDelta(t, 400, sa.MVPs, 60, "about 40% MVPs")
			require.InDelta(t, 10, requireNoActiveEmployee(t, a), 8)
			require.Greater(t, requireCountriesLed(t, a), 50, "members spread over many countries")
			require.Len(t, requireExpertisesLed(t, a), 40)
			for _, g := range sa.Stats {
				if g.Year != nil {
					require.GreaterOrEqual(t, *g.Year, seed.ScaleFirstYear)
					require.LessOrEqual(t, *g.Year, seed.ScaleYear)
				}
			}

			// Normal inserts carry on after the IDs Load set.
			m := mvpgraph.Member{Handle: "after.scale", Name: "After Scale", Country: "US"}
			require.NoError(t, a.CreateMember(ctx, &m))
			require.Equal(t, int64(n+1), m.ID)
			award, err := a.AwardMember(ctx, m.ID, 1, seed.ScaleYear)
			require.NoError(t, err)
			require.Positive(t, award.ID)
			team := mvpgraph.ProductTeam{Name: "New Team"}
			_, err = a.CreateProductTeam(ctx, &team, []mvpgraph.Contact{{Name: "Nel Contact", Email: "nel@vendor.example", Role: "PM"}})
			require.NoError(t, err)
			require.NoError(t, a.CreateExpertise(ctx, &mvpgraph.Expertise{Name: "New Expertise", Category: "Azure", ProductTeamID: &team.ID}))
			require.NoError(t, a.CreateLead(ctx, &mvpgraph.Lead{Name: "New Lead", Email: "new.lead@vendor.example", Kind: mvpgraph.LeadUS}))

			// A filled database is refused by Scale and left alone by Demo.
			err = seed.Scale(ctx, a, 10, 3)
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "error: %v", err)
			loaded, err := seed.Demo(ctx, a)
			require.NoError(t, err)
			require.False(t, loaded)
			total, err = a.CountMembers(ctx, store.MemberQuery{})
			require.NoError(t, err)
			require.Equal(t, n+1, total)
		})
	}
}

// TestScaleBatches loads more members than fit one generated batch or one
// statement, and checks that all of them arrive.
func TestScaleBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 12,000 members")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 12_000
		require.NoError(t, seed.Scale(ctx, s, n, 7))
		total, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Equal(t, n, total)
		last, err := s.MemberByID(ctx, n)
		require.NoError(t, err)
		require.Contains(t, last.Handle, ".12000")
	})
}

func TestLoadRejects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		program := func() *store.Program {
			return &store.Program{
				Expertises: []mvpgraph.Expertise{{ID: 1, Name: "Excel", Category: "Office"}},
				Leads:      []mvpgraph.Lead{{ID: 1, Name: "Ann Intl", Email: "ann@vendor.example", Kind: mvpgraph.LeadInternational}},
				Members: []mvpgraph.Member{
					{ID: 1, Handle: "one", Name: "One", Country: "US"},
					{ID: 2, Handle: "two", Name: "Two", Country: "CA", IsEmployee: true},
				},
				Awards: []mvpgraph.Award{{ID: 1, MemberID: 1, ExpertiseID: 1, Year: 2026, Status: mvpgraph.AwardActive}},
			}
		}
		for name, c := range map[string]struct {
			change func(p *store.Program)
			field  string
		}{
			"bad handle":       {func(p *store.Program) { p.Members[1].Handle = "Two Words" }, "members[1].handle"},
			"no ID":            {func(p *store.Program) { p.Members[0].ID = 0 }, "members[0].id"},
			"employee awarded": {func(p *store.Program) { p.Awards[0].MemberID = 2 }, "awards[0].memberId"},
			"international expertise": {func(p *store.Program) {
				p.ExpertiseOwners = []store.ExpertiseOwner{{ExpertiseID: 1, LeadID: 1}}
			}, "expertiseOwners[0].leadId"},
			"US owned by country": {func(p *store.Program) {
				p.CountryOwners = []store.CountryOwner{{Country: "us", LeadID: 1}}
			}, "countryOwners[0].country"},
		} {
			p := program()
			c.change(p)
			err := s.Load(ctx, p)
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "%s: %v", name, err)
			require.Equal(t, c.field, mvpgraph.ErrorField(err), "%s: %v", name, err)
		}

		// A failure the database finds, after rows went in, stores nothing.
		p := program()
		p.Awards[0].ExpertiseID = 99
		err := s.Load(ctx, p)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "error: %v", err)
		total, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Zero(t, total)

		require.NoError(t, s.Load(ctx, program()))
		one, err := s.MemberByHandle(ctx, "one")
		require.NoError(t, err)
		require.True(t, one.IsMVP)
		err = s.Load(ctx, &store.Program{})
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "a filled database: %v", err)
	})
}

// BenchmarkScale loads a 100,000-member program into a fresh database per
// iteration: go test ./seed/ -run '^$' -bench Scale -benchtime 1x
func BenchmarkScale(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := storetest.New(b, d)
				b.StartTimer()
				start := time.Now()
				require.NoError(b, seed.Scale(ctx, s, 100_000, 1))
				b.ReportMetric(float64(100_000)/time.Since(start).Seconds(), "members/s")
			}
		})
	}
}
