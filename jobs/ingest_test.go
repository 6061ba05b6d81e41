package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/feed"
	"mvpgraph/jobs"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

const rssItem = `<item><title>%s</title><link>https://forum.example.com/t/%d</link><guid>forum-%d</guid><author>%s@forum.example.com (%s)</author><pubDate>%s</pubDate></item>`

// TestFeedIngestion reads a space's RSS feed on a schedule: the first round
// imports what is there, a later one only what is new.
func TestFeedIngestion(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			var items atomic.Int32
			items.Store(2)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var b strings.Builder
				for i := 1; i <= int(items.Load()); i++ {
					at := time.Date(2026, 5, i, 12, 0, 0, 0, time.UTC).Format(time.RFC1123Z)
					fmt.Fprintf(&b, rssItem, fmt.Sprint("Topic ", i), i, i, fmt.Sprint("user", i), fmt.Sprint("User ", i), at)
				}
				w.Header().Set("Content-Type", "application/rss+xml")
				fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title><link>https://forum.example.com</link><description>d</description>%s</channel></rss>`, b.String())
			}))
			defer srv.Close()

			w := newWorld(t, d, nil)
			reader, err := feed.New(integrations.Config{HTTPClient: srv.Client()})
			require.NoError(t, err)
			url := srv.URL + "/latest.rss"
			sp := mvpgraph.CommunitySpace{Name: "Forum", Kind: "FORUM", FeedURL: &url}
			require.NoError(t, w.store.CreateSpace(ctx, &sp, nil))
			r := w.runner(t, jobs.Config{Work: true, Round: time.Hour, Feeds: reader, FeedInterval: time.Millisecond})
			require.NoError(t, r.Start(ctx))
			defer r.Stop(ctx)

			count := func() int {
				g, err := w.store.ActivityStats(ctx, store.ActivityStatsQuery{SpaceID: &sp.ID})
				require.NoError(t, err)
				return g[0].Count
			}
			// A job is done when the space records how far it read, after
			// its activity is stored; until then the space's row may be
			// held, and a round skips it.
			readUntil := func(day int) bool {
				spaces, err := w.store.SpacesByIDs(ctx, []int64{sp.ID})
				require.NoError(t, err)
				u := spaces[0].IngestedUntil
				return u != nil && u.Equal(time.Date(2026, 5, day, 12, 0, 0, 0, time.UTC))
			}
			n, err := r.IngestRound(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Eventually(t, func() bool { return readUntil(2) }, 20*time.Second, 50*time.Millisecond)
			require.Equal(t, 2, count())

			items.Store(3)
			time.Sleep(5 * time.Millisecond)
			n, err = r.IngestRound(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Eventually(t, func() bool { return readUntil(3) }, 20*time.Second, 50*time.Millisecond, "read up to the newest item")
			require.Equal(t, 3, count())
		})
	}
}

// tagSource stands in for the Stack Exchange client, whose wire format is
// tested in integrations/stackexchange.
type tagSource struct{ asked []string }

func (t *tagSource) Activities(_ context.Context, space, source string, since time.Time) ([]mvpgraph.ActivityRow, error) {
	t.asked = append(t.asked, source)
	score := 3.0
	return []mvpgraph.ActivityRow{{Space: space, ExternalID: "q1", Kind: "QUESTION", OccurredAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		ContributorHandle: "stackoverflow:1", ContributorName: "One", Score: &score}}, nil
}

func TestTagIngestion(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, store.SQLite, nil)
	tag := "StackOverflow:dynamics-crm"
	sp := mvpgraph.CommunitySpace{Name: "SO CRM", Kind: "QNA", StackExchangeTag: &tag}
	require.NoError(t, w.store.CreateSpace(ctx, &sp, nil))
	bad := "no tag"
	err := w.store.CreateSpace(ctx, &mvpgraph.CommunitySpace{Name: "X", Kind: "QNA", StackExchangeTag: &bad}, nil)
	require.Equal(t, "stackExchangeTag", mvpgraph.ErrorField(err))
	src := &tagSource{}
	r := w.runner(t, jobs.Config{Work: true, Round: time.Hour, Tags: src})
	require.NoError(t, r.Start(ctx))
	defer r.Stop(ctx)
	n, err := r.IngestRound(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Eventually(t, func() bool {
		g, err := w.store.ActivityStats(ctx, store.ActivityStatsQuery{SpaceID: &sp.ID})
		return err == nil && g[0].Count == 1
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, []string{"stackoverflow:dynamics-crm"}, src.asked)
}
