package feed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/feed"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// reply is what the fake blog answers.
type reply struct {
	status      int
	file        string // under testdata/
	contentType string
	headers     map[string]string
	delay       time.Duration
}

type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) all() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// blog starts a fake blog; answer picks the reply by path.
func blog(t *testing.T, answer func(path string) reply) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		rep := answer(r.URL.Path)
		if rep.delay > 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(rep.delay):
			}
			return
		}
		for k, v := range rep.headers {
			w.Header().Set(k, v)
		}
		if rep.contentType != "" {
			w.Header().Set("Content-Type", rep.contentType)
		}
		w.WriteHeader(rep.status)
		if rep.file != "" {
			body, err := os.ReadFile(filepath.Join("testdata", rep.file))
			if err != nil {
				t.Errorf("read testdata: %v", err)
			}
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

// newClient uses the test's own HTTP client: the default one refuses
// loopback addresses, which is where httptest listens.
func newClient(t *testing.T) *feed.Client {
	t.Helper()
	cl, err := feed.New(integrations.Config{
		HTTPClient: &http.Client{Timeout: 200 * time.Millisecond},
		BaseURL:    "https://ignored.example.com", // feeds are their own URLs
		Now:        func() time.Time { return now },
	})
	require.NoError(t, err)
	return cl
}

func ptr[T any](v T) *T { return &v }

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	rss := map[string]string{"Content-Type": "application/rss+xml; charset=utf-8"}
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, _ string, timeout time.Duration) mvpgraph.ReachSource {
			// The test's own HTTP client: the default one refuses loopback
			// addresses, which is where the test server listens.
			cl, err := feed.New(integrations.Config{HTTPClient: &http.Client{Timeout: timeout}, Now: func() time.Time { return now }})
			require.NoError(t, err)
			return cl
		},
		ContentType: "application/rss+xml",
		// A feed is its own URL.
		Handle: func(baseURL, name string) string { return baseURL + name },
		Known:  []string{"/feed.xml", "/atom.xml"},
		Reach: []mvpgraph.Reach{
			{Posts: ptr[int64](3), LastPostAt: ptr(time.Date(2025, 5, 28, 9, 30, 0, 0, time.UTC))},
			{Posts: ptr[int64](2), LastPostAt: ptr(time.Date(2025, 5, 30, 10, 0, 0, 0, time.UTC))},
		},
		Missing: "/old.xml",
		Found: func(r *http.Request) conformance.Answer {
			switch r.URL.Path {
			case "/feed.xml":
				return conformance.Answer{Status: http.StatusOK, File: "rss.xml", Headers: rss}
			case "/atom.xml":
				return conformance.Answer{Status: http.StatusOK, File: "atom.xml", Headers: map[string]string{"Content-Type": "application/atom+xml"}}
			}
			return conformance.Answer{Status: http.StatusNotFound, File: "not_a_feed.html", Headers: map[string]string{"Content-Type": "text/html"}}
		},
		RateLimited:            conformance.Limit{Answer: conformance.Answer{Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "120"}}, Reset: now.Add(2 * time.Minute)},
		ServerError:            conformance.Answer{Status: http.StatusServiceUnavailable, File: "not_a_feed.html", Headers: map[string]string{"Content-Type": "text/html"}},
		Malformed:              conformance.Answer{Status: http.StatusOK, File: "truncated.xml", Headers: rss},
		MalformedIsTheAccounts: true,
		Without: map[string]string{
			"suspended":           "a blog has no suspended state: its feed is served, or gone",
			"quota spent":         "a blog announces no allowance; it answers 429 when it wants fewer calls",
			"refused credentials": "feeds are public: mvpgraph sends no credential",
		},
	})
}

func TestFetch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply reply
		want  mvpgraph.Lookup // Handle filled in by the test
	}{
		{
			name:  "RSS 2.0",
			reply: reply{status: 200, file: "rss.xml", contentType: "application/rss+xml; charset=utf-8"},
			// In the window: 28 May, 15 Apr, 10 Mar; not the January 2026
			// post ahead, nor February and December, nor the undated item.
			want: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
				Posts: ptr[int64](3), LastPostAt: ptr(time.Date(2025, 5, 28, 9, 30, 0, 0, time.UTC)),
			}},
		},
		{
			name:  "Atom",
			reply: reply{status: 200, file: "atom.xml", contentType: "application/atom+xml"},
			// Published dates win over updated ones: the January post
			// edited in May stays out.
			want: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
				Posts: ptr[int64](2), LastPostAt: ptr(time.Date(2025, 5, 30, 10, 0, 0, 0, time.UTC)),
			}},
		},
		{
			name:  "feed without items",
			reply: reply{status: 200, file: "empty.xml", contentType: "text/xml"},
			want:  mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Posts: ptr[int64](0)}},
		},
		{
			name:  "gone (404)",
			reply: reply{status: 404, file: "not_a_feed.html", contentType: "text/html"},
			want:  mvpgraph.Lookup{Status: mvpgraph.AccountNotFound},
		},
		{
			name:  "gone (410)",
			reply: reply{status: 410},
			want:  mvpgraph.Lookup{Status: mvpgraph.AccountNotFound},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, s := blog(t, func(string) reply { return tt.reply })
			handle := srv.URL + "/feed.xml"

			got, quota, err := newClient(t).Fetch(context.Background(), []string{handle})
			require.NoError(t, err)
			require.Nil(t, quota)
			tt.want.Handle = handle
			require.Equal(t, []mvpgraph.Lookup{tt.want}, got)

			reqs := s.all()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodGet, reqs[0].Method)
			require.Equal(t, "/feed.xml", reqs[0].URL.Path)
			require.Empty(t, reqs[0].Header.Get("Authorization"))
			require.NotEmpty(t, reqs[0].Header.Get("User-Agent"))
		})
	}
}

func TestFetchFeedFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply reply
		want  string // in Lookup.Err
	}{
		{"HTML page instead of the feed", reply{status: 200, file: "not_a_feed.html", contentType: "text/html"}, "does not serve an RSS or Atom feed"},
		{"forbidden", reply{status: 403}, "HTTP 403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := blog(t, func(string) reply { return tt.reply })

			got, _, err := newClient(t).Fetch(context.Background(), []string{srv.URL + "/feed.xml"})
			require.NoError(t, err, "a bad feed is that account's failure")
			require.Len(t, got, 1)
			require.ErrorContains(t, got[0].Err, tt.want)
			require.Empty(t, got[0].Status)
		})
	}
}

func TestFetchCallFailures(t *testing.T) {
	t.Parallel()
	limitedUntil := func(reset time.Time) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			at, ok := mvpgraph.RateLimitReset(err)
			require.True(t, ok, "want a RateLimitError, got %v", err)
			require.Equal(t, reset, at)
		}
	}
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"429 with Retry-After as a date", reply{status: 429, headers: map[string]string{"Retry-After": "Sun, 01 Jun 2025 13:00:00 GMT"}}, limitedUntil(now.Add(time.Hour))},
		{"429 without Retry-After", reply{status: 429}, limitedUntil(now.Add(time.Minute))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := blog(t, func(string) reply { return tt.reply })

			got, _, err := newClient(t).Fetch(context.Background(), []string{srv.URL + "/feed.xml"})
			require.Error(t, err)
			require.Nil(t, got)
			tt.check(t, err)
		})
	}
}

func TestFetchSeveralKeepsOrder(t *testing.T) {
	t.Parallel()
	srv, _ := blog(t, func(path string) reply {
		switch path {
		case "/atom.xml":
			return reply{status: 200, file: "atom.xml"}
		case "/feed.xml":
			return reply{status: 200, file: "rss.xml"}
		}
		return reply{status: 404}
	})

	handles := []string{srv.URL + "/atom.xml", "not a url", srv.URL + "/old.xml", srv.URL + "/feed.xml"}
	got, _, err := newClient(t).Fetch(context.Background(), handles)
	require.NoError(t, err)
	require.Len(t, got, 4)
	for i, h := range handles {
		require.Equal(t, h, got[i].Handle)
	}
	require.Equal(t, int64(2), *got[0].Reach.Posts)
	require.ErrorContains(t, got[1].Err, "not a feed URL")
	require.Equal(t, mvpgraph.AccountNotFound, got[2].Status)
	require.Equal(t, int64(3), *got[3].Reach.Posts)
}

func TestFetchRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv, s := blog(t, func(string) reply { return reply{status: 200, file: "rss.xml"} })
	cl, err := feed.New(integrations.Config{Timeout: time.Second}) // no token needed
	require.NoError(t, err)

	got, _, err := cl.Fetch(context.Background(), []string{srv.URL + "/feed.xml"})
	require.NoError(t, err)
	require.ErrorContains(t, got[0].Err, "private address")
	require.Empty(t, s.all(), "nothing reaches the loopback server")
}

// TestActivitiesThreading: an Atom entry that replies to another names it
// with thr:in-reply-to (RFC 4685), which the row carries as in_reply_to.
func TestActivitiesThreading(t *testing.T) {
	t.Parallel()
	srv, _ := blog(t, func(string) reply { return reply{status: 200, file: "thread.xml", contentType: "application/atom+xml"} })
	rows, err := newClient(t).Activities(context.Background(), "CRM forum", srv.URL+"/atom.xml", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, "tag:forum.example.org,2025:t42", rows[0].ExternalID)
	require.Empty(t, rows[0].InReplyTo, "the topic replies to nothing")
	require.Equal(t, "tag:forum.example.org,2025:t42", rows[1].InReplyTo)
	require.Equal(t, "tag:forum.example.org,2025:t42p2", rows[2].InReplyTo)
	require.Equal(t, "https://stackoverflow.com/users/4711/ann-co", rows[0].ContributorURL, "the author's <uri>")
	require.Empty(t, rows[1].ContributorURL, "a mailto: address is no profile page")
	require.Empty(t, rows[2].ContributorURL, "an author without <uri>")
	for _, r := range rows {
		require.NoError(t, r.Check())
	}
}

func TestActivitiesJSONFeedAuthors(t *testing.T) {
	t.Parallel()
	srv, _ := blog(t, func(string) reply {
		return reply{status: 200, file: "authors.json", contentType: "application/feed+json"}
	})
	rows, err := newClient(t).Activities(context.Background(), "CRM blog", srv.URL+"/feed.json", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "Gina Green", rows[0].ContributorName)
	require.Equal(t, "https://github.com/GinaGreen", rows[0].ContributorURL, "the item's author's url")
	require.Equal(t, "https://blogs.example.org/crm/about", rows[1].ContributorURL, "the feed's author's, for an item with none")
}
