package seed_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

var all = store.PageArgs{First: ptr(store.MaxPageSize)}

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

		// Every award loaded says it was given by the load, in the status
		// it was loaded in.
		page, err := s.ListMembers(ctx, store.MemberQuery{MVPsOnly: true, Page: store.PageArgs{First: ptrTo(100)}})
		require.NoError(t, err)
		var memberIDs []int64
		for _, m := range page.Items {
			memberIDs = append(memberIDs, m.ID)
		}
		awards, err := s.AwardsOfMembers(ctx, memberIDs)
		require.NoError(t, err)
		var awardIDs []int64
		status := map[int64]mvpgraph.AwardStatus{}
		for _, as := range awards {
			for _, a := range as {
				awardIDs = append(awardIDs, a.ID)
				status[a.ID] = a.Status
			}
		}
		require.NotEmpty(t, awardIDs)
		events, err := s.AwardEvents(ctx, awardIDs)
		require.NoError(t, err)
		for _, id := range awardIDs {
			require.Len(t, events[id], 1, "award %d", id)
			e := events[id][0]
			require.Equal(t, mvpgraph.AwardGiven, e.Action)
			require.Equal(t, status[id], e.Status)
			require.Equal(t, "program load", e.ActorName)
		}

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
			award, err := a.AwardMember(ctx, m.ID, 1, seed.ScaleYear, mvpgraph.Principal{Name: "test"})
			require.NoError(t, err)
			require.Positive(t, award.ID)
			team := mvpgraph.ProductTeam{Name: "New Team"}
			_, err = a.CreateProductTeam(ctx, &team, []mvpgraph.Contact{{Name: "Nel Contact", Email: "nel@vendor.example", Role: "PM"}})
			require.NoError(t, err)
			require.NoError(t, a.CreateExpertise(ctx, &mvpgraph.Expertise{Name: "New Expertise", Category: "Azure", ProductTeamID: &team.ID}))
			require.NoError(t, a.CreateLead(ctx, &mvpgraph.Lead{Name: "New Lead", Email: "new.lead@vendor.example", Kind: mvpgraph.LeadUS}))
			accounts, _ := socialOf(t, a, n)
			linked, err := a.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, "after-scale")
			require.NoError(t, err)
			require.Equal(t, int64(len(accounts)+1), linked.ID, "a fresh account ID")

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

// socialOf returns the accounts of members 1..n, in ID order, and their
// snapshots.
func socialOf(t *testing.T, s *store.Store, n int) ([]mvpgraph.SocialAccount, map[int64][]mvpgraph.Snapshot) {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	byMember, err := s.SocialAccountsOfMembers(ctx, ids)
	require.NoError(t, err)
	var accounts []mvpgraph.SocialAccount
	for _, as := range byMember {
		accounts = append(accounts, as...)
	}
	slices.SortFunc(accounts, func(a, b mvpgraph.SocialAccount) int { return int(a.ID - b.ID) })
	accountIDs := make([]int64, len(accounts))
	for i, a := range accounts {
		accountIDs[i] = a.ID
	}
	snaps, err := s.SnapshotsOf(ctx, accountIDs, "0001-01-01", "9999-12-31")
	require.NoError(t, err)
	return accounts, snaps
}

// requireHistory asserts that accounts carry their newest snapshot's
// reading, that ACTIVE ones have a snapshot on each of the days up to end
// and the others a run from the first day that stops a week or more before
// it, and that no two accounts share a handle. It returns the accounts by
// status.
func requireHistory(t *testing.T, accounts []mvpgraph.SocialAccount, snaps map[int64][]mvpgraph.Snapshot, end string, days int) map[mvpgraph.AccountStatus]int {
	t.Helper()
	last, err := time.Parse(time.DateOnly, end)
	require.NoError(t, err)
	want := make([]string, days)
	for i := range want {
		want[i] = last.AddDate(0, 0, i-days+1).Format(time.DateOnly)
	}
	statuses := map[mvpgraph.AccountStatus]int{}
	handles := map[string]bool{}
	for _, a := range accounts {
		statuses[a.Status]++
		key := string(a.Platform) + " " + a.Handle
		require.False(t, handles[key], "%s is linked twice", key)
		handles[key] = true
		h, url, err := mvpgraph.NormalizeAccount(a.Platform, a.Handle)
		require.NoError(t, err)
		require.Equal(t, a.Handle, h, "normalised")
		require.Equal(t, url, a.URL)

		ss := snaps[a.ID]
		got := []string{}
		for _, x := range ss {
			got = append(got, x.Day)
		}
		if a.Status == mvpgraph.AccountActive {
			require.Equal(t, want, got, "%s %s: a snapshot a day", a.Platform, a.Handle)
		} else {
			require.LessOrEqual(t, len(got), max(days-7, 0), "%s %s (%s) stopped a week or more before the end", a.Platform, a.Handle, a.Status)
			require.Equal(t, want[:len(got)], got, "%s %s: a snapshot a day until it stopped", a.Platform, a.Handle)
		}
		if len(ss) == 0 {
			require.Nil(t, a.Followers)
			continue
		}
		newest := ss[len(ss)-1]
		require.Equal(t, newest.Reach, a.Reach, "%s %s carries its newest reading", a.Platform, a.Handle)
		require.NotNil(t, a.LastSyncedAt)
		require.False(t, a.LastSyncedAt.Before(newest.CapturedAt))
		if a.Status == mvpgraph.AccountActive {
			require.True(t, a.LastSyncedAt.Equal(newest.CapturedAt), "last synced when the newest snapshot was taken")
		}
		if a.Platform == mvpgraph.Blog {
			require.Nil(t, newest.Followers)
			require.NotNil(t, newest.Posts)
		} else {
			require.NotNil(t, newest.Followers)
		}
		if a.Platform == mvpgraph.YouTube {
			require.NotNil(t, newest.Views)
		}
	}
	return statuses
}

func accountOn(t *testing.T, accounts []mvpgraph.SocialAccount, p mvpgraph.Platform) mvpgraph.SocialAccount {
	t.Helper()
	for _, a := range accounts {
		if a.Platform == p {
			return a
		}
	}
	t.Fatalf("no %s account among %d", p, len(accounts))
	return mvpgraph.SocialAccount{}
}

func TestDemoSocial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loaded, err := seed.Demo(ctx, s)
		require.NoError(t, err)
		require.True(t, loaded)

		accounts, snaps := socialOf(t, s, 600)
		statuses := requireHistory(t, accounts, snaps, seed.DemoHistoryEnd(s.Now()), seed.DemoHistoryDays)
		require.Contains(t, seed.DemoHistoryEnd(s.Now()), strconv.Itoa(seed.DemoYear))
		require.Greater(t, statuses[mvpgraph.AccountActive], 9*len(accounts)/10, "most accounts are active")
		require.Positive(t, statuses[mvpgraph.AccountNotFound])
		require.Positive(t, statuses[mvpgraph.AccountSuspended])

		ada, _, _ := byHandle(t, s, seed.DemoUSMVP)
		jean, _, _ := byHandle(t, s, seed.DemoCanadianMVP)
		lena, _, _ := byHandle(t, s, seed.DemoAlumnus)
		known, err := s.SocialAccountsOfMembers(ctx, []int64{ada.ID, jean.ID, lena.ID})
		require.NoError(t, err)
		for _, c := range []struct {
			member   mvpgraph.Member
			platform mvpgraph.Platform
			handle   string
		}{
			{ada, mvpgraph.Twitter, seed.DemoUSMVPTwitter},
			{ada, mvpgraph.GitHub, seed.DemoUSMVPGitHub},
			{jean, mvpgraph.YouTube, seed.DemoCanadianMVPYouTube},
			{jean, mvpgraph.Blog, seed.DemoCanadianMVPBlog},
		} {
			a := accountOn(t, known[c.member.ID], c.platform)
			require.Equal(t, c.handle, a.Handle)
			require.Equal(t, mvpgraph.AccountActive, a.Status)
			require.Len(t, snaps[a.ID], seed.DemoHistoryDays, "%s %s has its history", c.platform, c.handle)
		}
		require.Len(t, known[ada.ID], 2)
		require.Len(t, known[jean.ID], 2)
		require.Equal(t, mvpgraph.AccountNotFound, accountOn(t, known[lena.ID], mvpgraph.Twitter).Status)
		tw := accountOn(t, known[ada.ID], mvpgraph.Twitter)
		require.Equal(t, "https://x.com/"+seed.DemoUSMVPTwitter, tw.URL)
		require.InDelta(t, 4200, *tw.Followers, 800)

		// About three in five MVPs have accounts, and followers are heavy
		// tailed: most in the hundreds to low thousands, a few in the tens
		// of thousands. Most accounts grew, some did not.
		members := map[int64]bool{}
		var followers []int64
		grew, fell := 0, 0
		for _, a := range accounts {
			members[a.MemberID] = true
			if a.Followers == nil || a.Platform == mvpgraph.StackExchange {
				continue
			}
			followers = append(followers, *a.Followers)
			if ss := snaps[a.ID]; len(ss) == seed.DemoHistoryDays {
				switch first, last := *ss[0].Followers, *ss[len(ss)-1].Followers; {
				case last > first:
					grew++
				case last < first:
					fell++
				}
			}
		}
		ids := make([]int64, 600)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		ms, err := s.MembersByIDs(ctx, ids)
		require.NoError(t, err)
		mvps, linked := 0, 0
		for _, m := range ms {
			if m.IsMVP {
				mvps++
				if members[m.ID] {
					linked++
				}
			}
		}
		require.InDelta(t, 0.6, float64(linked)/float64(mvps), 0.08, "MVPs with accounts")
		slices.Sort(followers)
		median := followers[len(followers)/2]
		require.Greater(t, median, int64(150))
		require.Less(t, median, int64(3000))
		require.Greater(t, followers[len(followers)-1], int64(10_000))
		require.Greater(t, grew, len(followers)/2, "most grew")
		require.Positive(t, fell, "some declined")
	})
}

// TestScaleHistory loads a program with history twice and another with
// another seed, and checks that Load leaves the ID sequences fit for
// normal inserts.
func TestScaleHistory(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			const n, days = 1000, 10
			a, b, c := storetest.New(t, d), storetest.New(t, d), storetest.New(t, d)
			require.NoError(t, seed.ScaleWithHistory(ctx, a, n, 1, days))
			require.NoError(t, seed.ScaleWithHistory(ctx, b, n, 1, days))
			require.NoError(t, seed.ScaleWithHistory(ctx, c, n, 2, days))

			type summary struct {
				Accounts, Snapshots int
				Followers           int64 // of the first 200 members' accounts
				Handles             []string
			}
			sum := func(s *store.Store) (summary, []mvpgraph.SocialAccount) {
				accounts, snaps := socialOf(t, s, n)
				var x summary
				x.Accounts = len(accounts)
				for _, a := range accounts {
					x.Snapshots += len(snaps[a.ID])
					if a.MemberID <= 200 && a.Followers != nil {
						x.Followers += *a.Followers
					}
					x.Handles = append(x.Handles, a.Handle)
				}
				requireHistory(t, accounts, snaps, seed.ScaleHistoryEnd, days)
				return x, accounts
			}
			sa, accounts := sum(a)
			sb, _ := sum(b)
			sc, _ := sum(c)
			require.Equal(t, sa, sb, "same arguments, same history")
			require.NotEqual(t, sa.Handles, sc.Handles, "another seed, another history")
			require.InDelta(t, 1.3*n, sa.Accounts, 0.15*n, "about 1.3 accounts a member")
			require.InDelta(t, sa.Accounts*days, sa.Snapshots, float64(sa.Accounts*days)/10)
			require.Positive(t, sa.Followers)

			ids := make([]int64, n)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			ms, err := a.MembersByIDs(ctx, ids)
			require.NoError(t, err)
			isMVP := map[int64]bool{}
			mvps := 0
			for _, m := range ms {
				if m.IsMVP {
					isMVP[m.ID] = true
					mvps++
				}
			}
			ofMVPs := 0
			for _, x := range accounts {
				if isMVP[x.MemberID] {
					ofMVPs++
				}
			}
			require.InDelta(t, 2, float64(ofMVPs)/float64(mvps), 0.3, "accounts per MVP")

			// The history does not change the members.
			require.Equal(t, take(t, a, n), func() snapshot {
				s := storetest.New(t, d)
				require.NoError(t, seed.ScaleWithHistory(ctx, s, n, 1, 0))
				none, _ := socialOf(t, s, n)
				var handles []string
				for _, x := range none {
					require.Nil(t, x.LastSyncedAt, "never synced")
					handles = append(handles, x.Handle)
				}
				require.True(t, slices.Equal(sa.Handles, handles), "the same accounts without history")
				return take(t, s, n)
			}())

			// Normal inserts carry on after the IDs Load set.
			linked, err := a.LinkSocialAccount(ctx, 1, mvpgraph.Mastodon, "@after@example.social")
			require.NoError(t, err)
			require.Equal(t, int64(sa.Accounts+1), linked.ID, "a fresh account ID")

			err = seed.ScaleWithHistory(ctx, storetest.New(t, d), 10, 1, -1)
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "negative days: %v", err)
		})
	}
}

// TestScaleBatches loads more members than fit one generated batch or one
// statement, and more snapshots than fit one statement, and checks that
// all of them arrive.
func TestScaleBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 12,000 members")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n, days = 12_000, 3
		require.NoError(t, seed.ScaleWithHistory(ctx, s, n, 7, days))
		total, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Equal(t, n, total)
		last, err := s.MemberByID(ctx, n)
		require.NoError(t, err)
		require.Contains(t, last.Handle, ".12000")

		accounts, snaps := socialOf(t, s, n)
		requireHistory(t, accounts, snaps, seed.ScaleHistoryEnd, days)
		require.Greater(t, len(accounts), n)
		require.Greater(t, accounts[len(accounts)-1].MemberID, int64(n-100), "the last members have accounts")
		require.Equal(t, int64(len(accounts)), accounts[len(accounts)-1].ID, "accounts numbered 1..n")
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
				SocialAccounts: []mvpgraph.SocialAccount{
					{ID: 1, MemberID: 1, Platform: mvpgraph.GitHub, Handle: "one", Status: mvpgraph.AccountActive},
					{ID: 2, MemberID: 2, Platform: mvpgraph.Twitter, Handle: "two_x", Status: mvpgraph.AccountActive},
				},
				// Out of order: the newest is the first.
				Snapshots: []mvpgraph.Snapshot{
					{AccountID: 1, Day: "2026-06-02", CapturedAt: time.Date(2026, 6, 2, 23, 59, 0, 0, time.UTC), Reach: mvpgraph.Reach{Followers: ptr[int64](12), Posts: ptr[int64](3)}},
					{AccountID: 1, CapturedAt: time.Date(2026, 6, 1, 3, 0, 0, 0, time.FixedZone("CEST", 2*3600)), Reach: mvpgraph.Reach{Followers: ptr[int64](10)}},
				},
				Spaces:          []mvpgraph.CommunitySpace{{ID: 1, Name: "Excel Forum", Kind: "FORUM"}, {ID: 2, Name: "Excel Blog", Kind: "BLOG"}},
				SpaceExpertises: []store.SpaceExpertise{{SpaceID: 1, ExpertiseID: 1}, {SpaceID: 2, ExpertiseID: 1}},
				Contributors:    []store.LoadContributor{{ID: 1, SpaceID: 1, Handle: "one", Name: "One", MemberID: ptr[int64](1)}, {ID: 2, SpaceID: 2, Handle: "stranger", Name: "Stranger"}},
				Activities: []store.LoadActivity{
					{ID: 1, SpaceID: 1, ContributorID: 1, ExternalID: "q1", Kind: "ANSWER", OccurredAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
					{ID: 2, SpaceID: 2, ContributorID: 2, ExternalID: "p1", Kind: "ARTICLE", OccurredAt: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)},
				},
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
			"account handle not normalised": {func(p *store.Program) { p.SocialAccounts[1].Handle = "@Two_X" }, "socialAccounts[1].handle"},
			"account handle unreadable":     {func(p *store.Program) { p.SocialAccounts[1].Handle = "x.com/" }, "socialAccounts[1].handle"},
			"account platform":              {func(p *store.Program) { p.SocialAccounts[0].Platform = "MYSPACE" }, "socialAccounts[0].platform"},
			"account status":                {func(p *store.Program) { p.SocialAccounts[0].Status = "" }, "socialAccounts[0].status"},
			"account no ID":                 {func(p *store.Program) { p.SocialAccounts[1].ID = 0 }, "socialAccounts[1].id"},
			"account ID twice":              {func(p *store.Program) { p.SocialAccounts[1].ID = 1 }, "socialAccounts[1].id"},
			"snapshot of no account":        {func(p *store.Program) { p.Snapshots[1].AccountID = 3 }, "snapshots[1].accountId"},
			"snapshot day":                  {func(p *store.Program) { p.Snapshots[0].Day = "2026-06-03" }, "snapshots[0].day"},
			"snapshot day form":             {func(p *store.Program) { p.Snapshots[0].Day = "2026-6-2" }, "snapshots[0].day"},
			"snapshot time":                 {func(p *store.Program) { p.Snapshots[0].CapturedAt = time.Time{} }, "snapshots[0].capturedAt"},
			"space kind":                    {func(p *store.Program) { p.Spaces[1].Kind = "PODCAST" }, "spaces[1].kind"},
			"space of no expertise":         {func(p *store.Program) { p.SpaceExpertises[0].ExpertiseID = 7 }, "spaceExpertises[0].expertiseId"},
			"contributor of no space":       {func(p *store.Program) { p.Contributors[1].SpaceID = 3 }, "contributors[1].spaceId"},
			"contributor ID twice":          {func(p *store.Program) { p.Contributors[1].ID = 1 }, "contributors[1].id"},
			"activity kind":                 {func(p *store.Program) { p.Activities[0].Kind = "LIKE" }, "activities[0].kind"},
			"activity of no contributor":    {func(p *store.Program) { p.Activities[1].ContributorID = 5 }, "activities[1].contributorId"},
			"activity in another space":     {func(p *store.Program) { p.Activities[1].SpaceID = 1 }, "activities[1].contributorId"},
			"activity without time":         {func(p *store.Program) { p.Activities[0].OccurredAt = time.Time{} }, "activities[0].occurredAt"},
		} {
			p := program()
			c.change(p)
			err := seed.Load(ctx, s, p)
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "%s: %v", name, err)
			require.Equal(t, c.field, mvpgraph.ErrorField(err), "%s: %v", name, err)
		}
		total, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Zero(t, total, "a rejected program stores nothing")

		// Two accounts with one handle: the database refuses the second,
		// and the members before it go too.
		p := program()
		p.SocialAccounts[1].Platform, p.SocialAccounts[1].Handle = mvpgraph.GitHub, "one"
		err = seed.Load(ctx, s, p)
		require.Equal(t, mvpgraph.ECONFLICT, mvpgraph.ErrorCode(err), "error: %v", err)
		total, err = s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Zero(t, total)
		accounts, err := s.SocialAccountsOfMembers(ctx, []int64{1, 2})
		require.NoError(t, err)
		require.Empty(t, accounts)

		// A failure the database finds, after rows went in, stores nothing.
		p = program()
		p.Awards[0].ExpertiseID = 99
		err = seed.Load(ctx, s, p)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "error: %v", err)
		total, err = s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Zero(t, total)

		// Two readings of one account on one day, or one item twice in a
		// space: the keys of the bulk tables refuse them (on PostgreSQL
		// when they are built again after the rows), and nothing is stored.
		for name, change := range map[string]func(p *store.Program){
			"reading twice": func(p *store.Program) { p.Snapshots[1] = p.Snapshots[0] },
			"item twice": func(p *store.Program) {
				p.Activities[1].SpaceID, p.Activities[1].ContributorID, p.Activities[1].ExternalID = 1, 1, "q1"
			},
		} {
			p := program()
			change(p)
			err := seed.Load(ctx, s, p)
			require.Equal(t, mvpgraph.ECONFLICT, mvpgraph.ErrorCode(err), "%s: %v", name, err)
			total, err = s.CountMembers(ctx, store.MemberQuery{})
			require.NoError(t, err)
			require.Zero(t, total, name)
		}

		require.NoError(t, seed.Load(ctx, s, program()))
		one, err := s.MemberByHandle(ctx, "one")
		require.NoError(t, err)
		require.True(t, one.IsMVP)
		mvps, err := s.CountMembers(ctx, store.MemberQuery{MVPsOnly: true})
		require.NoError(t, err)
		require.Equal(t, 1, mvps, "the MVP count, kept across the load")
		accounts, err = s.SocialAccountsOfMembers(ctx, []int64{1, 2})
		require.NoError(t, err)
		gh := accounts[1][0]
		require.Equal(t, "https://github.com/one", gh.URL)
		require.Equal(t, ptr[int64](12), gh.Followers, "the newest reading")
		require.Equal(t, ptr[int64](3), gh.Posts)
		require.Equal(t, time.Date(2026, 6, 2, 23, 59, 0, 0, time.UTC), gh.LastSyncedAt.UTC())
		tw := accounts[2][0]
		require.Nil(t, tw.Followers, "never read")
		require.Nil(t, tw.LastSyncedAt)
		snaps, err := s.SnapshotsOf(ctx, []int64{1, 2}, "2026-01-01", "2026-12-31")
		require.NoError(t, err)
		require.Len(t, snaps[1], 2)
		require.Equal(t, "2026-06-01", snaps[1][0].Day, "the UTC day of capturedAt")
		byKind, err := s.ActivityStats(ctx, store.ActivityStatsQuery{GroupBy: []string{"KIND"}})
		require.NoError(t, err)
		require.Len(t, byKind, 2)
		require.Equal(t, 1, byKind[0].Count)
		// The keys set aside for the load are back: a second sync on one
		// day replaces that day's reading, and a second import of an item
		// is known as a duplicate.
		for _, followers := range []int64{20, 21} {
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: 1, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}}))
		}
		today := s.Now().UTC().Format(time.DateOnly)
		synced, err := s.SnapshotsOf(ctx, []int64{1}, today, today)
		require.NoError(t, err)
		require.Len(t, synced[1], 1, "one reading a day")
		require.Equal(t, ptr[int64](21), synced[1][0].Followers)
		again, err := s.ImportActivities(ctx, []mvpgraph.ActivityRow{{Line: 2, Space: "Excel Forum", ExternalID: "q1", Kind: "ANSWER",
			OccurredAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), ContributorHandle: "one", ContributorName: "One"}}, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
		require.NoError(t, err)
		require.Equal(t, 1, again.Duplicates, "%+v", again)
		err = seed.Load(ctx, s, &store.Program{})
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "a filled database: %v", err)
	})
}

// BenchmarkScale loads a 100,000-member program, with Scale's 30 days of
// reach history (about 132,000 accounts and 3.9 million snapshots), into a
// fresh database per iteration:
// go test ./seed/ -run '^$' -bench Scale -benchtime 1x
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

// TestDemoCommunity: the demo's spaces hold activity the way communities
// do, a few spaces most of it, with candidates among the contributors and
// escalations in every state, some overdue against the clock.
func TestDemoCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loaded, err := seed.Demo(ctx, s)
		require.NoError(t, err)
		require.True(t, loaded)

		end, err := time.Parse(time.DateOnly, seed.DemoHistoryEnd(s.Now()))
		require.NoError(t, err)
		end = end.AddDate(0, 0, 1)
		from := end.AddDate(0, 0, -seed.DemoActivityDays)
		var crm mvpgraph.Expertise
		for _, e := range requireExpertisesLed(t, s) {
			if e.Name == "Dynamics CRM" {
				crm = e
			}
		}
		spaces, _, err := s.SpaceActivity(ctx, crm.ID, from, end)
		require.NoError(t, err)
		require.Len(t, spaces, 24)
		total := 0
		for _, sp := range spaces {
			total += sp.Count
		}
		require.InDelta(t, 2400, total, 30)
		top := 0
		for _, sp := range spaces[:5] {
			top += sp.Count
		}
		require.Greater(t, top, total/2, "five of the 24 spaces hold most of the activity")

		candidates, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: crm.ID, From: from, To: end, Weights: mvpgraph.DefaultKindWeights, Limit: 20})
		require.NoError(t, err)
		require.Len(t, candidates, 20)
		known := 0
		for _, c := range candidates {
			if c.MemberID != nil {
				known++
			}
		}
		require.Positive(t, known, "members without an award are among the candidates")

		// People, not handles: each once, some in spaces of several sites,
		// joined by the rules or by the program office's merges, and names
		// that are no "fan 110".
		seen, sites := map[int64]bool{}, 0
		for _, c := range candidates {
			require.False(t, seen[c.PersonID], "%s is ranked once", c.Name)
			seen[c.PersonID] = true
			require.Regexp(t, `^\p{Lu}[\p{L}'.-]* \p{L}`, c.Name)
			if len(c.Identities) >= 3 {
				ids := make([]int64, len(c.Identities))
				for i, id := range c.Identities {
					ids[i] = id.IdentityID
				}
				rows, err := s.IdentitiesByIDs(ctx, ids)
				require.NoError(t, err)
				on := map[string]bool{}
				for _, r := range rows {
					on[r.Site] = true
				}
				if len(on) >= 2 {
					sites++
				}
			}
		}
		require.GreaterOrEqual(t, sites, 2, "some candidates are one person across sites")
		left, err := s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.9, Limit: 100})
		require.NoError(t, err)
		require.Len(t, left, 4, "the likeliest suggestions left for an admin")
		noms, err := s.NominationStats(ctx, store.NominationQuery{}, []string{"STATUS"})
		require.NoError(t, err)
		byStatus := map[mvpgraph.NominationStatus]int{}
		for _, g := range noms {
			byStatus[*g.Status] = g.Count
		}
		require.Equal(t, map[mvpgraph.NominationStatus]int{"NOMINATED": 4, "UNDER_REVIEW": 2, "DECLINED": 2, "WITHDRAWN": 2}, byStatus)

		// Questions are answered, mostly, within days, but the newsgroup
		// leaves people waiting.
		needs, err := s.Needs(ctx, store.NeedsQuery{ExpertiseID: &crm.ID, From: &from, To: &end, UnansweredAfter: 48 * time.Hour, GroupBy: []string{"SPACE"}})
		require.NoError(t, err)
		names := map[int64]string{}
		for _, sp := range spaces {
			names[sp.SpaceID] = sp.Name
		}
		well, poorly := 0, []string{}
		for _, n := range needs {
			switch share := *n.AnsweredShare(); {
			case share >= 0.8:
				well++
			case share < 0.5:
				poorly = append(poorly, names[*n.SpaceID])
			}
		}
		require.Greater(t, well, len(needs)/2, "most spaces answer most questions")
		require.Equal(t, []string{"Dynamics CRM Newsgroup"}, poorly, "one space leaves people waiting")

		dyn := leadNamed(t, s, seed.DynamicsLead)
		leads, err := s.ListLeads(ctx, nil, nil, all)
		require.NoError(t, err)
		var ids []int64
		for _, l := range leads.Items {
			ids = append(ids, l.ID)
		}
		// A week after the demo's last day, the oldest waiting ones are late.
		week := end.AddDate(0, 0, 7)
		stats, err := s.WithClock(func() time.Time { return week }).EscalationStatsOf(ctx, ids, 72*time.Hour)
		require.NoError(t, err)
		var sum store.EscalationStats
		for _, st := range stats {
			sum.Open += st.Open
			sum.Escalated += st.Escalated
			sum.Answered += st.Answered
			sum.Closed += st.Closed
			sum.Overdue += st.Overdue
		}
		require.Equal(t, 36, sum.Open+sum.Escalated+sum.Answered+sum.Closed)
		for _, n := range []int{sum.Open, sum.Escalated, sum.Answered, sum.Closed, sum.Overdue} {
			require.Positive(t, n)
		}
		require.Contains(t, stats, dyn.ID, "the Dynamics lead has escalations to handle")
	})
}

// TestScaleCommunity: a Scale program has about ten items of activity per
// member in twenty spaces per expertise, concentrated in the first few, by
// members and strangers; the same seed gives the same activity.
func TestScaleCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 2000
		require.NoError(t, seed.Scale(ctx, s, n, 1))
		end, err := time.Parse(time.DateOnly, seed.ScaleHistoryEnd)
		require.NoError(t, err)
		from, to := end.AddDate(-1, 0, 0), end.AddDate(0, 0, 1)

		all, err := s.ActivityStats(ctx, store.ActivityStatsQuery{})
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.InDelta(t, 10*n, all[0].Count, 2*n, "about ten items per member")

		var crm mvpgraph.Expertise
		for _, e := range requireExpertisesLed(t, s) {
			if e.Name == "Dynamics CRM" {
				crm = e
			}
		}
		spaces, _, err := s.SpaceActivity(ctx, crm.ID, from, to)
		require.NoError(t, err)
		require.Len(t, spaces, 20)
		total, top := 0, 0
		for i, sp := range spaces {
			total += sp.Count
			if i < 5 {
				top += sp.Count
			}
		}
		require.Greater(t, top, total/2, "five of the twenty spaces hold most of it")

		candidates, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: crm.ID, From: from, To: to, Weights: mvpgraph.DefaultKindWeights, Limit: 50})
		require.NoError(t, err)
		members, strangers := 0, 0
		for _, c := range candidates {
			if c.MemberID != nil {
				members++
			} else {
				strangers++
			}
		}
		require.Positive(t, members, "members without an active award are candidates")
		require.Positive(t, strangers, "so are people the program does not know")

		again := storetest.New(t, s.Dialect())
		require.NoError(t, seed.Scale(ctx, again, n, 1))
		same, _, err := again.SpaceActivity(ctx, crm.ID, from, to)
		require.NoError(t, err)
		require.Equal(t, spaces, same, "the same seed gives the same activity")
	})
}

func ptrTo[T any](v T) *T { return &v }

// TestCandidatesCountEveryItem ranks candidates over more activity than any
// in-memory bound would hold: each contributor's score is the sum over all
// of their items in the period, with their counts and best items.
func TestCandidatesCountEveryItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const posts, articles = 150000, 60000 // 210,000 items in the period
		day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		p := &store.Program{
			Expertises:      []mvpgraph.Expertise{{ID: 1, Name: "Excel", Category: "Office"}},
			Spaces:          []mvpgraph.CommunitySpace{{ID: 1, Name: "Excel Forum", Kind: "FORUM"}, {ID: 2, Name: "Excel Blog", Kind: "BLOG"}},
			SpaceExpertises: []store.SpaceExpertise{{SpaceID: 1, ExpertiseID: 1}, {SpaceID: 2, ExpertiseID: 1}},
			Contributors: []store.LoadContributor{
				{ID: 1, SpaceID: 1, Handle: "poster", Name: "Pat Poster"},
				{ID: 2, SpaceID: 2, Handle: "writer", Name: "Wren Writer"},
			},
		}
		for i := range posts + articles {
			a := store.LoadActivity{ID: int64(i + 1), SpaceID: 1, ContributorID: 1, ExternalID: fmt.Sprintf("p%d", i), Kind: "POST", OccurredAt: day.Add(time.Duration(i) * time.Second)}
			if i >= posts {
				a.SpaceID, a.ContributorID, a.ExternalID, a.Kind = 2, 2, fmt.Sprintf("a%d", i), "ARTICLE"
			}
			p.Activities = append(p.Activities, a)
		}
		// One article scored by its space: the writer's best item.
		p.Activities[posts+7].Score = ptr(20.0)
		require.NoError(t, seed.Load(ctx, s, p))

		got, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: 1, From: day, To: day.AddDate(0, 1, 0), Weights: mvpgraph.DefaultKindWeights, Limit: 10})
		require.NoError(t, err)
		require.Len(t, got, 2)
		// The writer: 60,000 articles at 5 points, one raised by 20 points of
		// score to 15.
		require.Equal(t, "Wren Writer", got[0].Name)
		require.InDelta(t, float64(articles*5+10), got[0].Score, 1e-6)
		require.Equal(t, map[mvpgraph.ActivityKind]int{"ARTICLE": articles}, got[0].ByKind)
		require.Equal(t, map[string]int{"Excel Blog": articles}, got[0].BySpace)
		require.Len(t, got[0].Best, 3)
		require.Equal(t, int64(posts+8), got[0].Best[0].ID, "the scored article first")
		require.Equal(t, "Pat Poster", got[1].Name)
		require.InDelta(t, float64(posts), got[1].Score, 1e-6)
		require.Equal(t, map[mvpgraph.ActivityKind]int{"POST": posts}, got[1].ByKind)
	})
}
