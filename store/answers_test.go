package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/importer"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func importCSV(t *testing.T, s *store.Store, csv string) store.ImportResult {
	t.Helper()
	rows, bad, err := importer.Activities(strings.NewReader(csv), "csv")
	require.NoError(t, err)
	res, err := s.ImportActivities(context.Background(), rows, bad, false, store.Importer{Actor: mvpgraph.Principal{Name: "test"}})
	require.NoError(t, err)
	return res
}

const qaHeader = "space,external_id,kind,occurred_at,contributor_handle,contributor_name,in_reply_to,accepted\n"

// TestNeedsMet: questions and their answers in June 2026, the clock in
// July, checked against figures worked out by hand.
//
//	Q&A   q1 06-01 00:00  a1 02:00 (7,200 s, first)  a2 05:00 accepted
//	      q2 06-02 00:00  a3 10:00 (36,000 s)  a4 10:00, a tie, later by ID
//	      q3 06-03 00:00  no answer: waiting past 48 hours
//	      q4 06-04 00:00  a5 06-05 00:00 (86,400 s) accepted, imported before q4
//	      q5 06-30 23:00  no answer: not yet 48 hours old
//	Forum q6 06-10 00:00  a6 01:00 (3,600 s)
//
// Dynamics CRM: 6 questions, 4 answered, 2 accepted, 1 unanswered; the
// times 3,600, 7,200, 36,000, 86,400: median (rank 2) 7,200, p90 (rank 4)
// 86,400. The Q&A: 5, 3, 2, 1; 7,200, 36,000, 86,400: median 36,000, p90
// 86,400.
func TestNeedsMet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		s = s.WithClock(func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) })
		for _, sp := range []mvpgraph.CommunitySpace{{Name: "Q&A", Kind: "QNA"}, {Name: "Forum", Kind: "FORUM"}} {
			require.NoError(t, s.CreateSpace(ctx, &sp, []int64{p.crm.ID}))
		}
		other := mvpgraph.CommunitySpace{Name: "Excel Q&A", Kind: "QNA"}
		require.NoError(t, s.CreateSpace(ctx, &other, []int64{p.excel.ID}))

		// The answer first, its question later.
		res := importCSV(t, s, qaHeader+"Q&A,a5,ANSWER,2026-06-05T00:00:00Z,eve,Eve,q4,true\n")
		require.Equal(t, 1, res.Imported, "an answer whose question is not there yet is kept")
		res = importCSV(t, s, qaHeader+
			"Q&A,q1,QUESTION,2026-06-01T00:00:00Z,ann,Ann,,\n"+
			"Q&A,a1,ANSWER,2026-06-01T02:00:00Z,bob,Bob,q1,\n"+
			"Q&A,a2,ANSWER,2026-06-01T05:00:00Z,cid,Cid,q1,true\n"+
			"Q&A,q2,QUESTION,2026-06-02T00:00:00Z,ann,Ann,,\n"+
			"Q&A,a3,ANSWER,2026-06-02T10:00:00Z,bob,Bob,q2,false\n"+
			"Q&A,a4,ANSWER,2026-06-02T10:00:00Z,cid,Cid,q2,\n"+
			"Q&A,q3,QUESTION,2026-06-03T00:00:00Z,dee,Dee,,\n"+
			"Q&A,q4,QUESTION,2026-06-04T00:00:00Z,dee,Dee,,\n"+
			"Q&A,q5,QUESTION,2026-06-30T23:00:00Z,dee,Dee,,\n"+
			"Forum,q6,QUESTION,2026-06-10T00:00:00Z,ann,Ann,,\n"+
			"Forum,a6,ANSWER,2026-06-10T01:00:00Z,bob,Bob,q6,\n"+
			// Refused, each with its line: a reply to another space's
			// question, an accepted question, a question replying.
			"Forum,a7,ANSWER,2026-06-11T00:00:00Z,bob,Bob,q1,\n"+
			"Q&A,q7,QUESTION,2026-06-11T00:00:00Z,bob,Bob,,true\n"+
			"Q&A,q8,QUESTION,2026-06-11T00:00:00Z,bob,Bob,q1,\n"+
			// Kept: its question is in no space yet.
			"Excel Q&A,x1,ANSWER,2026-06-12T00:00:00Z,bob,Bob,xq,\n")
		require.Equal(t, 12, res.Imported)
		require.Len(t, res.Rejected, 3)
		require.Equal(t, 13, res.Rejected[0].Line)
		require.Contains(t, res.Rejected[0].Reason, `in_reply_to "q1" is a question of space "Q&A", not of "Forum"`)
		require.Equal(t, 14, res.Rejected[1].Line)
		require.Contains(t, res.Rejected[1].Reason, "a question cannot be accepted")
		require.Equal(t, 15, res.Rejected[2].Line)
		require.Contains(t, res.Rejected[2].Reason, "a question replies to nothing")

		june := [2]time.Time{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
		needs := func(q store.NeedsQuery) []store.NeedsGroup {
			q.From, q.To, q.UnansweredAfter = &june[0], &june[1], 48*time.Hour
			got, err := s.Needs(ctx, q)
			require.NoError(t, err)
			return got
		}
		f := func(v float64) *float64 { return &v }
		total := needs(store.NeedsQuery{ExpertiseID: &p.crm.ID})
		require.Equal(t, []store.NeedsGroup{{NeedsMet: mvpgraph.NeedsMet{Questions: 6, Answered: 4, Accepted: 2, Unanswered: 1, Median: f(7200), P90: f(86400)}}}, total)

		bySpace := needs(store.NeedsQuery{ExpertiseID: &p.crm.ID, GroupBy: []string{"SPACE"}})
		require.Len(t, bySpace, 2)
		qa, forum := bySpace[0], bySpace[1]
		require.Equal(t, mvpgraph.NeedsMet{Questions: 5, Answered: 3, Accepted: 2, Unanswered: 1, Median: f(36000), P90: f(86400)}, qa.NeedsMet)
		require.Equal(t, mvpgraph.NeedsMet{Questions: 1, Answered: 1, Median: f(3600), P90: f(3600)}, forum.NeedsMet)
		require.InDelta(t, 0.6, *qa.AnsweredShare(), 1e-9)

		byMonth := needs(store.NeedsQuery{GroupBy: []string{"EXPERTISE", "MONTH"}})
		require.Len(t, byMonth, 1, "Excel's space has an answer, not a question")
		require.Equal(t, "2026-06", *byMonth[0].Month)
		require.Equal(t, p.crm.ID, *byMonth[0].ExpertiseID)
		require.Equal(t, 6, byMonth[0].Questions)

		// Its question arrives: the waiting answer is linked.
		importCSV(t, s, qaHeader+"Excel Q&A,xq,QUESTION,2026-06-11T12:00:00Z,ann,Ann,,\n")
		excel := needs(store.NeedsQuery{ExpertiseID: &p.excel.ID})
		require.Equal(t, []store.NeedsGroup{{NeedsMet: mvpgraph.NeedsMet{Questions: 1, Answered: 1, Median: f(43200), P90: f(43200)}}}, excel)

		waiting, err := s.UnansweredQuestions(ctx, store.UnansweredQuery{ExpertiseID: &p.crm.ID, OlderThan: 48 * time.Hour, Page: store.PageArgs{First: ptr(10)}})
		require.NoError(t, err)
		require.Len(t, waiting.Items, 1)
		require.Equal(t, "q3", waiting.Items[0].ExternalID)
		younger, err := s.UnansweredQuestions(ctx, store.UnansweredQuery{ExpertiseID: &p.crm.ID, Page: store.PageArgs{First: ptr(10)}})
		require.NoError(t, err)
		require.Equal(t, []string{"q3", "q5"}, []string{younger.Items[0].ExternalID, younger.Items[1].ExternalID}, "oldest first")

		// First responders: Bob of the Q&A answered q1 and q2 first, after
		// 2 h and 10 h; each first answer adds 3 points to his 2 an answer.
		// (The forum's Bob is someone else to the rules: two spaces without
		// a site, one single-word name.)
		cands, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: p.crm.ID, From: june[0], To: june[1], Weights: mvpgraph.DefaultKindWeights, FirstAnswerWeight: 3, Limit: 10})
		require.NoError(t, err)
		by := map[string]store.Candidate{}
		for _, c := range cands {
			by[c.Name] = c
		}
		bob := cands[0]
		require.Equal(t, "Bob", bob.Name)
		require.InDelta(t, 2*2+2*3, bob.Score, 1e-9)
		require.Equal(t, 2, bob.FirstAnswers)
		require.InDelta(t, 7200, *bob.FirstAnswerMedian, 1e-9, "the nearest-rank median of 2 h and 10 h")
		require.Zero(t, by["Cid"].FirstAnswers, "an accepted answer that came second is no first answer")
		require.InDelta(t, 2*2, by["Cid"].Score, 1e-9)
		require.Equal(t, 1, by["Eve"].FirstAnswers)
		require.InDelta(t, 86400, *by["Eve"].FirstAnswerMedian, 1e-9)

		_, err = s.Needs(ctx, store.NeedsQuery{GroupBy: []string{"KIND"}})
		requireCode(t, err, mvpgraph.EINVALID, "groupBy")
	})
}
