package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/importer"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// fiveSpaces is Gina Green, a member of no award, active in five spaces of
// Dynamics CRM under four handles: linked to her member in the forum, her
// member's Stack Overflow account in two tags, her member's GitHub account
// in the samples' space, and a blog handle nothing ties to her for certain.
type fiveSpaces struct {
	*program
	gina   mvpgraph.Member
	spaces map[string]int64
	// items per space, all ANSWERs of 2 points in May 2026
	items map[string]int
}

var may = [2]time.Time{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}

func newFiveSpaces(t *testing.T, s *store.Store) *fiveSpaces {
	t.Helper()
	ctx := context.Background()
	f := &fiveSpaces{program: newProgram(t, s), spaces: map[string]int64{}, items: map[string]int{}}
	f.gina = mvpgraph.Member{Handle: "gina", Name: "Gina Green", Country: "US"}
	require.NoError(t, s.CreateMember(ctx, &f.gina))
	_, err := s.LinkSocialAccount(ctx, f.gina.ID, mvpgraph.GitHub, "GinaGreen")
	require.NoError(t, err)
	_, err = s.LinkSocialAccount(ctx, f.gina.ID, mvpgraph.StackExchange, "https://stackoverflow.com/users/4242/gina")
	require.NoError(t, err)
	for _, sp := range []mvpgraph.CommunitySpace{
		{Name: "CRM Forum", Kind: "FORUM", URL: ptr("https://community.dynamics.example/forums/crm")},
		{Name: "CRM on Stack Overflow", Kind: "QNA", StackExchangeTag: ptr("stackoverflow:dynamics-crm")},
		{Name: "365 on Stack Overflow", Kind: "QNA", StackExchangeTag: ptr("stackoverflow:dynamics-365")},
		{Name: "CRM Samples", Kind: "SOCIAL", URL: ptr("https://github.com/crm-samples")},
		{Name: "CRM Blog Ring", Kind: "BLOG", URL: ptr("https://blogs.example.org/crm")},
	} {
		require.NoError(t, s.CreateSpace(ctx, &sp, []int64{f.crm.ID}))
		f.spaces[sp.Name] = sp.ID
	}
	var b strings.Builder
	b.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle\n")
	add := func(space, handle, name, member string, n int) {
		for i := range n {
			fmt.Fprintf(&b, "%s,%s-%s-%d,ANSWER,2026-05-%02d,%s,%s,%s\n", space, handle, space, i, i+1, handle, name, member)
		}
		f.items[space] += n
	}
	add("CRM Forum", "gina_g", "Gina Green", "gina", 3)
	add("CRM on Stack Overflow", "stackoverflow:4242", "Gina G.", "", 4)
	add("365 on Stack Overflow", "stackoverflow:4242", "Gina G.", "", 2)
	add("CRM Samples", "GinaGreen", "GinaGreen", "", 5)
	add("CRM Blog Ring", "gina-green", "Gina Green", "", 6)
	// Others: a current MVP, a member of another country, and Hal, a
	// stranger in two spaces.
	add("CRM Forum", "alice", "Alice Adams", "us1", 20)
	add("CRM Forum", "denis", "Denis Dupont", "fr1", 7)
	add("CRM Blog Ring", "hal", "Hal Hill", "", 8)
	add("CRM Forum", "hal.h", "Hal Hill", "", 1)
	rows, bad, err := importer.Activities(strings.NewReader(b.String()), "csv")
	require.NoError(t, err)
	require.Empty(t, bad)
	res, err := s.ImportActivities(ctx, rows, nil, true, store.Importer{Actor: mvpgraph.Principal{Name: "importer"}})
	require.NoError(t, err)
	require.Empty(t, res.Rejected)
	return f
}

func candidatesOf(t *testing.T, s *store.Store, f *fiveSpaces) map[string][]store.Candidate {
	t.Helper()
	got, err := s.AwardCandidates(context.Background(), store.CandidateQuery{ExpertiseID: f.crm.ID, From: may[0], To: may[1], Weights: mvpgraph.DefaultKindWeights, Limit: 100})
	require.NoError(t, err)
	by := map[string][]store.Candidate{}
	for _, c := range got {
		by[c.Name] = append(by[c.Name], c)
	}
	return by
}

// activityCounts is every count a merge must leave alone: items and
// distinct contributors per space.
func activityCounts(t *testing.T, s *store.Store, f *fiveSpaces) []mvpgraph.SpaceCount {
	t.Helper()
	counts, _, err := s.SpaceActivity(context.Background(), f.crm.ID, may[0], may[1])
	require.NoError(t, err)
	return counts
}

func TestPeopleAcrossSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFiveSpaces(t, s)
		admin := mvpgraph.Principal{Name: "admin", Role: mvpgraph.RoleAdmin}

		// The rules join the forum, both Stack Overflow tags and the GitHub
		// account: one person, the member's. The blog is someone else yet.
		by := candidatesOf(t, s, f)
		require.Len(t, by["Gina Green"], 2, "the member's person and the blog's")
		gina, blog := by["Gina Green"][0], by["Gina Green"][1]
		if gina.MemberID == nil {
			gina, blog = blog, gina
		}
		require.Equal(t, f.gina.ID, *gina.MemberID)
		require.Nil(t, blog.MemberID)
		require.InDelta(t, float64(2*(3+4+2+5)), gina.Score, 1e-9)
		require.Len(t, gina.Identities, 4)
		require.Equal(t, map[string]int{"CRM Forum": 3, "CRM on Stack Overflow": 4, "365 on Stack Overflow": 2, "CRM Samples": 5}, gina.BySpace)
		require.Empty(t, by["Alice Adams"], "a current MVP is no candidate")
		require.Len(t, by["Hal Hill"], 2, "one name in two spaces is a suggestion, not a join")

		ids, err := s.IdentitiesOf(ctx, []int64{gina.PersonID})
		require.NoError(t, err)
		var forum, samples mvpgraph.Identity
		for _, id := range ids[gina.PersonID] {
			switch id.SpaceName {
			case "CRM Forum":
				forum = id
			case "CRM Samples":
				samples = id
			}
		}
		require.NotNil(t, samples.LinkedMemberID, "the GitHub handle is the member's linked account")
		require.Equal(t, f.gina.ID, *samples.LinkedMemberID)
		require.Equal(t, "ginagreen", *samples.Account)

		// Certain identities cannot be split apart; a lone one has nothing to split.
		_, _, _, err = s.SplitIdentity(ctx, forum.ID, admin)
		requireCode(t, err, mvpgraph.ECONFLICT)
		hal := by["Hal Hill"][0]
		halIDs, err := s.IdentitiesOf(ctx, []int64{hal.PersonID})
		require.NoError(t, err)
		_, _, _, err = s.SplitIdentity(ctx, halIDs[hal.PersonID][0].ID, admin)
		requireCode(t, err, mvpgraph.EINVALID, "identityId")

		// Suggested: the blog's Gina, by name and by handle.
		sugg, err := s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.5, Limit: 10})
		require.NoError(t, err)
		require.NotEmpty(t, sugg)
		require.Equal(t, [2]int64{min(gina.PersonID, blog.PersonID), max(gina.PersonID, blog.PersonID)}, [2]int64{sugg[0].A, sugg[0].B})
		require.Equal(t, []mvpgraph.SuggestionReason{mvpgraph.SameName, mvpgraph.SimilarHandle}, sugg[0].Reasons)
		require.InDelta(t, 0.9, sugg[0].Confidence, 1e-9)

		before := activityCounts(t, s, f)

		// Refused, with nothing changed: a person with itself, two members.
		_, _, err = s.MergePeople(ctx, []int64{gina.PersonID, gina.PersonID}, admin)
		requireCode(t, err, mvpgraph.EINVALID, "personIds")
		denis := by["Denis Dupont"][0]
		_, _, err = s.MergePeople(ctx, []int64{gina.PersonID, blog.PersonID, denis.PersonID}, admin)
		requireCode(t, err, mvpgraph.ECONFLICT)
		_, _, err = s.MergePeople(ctx, []int64{gina.PersonID, 999999}, admin)
		requireCode(t, err, mvpgraph.ENOTFOUND, "personIds")
		require.Equal(t, by, candidatesOf(t, s, f), "a refused merge changes nothing")

		// The merge: one person in five spaces, with the sum of the five.
		into, merge, err := s.MergePeople(ctx, []int64{blog.PersonID, gina.PersonID}, admin)
		require.NoError(t, err)
		require.Equal(t, gina.PersonID, into.ID, "the member's person takes the others in")
		require.Equal(t, mvpgraph.PeopleMerge, merge.Kind)
		require.Equal(t, "admin", merge.ActorName)
		merged := candidatesOf(t, s, f)["Gina Green"]
		require.Len(t, merged, 1)
		require.InDelta(t, gina.Score+blog.Score, merged[0].Score, 1e-9)
		require.Len(t, merged[0].BySpace, 5)
		require.Len(t, merged[0].Identities, 5)
		require.Equal(t, before, activityCounts(t, s, f), "a merge moves no activity")
		_, _, err = s.MergePeople(ctx, []int64{blog.PersonID, gina.PersonID}, admin)
		requireCode(t, err, mvpgraph.ECONFLICT)
		sugg, err = s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.5, Limit: 10})
		require.NoError(t, err)
		for _, sg := range sugg {
			require.NotContains(t, []int64{sg.A, sg.B}, blog.PersonID, "a merged pair is no longer suggested")
		}

		// The undo: as before the merge, counts and all.
		undo, err := s.UndoPeopleChange(ctx, merge.ID, admin)
		require.NoError(t, err)
		require.Equal(t, mvpgraph.PeopleUndo, undo.Kind)
		require.Equal(t, by, candidatesOf(t, s, f))
		require.Equal(t, before, activityCounts(t, s, f))
		_, err = s.UndoPeopleChange(ctx, merge.ID, admin)
		requireCode(t, err, mvpgraph.ECONFLICT)
		changes, err := s.PeopleChanges(ctx, blog.PersonID)
		require.NoError(t, err)
		require.Len(t, changes, 2, "the merge and its undo, with who and when")
		require.Equal(t, undo.ID, *changes[1].UndoneBy)

		// A split takes the identity out, and its undo puts it back.
		_, _, err = s.MergePeople(ctx, []int64{gina.PersonID, blog.PersonID}, admin)
		require.NoError(t, err)
		blogIDs, err := s.IdentitiesOf(ctx, []int64{gina.PersonID})
		require.NoError(t, err)
		var blogIdentity int64
		for _, id := range blogIDs[gina.PersonID] {
			if id.SpaceName == "CRM Blog Ring" {
				blogIdentity = id.ID
			}
		}
		out, left, split, err := s.SplitIdentity(ctx, blogIdentity, admin)
		require.NoError(t, err)
		require.Equal(t, gina.PersonID, left.ID)
		require.Nil(t, out.MemberID)
		require.Equal(t, mvpgraph.PeopleSplit, split.Kind)
		require.Len(t, candidatesOf(t, s, f)["Gina Green"], 2)
		_, err = s.UndoPeopleChange(ctx, split.ID, admin)
		require.NoError(t, err)
		require.Len(t, candidatesOf(t, s, f)["Gina Green"], 1)
		require.Equal(t, before, activityCounts(t, s, f))

		// The rules' joins are recorded, and cannot be undone.
		_, err = s.LinkSocialAccount(ctx, f.de1.ID, mvpgraph.GitHub, "hal")
		require.NoError(t, err)
		require.Empty(t, candidatesOf(t, s, f)["Hal Hill"][0].MemberID, "a GitHub account is no handle on a blog")

		// Dismissed, Hal's pair is no longer suggested.
		halPeople := candidatesOf(t, s, f)["Hal Hill"]
		require.Len(t, halPeople, 2)
		require.NoError(t, s.DismissSuggestion(ctx, halPeople[0].PersonID, halPeople[1].PersonID, admin))
		sugg, err = s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0, Limit: 10})
		require.NoError(t, err)
		for _, sg := range sugg {
			require.False(t, sg.A == min(halPeople[0].PersonID, halPeople[1].PersonID) && sg.B == max(halPeople[0].PersonID, halPeople[1].PersonID))
		}
		requireCode(t, s.DismissSuggestion(ctx, hal.PersonID, hal.PersonID, admin), mvpgraph.EINVALID, "personIds")
	})
}

func TestRulesJoinLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFiveSpaces(t, s)
		// Hal's GitHub account, linked to a member after his activity was
		// imported: a handle in a GitHub space is that member now.
		hub := mvpgraph.CommunitySpace{Name: "AX Samples", Kind: "SOCIAL", URL: ptr("https://github.com/ax-samples")}
		require.NoError(t, s.CreateSpace(ctx, &hub, []int64{f.crm.ID}))
		rows, _, err := importer.Activities(strings.NewReader("space,external_id,kind,occurred_at,contributor_handle,contributor_name\n"+
			"AX Samples,x1,ANSWER,2026-05-02,Eva-E,Eva E\nCRM Samples,x2,ANSWER,2026-05-03,eva-e,Eva E\n"), "csv")
		require.NoError(t, err)
		_, err = s.ImportActivities(ctx, rows, nil, true, store.Importer{Actor: mvpgraph.Principal{Name: "importer"}})
		require.NoError(t, err)
		eva := candidatesOf(t, s, f)["Eva E"]
		require.Len(t, eva, 1, "one GitHub login in two spaces is one account")
		require.Nil(t, eva[0].MemberID)

		fr1 := mvpgraph.Member{ID: f.fr1.ID}
		_, err = s.LinkSocialAccount(mvpgraph.WithPrincipal(ctx, mvpgraph.Principal{Name: "admin", Role: mvpgraph.RoleAdmin}), fr1.ID, mvpgraph.GitHub, "eva-e")
		require.NoError(t, err)
		by := candidatesOf(t, s, f)
		require.Empty(t, by["Eva E"])
		denis := by["Denis Dupont"]
		require.Len(t, denis, 1, "the account joined Eva's identities to the member's person")
		require.Len(t, denis[0].Identities, 3)
		changes, err := s.PeopleChanges(ctx, denis[0].PersonID)
		require.NoError(t, err)
		require.Len(t, changes, 1)
		require.Equal(t, mvpgraph.PeopleJoin, changes[0].Kind)
		require.Equal(t, mvpgraph.JoinLinkedAccount, *changes[0].Reason)
		require.Equal(t, "admin", changes[0].ActorName)
		_, err = s.UndoPeopleChange(ctx, changes[0].ID, mvpgraph.Principal{Name: "admin", Role: mvpgraph.RoleAdmin})
		requireCode(t, err, mvpgraph.ECONFLICT)
	})
}

func TestNominationToAward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFiveSpaces(t, s)
		admin := mvpgraph.Principal{Name: "admin", Role: mvpgraph.RoleAdmin}
		uma := mvpgraph.Principal{Name: "uma's token", Role: mvpgraph.RoleLead, LeadID: &f.uma.ID}
		olaf := mvpgraph.Principal{Name: "olaf's token", Role: mvpgraph.RoleLead, LeadID: &f.olaf.ID}
		chloe := mvpgraph.Principal{Name: "chloe's token", Role: mvpgraph.RoleLead, LeadID: &f.chloe.ID}
		by := candidatesOf(t, s, f)
		hal := by["Hal Hill"][0]
		require.Nil(t, hal.MemberID)

		// Hal is no member: the country decides the lead.
		_, err := s.Nominate(ctx, store.NominationInput{PersonID: hal.PersonID, ExpertiseID: f.crm.ID, Reason: "Answers every week"}, uma)
		requireCode(t, err, mvpgraph.EINVALID, "country")
		_, err = s.Nominate(ctx, store.NominationInput{PersonID: hal.PersonID, ExpertiseID: f.crm.ID, Reason: "Answers every week", Country: ptr("us")}, chloe)
		requireCode(t, err, mvpgraph.EFORBIDDEN)
		_, err = s.Nominate(ctx, store.NominationInput{PersonID: hal.PersonID, ExpertiseID: f.crm.ID, Reason: "  ", Country: ptr("us")}, uma)
		requireCode(t, err, mvpgraph.EINVALID, "reason")
		n, err := s.Nominate(ctx, store.NominationInput{PersonID: hal.PersonID, ExpertiseID: f.crm.ID, Reason: "Answers every week", Country: ptr("us")}, uma)
		require.NoError(t, err)
		require.Equal(t, mvpgraph.NominationNominated, n.Status)
		require.Equal(t, f.uma.ID, n.LeadID)
		require.Equal(t, "US", n.Country)
		_, err = s.Nominate(ctx, store.NominationInput{PersonID: hal.PersonID, ExpertiseID: f.crm.ID, Reason: "Again", Country: ptr("US")}, admin)
		requireCode(t, err, mvpgraph.ECONFLICT)

		// A current MVP of the expertise, and an employee, cannot be nominated.
		alice := peopleOfMember(t, s, f.us1.ID)
		_, err = s.Nominate(ctx, store.NominationInput{PersonID: alice, ExpertiseID: f.crm.ID, Reason: "x"}, admin)
		requireCode(t, err, mvpgraph.EINVALID, "personId")
		rows, _, err := importer.Activities(strings.NewReader("space,external_id,kind,occurred_at,contributor_handle,contributor_name,member_handle\nCRM Forum,e1,ANSWER,2026-05-02,fay,Fay Vendor,emp\n"), "csv")
		require.NoError(t, err)
		_, err = s.ImportActivities(ctx, rows, nil, true, store.Importer{Actor: admin})
		require.NoError(t, err)
		_, err = s.Nominate(ctx, store.NominationInput{PersonID: peopleOfMember(t, s, f.emp.ID), ExpertiseID: f.crm.ID, Reason: "x"}, admin)
		requireCode(t, err, mvpgraph.EINVALID, "personId")

		// Illegal moves, and another lead's, change nothing.
		_, err = s.MoveNomination(ctx, n.ID, store.NominationMove{Status: mvpgraph.NominationAwarded}, uma)
		requireCode(t, err, mvpgraph.EINVALID, "status")
		_, err = s.MoveNomination(ctx, n.ID, store.NominationMove{Status: mvpgraph.NominationUnderReview}, olaf)
		requireCode(t, err, mvpgraph.EFORBIDDEN)
		still, err := s.NominationsByIDs(ctx, []int64{n.ID})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.NominationNominated, still[0].Status)

		// To the award: Hal is a member and an MVP of CRM afterwards.
		_, err = s.MoveNomination(ctx, n.ID, store.NominationMove{Status: mvpgraph.NominationUnderReview, Note: "looks good"}, uma)
		require.NoError(t, err)
		done, err := s.MoveNomination(ctx, n.ID, store.NominationMove{Status: mvpgraph.NominationAwarded}, admin)
		require.NoError(t, err)
		require.Equal(t, mvpgraph.NominationAwarded, done.Status)
		require.NotNil(t, done.MemberID)
		require.NotNil(t, done.DecidedAt)
		m, err := s.MemberByID(ctx, *done.MemberID)
		require.NoError(t, err)
		require.Equal(t, "hal-hill", m.Handle)
		require.Equal(t, "US", m.Country)
		require.True(t, m.IsMVP)
		awards, err := s.AwardsOfMembers(ctx, []int64{m.ID})
		require.NoError(t, err)
		require.Len(t, awards[m.ID], 1)
		require.Equal(t, f.crm.ID, awards[m.ID][0].ExpertiseID)
		require.Equal(t, mvpgraph.AwardActive, awards[m.ID][0].Status)
		require.Equal(t, *done.AwardID, awards[m.ID][0].ID)
		for _, c := range candidatesOf(t, s, f)["Hal Hill"] {
			require.NotEqual(t, hal.PersonID, c.PersonID, "an MVP now, Hal is no candidate")
		}
		events, err := s.NominationEvents(ctx, []int64{n.ID})
		require.NoError(t, err)
		require.Len(t, events[n.ID], 3)
		require.Equal(t, "uma's token", events[n.ID][1].ActorName)
		require.Equal(t, "looks good", *events[n.ID][1].Note)
		require.Equal(t, "admin", events[n.ID][2].ActorName)
		_, err = s.MoveNomination(ctx, n.ID, store.NominationMove{Status: mvpgraph.NominationWithdrawn}, admin)
		requireCode(t, err, mvpgraph.EINVALID, "status")

		// The blog's Gina, nominated and withdrawn; the member Gina declined.
		blog := by["Gina Green"][0]
		if blog.MemberID != nil {
			blog = by["Gina Green"][1]
		}
		w, err := s.Nominate(ctx, store.NominationInput{PersonID: blog.PersonID, ExpertiseID: f.crm.ID, Reason: "Writes", Country: ptr("FR")}, chloe)
		require.NoError(t, err)
		require.Equal(t, f.chloe.ID, w.LeadID)
		_, err = s.MoveNomination(ctx, w.ID, store.NominationMove{Status: mvpgraph.NominationWithdrawn}, chloe)
		require.NoError(t, err)
		g, err := s.Nominate(ctx, store.NominationInput{PersonID: peopleOfMember(t, s, f.gina.ID), ExpertiseID: f.crm.ID, Reason: "Helps"}, uma)
		require.NoError(t, err)
		_, err = s.MoveNomination(ctx, g.ID, store.NominationMove{Status: mvpgraph.NominationUnderReview}, uma)
		require.NoError(t, err)
		_, err = s.MoveNomination(ctx, g.ID, store.NominationMove{Status: mvpgraph.NominationDeclined}, admin)
		require.NoError(t, err)

		groups, err := s.NominationStats(ctx, store.NominationQuery{}, []string{"STATUS"})
		require.NoError(t, err)
		got := map[mvpgraph.NominationStatus]int{}
		for _, g := range groups {
			got[*g.Status] = g.Count
		}
		require.Equal(t, map[mvpgraph.NominationStatus]int{"AWARDED": 1, "WITHDRAWN": 1, "DECLINED": 1}, got)
		all, err := s.NominationStats(ctx, store.NominationQuery{}, nil)
		require.NoError(t, err)
		require.Equal(t, store.NominationGroup{Count: 3, Ended: 3, Awarded: 1}, all[0])
		mine, err := s.NominationStats(ctx, store.NominationQuery{LeadID: &f.uma.ID}, []string{"LEAD", "MONTH"})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		require.Equal(t, 2, mine[0].Count)
		require.Equal(t, "2026-07", *mine[0].Month)
		_, err = s.NominationStats(ctx, store.NominationQuery{}, []string{"COLOUR"})
		requireCode(t, err, mvpgraph.EINVALID, "groupBy")
	})
}

// peopleOfMember is the person of a member.
func peopleOfMember(t *testing.T, s *store.Store, memberID int64) int64 {
	t.Helper()
	id, err := s.PersonOfMember(context.Background(), memberID)
	require.NoError(t, err)
	return id
}

// TestSharedProfileSuggests: identities giving one profile page, on sites
// that share nothing else, are suggested as one person, however the page's
// address is written; a page learned later is recorded, one known is kept,
// and a site's home page names no one.
func TestSharedProfileSuggests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		for _, sp := range []mvpgraph.CommunitySpace{
			{Name: "CRM on Stack Overflow", Kind: "QNA", StackExchangeTag: ptr("stackoverflow:dynamics-crm")},
			{Name: "CRM Blog Ring", Kind: "BLOG", URL: ptr("https://blogs.example.org/crm")},
			{Name: "CRM Videos", Kind: "VIDEO", URL: ptr("https://www.youtube.com/@crm")},
		} {
			require.NoError(t, s.CreateSpace(ctx, &sp, []int64{p.crm.ID}))
		}
		const header = "space,external_id,kind,occurred_at,contributor_handle,contributor_name,contributor_url\n"
		res := importCSV(t, s, header+
			"CRM on Stack Overflow,q1,QUESTION,2026-05-01,stackoverflow:777,Ivo I.,https://stackoverflow.com/users/777/ivo-ivanov\n"+
			"CRM Blog Ring,b1,ARTICLE,2026-05-02,ivanov-writes,The Writer,\n"+
			"CRM Blog Ring,b2,ARTICLE,2026-05-03,ivanov-writes,The Writer,http://www.StackOverflow.com/users/777/\n"+
			"CRM Videos,v1,VIDEO,2026-05-04,@tubeguy,Tube Guy,\n"+
			"CRM Blog Ring,b3,ARTICLE,2026-05-05,someone,Some One,https://blogs.example.org/\n"+
			"CRM Videos,v2,VIDEO,2026-05-06,@other,Other Person,https://blogs.example.org\n"+
			"CRM Videos,v3,VIDEO,2026-05-06,@bad,Bad Link,ftp://example.org/bad\n")
		require.Equal(t, 6, res.Imported)
		require.Len(t, res.Rejected, 1, "an address that is no http or https one")
		require.Contains(t, res.Rejected[0].Reason, "contributor_url")

		shared := func() []store.Suggestion {
			t.Helper()
			sugg, err := s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.5, Limit: 10})
			require.NoError(t, err)
			return sugg
		}
		personOf := func(space, handle string) int64 {
			t.Helper()
			got, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: p.crm.ID, From: may[0], To: may[1], Weights: mvpgraph.DefaultKindWeights, Limit: 100})
			require.NoError(t, err)
			people := make([]int64, len(got))
			for i, c := range got {
				people[i] = c.PersonID
			}
			ids, err := s.IdentitiesOf(ctx, people)
			require.NoError(t, err)
			var id int64
			for person, list := range ids {
				for _, i := range list {
					if i.Handle == handle && i.SpaceName == space {
						id = person
					}
				}
			}
			require.NotZero(t, id, "%s in %s", handle, space)
			return id
		}
		stack, blog := personOf("CRM on Stack Overflow", "stackoverflow:777"), personOf("CRM Blog Ring", "ivanov-writes")
		sugg := shared()
		require.Len(t, sugg, 1, "the home page names no one")
		require.Equal(t, [2]int64{min(stack, blog), max(stack, blog)}, [2]int64{sugg[0].A, sugg[0].B})
		require.Equal(t, []mvpgraph.SuggestionReason{mvpgraph.SharedProfile}, sugg[0].Reasons)
		require.InDelta(t, 0.8, sugg[0].Confidence, 1e-9)
		ids, err := s.IdentitiesOf(ctx, []int64{blog})
		require.NoError(t, err)
		require.Equal(t, "http://www.StackOverflow.com/users/777/", *ids[blog][0].ProfileURL, "the page as the item gave it, from any of the contributor's rows")

		// The video's page comes later; the blog's other page does not
		// replace the one recorded.
		res = importCSV(t, s, header+
			"CRM Videos,v4,VIDEO,2026-05-07,@tubeguy,Tube Guy,https://stackoverflow.com/users/777\n"+
			"CRM Blog Ring,b4,ARTICLE,2026-05-08,ivanov-writes,The Writer,https://github.com/ivanov\n")
		require.Equal(t, 2, res.Imported)
		video := personOf("CRM Videos", "@tubeguy")
		sugg = shared()
		require.Len(t, sugg, 3, "three people give the page: three pairs")
		for _, sg := range sugg {
			require.Equal(t, []mvpgraph.SuggestionReason{mvpgraph.SharedProfile}, sg.Reasons)
			require.InDelta(t, 0.8*2/3, sg.Confidence, 1e-9, "a page three people give")
			require.Subset(t, []int64{stack, blog, video}, []int64{sg.A, sg.B})
		}
		ids, err = s.IdentitiesOf(ctx, []int64{blog})
		require.NoError(t, err)
		require.Equal(t, "http://www.StackOverflow.com/users/777/", *ids[blog][0].ProfileURL)
	})
}
