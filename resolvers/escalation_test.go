package resolvers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	httpapi "mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestEscalationFlow(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.New(t, d)
			opts := httpapi.DefaultOptions()
			opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{})
			root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond, EscalationTarget: time.Nanosecond}
			h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
			admin := &api{t: t, c: client.New(h, bearer(t, s, mvpgraph.APIToken{Name: "Program office", Role: mvpgraph.RoleAdmin})), h: h, s: s}
			ids := buildProgram(admin)
			dbID := func(gid string) int64 {
				_, id, err := mvpgraph.ParseGlobalID("id", gid)
				require.NoError(t, err)
				return id
			}
			uma, chloe, team := dbID(ids["uma"]), dbID(ids["chloe"]), dbID(ids["team"])
			umaSecret, hash := mvpgraph.NewTokenSecret()
			require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "Uma", Role: mvpgraph.RoleLead, LeadID: &uma}, hash))
			asUma := admin.as(client.AddHeader("Authorization", "Bearer "+umaSecret))
			asChloe := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Chloe", Role: mvpgraph.RoleLead, LeadID: &chloe}))
			asTeam := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Pat", Role: mvpgraph.RoleProductTeam, ProductTeamID: &team}))
			asAnalyst := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Ana", Role: mvpgraph.RoleAnalyst}))
			anon := admin.as()
			contacts, err := s.ContactsOfTeams(ctx, []int64{team})
			require.NoError(t, err)
			pat := mvpgraph.GlobalID("Contact", contacts[team][0].ID)

			raise := fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: "Sync fails", body: "Error 42 since 4.1."}) { escalation { id status lead { name } } } }`, ids["ada"], ids["crm"])
			asChloe.fail("FORBIDDEN", "", raise)
			anon.fail("UNAUTHENTICATED", "", raise)
			var raised struct {
				RaiseEscalation struct {
					Escalation struct {
						ID, Status string
						Lead       struct{ Name string }
					}
				}
			}
			asUma.do(&raised, raise)
			esc := raised.RaiseEscalation.Escalation
			require.Equal(t, "OPEN", esc.Status)
			require.Equal(t, "Uma", esc.Lead.Name, "routed to the MVP's lead by the lead rule")
			// Chloe's MVP's question goes to Chloe.
			var other struct {
				RaiseEscalation struct {
					Escalation struct{ Lead struct{ Name string } }
				}
			}
			admin.do(&other, fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: "Q", body: "B"}) { escalation { lead { name } } } }`, ids["jean"], ids["excel"]))
			require.Equal(t, "Chloe", other.RaiseEscalation.Escalation.Lead.Name)

			escalate := fmt.Sprintf(`mutation { escalate(input: {id: %q, productTeamContactId: %q}) { escalation { status productTeam { name } contact { name } } } }`, esc.ID, pat)
			asChloe.fail("FORBIDDEN", "", escalate)
			asTeam.fail("FORBIDDEN", "", escalate)
			asUma.fail("BAD_USER_INPUT", "id", fmt.Sprintf(`mutation { reopenEscalation(input: {id: %q}) { escalation { status } } }`, esc.ID))
			var moved struct {
				Escalate struct {
					Escalation struct {
						Status      string
						ProductTeam struct{ Name string }
					}
				}
			}
			asUma.do(&moved, escalate)
			require.Equal(t, "ESCALATED", moved.Escalate.Escalation.Status)
			require.Equal(t, "Dynamics Team", moved.Escalate.Escalation.ProductTeam.Name)

			answer := fmt.Sprintf(`mutation { answerEscalation(input: {id: %q, answer: "Fixed in 4.2."}) { escalation { status answer } } }`, esc.ID)
			asAnalyst.fail("FORBIDDEN", "", answer)
			asTeam.do(&struct{}{}, answer)
			asTeam.fail("BAD_USER_INPUT", "id", answer)
			asTeam.fail("FORBIDDEN", "", fmt.Sprintf(`mutation { closeEscalation(input: {id: %q}) { escalation { status } } }`, esc.ID))
			asUma.do(&struct{}{}, fmt.Sprintf(`mutation { closeEscalation(input: {id: %q}) { escalation { status } } }`, esc.ID))
			asUma.do(&struct{}{}, fmt.Sprintf(`mutation { reopenEscalation(input: {id: %q}) { escalation { status } } }`, esc.ID))
			asChloe.fail("FORBIDDEN", "", fmt.Sprintf(`mutation { closeEscalation(input: {id: %q}) { escalation { status } } }`, mvpgraph.GlobalID("Escalation", 424242)))

			var detail struct {
				Node struct {
					Status              string
					Answer              string
					TimeToFirstResponse *int64
					Overdue             bool
					Events              []struct{ Action, To, Actor string }
				}
			}
			asUma.do(&detail, fmt.Sprintf(`{ node(id: %q) { ... on Escalation { status answer timeToFirstResponse overdue events { action to actor } } } }`, esc.ID))
			require.Equal(t, "OPEN", detail.Node.Status)
			require.NotNil(t, detail.Node.TimeToFirstResponse)
			require.True(t, detail.Node.Overdue, "reopened and waiting past the target")
			var moves []string
			for _, e := range detail.Node.Events {
				moves = append(moves, e.Action+">"+e.To+" by "+e.Actor)
			}
			require.Equal(t, []string{"RAISE>OPEN by Uma", "ESCALATE>ESCALATED by Uma", "ANSWER>ANSWERED by Pat", "CLOSE>CLOSED by Uma", "REOPEN>OPEN by Uma"}, moves)
			var hidden struct{ Node *struct{ Status string } }
			asChloe.do(&hidden, fmt.Sprintf(`{ node(id: %q) { ... on Escalation { status } } }`, esc.ID))
			require.Nil(t, hidden.Node, "another lead's escalation is not there for Chloe")

			count := func(c *api, where string) int {
				var out struct{ Escalations struct{ TotalCount int } }
				c.do(&out, `{ escalations`+where+` { totalCount } }`)
				return out.Escalations.TotalCount
			}
			require.Equal(t, 2, count(admin, ""))
			require.Equal(t, 2, count(asAnalyst, ""))
			require.Equal(t, 1, count(asUma, ""))
			require.Equal(t, 1, count(asChloe, ""))
			require.Equal(t, 1, count(asTeam, ""), "the team's own escalations")
			require.Equal(t, 2, count(admin, "(where: {overdue: true})"))
			require.Equal(t, 0, count(admin, `(where: {status: [ANSWERED, CLOSED]})`))
			asChloe.fail("FORBIDDEN", "", fmt.Sprintf(`{ escalations(where: {leadId: %q}) { totalCount } }`, ids["uma"]))
			anon.fail("UNAUTHENTICATED", "", `{ escalations { totalCount } }`)

			var stats struct {
				Node struct {
					EscalationStats struct{ Open, Overdue int }
				}
			}
			asUma.do(&stats, fmt.Sprintf(`{ node(id: %q) { ... on Lead { escalationStats { open overdue } } } }`, ids["uma"]))
			require.Equal(t, 1, stats.Node.EscalationStats.Open)
			require.Equal(t, 1, stats.Node.EscalationStats.Overdue)

			// Analysts group them.
			var groups struct {
				EscalationGroups []struct {
					Lead     *struct{ Name string }
					Status   *string
					Count    int
					Overdue  int
					Answered int
				}
			}
			asAnalyst.do(&groups, `{ escalationGroups(groupBy: [LEAD]) { lead { name } count overdue answered } }`)
			byLead := map[string][3]int{}
			for _, g := range groups.EscalationGroups {
				byLead[g.Lead.Name] = [3]int{g.Count, g.Overdue, g.Answered}
			}
			require.Equal(t, map[string][3]int{"Uma": {1, 1, 0}, "Chloe": {1, 1, 0}}, byLead, "reopened: its answer no longer stands")
			asUma.do(&groups, `{ escalationGroups(groupBy: [STATUS]) { status count } }`)
			require.Len(t, groups.EscalationGroups, 1, "a lead groups only their own")
			require.Equal(t, "OPEN", *groups.EscalationGroups[0].Status)

			// Uma follows her escalations as they change.
			sub := client.New(h).WebsocketWithPayload(fmt.Sprintf(`subscription { escalationUpdated(leadId: %q) { title status } }`, ids["uma"]),
				map[string]any{"Authorization": "Bearer " + umaSecret})
			defer sub.Close()
			go func() {
				time.Sleep(300 * time.Millisecond)
				asUma.do(&struct{}{}, fmt.Sprintf(`mutation { closeEscalation(input: {id: %q}) { escalation { status } } }`, esc.ID))
			}()
			var update struct {
				EscalationUpdated struct{ Title, Status string }
			}
			require.NoError(t, sub.Next(&update))
			require.Equal(t, "Sync fails", update.EscalationUpdated.Title)
			require.Equal(t, "CLOSED", update.EscalationUpdated.Status)
			denied := client.New(h).WebsocketWithPayload(fmt.Sprintf(`subscription { escalationUpdated(leadId: %q) { title } }`, ids["uma"]),
				map[string]any{"Authorization": "Bearer " + umaSecret[:10] + "x"})
			defer denied.Close()
			require.Error(t, denied.Next(&update))
		})
	}
}

// TestEscalationStatsScope: Lead.escalationStats counts what
// escalations(where: {leadId}) would list for the caller: a lead's own
// only, a product team's those escalated to it, everything for admins and
// analysts.
func TestEscalationStatsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin := newAPI(t, s)
		ids := buildProgram(admin)
		dbID := func(gid string) int64 {
			_, id, err := mvpgraph.ParseGlobalID("id", gid)
			require.NoError(t, err)
			return id
		}
		uma, chloe, team := dbID(ids["uma"]), dbID(ids["chloe"]), dbID(ids["team"])
		other := dbID(admin.id(`mutation { createProductTeam(input: {name: "Office Team"}) { productTeam { id } } }`, "createProductTeam", "productTeam", "id"))
		asUma := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Uma", Role: mvpgraph.RoleLead, LeadID: &uma}))
		asChloe := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Chloe", Role: mvpgraph.RoleLead, LeadID: &chloe}))
		asTeam := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Pat", Role: mvpgraph.RoleProductTeam, ProductTeamID: &team}))
		asOther := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Olga", Role: mvpgraph.RoleProductTeam, ProductTeamID: &other}))
		asAnalyst := admin.as(bearer(t, s, mvpgraph.APIToken{Name: "Ana", Role: mvpgraph.RoleAnalyst}))
		contacts, err := s.ContactsOfTeams(ctx, []int64{team})
		require.NoError(t, err)

		raise := func(member, expertise string) string {
			return admin.id(fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: "Q", body: "B"}) { escalation { id } } }`, member, expertise),
				"raiseEscalation", "escalation", "id")
		}
		escalated := raise(ids["ada"], ids["crm"])
		raise(ids["ada"], ids["crm"])
		raise(ids["jean"], ids["excel"])
		admin.do(&struct{}{}, fmt.Sprintf(`mutation { escalate(input: {id: %q, productTeamContactId: %q}) { escalation { id } } }`,
			escalated, mvpgraph.GlobalID("Contact", contacts[team][0].ID)))

		stats := func(c *api, lead string) [2]int {
			t.Helper()
			var out struct {
				Node        struct{ EscalationStats struct{ Open, Escalated int } }
				Escalations struct{ TotalCount int }
			}
			c.do(&out, fmt.Sprintf(`{ node(id: %[1]q) { ... on Lead { escalationStats { open escalated } } } escalations(where: {leadId: %[1]q}) { totalCount } }`, lead))
			st := out.Node.EscalationStats
			require.Equal(t, st.Open+st.Escalated, out.Escalations.TotalCount, "the statistics count what escalations lists")
			return [2]int{st.Open, st.Escalated}
		}
		require.Equal(t, [2]int{1, 1}, stats(admin, ids["uma"]))
		require.Equal(t, [2]int{1, 1}, stats(asAnalyst, ids["uma"]))
		require.Equal(t, [2]int{1, 1}, stats(asUma, ids["uma"]))
		require.Equal(t, [2]int{1, 0}, stats(asChloe, ids["chloe"]))
		e := asChloe.fail("FORBIDDEN", "", fmt.Sprintf(`{ node(id: %q) { ... on Lead { escalationStats { open } } } }`, ids["uma"]))
		require.Contains(t, e.Message, "routed to them only")
		asChloe.fail("FORBIDDEN", "", fmt.Sprintf(`{ escalations(where: {leadId: %q}) { totalCount } }`, ids["uma"]))
		require.Equal(t, [2]int{0, 1}, stats(asTeam, ids["uma"]), "the team's own: the one escalated to it")
		require.Equal(t, [2]int{0, 0}, stats(asTeam, ids["chloe"]))
		require.Equal(t, [2]int{0, 0}, stats(asOther, ids["uma"]), "another team sees none of them")
	})
}

// TestEscalationSubscribersSharePoll: subscribers of one lead's
// escalations share one poll, and each gets every change made after it
// subscribed.
func TestEscalationSubscribersSharePoll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{})
		opts.CallerKey = httpapi.TokenCaller
		root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
		admin := newAPIWith(t, root, opts)
		ids := buildProgram(admin)
		secret, hash := mvpgraph.NewTokenSecret()
		require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "Ana", Role: mvpgraph.RoleAnalyst}, hash))
		subscribe := func() *client.Subscription {
			return client.New(admin.h).WebsocketWithPayload(fmt.Sprintf(`subscription { escalationUpdated(leadId: %q) { title } }`, ids["uma"]),
				map[string]any{"Authorization": "Bearer " + secret})
		}
		raise := func(title string) {
			admin.do(&struct{}{}, fmt.Sprintf(`mutation { raiseEscalation(input: {memberId: %q, expertiseId: %q, title: %q, body: "B"}) { escalation { id } } }`, ids["ada"], ids["crm"], title))
		}
		next := func(sub *client.Subscription) string {
			var got struct{ EscalationUpdated struct{ Title string } }
			require.NoError(t, sub.Next(&got))
			return got.EscalationUpdated.Title
		}
		early := subscribe()
		defer early.Close()
		require.Eventually(t, func() bool { running, _ := root.Polls(); return running == 1 }, 5*time.Second, 10*time.Millisecond)
		raise("First")
		require.Equal(t, "First", next(early))
		late := subscribe()
		defer late.Close()
		time.Sleep(200 * time.Millisecond)
		running, _ := root.Polls()
		require.Equal(t, 1, running, "the second subscriber joins the first's poll")
		raise("Second")
		require.Equal(t, "Second", next(early))
		require.Equal(t, "Second", next(late), "a subscriber gets what changed after it came, not before")
	})
}
