package resolvers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestRolesAgainstEveryMutationAndPersonalField runs all 19 mutations and
// reads every personal field as each role, on both databases.
func TestRolesAgainstEveryMutationAndPersonalField(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			a := newReachAPI(t, d)
			ctx := context.Background()
			ids := buildProgram(a)
			dbID := func(gid string) int64 {
				_, id, err := mvpgraph.ParseGlobalID("id", gid)
				require.NoError(t, err)
				return id
			}
			uma, chloe, team := dbID(ids["uma"]), dbID(ids["chloe"]), dbID(ids["team"])
			roles := []struct {
				name  string
				token *mvpgraph.APIToken
			}{
				{"anonymous", nil},
				{"admin", &mvpgraph.APIToken{Role: mvpgraph.RoleAdmin}},
				{"lead of the MVP", &mvpgraph.APIToken{Role: mvpgraph.RoleLead, LeadID: &uma}},
				{"another lead", &mvpgraph.APIToken{Role: mvpgraph.RoleLead, LeadID: &chloe}},
				{"product team", &mvpgraph.APIToken{Role: mvpgraph.RoleProductTeam, ProductTeamID: &team}},
				{"analyst", &mvpgraph.APIToken{Role: mvpgraph.RoleAnalyst}},
			}
			const (
				ok     = ""
				unauth = "UNAUTHENTICATED"
				forbid = "FORBIDDEN"
			)
			// Expected outcome of each mutation per role, in the order above.
			type mutation struct {
				name   string
				query  func(f fixture) string
				expect [6]string
			}
			adminOnly := [6]string{unauth, ok, forbid, forbid, forbid, forbid}
			leadsToo := [6]string{unauth, ok, ok, forbid, forbid, forbid}
			mutations := []mutation{
				{"createMember", func(f fixture) string {
					return fmt.Sprintf(`mutation { createMember(input: {handle: "new-%s", name: "N", country: "US"}) { member { id } } }`, f.tag)
				}, adminOnly},
				{"updateMember", func(f fixture) string {
					return fmt.Sprintf(`mutation { updateMember(input: {id: %q, city: "Austin"}) { member { id } } }`, f.member)
				}, leadsToo},
				{"awardMember", func(f fixture) string {
					return fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, f.member, f.expertise)
				}, leadsToo},
				{"renewAward", func(f fixture) string {
					return fmt.Sprintf(`mutation { renewAward(input: {awardId: %q}) { award { id } } }`, f.award)
				}, leadsToo},
				{"retireAward", func(f fixture) string {
					return fmt.Sprintf(`mutation { retireAward(input: {awardId: %q}) { award { id } } }`, f.award2)
				}, leadsToo},
				{"createExpertise", func(f fixture) string {
					return fmt.Sprintf(`mutation { createExpertise(input: {name: "E %s", category: "C"}) { expertise { id } } }`, f.tag)
				}, adminOnly},
				{"createProductTeam", func(f fixture) string {
					return fmt.Sprintf(`mutation { createProductTeam(input: {name: "T %s"}) { productTeam { id } } }`, f.tag)
				}, adminOnly},
				{"createLead", func(f fixture) string {
					return fmt.Sprintf(`mutation { createLead(input: {name: "L", email: "l-%s@vendor.example", kind: US}) { lead { id } } }`, f.tag)
				}, adminOnly},
				{"assignExpertise", func(f fixture) string {
					return fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, ids["uma"], ids["crm"])
				}, adminOnly},
				{"assignCountry", func(f fixture) string {
					return fmt.Sprintf(`mutation { assignCountry(input: {leadId: %q, country: "CA"}) { lead { id } } }`, ids["chloe"])
				}, adminOnly},
				{"linkSocialAccount", func(f fixture) string {
					return fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: TWITTER, handle: "tw_%s"}) { socialAccount { id } } }`, f.member, f.tag)
				}, leadsToo},
				{"refreshSocialAccount", func(f fixture) string {
					return fmt.Sprintf(`mutation { refreshSocialAccount(input: {id: %q}) { queued } }`, f.account)
				}, leadsToo},
				{"refreshMember", func(f fixture) string {
					return fmt.Sprintf(`mutation { refreshMember(input: {id: %q}) { queued } }`, f.member)
				}, leadsToo},
				{"unlinkSocialAccount", func(f fixture) string {
					return fmt.Sprintf(`mutation { unlinkSocialAccount(input: {id: %q}) { socialAccount { id } } }`, f.account)
				}, leadsToo},
				{"raiseEscalation", func(f fixture) string {
					return fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: "T", body: "B"}) { escalation { id } } }`, f.member, ids["crm"])
				}, leadsToo},
				// The fixture's escalation is with the product team.
				{"answerEscalation", func(f fixture) string {
					return fmt.Sprintf(`mutation { answerEscalation(input: {id: %q, answer: "A"}) { escalation { id } } }`, f.escalation)
				}, [6]string{unauth, ok, ok, forbid, ok, forbid}},
				{"closeEscalation", func(f fixture) string {
					return fmt.Sprintf(`mutation { closeEscalation(input: {id: %q}) { escalation { id } } }`, f.escalation)
				}, leadsToo},
				{"reopenEscalation", func(f fixture) string {
					return fmt.Sprintf(`mutation { reopenEscalation(input: {id: %q}) { escalation { id } } }`, f.escalation)
				}, leadsToo},
				{"escalate", func(f fixture) string {
					return fmt.Sprintf(`mutation { escalate(input: {id: %q, productTeamContactId: %q}) { escalation { id } } }`, f.escalation, f.contact)
				}, leadsToo},
			}
			for i, role := range roles {
				t.Run(role.name, func(t *testing.T) {
					c := a.as()
					if role.token != nil {
						tok := *role.token
						tok.Name = role.name
						c = a.as(bearer(t, a.s, tok))
					}
					c.t = t
					f := newFixture(t, a.s, ids, fmt.Sprint(i))
					for _, m := range mutations {
						r := c.raw(m.query(f))
						want := m.expect[i]
						if want == ok {
							require.Empty(t, r.Errors, "%s as %s", m.name, role.name)
							continue
						}
						require.NotEmpty(t, r.Errors, "%s as %s should be %s", m.name, role.name, want)
						require.Equal(t, want, r.Errors[0].Extensions["code"], "%s as %s: %s", m.name, role.name, r.Errors[0].Message)
					}

					// Personal data: the member's own for admins and its lead;
					// staff contacts for every role but analysts.
					var got struct {
						Member struct {
							Email, Employer *string
						}
						Node struct {
							Email    *string
							Contacts []struct{ Email *string }
						}
						Lead struct {
							Email *string
						} `json:"lead"`
					}
					c.do(&got, fmt.Sprintf(`{ member(handle: %q) { email employer }
						node(id: %q) { ... on ProductTeam { contacts { email } } }
						lead: node(id: %q) { ... on Lead { email } } }`, f.handle, ids["team"], ids["uma"]))
					seesMember := i == 1 || i == 2
					seesStaff := i == 1 || i == 2 || i == 3 || i == 4
					require.Equal(t, seesMember, got.Member.Email != nil, "member email as %s", role.name)
					require.Equal(t, seesMember, got.Member.Employer != nil, "member employer as %s", role.name)
					require.Equal(t, seesStaff, got.Lead.Email != nil, "lead email as %s", role.name)
					require.Equal(t, seesStaff, got.Node.Contacts[0].Email != nil, "contact email as %s", role.name)
				})
			}

			// To a lead, a member that does not exist is as forbidden as
			// another lead's: the answer tells nothing of which IDs exist.
			lead := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "probe", Role: mvpgraph.RoleLead, LeadID: &uma}))
			lead.fail("FORBIDDEN", "", fmt.Sprintf(`mutation { updateMember(input: {id: %q, city: "X"}) { member { id } } }`, mvpgraph.GlobalID("Member", 987654)))
			a.fail("NOT_FOUND", "", fmt.Sprintf(`mutation { updateMember(input: {id: %q, city: "X"}) { member { id } } }`, mvpgraph.GlobalID("Member", 987654)))

			// Bad, revoked and expired tokens are refused before any GraphQL.
			expired := mvpgraph.APIToken{Name: "old", Role: mvpgraph.RoleAdmin, ExpiresAt: ptr(storetest.Clock().Add(-time.Hour))}
			expiredSecret, hash := mvpgraph.NewTokenSecret()
			require.NoError(t, a.s.CreateToken(ctx, &expired, hash))
			revoked := mvpgraph.APIToken{Name: "gone", Role: mvpgraph.RoleAdmin}
			revokedSecret, hash := mvpgraph.NewTokenSecret()
			require.NoError(t, a.s.CreateToken(ctx, &revoked, hash))
			require.NoError(t, a.s.RevokeToken(ctx, revoked.ID))
			for _, h := range []string{"Bearer mvpg_nope", "Bearer " + expiredSecret, "Bearer " + revokedSecret, "Basic abc", "Bearer "} {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ members { totalCount } }"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", h)
				w := httptest.NewRecorder()
				a.h.ServeHTTP(w, req)
				require.Equal(t, http.StatusUnauthorized, w.Code, h)
				require.Contains(t, w.Body.String(), "UNAUTHENTICATED")
				if secret := strings.TrimPrefix(h, "Bearer "); secret != "" {
					require.NotContains(t, w.Body.String(), secret, "the token is not echoed")
				}
			}
		})
	}
}

// fixture is a US MVP of Uma's (Dynamics CRM) with two awards and a social
// account, made fresh for one role.
type fixture struct {
	tag, handle, member, award, award2, account, escalation, contact, expertise string
}

func newFixture(t *testing.T, s *store.Store, ids map[string]string, tag string) fixture {
	ctx := context.Background()
	_, crm, err := mvpgraph.ParseGlobalID("id", ids["crm"])
	require.NoError(t, err)
	m := mvpgraph.Member{Handle: "mvp-" + tag, Name: "MVP " + tag, Country: "US", Email: ptr("mvp" + tag + "@example.com"), Employer: ptr("Contoso")}
	require.NoError(t, s.CreateMember(ctx, &m))
	a1, err := s.AwardMember(ctx, m.ID, crm, 2026, mvpgraph.Principal{Name: "test"})
	require.NoError(t, err)
	// A second expertise of Uma's for the award to retire.
	var second int64
	exps, err := s.ListExpertises(ctx, &mvpgraph.ExpertiseWhere{Name: &mvpgraph.StringFilter{Eq: ptr("Dynamics AX")}}, nil, store.PageArgs{})
	require.NoError(t, err)
	if len(exps.Items) == 0 {
		ax := mvpgraph.Expertise{Name: "Dynamics AX", Category: "Business Applications"}
		require.NoError(t, s.CreateExpertise(ctx, &ax))
		_, uma, err := mvpgraph.ParseGlobalID("id", ids["uma"])
		require.NoError(t, err)
		_, err = s.AssignExpertise(ctx, uma, ax.ID, false)
		require.NoError(t, err)
		second = ax.ID
	} else {
		second = exps.Items[0].ID
	}
	a2, err := s.AwardMember(ctx, m.ID, second, 2026, mvpgraph.Principal{Name: "test"})
	require.NoError(t, err)
	acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, "mvp-"+tag)
	require.NoError(t, err)
	// An expertise of Uma's that the member holds no award for yet.
	fresh := mvpgraph.Expertise{Name: "Fresh " + tag, Category: "C"}
	require.NoError(t, s.CreateExpertise(ctx, &fresh))
	_, umaID, err := mvpgraph.ParseGlobalID("id", ids["uma"])
	require.NoError(t, err)
	_, err = s.AssignExpertise(ctx, umaID, fresh.ID, false)
	require.NoError(t, err)
	e := mvpgraph.Escalation{MemberID: m.ID, ExpertiseID: crm, Title: "Q", Body: "B"}
	require.NoError(t, s.RaiseEscalation(ctx, &e, mvpgraph.Principal{Name: "setup"}))
	_, team, err := mvpgraph.ParseGlobalID("id", ids["team"])
	require.NoError(t, err)
	contacts, err := s.ContactsOfTeams(ctx, []int64{team})
	require.NoError(t, err)
	_, err = s.ChangeEscalation(ctx, e.ID, store.EscalationChange{Action: mvpgraph.ActionEscalate, ContactID: contacts[team][0].ID}, mvpgraph.Principal{Name: "setup"})
	require.NoError(t, err)
	return fixture{
		escalation: mvpgraph.GlobalID("Escalation", e.ID), contact: mvpgraph.GlobalID("Contact", contacts[team][0].ID),
		expertise: mvpgraph.GlobalID("Expertise", fresh.ID),
		tag:       tag, handle: m.Handle, member: mvpgraph.GlobalID("Member", m.ID),
		award: mvpgraph.GlobalID("Award", a1.ID), award2: mvpgraph.GlobalID("Award", a2.ID),
		account: mvpgraph.GlobalID("SocialAccount", acc.ID),
	}
}

// TestPersonalDataFilters: a filter on email or employer would read them,
// so only an admin may use one.
func TestPersonalDataFilters(t *testing.T) {
	a := newReachAPI(t, store.SQLite)
	ids := buildProgram(a)
	_, uma, err := mvpgraph.ParseGlobalID("id", ids["uma"])
	require.NoError(t, err)
	lead := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "lead", Role: mvpgraph.RoleLead, LeadID: &uma}))
	for _, q := range []string{
		`{ members(where: {email: {_eq: "ada@example.com"}}) { totalCount } }`,
		`{ mvps(where: {_or: [{name: {_eq: "x"}}, {_not: {employer: {_like: "C%"}}}]}) { totalCount } }`,
		`{ programStats(where: {email: {_like: "%@example.com"}}) { members } }`,
		fmt.Sprintf(`{ node(id: %q) { ... on Lead { mvps(where: {email: {_isNull: false}}) { totalCount } } } }`, ids["uma"]),
	} {
		a.as().fail("FORBIDDEN", "where", q)
		lead.fail("FORBIDDEN", "where", q)
		var ok map[string]any
		a.do(&ok, q)
	}
	var n struct{ Members struct{ TotalCount int } }
	a.do(&n, `{ members(where: {email: {_eq: "ada@example.com"}}) { totalCount } }`)
	require.Equal(t, 1, n.Members.TotalCount, "an admin may")

	// Ordering (and so the cursors) would read the employer too.
	a.as().fail("FORBIDDEN", "orderBy", `{ members(orderBy: [{field: EMPLOYER}]) { edges { cursor } } }`)
	lead.fail("FORBIDDEN", "orderBy", `{ mvps(orderBy: [{field: NAME}, {field: EMPLOYER}]) { totalCount } }`)
	// Staff emails are read by filters as well.
	a.as().fail("FORBIDDEN", "where", `{ leads(where: {email: {_like: "uma@%"}}) { totalCount } }`)
	var l struct{ Leads struct{ TotalCount int } }
	lead.do(&l, `{ leads(where: {email: {_like: "uma@%"}}) { totalCount } }`)
	require.Equal(t, 1, l.Leads.TotalCount, "staff may")
}

// TestLeadChangesOnlyTheirAwards: a US MVP in two expertises has two US
// leads; each changes only the award the lead rule gives them.
func TestLeadChangesOnlyTheirAwards(t *testing.T) {
	a := newReachAPI(t, store.SQLite)
	ids := buildProgram(a)
	olafID := a.id(`mutation { createLead(input: {name: "Olaf", email: "olaf@vendor.example", kind: US}) { lead { id } } }`, "createLead", "lead", "id")
	a.id(fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, olafID, ids["excel"]), "assignExpertise", "lead", "id")
	excel := a.id(fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["ada"], ids["excel"]), "awardMember", "award", "id")
	_, uma, err := mvpgraph.ParseGlobalID("id", ids["uma"])
	require.NoError(t, err)
	asUma := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "uma", Role: mvpgraph.RoleLead, LeadID: &uma}))
	asUma.fail("FORBIDDEN", "", fmt.Sprintf(`mutation { retireAward(input: {awardId: %q}) { award { id } } }`, excel))
	asUma.fail("FORBIDDEN", "", fmt.Sprintf(`mutation { renewAward(input: {awardId: %q}) { award { id } } }`, excel))
	var ok struct {
		RetireAward struct{ Award struct{ Status string } }
	}
	asUma.do(&ok, fmt.Sprintf(`mutation { retireAward(input: {awardId: %q}) { award { status } } }`, ids["adaCRM"]))
	require.Equal(t, "RETIRED", ok.RetireAward.Award.Status, "her own award by the rule")
}

// TestViewer: the page signs in by asking who the token is.
func TestViewer(t *testing.T) {
	a := newReachAPI(t, store.SQLite)
	ids := buildProgram(a)
	_, uma, err := mvpgraph.ParseGlobalID("id", ids["uma"])
	require.NoError(t, err)
	const q = `{ viewer { name role lead { id name } productTeam { id } } }`
	var got struct {
		Viewer *struct {
			Name, Role  string
			Lead        *struct{ ID, Name string }
			ProductTeam *struct{ ID string }
		}
	}
	a.as().do(&got, q)
	require.Nil(t, got.Viewer, "no token, no viewer")

	a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "uma's page", Role: mvpgraph.RoleLead, LeadID: &uma})).do(&got, q)
	require.NotNil(t, got.Viewer)
	require.Equal(t, "uma's page", got.Viewer.Name)
	require.Equal(t, "LEAD", got.Viewer.Role)
	require.Equal(t, ids["uma"], got.Viewer.Lead.ID)
	require.Nil(t, got.Viewer.ProductTeam)

	a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "numbers", Role: mvpgraph.RoleAnalyst})).do(&got, q)
	require.Equal(t, "ANALYST", got.Viewer.Role)
	require.Nil(t, got.Viewer.Lead)
}

// TestAwardEvents: every change of an award's standing records who made it
// and when. A lead may award a US member one of the lead's own expertises
// even when the member is another lead's MVP (the lead rule makes the new
// award theirs); the award then says who gave and who retired it, to the
// member's other leads and to admins, and to no one else.
func TestAwardEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		olafID := a.id(`mutation { createLead(input: {name: "Olaf", email: "olaf@vendor.example", kind: US}) { lead { id } } }`, "createLead", "lead", "id")
		a.id(fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, olafID, ids["excel"]), "assignExpertise", "lead", "id")
		dbID := func(gid string) int64 {
			_, id, err := mvpgraph.ParseGlobalID("id", gid)
			require.NoError(t, err)
			return id
		}
		olaf, uma := dbID(olafID), dbID(ids["uma"])
		asOlaf := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "olaf's token", Role: mvpgraph.RoleLead, LeadID: &olaf}))
		asUma := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "uma's token", Role: mvpgraph.RoleLead, LeadID: &uma}))

		// Ada is Uma's MVP (CRM); Olaf awards her Excel, then retires it.
		excel := asOlaf.id(fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["ada"], ids["excel"]), "awardMember", "award", "id")
		asOlaf.do(&struct{}{}, fmt.Sprintf(`mutation { retireAward(input: {awardId: %q}) { award { id } } }`, excel))
		// An admin renews Ada's CRM award.
		var renewed struct {
			RenewAward struct{ Award struct{ ID string } }
		}
		a.do(&renewed, fmt.Sprintf(`mutation { renewAward(input: {awardId: %q}) { award { id } } }`, ids["adaCRM"]))
		// Jean joins the vendor: her active award is retired.
		a.do(&struct{}{}, fmt.Sprintf(`mutation { updateMember(input: {id: %q, isEmployee: true}) { member { id } } }`, ids["jean"]))

		type event struct {
			Action, Status, Actor string
			At                    time.Time
		}
		var got struct {
			Nodes []struct {
				Year   int
				Events []event
			}
		}
		query := fmt.Sprintf(`{ nodes(ids: [%q, %q, %q, %q]) { ... on Award { year events { action status actor at } } } }`, excel, ids["adaCRM"], renewed.RenewAward.Award.ID, ids["jeanExcel"])
		asUma.do(&got, query)
		require.Len(t, got.Nodes, 4)
		strip := func(es []event) []event {
			for i := range es {
				require.False(t, es[i].At.IsZero())
				es[i].At = time.Time{}
			}
			return es
		}
		require.Equal(t, []event{{"AWARD", "ACTIVE", "olaf's token", time.Time{}}, {"RETIRE", "RETIRED", "olaf's token", time.Time{}}}, strip(got.Nodes[0].Events),
			"the award says who gave and who retired it")
		require.Equal(t, []event{{"AWARD", "ACTIVE", "test admin", time.Time{}}, {"RENEW", "ALUMNI", "test admin", time.Time{}}}, strip(got.Nodes[1].Events))
		require.Equal(t, []event{{"RENEW", "ACTIVE", "test admin", time.Time{}}}, strip(got.Nodes[2].Events), "the next year's award was given by renewal")
		require.Equal(t, []event{{"AWARD", "ACTIVE", "test admin", time.Time{}}, {"RETIRE", "RETIRED", "test admin", time.Time{}}}, strip(got.Nodes[3].Events), "joining the vendor retires the award")

		// Who changed awards is for admins and leads.
		analyst := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "numbers", Role: mvpgraph.RoleAnalyst}))
		analyst.fail("FORBIDDEN", "", query)
		a.as().fail("UNAUTHENTICATED", "", query)
	})
}
