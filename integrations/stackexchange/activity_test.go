package stackexchange_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestActivities reads a tag's questions and their answers as the API
// sends them (gzipped wrappers, HTML-escaped text, deleted owners).
func TestActivities(t *testing.T) {
	srv, seen := api(t, func(site, path string) reply {
		if strings.HasSuffix(path, "/answers") {
			return reply{status: 200, file: "answers_to_questions.json"}
		}
		return reply{status: 200, file: "questions_tagged.json"}
	})
	cl := newClient(t, srv, key)
	since := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	rows, err := cl.Activities(context.Background(), "Stack Overflow: Dynamics CRM", "stackoverflow:dynamics-crm", since)
	require.NoError(t, err)
	require.Len(t, rows, 3)
	q := rows[0]
	require.Equal(t, "QUESTION", string(q.Kind))
	require.Equal(t, "q79000001", q.ExternalID)
	require.Equal(t, `Plugin fails on update "step"`, q.Title)
	require.Equal(t, "Ann & Co", q.ContributorName)
	require.Equal(t, "stackoverflow:4711", q.ContributorHandle)
	require.Equal(t, time.Unix(1748773800, 0).UTC(), q.OccurredAt)
	require.EqualValues(t, 7, *q.Score)
	a := rows[1]
	require.Equal(t, "ANSWER", string(a.Kind))
	require.EqualValues(t, 22, *a.Score, "12 votes and accepted")
	require.Equal(t, "https://stackoverflow.com/a/79000002", a.URL)
	require.Equal(t, "stackoverflow:deleted", rows[2].ContributorHandle)
	require.Equal(t, "https://stackoverflow.com/users/4711/ann-co", q.ContributorURL, "the owner's page")
	require.Empty(t, rows[2].ContributorURL, "a deleted user has no page")

	reqs := seen.all()
	require.Len(t, reqs, 2)
	require.Equal(t, "/2.3/questions", reqs[0].URL.Path)
	require.Equal(t, "dynamics-crm", reqs[0].URL.Query().Get("tagged"))
	require.Equal(t, "1748736001", reqs[0].URL.Query().Get("fromdate"), "only what is newer than the last read")
	require.Equal(t, "stackoverflow", reqs[0].URL.Query().Get("site"))
	require.Equal(t, "/2.3/questions/79000001/answers", reqs[1].URL.Path)

	_, err = cl.Activities(context.Background(), "X", "no-tag", since)
	require.Error(t, err)
}
