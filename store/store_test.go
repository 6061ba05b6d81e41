package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ptr[T any](v T) *T { return &v }

// requireCode asserts that err is an mvpgraph error with code (and field,
// when given).
func requireCode(t *testing.T, err error, code string, field ...string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, mvpgraph.ErrorCode(err), "error: %v", err)
	if len(field) > 0 {
		require.Equal(t, field[0], mvpgraph.ErrorField(err), "error: %v", err)
	}
}

// program is a small program whose answers are known by hand.
type program struct {
	team                           mvpgraph.ProductTeam
	crm, ax, excel                 mvpgraph.Expertise
	uma, olaf, chloe               mvpgraph.Lead
	us1, us2, ca1, fr1, de1, emp   mvpgraph.Member
	us1CRM, us2CRM, us2Excel, caEx mvpgraph.Award
}

func newProgram(t *testing.T, s *store.Store) *program {
	t.Helper()
	ctx := context.Background()
	p := &program{}
	p.team = mvpgraph.ProductTeam{Name: "Dynamics Team"}
	_, err := s.CreateProductTeam(ctx, &p.team, []mvpgraph.Contact{{Name: "Pat Product", Email: "pat@vendor.example", Role: "PM"}})
	require.NoError(t, err)
	for _, e := range []struct {
		e    *mvpgraph.Expertise
		name string
		cat  string
		team *int64
	}{{&p.crm, "Dynamics CRM", "Business Applications", &p.team.ID}, {&p.ax, "Dynamics AX", "Business Applications", &p.team.ID}, {&p.excel, "Excel", "Office", nil}} {
		*e.e = mvpgraph.Expertise{Name: e.name, Category: e.cat, ProductTeamID: e.team}
		require.NoError(t, s.CreateExpertise(ctx, e.e))
	}
	for _, l := range []struct {
		l    *mvpgraph.Lead
		name string
		kind mvpgraph.LeadKind
	}{{&p.uma, "Uma US", mvpgraph.LeadUS}, {&p.olaf, "Olaf US", mvpgraph.LeadUS}, {&p.chloe, "Chloe Intl", mvpgraph.LeadInternational}} {
		*l.l = mvpgraph.Lead{Name: l.name, Email: strings.ToLower(l.name[:3]) + "@vendor.example", Kind: l.kind}
		require.NoError(t, s.CreateLead(ctx, l.l))
	}
	_, err = s.AssignExpertise(ctx, p.uma.ID, p.crm.ID, false)
	require.NoError(t, err)
	_, err = s.AssignExpertise(ctx, p.uma.ID, p.ax.ID, false)
	require.NoError(t, err)
	_, err = s.AssignExpertise(ctx, p.olaf.ID, p.excel.ID, false)
	require.NoError(t, err)
	_, err = s.AssignCountry(ctx, p.chloe.ID, "ca", false)
	require.NoError(t, err)
	_, err = s.AssignCountry(ctx, p.chloe.ID, "FR", false)
	require.NoError(t, err)
	for _, m := range []struct {
		m       *mvpgraph.Member
		handle  string
		name    string
		country string
		city    *string
		emp     bool
	}{
		{&p.us1, "us1", "Alice Adams", "US", ptr("Seattle"), false},
		{&p.us2, "us2", "Bob Brown", "US", nil, false},
		{&p.ca1, "ca1", "Chantal Côté", "CA", ptr("Montréal"), false},
		{&p.fr1, "fr1", "Denis Dupont", "FR", ptr("Paris"), false},
		{&p.de1, "de1", "Eva Engel", "DE", ptr("Berlin"), false},
		{&p.emp, "emp", "Fay Vendor", "US", ptr("Redmond"), true},
	} {
		*m.m = mvpgraph.Member{Handle: m.handle, Name: m.name, Country: m.country, City: m.city, IsEmployee: m.emp, Email: ptr(m.handle + "@example.com")}
		require.NoError(t, s.CreateMember(ctx, m.m))
	}
	award := func(m mvpgraph.Member, e mvpgraph.Expertise, year int) mvpgraph.Award {
		a, err := s.AwardMember(ctx, m.ID, e.ID, year, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		return a
	}
	p.us1CRM = award(p.us1, p.crm, 2026)
	p.us2CRM = award(p.us2, p.crm, 2026)
	p.us2Excel = award(p.us2, p.excel, 2026)
	p.caEx = award(p.ca1, p.excel, 2026)
	award(p.de1, p.crm, 2026)
	require.Equal(t, mvpgraph.AwardAlumni, award(p.fr1, p.ax, 2024).Status)
	return p
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url     string
		dialect store.Dialect
		ok      bool
	}{
		{"postgres://u@h:5432/db?sslmode=disable", store.Postgres, true},
		{"postgresql://u@h/db", store.Postgres, true},
		{"sqlite:mvpgraph.db", store.SQLite, true},
		{"sqlite:///tmp/x.db", store.SQLite, true},
		{"sqlite:", "", false},
		{"mysql://u@h/db", "", false},
		{"", "", false},
	} {
		d, _, err := store.ParseURL(tc.url)
		if !tc.ok {
			requireCode(t, err, mvpgraph.EINVALID)
			continue
		}
		require.NoError(t, err, tc.url)
		require.Equal(t, tc.dialect, d, tc.url)
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(context.Background())
		require.NoError(t, err)
		require.Zero(t, n)
		pending, err := s.MigrationsPending(context.Background())
		require.NoError(t, err)
		require.False(t, pending)
	})
}

func TestCreateMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := mvpgraph.Member{Handle: " Ada.Lovelace ", Name: " Ada Lovelace ", Country: "gb", Email: ptr("Ada@Example.COM"), Bio: ptr("  ")}
		require.NoError(t, s.CreateMember(ctx, &m))
		require.NotZero(t, m.ID)

		got, err := s.MemberByHandle(ctx, "ADA.LOVELACE")
		require.NoError(t, err)
		require.Equal(t, m.ID, got.ID)
		require.Equal(t, "ada.lovelace", got.Handle)
		require.Equal(t, "Ada Lovelace", got.Name)
		require.Equal(t, "GB", got.Country)
		require.Equal(t, "Ada@example.com", *got.Email)
		require.Nil(t, got.Bio, "a blank bio is stored as none")
		require.False(t, got.IsMVP)
		require.WithinDuration(t, m.CreatedAt, got.CreatedAt, 0)

		dup := mvpgraph.Member{Handle: "ada.lovelace", Name: "Other", Country: "US"}
		err = s.CreateMember(ctx, &dup)
		requireCode(t, err, mvpgraph.ECONFLICT)
		require.Contains(t, mvpgraph.ErrorMessage(err), "handle", "the message names what clashes, on both databases")

		_, err = s.MemberByID(ctx, m.ID+1000)
		requireCode(t, err, mvpgraph.ENOTFOUND)
	})
}

func TestCreateMemberInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, tc := range []struct {
			m     mvpgraph.Member
			field string
		}{
			{mvpgraph.Member{Handle: "ok", Name: "N", Country: "XX"}, "country"},
			{mvpgraph.Member{Handle: "ok", Name: "N", Country: "USA"}, "country"},
			{mvpgraph.Member{Handle: "no spaces", Name: "N", Country: "US"}, "handle"},
			{mvpgraph.Member{Handle: "-dash", Name: "N", Country: "US"}, "handle"},
			{mvpgraph.Member{Handle: "ok", Name: "  ", Country: "US"}, "name"},
			{mvpgraph.Member{Handle: "ok", Name: "N", Country: "US", Email: ptr("not-an-email")}, "email"},
		} {
			requireCode(t, s.CreateMember(ctx, &tc.m), mvpgraph.EINVALID, tc.field)
		}
		n, err := s.CountMembers(ctx, store.MemberQuery{})
		require.NoError(t, err)
		require.Zero(t, n, "nothing is stored")
	})
}

func TestAwardRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)

		got, err := s.MemberByID(ctx, p.us1.ID)
		require.NoError(t, err)
		require.True(t, got.IsMVP)

		_, err = s.AwardMember(ctx, p.us1.ID, p.crm.ID, 2026, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.AwardMember(ctx, p.us1.ID, p.crm.ID, 2027, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.AwardMember(ctx, p.emp.ID, p.crm.ID, 2026, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "memberId")
		_, err = s.AwardMember(ctx, p.us1.ID+999, p.crm.ID, 2026, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ENOTFOUND, "memberId")
		_, err = s.AwardMember(ctx, p.us1.ID, p.crm.ID+999, 2026, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ENOTFOUND, "expertiseId")
		_, err = s.AwardMember(ctx, p.us1.ID, p.ax.ID, 1900, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "year")
		past, err := s.AwardMember(ctx, p.de1.ID, p.ax.ID, 2019, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.AwardAlumni, past.Status, "an award for an ended year is history, not a current award")

		awards, err := s.AwardsOfMembers(ctx, []int64{p.us1.ID, p.emp.ID})
		require.NoError(t, err)
		require.Len(t, awards[p.us1.ID], 1, "refused awards change nothing")
		require.Empty(t, awards[p.emp.ID])

		next, err := s.RenewAward(ctx, p.us1CRM.ID, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		require.Equal(t, 2027, next.Year)
		require.Equal(t, mvpgraph.AwardActive, next.Status)
		awards, err = s.AwardsOfMembers(ctx, []int64{p.us1.ID})
		require.NoError(t, err)
		require.Len(t, awards[p.us1.ID], 2)
		require.Equal(t, 2027, awards[p.us1.ID][0].Year, "newest year first")
		require.Equal(t, mvpgraph.AwardAlumni, awards[p.us1.ID][1].Status)

		_, err = s.RenewAward(ctx, p.us1CRM.ID, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "awardId")
		_, err = s.RetireAward(ctx, p.us1CRM.ID, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "awardId")
		_, err = s.RetireAward(ctx, 99999, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ENOTFOUND, "awardId")

		retired, err := s.RetireAward(ctx, next.ID, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.AwardRetired, retired.Status)
		got, err = s.MemberByID(ctx, p.us1.ID)
		require.NoError(t, err)
		require.False(t, got.IsMVP, "no active award left")
	})
}

func TestBecomingEmployeeRetiresAwards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		m, err := s.UpdateMember(ctx, p.us2.ID, mvpgraph.MemberUpdate{IsEmployee: ptr(true), Employer: ptr("The Vendor")}, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		require.True(t, m.IsEmployee)
		require.False(t, m.IsMVP)
		require.Equal(t, "The Vendor", *m.Employer)
		awards, err := s.AwardsOfMembers(ctx, []int64{p.us2.ID})
		require.NoError(t, err)
		require.Len(t, awards[p.us2.ID], 2)
		for _, a := range awards[p.us2.ID] {
			require.Equal(t, mvpgraph.AwardRetired, a.Status)
		}
		_, err = s.AwardMember(ctx, p.us2.ID, p.ax.ID, 2026, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "memberId")
		_, err = s.RenewAward(ctx, p.us2CRM.ID, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "awardId")
	})
}

func TestUpdateMemberInvalidChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		_, err := s.UpdateMember(ctx, p.us1.ID, mvpgraph.MemberUpdate{Name: ptr("New Name"), Country: ptr("ZZ")}, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.EINVALID, "country")
		_, err = s.UpdateMember(ctx, p.us1.ID, mvpgraph.MemberUpdate{Handle: ptr("us2")}, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.UpdateMember(ctx, 424242, mvpgraph.MemberUpdate{Name: ptr("X")}, mvpgraph.Principal{Name: "test"})
		requireCode(t, err, mvpgraph.ENOTFOUND)
		got, err := s.MemberByID(ctx, p.us1.ID)
		require.NoError(t, err)
		require.Equal(t, p.us1.Name, got.Name)
		require.Equal(t, "us1", got.Handle)

		m, err := s.UpdateMember(ctx, p.us1.ID, mvpgraph.MemberUpdate{City: ptr(""), Country: ptr("ca")}, mvpgraph.Principal{Name: "test"})
		require.NoError(t, err)
		require.Nil(t, m.City, "an empty string clears a field")
		require.Equal(t, "CA", m.Country)
	})
}

func TestLeadOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)

		_, err := s.AssignExpertise(ctx, p.olaf.ID, p.crm.ID, false)
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.AssignExpertise(ctx, p.chloe.ID, p.crm.ID, true)
		requireCode(t, err, mvpgraph.EINVALID, "leadId")
		_, err = s.AssignExpertise(ctx, p.uma.ID, p.crm.ID, false)
		require.NoError(t, err, "assigning the owner again is a no-op")
		_, err = s.AssignCountry(ctx, p.uma.ID, "DE", false)
		requireCode(t, err, mvpgraph.EINVALID, "leadId")
		_, err = s.AssignCountry(ctx, p.chloe.ID, "US", false)
		requireCode(t, err, mvpgraph.EINVALID, "country")
		_, err = s.AssignCountry(ctx, p.chloe.ID, "Canada", false)
		requireCode(t, err, mvpgraph.EINVALID, "country")
		_, err = s.AssignCountry(ctx, p.chloe.ID+99, "DE", false)
		requireCode(t, err, mvpgraph.ENOTFOUND, "leadId")

		usLeads, err := s.USLeadsOfExpertises(ctx, []int64{p.crm.ID, p.ax.ID, p.excel.ID})
		require.NoError(t, err)
		require.Equal(t, p.uma.ID, usLeads[p.crm.ID].ID, "a refused assignment changes nothing")

		_, err = s.AssignExpertise(ctx, p.olaf.ID, p.crm.ID, true)
		require.NoError(t, err)
		usLeads, err = s.USLeadsOfExpertises(ctx, []int64{p.crm.ID})
		require.NoError(t, err)
		require.Equal(t, p.olaf.ID, usLeads[p.crm.ID].ID)
		owned, err := s.ExpertisesOfLeads(ctx, []int64{p.uma.ID, p.olaf.ID})
		require.NoError(t, err)
		require.Len(t, owned[p.uma.ID], 1)
		require.Len(t, owned[p.olaf.ID], 2)

		second := mvpgraph.Lead{Name: "Ian Intl", Email: "ian@vendor.example", Kind: mvpgraph.LeadInternational}
		require.NoError(t, s.CreateLead(ctx, &second))
		_, err = s.AssignCountry(ctx, second.ID, "CA", false)
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, err = s.AssignCountry(ctx, second.ID, "CA", true)
		require.NoError(t, err)
		countries, err := s.CountriesOfLeads(ctx, []int64{p.chloe.ID, second.ID})
		require.NoError(t, err)
		require.Equal(t, []string{"FR"}, countries[p.chloe.ID])
		require.Equal(t, []string{"CA"}, countries[second.ID])
	})
}

// TestLeadsFollowTheRule checks the batched SQL of the lead rule against
// the domain's pure function on the same data.
func TestLeadsFollowTheRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		members := []mvpgraph.Member{p.us1, p.us2, p.ca1, p.fr1, p.de1, p.emp}
		ids := []int64{}
		for _, m := range members {
			ids = append(ids, m.ID)
		}
		got, err := s.LeadsOfMembers(ctx, ids)
		require.NoError(t, err)
		awards, err := s.AwardsOfMembers(ctx, ids)
		require.NoError(t, err)
		usLeadOf := map[int64]int64{p.crm.ID: p.uma.ID, p.ax.ID: p.uma.ID, p.excel.ID: p.olaf.ID}
		intlLeadOf := map[string]int64{"CA": p.chloe.ID, "FR": p.chloe.ID}
		for _, m := range members {
			var gotIDs []int64
			for _, l := range got[m.ID] {
				gotIDs = append(gotIDs, l.ID)
			}
			// The store's rule, over many members at once, is the
			// domain's for one award, over each active award.
			var want []int64
			for _, a := range awards[m.ID] {
				if a.Status != mvpgraph.AwardActive {
					continue
				}
				if l := mvpgraph.LeadOfAward(m, a.ExpertiseID, usLeadOf, intlLeadOf); l != 0 && !slices.Contains(want, l) {
					want = append(want, l)
				}
			}
			slices.Sort(want)
			require.Equal(t, want, gotIDs, m.Handle)
		}
		require.Len(t, got[p.us2.ID], 2, "a US MVP in two expertises of two leads has both")
		require.Equal(t, p.chloe.ID, got[p.ca1.ID][0].ID)
		require.Empty(t, got[p.fr1.ID], "an alumnus has no lead")
		require.Empty(t, got[p.de1.ID], "no lead owns DE")
	})
}

// TestLeadRuleOnRandomPrograms checks the lead rule's one SQL definition,
// in both of its uses (the leads of given members, the MVPs of given
// leads), against the domain's pure rule on a random program of a few
// hundred members: US and international, employees, MVPs, alumni and
// retired awards, expertises with and without a lead.
func TestLeadRuleOnRandomPrograms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed := time.Now().UnixNano()
		t.Logf("random program %d", seed)
		r := rand.New(rand.NewPCG(uint64(seed), 0))
		admin := mvpgraph.Principal{Name: "test"}

		expertises := make([]int64, 8)
		for i := range expertises {
			e := mvpgraph.Expertise{Name: fmt.Sprintf("Expertise %d", i), Category: "Cloud"}
			require.NoError(t, s.CreateExpertise(ctx, &e))
			expertises[i] = e.ID
		}
		countries := []string{"US", "CA", "FR", "DE", "GB", "BR", "IN", "JP"}
		usLeadOf, intlLeadOf := map[int64]int64{}, map[string]int64{}
		var leads []int64
		for i := range 7 {
			l := mvpgraph.Lead{Name: fmt.Sprintf("Lead %d", i), Email: fmt.Sprintf("lead%d@vendor.example", i), Kind: mvpgraph.LeadUS}
			if i >= 4 {
				l.Kind = mvpgraph.LeadInternational
			}
			require.NoError(t, s.CreateLead(ctx, &l))
			leads = append(leads, l.ID)
		}
		// The last expertise has no lead; GB, BR and JP have none either.
		for i, e := range expertises[:7] {
			lead := leads[r.IntN(4)]
			if i < 4 {
				lead = leads[i] // every US lead owns one at least
			}
			_, err := s.AssignExpertise(ctx, lead, e, false)
			require.NoError(t, err)
			usLeadOf[e] = lead
		}
		for i, c := range []string{"CA", "FR", "DE", "IN"} {
			lead := leads[4+i%3]
			_, err := s.AssignCountry(ctx, lead, c, false)
			require.NoError(t, err)
			intlLeadOf[c] = lead
		}

		var members []mvpgraph.Member
		for i := range 300 {
			m := mvpgraph.Member{Handle: fmt.Sprintf("m%03d", i), Name: fmt.Sprintf("Member %d", i), Country: countries[r.IntN(len(countries))], IsEmployee: r.IntN(20) == 0}
			if r.IntN(2) == 0 {
				m.Country = "US"
			}
			require.NoError(t, s.CreateMember(ctx, &m))
			members = append(members, m)
			if m.IsEmployee {
				continue // employees are never awarded
			}
			for _, e := range r.Perm(len(expertises))[:r.IntN(4)] {
				year := time.Now().Year() // this year's: active
				if r.IntN(3) == 0 {
					year -= 1 + r.IntN(3) // alumni
				}
				a, err := s.AwardMember(ctx, m.ID, expertises[e], year, admin)
				require.NoError(t, err)
				if a.Status == mvpgraph.AwardActive && r.IntN(6) == 0 {
					_, err = s.RetireAward(ctx, a.ID, admin)
					require.NoError(t, err)
				}
			}
		}

		ids := make([]int64, len(members))
		for i, m := range members {
			ids[i] = m.ID
		}
		awards, err := s.AwardsOfMembers(ctx, ids)
		require.NoError(t, err)
		want := map[int64][]int64{}     // leads by member, by the pure rule
		wantMVPs := map[int64][]int64{} // members by lead
		for _, m := range members {
			for _, a := range awards[m.ID] {
				if a.Status != mvpgraph.AwardActive {
					continue
				}
				if l := mvpgraph.LeadOfAward(m, a.ExpertiseID, usLeadOf, intlLeadOf); l != 0 && !slices.Contains(want[m.ID], l) {
					want[m.ID] = append(want[m.ID], l)
					wantMVPs[l] = append(wantMVPs[l], m.ID)
				}
			}
			slices.Sort(want[m.ID])
		}

		got, err := s.LeadsOfMembers(ctx, ids)
		require.NoError(t, err)
		withLeads := 0
		for _, m := range members {
			var gotIDs []int64
			for _, l := range got[m.ID] {
				gotIDs = append(gotIDs, l.ID)
			}
			require.Equal(t, want[m.ID], gotIDs, "the leads of %s (%s)", m.Handle, m.Country)
			if len(gotIDs) > 0 {
				withLeads++
			}
		}
		require.Greater(t, withLeads, 100, "the program tries the rule on many MVPs")

		for _, l := range leads {
			var gotMVPs []int64
			var after *string
			for {
				pages, err := s.MVPsOf(ctx, store.LeadMVPs, []int64{l}, store.MemberQuery{Page: store.PageArgs{First: ptr(store.MaxPageSize), After: after}})
				require.NoError(t, err)
				page := pages[l]
				for _, m := range page.Items {
					gotMVPs = append(gotMVPs, m.ID)
				}
				if !page.HasNext {
					break
				}
				after = &page.Cursors[len(page.Cursors)-1]
			}
			slices.Sort(gotMVPs)
			require.Equal(t, wantMVPs[l], gotMVPs, "the MVPs of lead %d", l)
		}

		// Statistics by lead count each active award for its lead.
		wantAwards := map[int64]int{}
		for _, m := range members {
			for _, a := range awards[m.ID] {
				if a.Status == mvpgraph.AwardActive {
					if l := mvpgraph.LeadOfAward(m, a.ExpertiseID, usLeadOf, intlLeadOf); l != 0 {
						wantAwards[l]++
					}
				}
			}
		}
		stats, err := s.ProgramStats(ctx, []mvpgraph.StatsDimension{mvpgraph.ByLead}, nil)
		require.NoError(t, err)
		seen := 0
		for _, g := range stats {
			if g.LeadID == nil {
				continue
			}
			seen++
			l := *g.LeadID
			require.Equal(t, len(wantMVPs[l]), g.MVPs, "MVPs of lead %d", l)
			require.Equal(t, len(wantMVPs[l]), g.Members, "members of lead %d", l)
			require.Equal(t, wantAwards[l], g.Awards, "active awards of lead %d", l)
		}
		require.Equal(t, len(wantMVPs), seen, "a group for each lead with MVPs")
	})
}
