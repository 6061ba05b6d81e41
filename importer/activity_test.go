package importer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/importer"
)

func TestReadActivities(t *testing.T) {
	csv := `space,external_id,kind,occurred_at,contributor_handle,contributor_name,score,member_handle
Forum,1,answer,2026-05-01T10:00:00Z,alice,Alice,3,
Forum,2,QUESTION,2026-05-02,bob,Bob,,
Forum,3,SHOUT,2026-05-02,bob,Bob,,
Forum,4,ANSWER,yesterday,bob,Bob,,
Forum,,ANSWER,2026-05-02,bob,Bob,,
Forum,6,ANSWER,2026-05-02,bob,Bob,lots,
"Forum,7,ANSWER
`
	rows, bad, err := importer.Activities(strings.NewReader(csv), "csv")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, mvpgraph.ActivityKind("ANSWER"), rows[0].Kind)
	require.Equal(t, 2, rows[0].Line)
	require.EqualValues(t, 3, *rows[0].Score)
	require.Equal(t, time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), rows[1].OccurredAt)
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
		require.NotEmpty(t, b.Reason)
	}
	require.Equal(t, []int{4, 5, 6, 7, 8}, lines)
	require.Contains(t, bad[0].Reason, "SHOUT")
	require.Contains(t, bad[1].Reason, "occurred_at")
	require.Contains(t, bad[2].Reason, "external_id is missing")

	_, _, err = importer.Activities(strings.NewReader("space,kind\nForum,ANSWER\n"), "csv")
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "external_id")

	jsonl := `{"space":"Forum","external_id":9,"kind":"POST","occurred_at":"2026-05-03","contributor_handle":"c","contributor_name":"C"}
[1,2]
{"space":"Forum","external_id":"10","kind":"POST","occurred_at":"2026-05-03","contributor_handle":"c"}
{not json`
	rows, bad, err = importer.Activities(strings.NewReader(jsonl), "jsonl")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "9", rows[0].ExternalID)
	require.Equal(t, []mvpgraph.RowError{{Line: 2, Reason: "not a JSON object"}, {Line: 3, Reason: "contributor_name is missing"}, {Line: 4, Reason: "not valid JSON; the rest of the file was not read"}}, bad)
	_, _, err = importer.Activities(strings.NewReader(""), "xml")
	require.Equal(t, "format", mvpgraph.ErrorField(err))
}

// TestRowsAreChecked: a row is checked by the domain's rules and reported
// with its line.
func TestRowsAreChecked(t *testing.T) {
	_, bad, err := importer.Activities(strings.NewReader("space,external_id,kind,occurred_at,contributor_handle,contributor_name,score,url\nF,1,ANSWER,2026-05-01,a,A,1e300,\nF,2,ANSWER,2026-05-01,a,A,1,javascript:alert(1)\n"), "csv")
	require.NoError(t, err)
	require.Len(t, bad, 2)
	require.Equal(t, 2, bad[0].Line)
	require.Contains(t, bad[0].Reason, "score")
	require.Equal(t, 3, bad[1].Line)
	require.Contains(t, bad[1].Reason, "url")
}

// TestContributorURL: a contributor's profile page is read, and one that
// is no http or https address rejects its row, saying which column.
func TestContributorURL(t *testing.T) {
	rows, bad, err := importer.Activities(strings.NewReader("space,external_id,kind,occurred_at,contributor_handle,contributor_name,contributor_url\n"+
		"F,1,ANSWER,2026-05-01,a,A,https://github.com/ann\nF,2,ANSWER,2026-05-01,b,B,ftp://example.org/b\nF,3,ANSWER,2026-05-01,c,C,\n"), "csv")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "https://github.com/ann", rows[0].ContributorURL)
	require.Empty(t, rows[1].ContributorURL)
	require.Len(t, bad, 1)
	require.Equal(t, 3, bad[0].Line)
	require.Contains(t, bad[0].Reason, `contributor_url "ftp://example.org/b" is not an http or https address`)
}
