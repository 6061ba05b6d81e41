package resolvers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestCommunityTrends(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			a := newReachAPI(t, d)
			ids := buildProgram(a)
			for _, sp := range []string{"Forum", "Blog Ring", "User Group", "Quiet List"} {
				a.id(fmt.Sprintf(`mutation { createCommunitySpace(input: {name: %q, kind: FORUM, expertiseIds: [%q]}) { communitySpace { id } } }`, sp, ids["crm"]), "createCommunitySpace", "communitySpace", "id")
			}
			// 10 activities: Forum 5, Blog Ring 3, User Group 2, Quiet List 0.
			var rows []string
			for i := range 5 {
				rows = append(rows, fmt.Sprintf(`{"space":"Forum","external_id":"f%d","kind":"ANSWER","occurred_at":"2026-05-%02d","contributor_handle":"h%d","contributor_name":"H"}`, i, i+1, i%2))
			}
			for i := range 3 {
				rows = append(rows, fmt.Sprintf(`{"space":"Blog Ring","external_id":"b%d","kind":"ARTICLE","occurred_at":"2026-05-20","contributor_handle":"b","contributor_name":"B"}`, i))
			}
			for i := range 2 {
				rows = append(rows, fmt.Sprintf(`{"space":"User Group","external_id":"u%d","kind":"TALK","occurred_at":"2026-04-29","contributor_handle":"u","contributor_name":"U"}`, i))
			}
			rows = append(rows, `{"space":"Nowhere","external_id":"x","kind":"TALK","occurred_at":"2026-05-01","contributor_handle":"u","contributor_name":"U"}`)
			var imported struct {
				ImportActivities struct {
					Imported, Duplicates int
					Rejected             []struct {
						Line   int
						Reason string
					}
				}
			}
			a.do(&imported, fmt.Sprintf(`mutation { importActivities(input: {format: JSONL, data: %q}) { imported duplicates rejected { line reason } } }`, strings.Join(rows, "\n")))
			require.Equal(t, 10, imported.ImportActivities.Imported)
			require.Equal(t, 11, imported.ImportActivities.Rejected[0].Line)
			a.do(&imported, fmt.Sprintf(`mutation { importActivities(input: {format: JSONL, data: %q}) { imported duplicates rejected { line reason } } }`, strings.Join(rows[:10], "\n")))
			require.Zero(t, imported.ImportActivities.Imported)
			require.Equal(t, 10, imported.ImportActivities.Duplicates)

			var trends struct {
				CommunityTrends struct {
					Total  int
					Spaces []struct {
						Space                  struct{ Name string }
						Count, Contributors    int
						Share, CumulativeShare float64
						Growth                 *float64
					}
					Concentration struct {
						SpacesFor50, SpacesFor80 int
						Top5Share, Hhi           float64
					}
					Series []struct {
						Start string
						Count int
					}
				}
			}
			a.do(&trends, fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "2026-04-27T00:00:00Z", to: "2026-05-25T00:00:00Z", bucket: WEEK) {
				total spaces { space { name } count contributors share cumulativeShare growth }
				concentration { spacesFor50 spacesFor80 top5Share hhi } series { start count } } }`, ids["crm"]))
			tr := trends.CommunityTrends
			require.Equal(t, 10, tr.Total)
			require.Equal(t, "Forum", tr.Spaces[0].Space.Name)
			require.Equal(t, 2, tr.Spaces[0].Contributors)
			require.InDelta(t, 0.5, tr.Spaces[0].Share, 1e-9)
			require.InDelta(t, 0.8, tr.Spaces[1].CumulativeShare, 1e-9)
			require.Equal(t, "Quiet List", tr.Spaces[3].Space.Name)
			require.Equal(t, 1, tr.Concentration.SpacesFor50, "Forum holds half")
			require.Equal(t, 2, tr.Concentration.SpacesFor80, "Forum and Blog Ring hold 80 %")
			require.InDelta(t, 1.0, tr.Concentration.Top5Share, 1e-9)
			require.InDelta(t, 2500+900+400, tr.Concentration.Hhi, 1e-6, "50² + 30² + 20²")
			require.Equal(t, "2026-04-27", tr.Series[0].Start)
			require.Equal(t, 2+3, tr.Series[0].Count, "the User Group talks and Forum from 1 to 3 May")
			require.Len(t, tr.Series, 4)

			// The spaces' activity, newest first, paged per space.
			var spaces struct {
				CommunityTrends struct {
					Spaces []struct {
						Space struct {
							Name       string
							Expertises []struct{ Name string }
							Activity   struct {
								Edges []struct {
									Node struct {
										Kind        string
										OccurredAt  string
										Contributor struct{ Handle string }
									}
								}
								PageInfo struct{ HasNextPage bool }
							}
						}
					}
				}
			}
			a.do(&spaces, fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "2026-04-27T00:00:00Z", to: "2026-05-25T00:00:00Z") {
				spaces { space { name expertises { name } activity(first: 2) { edges { node { kind occurredAt contributor { handle } } } pageInfo { hasNextPage } } } } } }`, ids["crm"]))
			forum := spaces.CommunityTrends.Spaces[0].Space
			require.Equal(t, "Dynamics CRM", forum.Expertises[0].Name)
			require.Len(t, forum.Activity.Edges, 2)
			require.True(t, forum.Activity.PageInfo.HasNextPage)
			require.True(t, strings.HasPrefix(forum.Activity.Edges[0].Node.OccurredAt, "2026-05-05"), "newest first")
			require.Empty(t, spaces.CommunityTrends.Spaces[3].Space.Activity.Edges)

			// Analysts group the same activity: by space and month.
			var stats struct {
				ActivityStats []struct {
					Space        *struct{ Name string }
					Month        *string
					Kind         *string
					Count        int
					Contributors int
				}
			}
			a.do(&stats, fmt.Sprintf(`{ activityStats(groupBy: [SPACE, MONTH], where: {expertiseId: %q}) { space { name } month count contributors } }`, ids["crm"]))
			got := map[string]int{}
			for _, g := range stats.ActivityStats {
				got[g.Space.Name+" "+*g.Month] = g.Count
			}
			require.Equal(t, map[string]int{"Forum 2026-05": 5, "Blog Ring 2026-05": 3, "User Group 2026-04": 2}, got)
			// And by space and day: the days add up to the months.
			var days struct {
				ActivityStats []struct {
					Space *struct{ Name string }
					Day   *string
					Count int
				}
			}
			a.do(&days, fmt.Sprintf(`{ activityStats(groupBy: [SPACE, DAY], where: {expertiseId: %q}) { space { name } day count } }`, ids["crm"]))
			got = map[string]int{}
			for _, g := range days.ActivityStats {
				_, err := time.Parse(time.DateOnly, *g.Day)
				require.NoError(t, err, *g.Day)
				got[g.Space.Name+" "+(*g.Day)[:7]] += g.Count
			}
			require.Equal(t, map[string]int{"Forum 2026-05": 5, "Blog Ring 2026-05": 3, "User Group 2026-04": 2}, got)
			require.Greater(t, len(days.ActivityStats), 3, "more days than months")
			a.do(&stats, `{ activityStats(groupBy: [KIND], where: {kind: ["talk", "ARTICLE"]}) { kind count contributors } }`)
			require.Len(t, stats.ActivityStats, 2)
			require.Equal(t, "ARTICLE", *stats.ActivityStats[0].Kind)
			require.Equal(t, 3, stats.ActivityStats[0].Count)
			require.Equal(t, 1, stats.ActivityStats[0].Contributors)
			a.do(&stats, `{ activityStats { count } }`)
			require.Equal(t, 10, stats.ActivityStats[0].Count)

			a.fail("BAD_USER_INPUT", "to", fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "2026-05-25T00:00:00Z", to: "2026-05-01T00:00:00Z") { total } }`, ids["crm"]))
			// A date and time the server cannot read, in an argument, in a
			// variable and inside an input object, is the caller's to fix.
			e := a.fail("BAD_USER_INPUT", "from", fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "May 1st", to: "2026-05-25T00:00:00Z") { total } }`, ids["crm"]))
			require.Contains(t, e.Message, "RFC 3339")
			a.fail("BAD_USER_INPUT", "to", fmt.Sprintf(`query ($to: Time!) { communityTrends(expertiseId: %q, from: "2026-05-01T00:00:00Z", to: $to) { total } }`, ids["crm"]), client.Var("to", "2026-13-01"))
			a.fail("BAD_USER_INPUT", "where.from", `{ activityStats(where: {from: "yesterday"}) { count } }`)
			a.as().fail("UNAUTHENTICATED", "", fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "2026-05-01T00:00:00Z", to: "2026-05-25T00:00:00Z") { total } }`, ids["crm"]))
			a.fail("BAD_USER_INPUT", "", `mutation { importActivities(input: {format: CSV, data: "space,kind\nForum,ANSWER"}) { imported } }`)
		})
	}
}

func TestAwardCandidates(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			a := newReachAPI(t, d)
			ids := buildProgram(a)
			a.id(fmt.Sprintf(`mutation { createCommunitySpace(input: {name: "Forum", kind: QNA, expertiseIds: [%q]}) { communitySpace { id } } }`, ids["crm"]), "createCommunitySpace", "communitySpace", "id")
			a.id(`mutation { createMember(input: {handle: "newcomer", name: "New Comer", country: "DE"}) { member { id } } }`, "createMember", "member", "id")
			// ann: 3 answers (one scored 10) and a talk: 2*2 + 2*(1+10/10) + 5 = 13.
			// bob: 2 questions = 2. ada is an MVP, fay an employee: left out.
			// newcomer (a member, from DE): one article = 5.
			data := `space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle,title,score
Forum,1,ANSWER,2026-05-01,ann,Ann,,Fix for sync,
Forum,2,ANSWER,2026-05-02,ann,Ann,,Config tip,
Forum,3,ANSWER,2026-05-03,ann,Ann,,Deep dive,10
Forum,4,TALK,2026-05-04,ann,Ann,,Meetup talk,
Forum,5,QUESTION,2026-05-05,bob,Bob,,,
Forum,6,QUESTION,2026-05-06,bob,Bob,,,
Forum,7,ARTICLE,2026-05-07,ada1,Ada,ada,,
Forum,8,ARTICLE,2026-05-07,fay1,Fay,fay,,
Forum,9,ARTICLE,2026-05-08,nc,New Comer,newcomer,,
Forum,10,ANSWER,2026-03-01,old,Old,,,`
			var imp struct{ ImportActivities struct{ Imported int } }
			a.do(&imp, fmt.Sprintf(`mutation { importActivities(input: {format: CSV, data: %q}) { imported } }`, data))
			require.Equal(t, 10, imp.ImportActivities.Imported)

			var got struct {
				AwardCandidates []struct {
					Rank         int
					Name         string
					Score        float64
					Member       *struct{ Handle string }
					CountsByKind []struct {
						Kind  string
						Count int
					}
					TopSpaces []struct{ Name string }
					BestItems []struct {
						Title *string
						Kind  string
					}
				}
			}
			q := `{ awardCandidates(expertiseId: %q, from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z"%s) {
				rank name score member { handle } countsByKind { kind count } topSpaces { name } bestItems { title kind } } }`
			a.do(&got, fmt.Sprintf(q, ids["crm"], ""))
			c := got.AwardCandidates
			require.Len(t, c, 3, "MVPs, employees and activity outside the period are left out")
			require.Equal(t, "Ann", c[0].Name)
			require.InDelta(t, 13, c[0].Score, 1e-9)
			require.Equal(t, "Meetup talk", *c[0].BestItems[0].Title, "the talk weighs 5")
			require.Equal(t, "Deep dive", *c[0].BestItems[1].Title, "the answer scored 10 weighs 4")
			require.Len(t, c[0].BestItems, 3)
			require.Equal(t, "New Comer", c[1].Name)
			require.Equal(t, "newcomer", c[1].Member.Handle)
			require.Equal(t, "Bob", c[2].Name)
			require.Equal(t, 3, c[2].Rank)
			require.Equal(t, "Forum", c[0].TopSpaces[0].Name)
			a.do(&got, fmt.Sprintf(q, ids["crm"], `, country: "de", first: 5`))
			require.Len(t, got.AwardCandidates, 1)
			require.Equal(t, "New Comer", got.AwardCandidates[0].Name)
			a.fail("BAD_USER_INPUT", "first", fmt.Sprintf(`{ awardCandidates(expertiseId: %q, from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z", first: 500) { name } }`, ids["crm"]))
		})
	}
}

// TestLeadImportsIntoTheirSpaces: a lead imports activity only into the
// spaces of the expertises the lead owns (an admin into any), and every
// row records who imported it, which admins and leads can read.
func TestLeadImportsIntoTheirSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		for name, expertise := range map[string]string{"CRM Forum": ids["crm"], "Excel Forum": ids["excel"]} {
			a.do(&struct{}{}, fmt.Sprintf(`mutation { createCommunitySpace(input: {name: %q, kind: FORUM, expertiseIds: [%q]}) { communitySpace { id } } }`, name, expertise))
		}
		_, uma, err := mvpgraph.ParseGlobalID("id", ids["uma"])
		require.NoError(t, err)
		asUma := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "uma's importer", Role: mvpgraph.RoleLead, LeadID: &uma}))
		data := "space,external_id,kind,occurred_at,contributor_handle,contributor_name,score\n" +
			"CRM Forum,c1,ANSWER,2026-05-01,ann,Ann,3\n" +
			"Excel Forum,x1,ANSWER,2026-05-01,bob,Bob,100000\n"
		var got struct {
			ImportActivities struct {
				Imported int
				Rejected []struct {
					Line   int
					Reason string
				}
			}
		}
		asUma.do(&got, `mutation ($d: String!) { importActivities(input: {format: CSV, data: $d}) { imported rejected { line reason } } }`, client.Var("d", data))
		require.Equal(t, 1, got.ImportActivities.Imported)
		require.Len(t, got.ImportActivities.Rejected, 1)
		require.Equal(t, 3, got.ImportActivities.Rejected[0].Line)
		require.Contains(t, got.ImportActivities.Rejected[0].Reason, "not a space of an expertise you own")

		// An admin imports anywhere.
		a.do(&got, `mutation ($d: String!) { importActivities(input: {format: CSV, data: $d}) { imported rejected { line reason } } }`, client.Var("d", data))
		require.Equal(t, 1, got.ImportActivities.Imported, "the CRM row is a duplicate now")

		var spaces struct {
			Nodes []struct {
				Activity struct {
					Edges []struct{ Node struct{ ImportedBy string } }
				}
			}
		}
		var list struct {
			ActivityStats []struct {
				Space struct{ ID, Name string }
			}
		}
		a.do(&list, `{ activityStats(groupBy: [SPACE]) { space { id name } } }`)
		require.Len(t, list.ActivityStats, 2)
		who := map[string]string{}
		for _, g := range list.ActivityStats {
			a.do(&spaces, fmt.Sprintf(`{ nodes(ids: [%q]) { ... on CommunitySpace { activity { edges { node { importedBy } } } } } }`, g.Space.ID))
			who[g.Space.Name] = spaces.Nodes[0].Activity.Edges[0].Node.ImportedBy
		}
		require.Equal(t, map[string]string{"CRM Forum": "uma's importer", "Excel Forum": "test admin"}, who)
		analyst := a.as(bearer(t, a.s, mvpgraph.APIToken{Name: "numbers", Role: mvpgraph.RoleAnalyst}))
		analyst.fail("FORBIDDEN", "", fmt.Sprintf(`{ nodes(ids: [%q]) { ... on CommunitySpace { activity { edges { node { importedBy } } } } } }`, list.ActivityStats[0].Space.ID))
	})
}
