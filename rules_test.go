package mvpgraph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
)

func TestNormalizeCountry(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"US", "US", true}, {"ca", "CA", true}, {" de ", "DE", true},
		{"XX", "", false}, {"USA", "", false}, {"", "", false}, {"U", "", false}, {"UK", "", false},
	} {
		got, err := mvpgraph.NormalizeCountry("country", tc.in)
		if !tc.ok {
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), tc.in)
			require.Equal(t, "country", mvpgraph.ErrorField(err))
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
	}
	require.Len(t, mvpgraph.CountryCodes(), 249)
}

func TestNormalizeHandleAndEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Ada", "ada", true}, {"jean.tremblay", "jean.tremblay", true}, {"a_b-c", "a_b-c", true}, {"x", "x", true},
		{"", "", false}, {"a b", "", false}, {".a", "", false}, {"a.", "", false}, {"ümlaut", "", false},
		{"a2345678901234567890123456789012345678901", "", false}, {"a234567890123456789012345678901234567890", "a234567890123456789012345678901234567890", true},
	} {
		got, err := mvpgraph.NormalizeHandle("handle", tc.in)
		require.Equal(t, tc.ok, err == nil, "%q: %v", tc.in, err)
		require.Equal(t, tc.want, got)
	}
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"a@Example.COM", "a@example.com", true}, {" Ada@x.org ", "Ada@x.org", true},
		{"nope", "", false}, {"Ada <a@x.org>", "", false}, {"a@", "", false},
	} {
		got, err := mvpgraph.NormalizeEmail("email", tc.in)
		require.Equal(t, tc.ok, err == nil, "%q: %v", tc.in, err)
		require.Equal(t, tc.want, got)
	}
}

func TestNewAward(t *testing.T) {
	mvp := mvpgraph.Member{ID: 1, Handle: "ada"}
	employee := mvpgraph.Member{ID: 2, Handle: "fay", IsEmployee: true}
	history := []mvpgraph.Award{
		{MemberID: 1, ExpertiseID: 10, Year: 2025, Status: mvpgraph.AwardAlumni},
		{MemberID: 1, ExpertiseID: 10, Year: 2026, Status: mvpgraph.AwardActive},
		{MemberID: 1, ExpertiseID: 20, Year: 2024, Status: mvpgraph.AwardRetired},
	}
	const current = 2026
	for _, tc := range []struct {
		name      string
		member    mvpgraph.Member
		expertise int64
		year      int
		code      string
		status    mvpgraph.AwardStatus
	}{
		{"new expertise", mvp, 30, 2026, "", mvpgraph.AwardActive},
		{"next year", mvp, 30, 2027, "", mvpgraph.AwardActive},
		{"after a retired award", mvp, 20, 2026, "", mvpgraph.AwardActive},
		{"an ended year is history", mvp, 30, 2019, "", mvpgraph.AwardAlumni},
		{"history beside an active award", mvp, 10, 2020, "", mvpgraph.AwardAlumni},
		{"same year again", mvp, 10, 2026, mvpgraph.ECONFLICT, ""},
		{"past year again", mvp, 10, 2025, mvpgraph.ECONFLICT, ""},
		{"second active award", mvp, 10, 2027, mvpgraph.ECONFLICT, ""},
		{"employee", employee, 30, 2026, mvpgraph.EINVALID, ""},
		{"year too early", mvp, 30, 1990, mvpgraph.EINVALID, ""},
		{"beyond next year", mvp, 30, 2028, mvpgraph.EINVALID, ""},
	} {
		a, err := mvpgraph.NewAward(tc.member, history, tc.expertise, tc.year, current)
		require.Equal(t, tc.code, mvpgraph.ErrorCode(err), "%s: %v", tc.name, err)
		if err == nil {
			require.Equal(t, mvpgraph.Award{MemberID: tc.member.ID, ExpertiseID: tc.expertise, Year: tc.year, Status: tc.status}, a, tc.name)
		}
	}
}

func TestRenewalAndRetirement(t *testing.T) {
	m := mvpgraph.Member{ID: 1, Handle: "ada"}
	active := mvpgraph.Award{ID: 5, MemberID: 1, ExpertiseID: 10, Year: 2026, Status: mvpgraph.AwardActive}

	ended, next, err := mvpgraph.Renewal(m, active)
	require.NoError(t, err)
	require.Equal(t, mvpgraph.AwardAlumni, ended.Status)
	require.Equal(t, mvpgraph.Award{MemberID: 1, ExpertiseID: 10, Year: 2027, Status: mvpgraph.AwardActive}, next)

	_, _, err = mvpgraph.Renewal(m, ended)
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	_, _, err = mvpgraph.Renewal(mvpgraph.Member{ID: 1, IsEmployee: true}, active)
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))

	retired, err := mvpgraph.Retirement(active)
	require.NoError(t, err)
	require.Equal(t, mvpgraph.AwardRetired, retired.Status)
	_, err = mvpgraph.Retirement(retired)
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
}

func TestCheckRecord(t *testing.T) {
	for _, tc := range []struct {
		award    mvpgraph.Award
		employee bool
		field    string
	}{
		{mvpgraph.Award{Year: 2019, Status: mvpgraph.AwardAlumni}, false, ""},
		{mvpgraph.Award{Year: 2026, Status: mvpgraph.AwardActive}, false, ""},
		{mvpgraph.Award{Year: 2024, Status: mvpgraph.AwardRetired}, true, ""},
		{mvpgraph.Award{Year: 2020, Status: mvpgraph.AwardAlumni}, true, ""},
		{mvpgraph.Award{Year: 2026, Status: mvpgraph.AwardActive}, true, "memberId"},
		{mvpgraph.Award{Year: 2026, Status: "PENDING"}, false, "status"},
		{mvpgraph.Award{Year: 1992, Status: mvpgraph.AwardAlumni}, false, "year"},
		{mvpgraph.Award{Year: 2101, Status: mvpgraph.AwardActive}, false, "year"},
	} {
		err := mvpgraph.CheckRecord(tc.award, tc.employee)
		require.Equal(t, tc.field, mvpgraph.ErrorField(err), "%+v employee=%v: %v", tc.award, tc.employee, err)
	}
}

func TestAwardsRetiredOnEmployment(t *testing.T) {
	awards := []mvpgraph.Award{
		{ID: 1, Status: mvpgraph.AwardActive},
		{ID: 2, Status: mvpgraph.AwardAlumni},
		{ID: 3, Status: mvpgraph.AwardActive},
	}
	for _, tc := range []struct {
		name     string
		was, is  bool
		retireds []int64
	}{
		{"becomes employee", false, true, []int64{1, 3}},
		{"stays employee", true, true, nil},
		{"leaves the vendor", true, false, nil},
		{"never employee", false, false, nil},
	} {
		var got []int64
		for _, a := range mvpgraph.AwardsRetiredOnEmployment(tc.was, tc.is, awards) {
			require.Equal(t, mvpgraph.AwardRetired, a.Status)
			got = append(got, a.ID)
		}
		require.Equal(t, tc.retireds, got, tc.name)
	}
	require.Equal(t, mvpgraph.AwardActive, awards[0].Status, "the input is not changed")
}

func TestLeadAssignmentRules(t *testing.T) {
	us := mvpgraph.Lead{ID: 1, Name: "Uma", Kind: mvpgraph.LeadUS}
	intl := mvpgraph.Lead{ID: 2, Name: "Chloe", Kind: mvpgraph.LeadInternational}
	for _, tc := range []struct {
		name     string
		lead     mvpgraph.Lead
		owner    int64
		reassign bool
		code     string
	}{
		{"unowned", us, 0, false, ""},
		{"owned by the same lead", us, 1, false, ""},
		{"owned by another", us, 7, false, mvpgraph.ECONFLICT},
		{"explicit reassignment", us, 7, true, ""},
		{"international lead", intl, 0, false, mvpgraph.EINVALID},
	} {
		err := mvpgraph.CheckExpertiseAssignment(tc.lead, "CRM", tc.owner, tc.reassign)
		require.Equal(t, tc.code, mvpgraph.ErrorCode(err), "expertise, %s", tc.name)
	}
	for _, tc := range []struct {
		name     string
		lead     mvpgraph.Lead
		country  string
		owner    int64
		reassign bool
		code     string
	}{
		{"unowned", intl, "CA", 0, false, ""},
		{"owned by another", intl, "CA", 9, false, mvpgraph.ECONFLICT},
		{"explicit reassignment", intl, "CA", 9, true, ""},
		{"US lead", us, "CA", 0, false, mvpgraph.EINVALID},
		{"the US itself", intl, "US", 0, false, mvpgraph.EINVALID},
	} {
		err := mvpgraph.CheckCountryAssignment(tc.lead, tc.country, tc.owner, tc.reassign)
		require.Equal(t, tc.code, mvpgraph.ErrorCode(err), "country, %s", tc.name)
	}
}

// TestLeadRule: an MVP's leads are the leads LeadOfAward gives the MVP's
// active awards.
func TestLeadRule(t *testing.T) {
	usLeadOf := map[int64]int64{10: 1, 11: 1, 20: 2}
	intlLeadOf := map[string]int64{"CA": 5, "FR": 6}
	active := func(member, expertise int64) mvpgraph.Award {
		return mvpgraph.Award{MemberID: member, ExpertiseID: expertise, Status: mvpgraph.AwardActive}
	}
	for _, tc := range []struct {
		name   string
		member mvpgraph.Member
		awards []mvpgraph.Award
		want   []int64
	}{
		{"US MVP, one expertise", mvpgraph.Member{ID: 1, Country: "US"}, []mvpgraph.Award{active(1, 10)}, []int64{1}},
		{"US MVP, two expertises of one lead", mvpgraph.Member{ID: 1, Country: "US"}, []mvpgraph.Award{active(1, 10), active(1, 11)}, []int64{1}},
		{"US MVP, two leads", mvpgraph.Member{ID: 1, Country: "US"}, []mvpgraph.Award{active(1, 20), active(1, 10)}, []int64{1, 2}},
		{"US MVP, expertise without lead", mvpgraph.Member{ID: 1, Country: "US"}, []mvpgraph.Award{active(1, 99)}, nil},
		{"US alumnus", mvpgraph.Member{ID: 1, Country: "US"}, []mvpgraph.Award{{MemberID: 1, ExpertiseID: 10, Status: mvpgraph.AwardAlumni}}, nil},
		{"Canadian MVP, any expertise", mvpgraph.Member{ID: 3, Country: "CA"}, []mvpgraph.Award{active(3, 10), active(3, 20)}, []int64{5}},
		{"Canadian alumnus", mvpgraph.Member{ID: 3, Country: "CA"}, []mvpgraph.Award{{MemberID: 3, ExpertiseID: 10, Status: mvpgraph.AwardRetired}}, nil},
		{"country without lead", mvpgraph.Member{ID: 4, Country: "DE"}, []mvpgraph.Award{active(4, 10)}, nil},
		{"other members' awards ignored", mvpgraph.Member{ID: 4, Country: "FR"}, []mvpgraph.Award{active(9, 10)}, nil},
	} {
		require.Equal(t, tc.want, leadsByRule(tc.member, tc.awards, usLeadOf, intlLeadOf), tc.name)
	}
}

func TestGlobalIDs(t *testing.T) {
	gid := mvpgraph.GlobalID("Member", 42)
	typ, id, err := mvpgraph.ParseGlobalID("id", gid)
	require.NoError(t, err)
	require.Equal(t, "Member", typ)
	require.EqualValues(t, 42, id)
	_, err = mvpgraph.ParseID("id", "Lead", gid)
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	for _, bad := range []string{"", "42", "!!!", mvpgraph.GlobalID("Member", 0), "TWVtYmVyOng"} {
		_, _, err := mvpgraph.ParseGlobalID("id", bad)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), bad)
	}
}

func TestErrorHelpers(t *testing.T) {
	require.Equal(t, "", mvpgraph.ErrorCode(nil))
	require.Equal(t, mvpgraph.EINTERNAL, mvpgraph.ErrorCode(errPlain("boom")))
	require.Equal(t, "Internal error.", mvpgraph.ErrorMessage(errPlain("pq: secret detail")))
	e := mvpgraph.Invalidf("year", "bad %d", 1)
	require.Equal(t, "bad 1", mvpgraph.ErrorMessage(e))
	require.Equal(t, "year", mvpgraph.ErrorField(e))
}

type errPlain string

func (e errPlain) Error() string { return string(e) }

func TestAccessRules(t *testing.T) {
	one, two := int64(1), int64(2)
	anon := mvpgraph.Principal{}
	admin := mvpgraph.Principal{Role: mvpgraph.RoleAdmin}
	lead := mvpgraph.Principal{Role: mvpgraph.RoleLead, LeadID: &one}
	team := mvpgraph.Principal{Role: mvpgraph.RoleProductTeam, ProductTeamID: &two}
	analyst := mvpgraph.Principal{Role: mvpgraph.RoleAnalyst}

	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(anon.Allow(mvpgraph.RoleAdmin)))
	require.Equal(t, mvpgraph.EFORBIDDEN, mvpgraph.ErrorCode(analyst.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead)))
	require.NoError(t, lead.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead))

	require.NoError(t, admin.LeadsFor(nil))
	require.NoError(t, lead.LeadsFor([]int64{2, 1}))
	require.Equal(t, mvpgraph.EFORBIDDEN, mvpgraph.ErrorCode(lead.LeadsFor([]int64{2})))
	require.Equal(t, mvpgraph.EFORBIDDEN, mvpgraph.ErrorCode(team.LeadsFor([]int64{1})))
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(anon.LeadsFor([]int64{1})))

	for _, tc := range []struct {
		p                mvpgraph.Principal
		personal, staffs bool
	}{{anon, false, false}, {admin, true, true}, {lead, true, true}, {team, false, true}, {analyst, false, false}} {
		require.Equal(t, tc.personal, tc.p.SeesPersonalData([]int64{1}), "%q", tc.p.Role)
		require.Equal(t, tc.staffs, tc.p.SeesStaffContacts(), "%q", tc.p.Role)
	}
	require.False(t, lead.SeesPersonalData([]int64{2}), "another lead's MVP")

	usLeadOf := map[int64]int64{10: 7}
	intlLeadOf := map[string]int64{"CA": 8}
	require.EqualValues(t, 7, mvpgraph.LeadOfAward(mvpgraph.Member{Country: "US"}, 10, usLeadOf, intlLeadOf))
	require.EqualValues(t, 8, mvpgraph.LeadOfAward(mvpgraph.Member{Country: "CA"}, 10, usLeadOf, intlLeadOf))
	require.Zero(t, mvpgraph.LeadOfAward(mvpgraph.Member{Country: "DE"}, 10, usLeadOf, intlLeadOf))
}

func TestTokens(t *testing.T) {
	a, ha := mvpgraph.NewTokenSecret()
	b, hb := mvpgraph.NewTokenSecret()
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "mvpg_"))
	require.Equal(t, ha, mvpgraph.HashToken(a))
	require.Equal(t, ha, mvpgraph.HashToken(" "+a+"\n"), "pasted with blanks")
	require.NotEqual(t, ha, hb)
	require.NotContains(t, ha, a)
	one := int64(1)
	for _, tc := range []struct {
		tok   mvpgraph.APIToken
		field string
	}{
		{mvpgraph.APIToken{Name: "x", Role: mvpgraph.RoleAdmin}, ""},
		{mvpgraph.APIToken{Name: "x", Role: mvpgraph.RoleLead, LeadID: &one}, ""},
		{mvpgraph.APIToken{Name: "x", Role: mvpgraph.RoleLead}, "lead"},
		{mvpgraph.APIToken{Name: "x", Role: mvpgraph.RoleProductTeam}, "productTeam"},
		{mvpgraph.APIToken{Name: "x", Role: mvpgraph.RoleAnalyst, LeadID: &one}, "role"},
		{mvpgraph.APIToken{Name: "x", Role: "OWNER"}, "role"},
		{mvpgraph.APIToken{Name: " ", Role: mvpgraph.RoleAdmin}, "name"},
	} {
		err := tc.tok.Check()
		require.Equal(t, tc.field, mvpgraph.ErrorField(err), "%+v: %v", tc.tok, err)
	}
}

func TestTransitions(t *testing.T) {
	legal := map[mvpgraph.EscalationStatus][]mvpgraph.EscalationAction{
		mvpgraph.EscalationOpen:      {mvpgraph.ActionEscalate, mvpgraph.ActionAnswer, mvpgraph.ActionClose},
		mvpgraph.EscalationEscalated: {mvpgraph.ActionEscalate, mvpgraph.ActionAnswer, mvpgraph.ActionClose},
		mvpgraph.EscalationAnswered:  {mvpgraph.ActionClose, mvpgraph.ActionReopen},
		mvpgraph.EscalationClosed:    {mvpgraph.ActionReopen},
	}
	for status, actions := range legal {
		for _, a := range []mvpgraph.EscalationAction{mvpgraph.ActionEscalate, mvpgraph.ActionAnswer, mvpgraph.ActionClose, mvpgraph.ActionReopen, mvpgraph.ActionRaise} {
			_, err := mvpgraph.Transition(status, a)
			ok := false
			for _, l := range actions {
				ok = ok || l == a
			}
			require.Equal(t, ok, err == nil, "%s from %s", a, status)
		}
	}
}

// leadsByRule is an MVP's leads, sorted: the lead LeadOfAward gives each of
// the member's active awards.
func leadsByRule(m mvpgraph.Member, awards []mvpgraph.Award, usLeadOf map[int64]int64, intlLeadOf map[string]int64) []int64 {
	var out []int64
	for _, a := range awards {
		if a.MemberID != m.ID || a.Status != mvpgraph.AwardActive {
			continue
		}
		if l := mvpgraph.LeadOfAward(m, a.ExpertiseID, usLeadOf, intlLeadOf); l != 0 && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}
