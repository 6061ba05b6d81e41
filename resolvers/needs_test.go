package resolvers_test

import (
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph/store/storetest"
)

// TestNeedsMetAPI: questions and answers imported through the API, read
// back per space, in total, per group of activityStats, and as the list of
// those waiting.
func TestNeedsMetAPI(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.New(t, d)
			a := newAPI(t, s)
			ids := buildProgram(a)
			for _, sp := range []string{"Q&A", "Forum"} {
				a.id(fmt.Sprintf(`mutation { createCommunitySpace(input: {name: %q, kind: QNA, expertiseIds: [%q]}) { communitySpace { id } } }`, sp, ids["crm"]), "createCommunitySpace", "communitySpace", "id")
			}
			data := "space,external_id,kind,occurred_at,contributor_handle,contributor_name,in_reply_to,accepted,title,url\n" +
				"Q&A,q1,QUESTION,2026-06-01T00:00:00Z,ann,Ann,,,Sync fails,https://qa.example/q1\n" +
				"Q&A,a1,ANSWER,2026-06-01T02:00:00Z,bob,Bob,q1,true,,\n" +
				"Q&A,q2,QUESTION,2026-06-02T00:00:00Z,ann,Ann,,,Plugin error,https://qa.example/q2\n" +
				"Q&A,q3,QUESTION,2026-06-03T00:00:00Z,ann,Ann,,,Licence question,https://qa.example/q3\n" +
				"Q&A,a3,ANSWER,2026-06-03T06:00:00Z,bob,Bob,q3,,,\n" +
				"Forum,q4,QUESTION,2026-06-04T00:00:00Z,ann,Ann,,,Old one,https://forum.example/q4\n" +
				"Forum,a9,ANSWER,2026-06-04T00:00:00Z,bob,Bob,q1,,,\n"
			var imp struct {
				ImportActivities struct {
					Imported int
					Rejected []struct {
						Line   int
						Reason string
					}
				}
			}
			a.do(&imp, `mutation ($d: String!) { importActivities(input: {format: CSV, data: $d}) { imported rejected { line reason } } }`, client.Var("d", data))
			require.Equal(t, 6, imp.ImportActivities.Imported)
			require.Len(t, imp.ImportActivities.Rejected, 1)
			require.Equal(t, 8, imp.ImportActivities.Rejected[0].Line, "an answer to another space's question")

			type needs struct {
				Questions, Answered, Accepted, Unanswered int
				AnsweredShare                             *float64
				MedianFirstAnswerSeconds                  *int64
				P90FirstAnswerSeconds                     *int64
			}
			var trends struct {
				CommunityTrends struct {
					Needs  needs
					Spaces []struct {
						Space struct{ Name string }
						Needs needs
					}
				}
			}
			a.do(&trends, fmt.Sprintf(`{ communityTrends(expertiseId: %q, from: "2026-06-01T00:00:00Z", to: "2026-07-01T00:00:00Z") {
				needs { questions answered accepted unanswered answeredShare medianFirstAnswerSeconds p90FirstAnswerSeconds }
				spaces { space { name } needs { questions answered unanswered medianFirstAnswerSeconds } } } }`, ids["crm"]))
			total := trends.CommunityTrends.Needs
			require.Equal(t, 4, total.Questions)
			require.Equal(t, 2, total.Answered)
			require.Equal(t, 1, total.Accepted)
			require.Equal(t, 2, total.Unanswered, "q2 and q4 wait past 48 hours")
			require.InDelta(t, 0.5, *total.AnsweredShare, 1e-9)
			require.EqualValues(t, 7200, *total.MedianFirstAnswerSeconds, "2 h and 6 h: the median's rank is 1")
			require.EqualValues(t, 21600, *total.P90FirstAnswerSeconds)
			by := map[string]needs{}
			for _, sp := range trends.CommunityTrends.Spaces {
				by[sp.Space.Name] = sp.Needs
			}
			require.Equal(t, 3, by["Q&A"].Questions)
			require.Equal(t, 1, by["Forum"].Questions)
			require.Zero(t, by["Forum"].Answered)
			require.Nil(t, by["Forum"].MedianFirstAnswerSeconds)

			var stats struct {
				ActivityStats []struct {
					Kind  string
					Needs *needs
				}
			}
			a.do(&stats, `{ activityStats(groupBy: [KIND]) { kind needs { questions answered } } }`)
			for _, g := range stats.ActivityStats {
				if g.Kind == "QUESTION" {
					require.Equal(t, 4, g.Needs.Questions)
					require.Equal(t, 2, g.Needs.Answered)
				} else {
					require.Nil(t, g.Needs, "an answer group has no questions")
				}
			}

			var waiting struct {
				UnansweredQuestions struct {
					Edges []struct {
						Node struct {
							Title          string
							URL            string
							Space          struct{ Name string }
							WaitingSeconds int64
						}
					}
				}
			}
			a.do(&waiting, fmt.Sprintf(`{ unansweredQuestions(expertiseId: %q, first: 10) { edges { node { title url space { name } waitingSeconds } } } }`, ids["crm"]))
			require.Len(t, waiting.UnansweredQuestions.Edges, 2)
			require.Equal(t, "Plugin error", waiting.UnansweredQuestions.Edges[0].Node.Title, "oldest first")
			require.Equal(t, "Forum", waiting.UnansweredQuestions.Edges[1].Node.Space.Name)
			require.Greater(t, waiting.UnansweredQuestions.Edges[0].Node.WaitingSeconds, int64(48*3600))
			// Bob answered q1 and q3 first: 2 + 3 points each.
			var cands struct {
				AwardCandidates []struct {
					Name                     string
					Score                    float64
					FirstAnswers             int
					MedianFirstAnswerSeconds *int64
				}
			}
			a.do(&cands, fmt.Sprintf(`{ awardCandidates(expertiseId: %q, from: "2026-06-01T00:00:00Z", to: "2026-07-01T00:00:00Z") { name score firstAnswers medianFirstAnswerSeconds } }`, ids["crm"]))
			require.Equal(t, "Bob", cands.AwardCandidates[0].Name)
			require.Equal(t, 2, cands.AwardCandidates[0].FirstAnswers)
			require.InDelta(t, 2*2+2*3, cands.AwardCandidates[0].Score, 1e-9)
			require.EqualValues(t, 7200, *cands.AwardCandidates[0].MedianFirstAnswerSeconds)

			a.fail("BAD_USER_INPUT", "olderThanHours", `{ unansweredQuestions(olderThanHours: -1) { edges { cursor } } }`)
		})
	}
}
