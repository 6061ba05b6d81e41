package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store/storetest"
)

type candidate struct {
	Rank   int
	Name   string
	Handle string
	Score  float64
	Person struct {
		ID         string
		Identities []struct {
			ID, Handle string
			Site       *string
			Space      struct{ Name string }
			Account    *struct{ Handle string }
			ProfileURL *string
		}
	}
	Identities []struct {
		Identity struct{ Handle string }
		Count    int
		Score    float64
	}
	TopSpaces  []struct{ Name string }
	Nomination *struct{ ID, Status string }
}

const candidatesQuery = `query ($e: ID!) { awardCandidates(expertiseId: $e, from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z", first: 50) {
  rank name handle score
  person { id identities { id handle site space { name } account { handle } profileUrl } }
  identities { identity { handle } count score }
  topSpaces { name }
  nomination { id status }
} }`

// TestPeopleAndNominations: Gina Green, active in five spaces under four
// handles, linked to her member in one; the rules join four, a merge the
// fifth, and a nomination walks Hal Hill to an award.
func TestPeopleAndNominations(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.New(t, d)
			a := newAPI(t, s)
			ids := buildProgram(a)
			dbID := func(gid string) int64 {
				_, id, err := mvpgraph.ParseGlobalID("id", gid)
				require.NoError(t, err)
				return id
			}
			uma, chloe := dbID(ids["uma"]), dbID(ids["chloe"])
			asUma := a.as(bearer(t, s, mvpgraph.APIToken{Name: "Uma's token", Role: mvpgraph.RoleLead, LeadID: &uma}))
			asChloe := a.as(bearer(t, s, mvpgraph.APIToken{Name: "Chloe's token", Role: mvpgraph.RoleLead, LeadID: &chloe}))
			asAnalyst := a.as(bearer(t, s, mvpgraph.APIToken{Name: "Ana", Role: mvpgraph.RoleAnalyst}))

			gina := a.id(`mutation { createMember(input: {handle: "gina", name: "Gina Green", country: "US"}) { member { id } } }`, "createMember", "member", "id")
			for _, acc := range []struct{ platform, handle string }{{"GITHUB", "GinaGreen"}, {"STACK_EXCHANGE", "stackoverflow:4242"}} {
				a.id(fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: %s, handle: %q}) { socialAccount { id } } }`, gina, acc.platform, acc.handle), "linkSocialAccount", "socialAccount", "id")
			}
			for _, sp := range []string{
				`name: "CRM Forum", kind: FORUM, url: "https://community.dynamics.example/forums/crm"`,
				`name: "CRM on Stack Overflow", kind: QNA, stackExchangeTag: "stackoverflow:dynamics-crm"`,
				`name: "365 on Stack Overflow", kind: QNA, stackExchangeTag: "stackoverflow:dynamics-365"`,
				`name: "CRM Samples", kind: SOCIAL, url: "https://github.com/crm-samples"`,
				`name: "CRM Blog Ring", kind: BLOG, url: "https://blogs.example.org/crm"`,
			} {
				a.id(fmt.Sprintf(`mutation { createCommunitySpace(input: {%s, expertiseIds: [%q]}) { communitySpace { id } } }`, sp, ids["crm"]), "createCommunitySpace", "communitySpace", "id")
			}
			var csv strings.Builder
			csv.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle,contributor_url\n")
			// The blog's Gina gives her Stack Overflow page as her profile.
			profile := map[string]string{"stackoverflow:4242": "https://stackoverflow.com/users/4242/gina-g", "gina-green": "https://stackoverflow.com/users/4242"}
			add := func(space, handle, name, member string, n int) {
				for i := range n {
					fmt.Fprintf(&csv, "%s,%s-%s-%d,ANSWER,2026-05-%02d,%s,%s,%s,%s\n", space, handle, space, i, i+1, handle, name, member, profile[handle])
				}
			}
			add("CRM Forum", "gina_g", "Gina Green", "gina", 3)
			add("CRM on Stack Overflow", "stackoverflow:4242", "Gina G.", "", 4)
			add("365 on Stack Overflow", "stackoverflow:4242", "Gina G.", "", 2)
			add("CRM Samples", "GinaGreen", "GinaGreen", "", 5)
			add("CRM Blog Ring", "gina-green", "Gina Green", "", 6)
			add("CRM Forum", "ada", "ADA", "ada", 20)
			add("CRM Forum", "fay", "Fay Vendor", "fay", 2)
			add("CRM Blog Ring", "hal", "Hal Hill", "", 8)
			var imported struct{ ImportActivities struct{ Imported int } }
			a.do(&imported, `mutation ($d: String!) { importActivities(input: {format: CSV, data: $d, allOrNothing: true}) { imported } }`, client.Var("d", csv.String()))
			require.Equal(t, 50, imported.ImportActivities.Imported)

			candidates := func(api *api) map[string][]candidate {
				var got struct{ AwardCandidates []candidate }
				api.do(&got, candidatesQuery, client.Var("e", ids["crm"]))
				by := map[string][]candidate{}
				seen := map[string]bool{}
				for _, c := range got.AwardCandidates {
					require.False(t, seen[c.Person.ID], "no person twice")
					seen[c.Person.ID] = true
					by[c.Name] = append(by[c.Name], c)
				}
				return by
			}
			activity := func() string {
				var got struct {
					ActivityStats []struct{ Count, Contributors int }
				}
				a.do(&got, `{ activityStats(groupBy: [SPACE]) { count contributors } }`)
				return fmt.Sprint(got.ActivityStats)
			}
			by := candidates(a)
			require.Len(t, by["Gina Green"], 2)
			member, blog := by["Gina Green"][0], by["Gina Green"][1]
			if len(member.Person.Identities) < len(blog.Person.Identities) {
				member, blog = blog, member
			}
			require.Len(t, member.Person.Identities, 4, "joined by the rules: the member, one Stack Overflow account, her GitHub account")
			require.InDelta(t, 28.0, member.Score, 1e-9)
			linked := 0
			for _, id := range member.Person.Identities {
				if id.Account != nil {
					linked++
				}
			}
			require.Equal(t, 3, linked, "the Stack Overflow and GitHub identities are her linked accounts")
			require.Equal(t, "https://stackoverflow.com/users/4242", *blog.Person.Identities[0].ProfileURL, "the page the import gave")
			require.Empty(t, by["ADA"], "a current MVP is no candidate")
			require.Empty(t, by["Fay Vendor"], "nor is an employee")

			// The suggestion, read by an analyst, acted on by an admin only.
			var sugg struct {
				PersonMergeSuggestions []struct {
					People     []struct{ ID string }
					Reasons    []string
					Confidence float64
				}
			}
			asAnalyst.do(&sugg, fmt.Sprintf(`{ personMergeSuggestions(expertiseId: %q) { people { id } reasons confidence } }`, ids["crm"]))
			require.Len(t, sugg.PersonMergeSuggestions, 1)
			require.Equal(t, []string{"SAME_NAME", "SHARED_PROFILE", "SIMILAR_HANDLE"}, sugg.PersonMergeSuggestions[0].Reasons)
			require.InDelta(t, 0.95, sugg.PersonMergeSuggestions[0].Confidence, 1e-9)
			merge := fmt.Sprintf(`mutation { mergePeople(input: {personIds: [%q, %q]}) { change { id kind actor moves { identity { handle } from { id } to { id } } } person { id name member { handle } identities { handle } } } }`, blog.Person.ID, member.Person.ID)
			asUma.fail("FORBIDDEN", "", merge)
			asAnalyst.fail("FORBIDDEN", "", merge)
			a.fail("BAD_USER_INPUT", "personIds", fmt.Sprintf(`mutation { mergePeople(input: {personIds: [%q, %q]}) { person { id } } }`, blog.Person.ID, blog.Person.ID))
			a.fail("BAD_USER_INPUT", "personIds[1]", fmt.Sprintf(`mutation { mergePeople(input: {personIds: [%q, %q]}) { person { id } } }`, blog.Person.ID, ids["gina"]))
			adaPerson, err := s.PersonOfMember(t.Context(), dbID(ids["ada"]))
			require.NoError(t, err)
			a.fail("CONFLICT", "", fmt.Sprintf(`mutation { mergePeople(input: {personIds: [%q, %q]}) { person { id } } }`, member.Person.ID, mvpgraph.GlobalID("Person", adaPerson)))
			before := activity()
			require.Equal(t, by, candidates(a), "refused merges change nothing")

			var merged struct {
				MergePeople struct {
					Change struct {
						ID, Kind, Actor string
						Moves           []struct{ Identity struct{ Handle string } }
					}
					Person struct {
						ID, Name   string
						Member     struct{ Handle string }
						Identities []struct{ Handle string }
					}
				}
			}
			a.do(&merged, merge)
			require.Equal(t, "MERGE", merged.MergePeople.Change.Kind)
			require.Equal(t, "test admin", merged.MergePeople.Change.Actor)
			require.Len(t, merged.MergePeople.Change.Moves, 1)
			require.Equal(t, member.Person.ID, merged.MergePeople.Person.ID, "the member's person takes the blog's in")
			require.Equal(t, "gina", merged.MergePeople.Person.Member.Handle)
			require.Len(t, merged.MergePeople.Person.Identities, 5)
			after := candidates(a)["Gina Green"]
			require.Len(t, after, 1, "one person in five spaces")
			require.InDelta(t, member.Score+blog.Score, after[0].Score, 1e-9)
			require.Len(t, after[0].TopSpaces, 5)
			require.Equal(t, "gina-green", after[0].Handle, "the blog's handle scored most")
			require.Equal(t, before, activity(), "a merge moves no activity")

			// Its undo: as before, and both recorded on the people.
			var undone struct {
				UndoPeopleChange struct{ Change struct{ Kind, Undoes string } }
			}
			a.do(&undone, fmt.Sprintf(`mutation { undoPeopleChange(input: {changeId: %q}) { change { kind undoes } } }`, merged.MergePeople.Change.ID))
			require.Equal(t, "UNDO", undone.UndoPeopleChange.Change.Kind)
			require.Equal(t, merged.MergePeople.Change.ID, undone.UndoPeopleChange.Change.Undoes)
			require.Equal(t, by, candidates(a))
			require.Equal(t, before, activity())
			a.fail("CONFLICT", "", fmt.Sprintf(`mutation { undoPeopleChange(input: {changeId: %q}) { change { kind } } }`, merged.MergePeople.Change.ID))
			var node struct {
				Node struct {
					Changes []struct{ Kind, UndoneBy *string }
				}
			}
			a.do(&node, fmt.Sprintf(`{ node(id: %q) { ... on Person { changes { kind undoneBy } } } }`, blog.Person.ID))
			require.Len(t, node.Node.Changes, 2)

			// A split of certain identities is a CONFLICT.
			a.fail("CONFLICT", "", fmt.Sprintf(`mutation { splitIdentity(input: {identityId: %q}) { person { id } } }`, member.Person.Identities[0].ID))

			// Nominations: Hal, no member, nominated by Uma for the US.
			hal := by["Hal Hill"][0].Person.ID
			nominate := func(api *api, person, extra string) string {
				return fmt.Sprintf(`mutation { nominate(input: {personId: %q, expertiseId: %q, reason: "Answers every week"%s}) { nomination { id status lead { name } moves } } }`, person, ids["crm"], extra)
			}
			asUma.fail("BAD_USER_INPUT", "country", nominate(asUma, hal, ""))
			asChloe.fail("FORBIDDEN", "", nominate(asChloe, hal, `, country: "US"`))
			asAnalyst.fail("FORBIDDEN", "", nominate(asAnalyst, hal, `, country: "US"`))
			var nom struct {
				Nominate struct {
					Nomination struct {
						ID, Status string
						Lead       struct{ Name string }
						Moves      []string
					}
				}
			}
			asUma.do(&nom, nominate(asUma, hal, `, country: "US"`))
			n := nom.Nominate.Nomination
			require.Equal(t, "NOMINATED", n.Status)
			require.Equal(t, "Uma", n.Lead.Name)
			require.Equal(t, []string{"UNDER_REVIEW", "WITHDRAWN"}, n.Moves)
			a.fail("CONFLICT", "", nominate(a, hal, `, country: "US"`))
			a.fail("BAD_USER_INPUT", "personId", nominate(a, mvpgraph.GlobalID("Person", adaPerson), ""))
			fay, err := s.PersonOfMember(t.Context(), dbID(ids["fay"]))
			require.NoError(t, err)
			a.fail("BAD_USER_INPUT", "personId", nominate(a, mvpgraph.GlobalID("Person", fay), ""))
			require.Equal(t, "NOMINATED", candidates(asUma)["Hal Hill"][0].Nomination.Status, "the card shows the nomination")
			require.Nil(t, candidates(asAnalyst)["Hal Hill"][0].Nomination, "an analyst reads counts only")

			move := func(status string) string {
				return fmt.Sprintf(`mutation { moveNomination(input: {id: %q, status: %s, note: "ok"}) { nomination { status member { handle isMvp awards { status expertise { name } } } award { year } events { from to actor note } } } }`, n.ID, status)
			}
			asUma.fail("BAD_USER_INPUT", "status", move("AWARDED"))
			asChloe.fail("FORBIDDEN", "", move("UNDER_REVIEW"))
			var moved struct {
				MoveNomination struct {
					Nomination struct {
						Status string
						Member *struct {
							Handle string
							IsMvp  bool
							Awards []struct {
								Status    string
								Expertise struct{ Name string }
							}
						}
						Award  *struct{ Year int }
						Events []struct {
							From      *string
							To, Actor string
							Note      *string
						}
					}
				}
			}
			asUma.do(&moved, move("UNDER_REVIEW"))
			asUma.do(&moved, move("AWARDED"))
			done := moved.MoveNomination.Nomination
			require.Equal(t, "AWARDED", done.Status)
			require.Equal(t, "hal-hill", done.Member.Handle)
			require.True(t, done.Member.IsMvp, "an MVP of the expertise afterwards")
			require.Equal(t, "Dynamics CRM", done.Member.Awards[0].Expertise.Name)
			require.Equal(t, storetest.Year, done.Award.Year)
			require.Len(t, done.Events, 3)
			require.Nil(t, done.Events[0].From)
			require.Equal(t, "Uma's token", done.Events[2].Actor)
			asUma.fail("BAD_USER_INPUT", "status", move("WITHDRAWN"))

			// The board and the counts, by role.
			var board struct {
				Nominations struct {
					TotalCount int
					Edges      []struct{ Node struct{ Status string } }
				}
			}
			asUma.do(&board, `{ nominations(where: {status: [AWARDED]}) { totalCount edges { node { status } } } }`)
			require.Equal(t, 1, board.Nominations.TotalCount)
			asChloe.do(&board, `{ nominations { totalCount edges { node { status } } } }`)
			require.Zero(t, board.Nominations.TotalCount, "a lead sees the nominations routed to them")
			asChloe.fail("FORBIDDEN", "", fmt.Sprintf(`{ nominations(where: {leadId: %q}) { totalCount } }`, ids["uma"]))
			asAnalyst.fail("FORBIDDEN", "", `{ nominations { totalCount } }`)
			var stats struct {
				NominationStats []struct {
					Status                string
					Lead                  struct{ Name string }
					Count, Ended, Awarded int
					AwardShare            *float64
				}
			}
			asAnalyst.do(&stats, `{ nominationStats(groupBy: [STATUS, LEAD]) { status lead { name } count ended awarded awardShare } }`)
			require.Len(t, stats.NominationStats, 1)
			require.Equal(t, "AWARDED", stats.NominationStats[0].Status)
			require.Equal(t, "Uma", stats.NominationStats[0].Lead.Name)
			require.InDelta(t, 1.0, *stats.NominationStats[0].AwardShare, 1e-9)

			var got struct{ Node *struct{ Status string } }
			asChloe.do(&got, fmt.Sprintf(`{ node(id: %q) { ... on Nomination { status } } }`, n.ID))
			require.Nil(t, got.Node, "another lead's nomination is not there for Chloe")
			asUma.do(&got, fmt.Sprintf(`{ node(id: %q) { ... on Nomination { status } } }`, n.ID))
			require.Equal(t, "AWARDED", got.Node.Status)
		})
	}
}
