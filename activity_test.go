package mvpgraph_test

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"mvpgraph"
)

func TestConcentrate(t *testing.T) {
	for _, tc := range []struct {
		counts []int
		want   mvpgraph.Concentration
	}{
		// 50+30+10+5+5: half in the first, 80 % in two; HHI 2500+900+100+25+25.
		{[]int{5, 30, 50, 5, 10}, mvpgraph.Concentration{SpacesFor50: 1, SpacesFor80: 2, Top5Share: 1, HHI: 3550}},
		// Four equal spaces: 2 for half, 4 for 80 % (3 hold only 75 %).
		{[]int{10, 10, 10, 10}, mvpgraph.Concentration{SpacesFor50: 2, SpacesFor80: 4, Top5Share: 1, HHI: 2500}},
		// Ten spaces of 10: the top five hold half.
		{[]int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, mvpgraph.Concentration{SpacesFor50: 5, SpacesFor80: 8, Top5Share: 0.5, HHI: 1000}},
		{nil, mvpgraph.Concentration{}},
		{[]int{0, 0}, mvpgraph.Concentration{}},
	} {
		got := mvpgraph.Concentrate(tc.counts)
		require.Equal(t, tc.want.SpacesFor50, got.SpacesFor50, "%v", tc.counts)
		require.Equal(t, tc.want.SpacesFor80, got.SpacesFor80, "%v", tc.counts)
		require.InDelta(t, tc.want.Top5Share, got.Top5Share, 1e-9, "%v", tc.counts)
		require.InDelta(t, tc.want.HHI, got.HHI, 1e-6, "%v", tc.counts)
	}
}

func TestRankSpaces(t *testing.T) {
	ranked, c := mvpgraph.RankSpaces([]mvpgraph.SpaceCount{
		{Name: "b", Count: 20, Previous: 10},
		{Name: "a", Count: 60, Previous: 80},
		{Name: "c", Count: 20, Previous: 0},
	})
	var names []string
	for _, r := range ranked {
		names = append(names, r.Name)
	}
	require.Equal(t, []string{"a", "b", "c"}, names, "by count, ties by name")
	require.InDelta(t, 0.6, ranked[0].Share, 1e-9)
	require.InDelta(t, 0.8, ranked[1].CumulativeShare, 1e-9)
	require.InDelta(t, 1.0, ranked[2].CumulativeShare, 1e-9)
	require.InDelta(t, -0.25, *ranked[0].Growth, 1e-9)
	require.InDelta(t, 1.0, *ranked[1].Growth, 1e-9)
	require.Nil(t, ranked[2].Growth, "no activity before: no growth figure")
	require.Equal(t, 1, c.SpacesFor50)
	require.Equal(t, 2, c.SpacesFor80)
	require.InDelta(t, 3600+400+400, c.HHI, 1e-6)
}

func TestBucketDays(t *testing.T) {
	from := time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC) // a Wednesday
	to := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	days := map[string]int{"2026-06-03": 2, "2026-06-07": 1, "2026-06-08": 4, "2026-07-01": 3}
	weeks := mvpgraph.BucketDays(days, from, to, false)
	require.Equal(t, mvpgraph.Bucket{Start: "2026-06-01", Count: 3}, weeks[0], "the week from Monday 1 June")
	require.Equal(t, mvpgraph.Bucket{Start: "2026-06-08", Count: 4}, weeks[1])
	require.Equal(t, mvpgraph.Bucket{Start: "2026-06-15", Count: 0}, weeks[2], "empty weeks are there")
	require.Equal(t, mvpgraph.Bucket{Start: "2026-06-29", Count: 3}, weeks[len(weeks)-1])
	months := mvpgraph.BucketDays(days, from, to, true)
	require.Equal(t, []mvpgraph.Bucket{{Start: "2026-06-01", Count: 7}, {Start: "2026-07-01", Count: 3}}, months)
}

func TestKindWeights(t *testing.T) {
	w, err := mvpgraph.ParseKindWeights("answer=3, TALK=8")
	require.NoError(t, err)
	require.Equal(t, 3.0, w["ANSWER"])
	require.Equal(t, 8.0, w["TALK"])
	require.Equal(t, mvpgraph.DefaultKindWeights["ARTICLE"], w["ARTICLE"])
	for _, bad := range []string{"SHOUT=1", "ANSWER", "ANSWER=-2"} {
		_, err := mvpgraph.ParseKindWeights(bad)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), bad)
	}
	ten, neg := 10.0, -5.0
	require.Equal(t, 2.0, mvpgraph.ItemPoints(mvpgraph.DefaultKindWeights, "ANSWER", nil))
	require.Equal(t, 4.0, mvpgraph.ItemPoints(mvpgraph.DefaultKindWeights, "ANSWER", &ten))
	require.Equal(t, 2.0, mvpgraph.ItemPoints(mvpgraph.DefaultKindWeights, "ANSWER", &neg), "a negative score does not lower the weight")
}

// TestActivityRowCheck: a row's text is UTF-8 within its length in
// characters, its URL http or https, its score a bounded number.
func TestActivityRowCheck(t *testing.T) {
	ok := func() mvpgraph.ActivityRow {
		return mvpgraph.ActivityRow{Space: "Forum", ExternalID: "1", Kind: "ANSWER", ContributorHandle: strings.Repeat("ü", 200), ContributorName: "Ü", URL: "https://forum.example/a?b=c"}
	}
	r := ok()
	require.NoError(t, r.Check(), "200 characters of two bytes each")
	for _, tc := range []struct {
		name   string
		change func(r *mvpgraph.ActivityRow)
		want   string
	}{
		{"javascript", func(r *mvpgraph.ActivityRow) { r.URL = "javascript:alert(1)" }, "url"},
		{"data", func(r *mvpgraph.ActivityRow) { r.URL = "data:text/html,x" }, "url"},
		{"relative", func(r *mvpgraph.ActivityRow) { r.URL = "/a/b" }, "url"},
		{"huge score", func(r *mvpgraph.ActivityRow) { v := 1.7e308; r.Score = &v }, "score"},
		{"NaN", func(r *mvpgraph.ActivityRow) { v := math.NaN(); r.Score = &v }, "score"},
		{"latin-1", func(r *mvpgraph.ActivityRow) { r.Title = "caf\xe9" }, "title is not valid UTF-8"},
		{"too long", func(r *mvpgraph.ActivityRow) { r.ContributorHandle = strings.Repeat("ü", 201) }, "contributor_handle is 201 characters"},
	} {
		r := ok()
		tc.change(&r)
		err := r.Check()
		require.Error(t, err, tc.name)
		require.Contains(t, err.Error(), tc.want, tc.name)
	}
}

// TestCutText cuts on character boundaries.
func TestCutText(t *testing.T) {
	require.Equal(t, "Grü", mvpgraph.CutText("Grüße", 3))
	require.Equal(t, "Grüße", mvpgraph.CutText("Grüße", 5))
	require.Equal(t, "ab\uFFFD", mvpgraph.CutText("ab\xffcd", 3))
	for n := range 6 {
		require.True(t, utf8.ValidString(mvpgraph.CutText("Grüße", n)))
	}
}
