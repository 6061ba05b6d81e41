package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestEscalations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		lead := mvpgraph.Principal{Name: "Uma", Role: mvpgraph.RoleLead, LeadID: &p.uma.ID, TokenID: 0}
		contacts, err := s.ContactsOfTeams(ctx, []int64{p.team.ID})
		require.NoError(t, err)
		pat := contacts[p.team.ID][0]

		us := mvpgraph.Escalation{MemberID: p.us1.ID, ExpertiseID: p.crm.ID, Title: " Sync fails ", Body: "Since the last update, sync fails with error 42."}
		require.NoError(t, s.RaiseEscalation(ctx, &us, lead))
		require.Equal(t, p.uma.ID, us.LeadID, "a US MVP's question goes to the expertise's US lead")
		require.Equal(t, "Sync fails", us.Title)
		require.Equal(t, mvpgraph.EscalationOpen, us.Status)
		ca := mvpgraph.Escalation{MemberID: p.ca1.ID, ExpertiseID: p.excel.ID, Title: "Q", Body: "B"}
		require.NoError(t, s.RaiseEscalation(ctx, &ca, lead))
		require.Equal(t, p.chloe.ID, ca.LeadID, "others' go to their country's international lead")
		none := mvpgraph.Escalation{MemberID: p.de1.ID, ExpertiseID: p.crm.ID, Title: "Q", Body: "B"}
		requireCode(t, s.RaiseEscalation(ctx, &none, lead), mvpgraph.EINVALID, "expertiseId")
		requireCode(t, s.RaiseEscalation(ctx, &mvpgraph.Escalation{MemberID: p.us1.ID, ExpertiseID: p.crm.ID, Title: "", Body: "B"}, lead), mvpgraph.EINVALID, "title")

		// Illegal moves change nothing.
		_, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionReopen}, lead)
		requireCode(t, err, mvpgraph.EINVALID)
		_, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionEscalate, ContactID: 9999}, lead)
		requireCode(t, err, mvpgraph.ENOTFOUND, "productTeamContactId")
		_, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionAnswer, Answer: "  "}, lead)
		requireCode(t, err, mvpgraph.EINVALID, "answer")
		got, err := s.EscalationsByIDs(ctx, []int64{us.ID})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.EscalationOpen, got[0].Status)
		require.Nil(t, got[0].FirstResponseAt)

		e, err := s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionEscalate, ContactID: pat.ID}, lead)
		require.NoError(t, err)
		require.Equal(t, mvpgraph.EscalationEscalated, e.Status)
		require.Equal(t, p.team.ID, *e.ProductTeamID)
		require.NotNil(t, e.TimeToFirstResponse())
		team := mvpgraph.Principal{Name: "Pat", Role: mvpgraph.RoleProductTeam, ProductTeamID: &p.team.ID}
		e, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionAnswer, Answer: "Fixed in 4.2."}, team)
		require.NoError(t, err)
		require.Equal(t, "Fixed in 4.2.", *e.Answer)
		require.NotNil(t, e.TimeToAnswer())
		_, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionClose}, lead)
		require.NoError(t, err)
		_, err = s.ChangeEscalation(ctx, us.ID, store.EscalationChange{Action: mvpgraph.ActionReopen}, lead)
		require.NoError(t, err)

		events, err := s.EscalationEvents(ctx, []int64{us.ID})
		require.NoError(t, err)
		var moves []string
		for _, ev := range events[us.ID] {
			moves = append(moves, string(ev.Action)+">"+string(ev.ToStatus)+" by "+ev.ActorName)
		}
		require.Equal(t, []string{"RAISE>OPEN by Uma", "ESCALATE>ESCALATED by Uma", "ANSWER>ANSWERED by Pat", "CLOSE>CLOSED by Uma", "REOPEN>OPEN by Uma"}, moves)

		// Overdue: open longer than the target.
		yes, no := true, false
		page, err := s.ListEscalations(ctx, store.EscalationQuery{Overdue: &yes, Target: -time.Hour})
		require.NoError(t, err)
		require.Len(t, page.Items, 2, "with a target already passed, both open ones are overdue")
		page, err = s.ListEscalations(ctx, store.EscalationQuery{Overdue: &no, Target: time.Hour})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		page, err = s.ListEscalations(ctx, store.EscalationQuery{LeadID: &p.chloe.ID})
		require.NoError(t, err)
		require.Equal(t, ca.ID, page.Items[0].ID)
		n, err := s.CountEscalations(ctx, store.EscalationQuery{ProductTeamID: &p.team.ID})
		require.NoError(t, err)
		require.Equal(t, 1, n)

		stats, err := s.EscalationStatsOf(ctx, []int64{p.uma.ID, p.chloe.ID}, -time.Hour)
		require.NoError(t, err)
		require.Equal(t, 1, stats[p.uma.ID].Open)
		require.Equal(t, 1, stats[p.uma.ID].Overdue)
		require.Nil(t, stats[p.uma.ID].AverageTimeToAnswer, "reopened: no answer stands")
		require.Equal(t, 1, stats[p.chloe.ID].Open)
	})
}
