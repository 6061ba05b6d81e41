package resolvers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// webQueries reads the GraphQL operations the web page sends, by name,
// from its sources (web/src), so that the statement counts below are
// those of the queries the page really asks.
func webQueries(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../web/src/*.ts")
	require.NoError(t, err)
	pages, err := filepath.Glob("../web/src/pages/*.tsx")
	require.NoError(t, err)
	op := regexp.MustCompile("(?s)= `(query (\\w+)[^`]*)`")
	out := map[string]string{}
	for _, f := range append(files, pages...) {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range op.FindAllStringSubmatch(string(src), -1) {
			out[m[2]] = m[1]
		}
	}
	require.NotEmpty(t, out)
	return out
}

// frontPage is bench/apibench's front page: the first 50 MVPs with their
// awards, the awards' expertise, their leads and their social accounts.
const frontPage = `{ mvps(first: 50) { totalCount edges { cursor node { handle name country
  awards { year status expertise { name category } }
  leads { name kind }
  socialAccounts { platform handle status followers posts lastSyncedAt } } } } }`

// TestNoNPlusOne runs the queries the web page sends, and the benchmark's
// front page, over a program of 10 MVPs and then of 100, and counts the SQL
// statements each request runs: the same absolute number at both sizes,
// one per kind of data the query asks for. Every count includes one
// statement for the request's token.
func TestNoNPlusOne(t *testing.T) {
	web := webQueries(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newAPI(t, s)
		team := mvpgraph.ProductTeam{Name: "Team"}
		_, err := s.CreateProductTeam(ctx, &team, []mvpgraph.Contact{{Name: "Pat", Email: "pat@vendor.example", Role: "PM"}})
		require.NoError(t, err)
		var experts []mvpgraph.Expertise
		var leads []mvpgraph.Lead
		for i := range 5 {
			e := mvpgraph.Expertise{Name: fmt.Sprintf("Expertise %d", i), Category: "Cat", ProductTeamID: &team.ID}
			require.NoError(t, s.CreateExpertise(ctx, &e))
			l := mvpgraph.Lead{Name: fmt.Sprintf("Lead %d", i), Email: fmt.Sprintf("lead%d@vendor.example", i), Kind: mvpgraph.LeadUS}
			require.NoError(t, s.CreateLead(ctx, &l))
			_, err := s.AssignExpertise(ctx, l.ID, e.ID, false)
			require.NoError(t, err)
			experts = append(experts, e)
			leads = append(leads, l)
		}
		intl := mvpgraph.Lead{Name: "Intl", Email: "intl@vendor.example", Kind: mvpgraph.LeadInternational}
		require.NoError(t, s.CreateLead(ctx, &intl))
		_, err = s.AssignCountry(ctx, intl.ID, "CA", false)
		require.NoError(t, err)
		expertise := mvpgraph.GlobalID("Expertise", experts[0].ID)
		a.do(&struct{}{}, fmt.Sprintf(`mutation { createCommunitySpace(input: {name: "forum", kind: FORUM, expertiseIds: [%q]}) { communitySpace { id } } }`, expertise))

		// The token's first use is recorded; later requests only read it.
		a.do(&struct{}{}, `{ members { totalCount } }`)

		first := map[int]map[string]int64{}
		added := 0
		for _, n := range []int{10, 100} {
			var rows strings.Builder
			rows.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle\n")
			for ; added < n; added++ {
				country := "US"
				if added%3 == 0 {
					country = "CA"
				}
				m := mvpgraph.Member{Handle: fmt.Sprintf("m%03d", added), Name: "M", Country: country}
				require.NoError(t, s.CreateMember(ctx, &m))
				acct, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, m.Handle)
				require.NoError(t, err)
				require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: acct.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: ptr(int64(added))}}}}))
				_, err = s.AwardMember(ctx, m.ID, experts[added%5].ID, 2026, mvpgraph.Principal{Name: "test"})
				require.NoError(t, err)
				past, err := s.AwardMember(ctx, m.ID, experts[(added+1)%5].ID, 2025, mvpgraph.Principal{Name: "test"})
				require.NoError(t, err)
				require.Equal(t, mvpgraph.AwardAlumni, past.Status, "an ended year is history")
				a.do(&struct{}{}, fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: "Q", body: "B"}) { escalation { id } } }`,
					mvpgraph.GlobalID("Member", m.ID), mvpgraph.GlobalID("Expertise", experts[added%5].ID)))
				// A contributor who is a member but not an MVP: an award
				// candidate.
				c := mvpgraph.Member{Handle: fmt.Sprintf("c%03d", added), Name: "C", Country: country}
				require.NoError(t, s.CreateMember(ctx, &c))
				fmt.Fprintf(&rows, "forum,a%d,ANSWER,2026-06-01T10:00:00Z,%s,C,%s\n", added, c.Handle, c.Handle)
				fmt.Fprintf(&rows, "forum,q%d,QUESTION,2026-06-01T09:00:00Z,%s,C,%s\n", added, c.Handle, c.Handle)
				// Two handles of one name: a suggested pair.
				for _, h := range []string{"a", "b"} {
					fmt.Fprintf(&rows, "forum,s%d%s,POST,2026-06-02T10:00:00Z,pat%03d-%s,Pat Person%03d,\n", added, h, added, h, added)
				}
			}
			var imported struct{ ImportActivities struct{ Imported int } }
			a.do(&imported, `mutation ($data: String!) { importActivities(input: {format: CSV, data: $data}) { imported } }`, client.Var("data", rows.String()))
			require.Equal(t, 4*(n-len(first)*10), imported.ImportActivities.Imported)
			// Each new candidate nominated.
			for i := len(first) * 10; i < n; i++ {
				m, err := s.MemberByHandle(ctx, fmt.Sprintf("c%03d", i))
				require.NoError(t, err)
				person, err := s.PersonOfMember(ctx, m.ID)
				require.NoError(t, err)
				_, err = s.Nominate(ctx, store.NominationInput{PersonID: person, ExpertiseID: experts[0].ID, Reason: "helps"}, mvpgraph.Principal{Name: "test", Role: mvpgraph.RoleAdmin})
				require.NoError(t, err)
			}

			lead := mvpgraph.GlobalID("Lead", leads[0].ID)
			member := mvpgraph.GlobalID("Member", 1)
			requests := []struct {
				name  string
				query string
				vars  map[string]any
				// check tells that the answer holds what the data holds.
				check func(data map[string]any)
			}{
				{"front page", frontPage, nil, func(d map[string]any) {
					edges := at(d, "mvps", "edges").([]any)
					require.Len(t, edges, min(n, 50))
					for _, e := range edges {
						require.Len(t, at(e, "node", "awards").([]any), 2)
						require.Len(t, at(e, "node", "socialAccounts").([]any), 1)
						require.Len(t, at(e, "node", "leads").([]any), 1)
					}
				}},
				{"LeadMvps", web["LeadMvps"], map[string]any{"lead": lead, "since": "2026-01-01T00:00:00Z"}, func(d map[string]any) {
					edges := at(d, "node", "mvps", "edges").([]any)
					require.NotEmpty(t, edges)
					for _, e := range edges {
						accounts := at(e, "node", "socialAccounts").([]any)
						require.Len(t, accounts, 1)
						require.Len(t, at(accounts[0], "history").([]any), 1)
					}
				}},
				{"Leads", web["Leads"], nil, func(d map[string]any) { require.Len(t, at(d, "leads", "edges").([]any), 6) }},
				{"Profile", web["Profile"], map[string]any{"handle": "m001", "since": "2026-01-01T00:00:00Z"}, func(d map[string]any) {
					require.Len(t, at(d, "member", "awards").([]any), 2)
					require.Len(t, at(d, "member", "leads").([]any), 1)
				}},
				{"MemberEscalations", web["MemberEscalations"], map[string]any{"member": member}, func(d map[string]any) {
					require.Len(t, at(d, "escalations", "edges").([]any), 1)
				}},
				{"Board", web["Board"], nil, func(d map[string]any) {
					edges := at(d, "escalations", "edges").([]any)
					require.Len(t, edges, min(n, 20))
					for _, e := range edges {
						require.NotEmpty(t, at(e, "node", "member", "handle"))
						require.NotEmpty(t, at(e, "node", "lead", "name"))
					}
				}},
				{"Leaderboard", web["Leaderboard"], map[string]any{"order": "FOLLOWERS"}, func(d map[string]any) {
					edges := at(d, "reachLeaderboard", "edges").([]any)
					require.Len(t, edges, min(n, 25))
					require.Equal(t, fmt.Sprintf("m%03d", n-1), at(edges[0], "node", "member", "handle"))
				}},
				{"Choices", web["Choices"], nil, func(d map[string]any) { require.Len(t, at(d, "expertises", "edges").([]any), 5) }},
				{"Candidates", web["Candidates"], map[string]any{"expertise": expertise, "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "first": 20}, func(d map[string]any) {
					cands := at(d, "awardCandidates").([]any)
					require.NotEmpty(t, cands)
					members := 0
					for _, c := range cands {
						if at(c, "member", "handle") != nil {
							members++
							require.Equal(t, "NOMINATED", at(c, "nomination", "status"))
						}
						require.NotEmpty(t, at(c, "identities").([]any))
					}
					require.Positive(t, members)
				}},
				{"NominationsBoard", web["NominationsBoard"], map[string]any{"where": map[string]any{"status": []string{"NOMINATED"}}}, func(d map[string]any) {
					edges := at(d, "nominations", "edges").([]any)
					require.Len(t, edges, min(n, 20))
					for _, e := range edges {
						require.NotEmpty(t, at(e, "node", "person", "member", "handle"))
						require.NotEmpty(t, at(e, "node", "lead", "name"))
						require.Equal(t, "Expertise 0", at(e, "node", "expertise", "name"))
					}
				}},
				{"PeopleSuggestions", web["PeopleSuggestions"], map[string]any{"expertise": expertise}, func(d map[string]any) {
					list := at(d, "personMergeSuggestions").([]any)
					require.Len(t, list, 10)
					for _, sg := range list {
						people := at(sg, "people").([]any)
						require.Len(t, people, 2)
						require.Equal(t, at(people[0], "name"), at(people[1], "name"))
						require.Len(t, at(people[0], "identities").([]any), 1)
					}
				}},
				{"Trends", web["Trends"], map[string]any{"expertise": expertise, "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}, func(d map[string]any) {
					require.EqualValues(t, 4*n, at(d, "communityTrends", "total"))
					require.EqualValues(t, n, at(d, "communityTrends", "needs", "questions"))
				}},
				{"Unanswered", web["Unanswered"], map[string]any{"expertise": expertise}, func(d map[string]any) {
					edges := at(d, "unansweredQuestions", "edges").([]any)
					require.Len(t, edges, min(n, 10), "every question waits")
					for _, e := range edges {
						require.Equal(t, "forum", at(e, "node", "space", "name"))
					}
				}},
				{"Integrations", web["Integrations"], nil, func(d map[string]any) { require.NotEmpty(t, at(d, "integrations")) }},
				{"Viewer", web["Viewer"], nil, func(d map[string]any) { require.Equal(t, "ADMIN", at(d, "viewer", "role")) }},
			}
			first[n] = map[string]int64{}
			for _, r := range requests {
				require.NotEmpty(t, r.query, "the web page sends %s", r.name)
				reqCtx := store.WithStatementCounter(context.Background())
				opts := []client.Option{withContext(reqCtx)}
				for k, v := range r.vars {
					opts = append(opts, client.Var(k, v))
				}
				var data map[string]any
				a.do(&data, r.query, opts...)
				r.check(data)
				first[n][r.name] = store.StatementCount(reqCtx)
			}
		}
		// The statements of each request: one per kind of data it asks
		// for, whatever the size of the page.
		want := map[string]int64{
			// token, members, count, awards, expertises, leads, accounts
			"front page": 7,
			// token, lead, MVPs, count, awards, expertises, accounts,
			// growth, history
			"LeadMvps": 9,
			// token, leads, count
			"Leads": 3,
			// token, member, awards, expertises, leads, accounts, growth,
			// history
			"Profile": 8,
			// token, escalations, count, expertises, leads
			"MemberEscalations": 5,
			// token, escalations, count, members, expertises, leads,
			// events (and contacts, once one is escalated)
			"Board": 7,
			// token, ranking, count, members
			"Leaderboard": 4,
			// token, expertises
			"Choices": 2,
			// token, ranking with names, counts per kind, space and
			// identity, best items, members, identities, their spaces, open
			// nominations (and linked accounts, when an identity is one)
			"Candidates": 8,
			// token, nominations, count, people, members, expertises, leads
			"NominationsBoard": 7,
			// token, pairs by name and handle, dismissals, people,
			// identities, their spaces
			"PeopleSuggestions": 6,
			// token, expertise check, activity, questions in total and per
			// space
			"Trends": 5,
			// token, questions waiting, their spaces
			"Unanswered": 3,
			// token, accounts, platforms
			"Integrations": 3,
			// token
			"Viewer": 1,
		}
		t.Logf("%s: SQL statements per request: %v", s.Dialect(), first[100])
		for name, w := range want {
			require.Equal(t, first[10][name], first[100][name], "%s: SQL statements for 10 and for 100 MVPs", name)
			require.Equal(t, w, first[100][name], "%s: SQL statements", name)
		}
		require.Len(t, first[100], len(want))

		// nodes(ids:) reads each type in one statement.
		page, err := s.ListMembers(ctx, store.MemberQuery{Page: store.PageArgs{First: ptr(50)}})
		require.NoError(t, err)
		var ids []string
		for _, m := range page.Items {
			ids = append(ids, fmt.Sprintf("%q", mvpgraph.GlobalID("Member", m.ID)))
		}
		ids = append(ids, fmt.Sprintf("%q", expertise))
		reqCtx := store.WithStatementCounter(context.Background())
		var nodes struct {
			Nodes []*struct {
				ID     string
				Awards []struct{ Year int }
			}
		}
		a.do(&nodes, fmt.Sprintf(`{ nodes(ids: [%s]) { id ... on Member { awards { year } } } }`, strings.Join(ids, ", ")), withContext(reqCtx))
		require.Len(t, nodes.Nodes, 51)
		require.NotNil(t, nodes.Nodes[50])
		require.Len(t, nodes.Nodes[0].Awards, 2)
		require.EqualValues(t, 4, store.StatementCount(reqCtx), "the token, the members, their awards, the expertise")
	})
}

// at walks a decoded JSON answer by keys.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
