package stackexchange_test

import (
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/platformtest"
	"mvpgraph/integrations/stackexchange"
)

const key = "U4DMV*8nvpm3EOpvf69Rxw(("

var (
	now      = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	midnight = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
)

// reply is what the fake API answers.
type reply struct {
	status int
	file   string // under testdata/
	plain  bool   // not gzipped, as a proxy's error page
	delay  time.Duration
}

type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	at   []time.Time
}

func (s *seen) all() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func (s *seen) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// api starts a fake Stack Exchange API; answer picks the reply by site and
// the ids in the path ("22656;157882"). Like the real API, it gzips its
// answers.
func api(t *testing.T, answer func(site, ids string) reply) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.at = append(s.at, time.Now())
		s.mu.Unlock()
		rep := answer(r.URL.Query().Get("site"), strings.TrimPrefix(r.URL.Path, "/2.3/users/"))
		if rep.delay > 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(rep.delay):
			}
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", rep.file))
		if err != nil {
			t.Errorf("read testdata: %v", err)
		}
		if rep.plain {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(rep.status)
			_, _ = w.Write(body)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(rep.status)
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func newClient(t *testing.T, srv *httptest.Server, token string) *stackexchange.Client {
	t.Helper()
	cl, err := stackexchange.New(integrations.Config{
		BaseURL: srv.URL,
		Token:   token,
		Timeout: 200 * time.Millisecond,
		Now:     func() time.Time { return now },
	})
	require.NoError(t, err)
	return cl
}

func ptr[T any](v T) *T { return &v }

type answer = platformtest.Answer

var (
	skeet  = mvpgraph.Reach{Followers: ptr[int64](1505042)}
	balusC = mvpgraph.Reach{Followers: ptr[int64](1164937)}
	atwood = mvpgraph.Reach{Followers: ptr[int64](27180)}
)

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	gz := func(status int, file string) answer { return answer{Status: status, File: file, Gzip: true} }
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			cl, err := stackexchange.New(integrations.Config{BaseURL: baseURL, Token: key, Timeout: timeout, Now: func() time.Time { return now }})
			require.NoError(t, err)
			return cl
		},
		ContentType: "application/json; charset=utf-8",
		Secret:      key,
		Known:       []string{"stackoverflow:22656", "stackoverflow:157882"},
		Reach:       []mvpgraph.Reach{skeet, balusC},
		// The users route leaves out the IDs it does not have.
		Missing:     "stackoverflow:99999999",
		Found:       func(*http.Request) answer { return gz(http.StatusOK, "users.json") },
		RateLimited: conformance.Limit{Answer: gz(http.StatusBadRequest, "error_backoff_violation.json"), Reset: now.Add(time.Minute)},
		// The key's daily quota, spent, is refused until the reset the
		// error gives.
		QuotaSpent:  &conformance.Limit{Answer: gz(http.StatusBadRequest, "error_throttle.json"), Reset: now.Add(82227 * time.Second)},
		ServerError: gz(http.StatusServiceUnavailable, "error_unavailable.json"),
		Malformed:   gz(http.StatusOK, "malformed.json"),
		Refused:     &answer{Status: http.StatusBadRequest, File: "error_bad_key.json", Gzip: true},
		Without: map[string]string{
			"suspended": "the users route has no suspended state: a user it answers is read as active, one it leaves out as not found",
		},
	})
}

func TestFetch(t *testing.T) {
	t.Parallel()
	srv, s := api(t, func(string, string) reply { return reply{status: 200, file: "users.json"} })
	cl := newClient(t, srv, key)

	got, quota, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656", "stackoverflow:99999999", "stackoverflow:157882"})
	require.NoError(t, err)
	require.Equal(t, []mvpgraph.Lookup{
		{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet},
		{Handle: "stackoverflow:99999999", Status: mvpgraph.AccountNotFound},
		{Handle: "stackoverflow:157882", Status: mvpgraph.AccountActive, Reach: balusC},
	}, got)
	require.Equal(t, &mvpgraph.Quota{Limit: 10000, Remaining: 9876, Reset: midnight}, quota)

	reqs := s.all()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, "/2.3/users/22656;99999999;157882", r.URL.Path)
	q := r.URL.Query()
	require.Equal(t, "stackoverflow", q.Get("site"))
	require.Equal(t, "default", q.Get("filter"))
	require.Equal(t, key, q.Get("key"))
	require.Equal(t, "100", q.Get("pagesize"))
	require.Equal(t, "gzip", r.Header.Get("Accept-Encoding"))
}

func TestFetchGroupsBySite(t *testing.T) {
	t.Parallel()
	srv, s := api(t, func(site, _ string) reply {
		if site == "superuser" {
			return reply{status: 200, file: "users_superuser.json"}
		}
		return reply{status: 200, file: "users.json"}
	})
	cl := newClient(t, srv, key)

	got, quota, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656", "superuser:1", "stackoverflow:157882", "stackoverflow:22656"})
	require.NoError(t, err)
	require.Equal(t, []mvpgraph.Lookup{
		{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet},
		{Handle: "superuser:1", Status: mvpgraph.AccountActive, Reach: atwood},
		{Handle: "stackoverflow:157882", Status: mvpgraph.AccountActive, Reach: balusC},
		{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet},
	}, got)
	require.Equal(t, 9875, quota.Remaining, "the last call's quota")

	reqs := s.all()
	require.Len(t, reqs, 2)
	require.Equal(t, "/2.3/users/22656;157882", reqs[0].URL.Path, "a repeated handle is asked once")
	require.Equal(t, "stackoverflow", reqs[0].URL.Query().Get("site"))
	require.Equal(t, "/2.3/users/1", reqs[1].URL.Path)
	require.Equal(t, "superuser", reqs[1].URL.Query().Get("site"))
}

func TestFetchAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		want  mvpgraph.Lookup
		quota *mvpgraph.Quota
	}{
		{
			name:  "quota used up on a successful answer",
			file:  "users_quota_spent.json",
			want:  mvpgraph.Lookup{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet},
			quota: &mvpgraph.Quota{Limit: 10000, Remaining: 0, Reset: midnight},
		},
		{
			name:  "backoff: the reset is when the API allows the next call",
			file:  "users_backoff_long.json",
			want:  mvpgraph.Lookup{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet},
			quota: &mvpgraph.Quota{Limit: 10000, Remaining: 9874, Reset: now.Add(10 * time.Second)},
		},
		{
			name: "a filter with answer_count fills Posts",
			file: "users_with_answer_count.json",
			want: mvpgraph.Lookup{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
				Followers: ptr[int64](1505042), Posts: ptr[int64](35512),
			}},
			quota: &mvpgraph.Quota{Limit: 10000, Remaining: 9876, Reset: midnight},
		},
		{
			name:  "deleted user",
			file:  "users_empty.json",
			want:  mvpgraph.Lookup{Handle: "stackoverflow:22656", Status: mvpgraph.AccountNotFound},
			quota: &mvpgraph.Quota{Limit: 10000, Remaining: 9876, Reset: midnight},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := api(t, func(string, string) reply { return reply{status: 200, file: tt.file} })
			cl := newClient(t, srv, key)

			got, quota, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656"})
			require.NoError(t, err)
			require.Equal(t, []mvpgraph.Lookup{tt.want}, got)
			require.Equal(t, tt.quota, quota)
		})
	}
}

func TestFetchObeysBackoff(t *testing.T) {
	t.Parallel()

	t.Run("between the calls of one Fetch", func(t *testing.T) {
		t.Parallel()
		srv, s := api(t, func(site, _ string) reply {
			if site == "superuser" {
				return reply{status: 200, file: "users_superuser.json"}
			}
			return reply{status: 200, file: "users_backoff.json"} // backoff: 1
		})
		cl := newClient(t, srv, key)

		got, _, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656", "superuser:1"})
		require.NoError(t, err)
		require.Equal(t, mvpgraph.AccountActive, got[1].Status)
		require.Len(t, s.all(), 2)
		at := s.times()
		require.GreaterOrEqual(t, at[1].Sub(at[0]), 900*time.Millisecond)
	})

	t.Run("on the next Fetch", func(t *testing.T) {
		t.Parallel()
		srv, s := api(t, func(string, string) reply { return reply{status: 200, file: "users_backoff_long.json"} })
		cl := newClient(t, srv, key)
		_, _, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656"})
		require.NoError(t, err)

		// The backoff (10s) is waited out, so a caller in a hurry gives up.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _, err = cl.Fetch(ctx, []string{"stackoverflow:22656"})
		require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
		require.Len(t, s.all(), 1)
	})
}

func TestFetchBadHandles(t *testing.T) {
	t.Parallel()
	srv, s := api(t, func(site, _ string) reply {
		if site == "nosuchsite" {
			return reply{status: 400, file: "error_bad_site.json"}
		}
		return reply{status: 200, file: "users.json"}
	})
	cl := newClient(t, srv, key)

	got, _, err := cl.Fetch(context.Background(), []string{"stackoverflow", "nosuchsite:1", "stackoverflow:abc", "stackoverflow:22656"})
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.ErrorContains(t, got[0].Err, "site:userID")
	require.ErrorContains(t, got[1].Err, `no site "nosuchsite"`)
	require.ErrorContains(t, got[2].Err, "site:userID")
	require.Equal(t, mvpgraph.Lookup{Handle: "stackoverflow:22656", Status: mvpgraph.AccountActive, Reach: skeet}, got[3])
	require.Len(t, s.all(), 2, "malformed handles are not sent")
}

func TestFetchFailures(t *testing.T) {
	t.Parallel()
	transient := func(t *testing.T, err error) { require.True(t, mvpgraph.IsTransient(err), "got %v", err) }
	limitedUntil := func(reset time.Time) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			at, ok := mvpgraph.RateLimitReset(err)
			require.True(t, ok, "want a RateLimitError, got %v", err)
			require.Equal(t, reset, at)
		}
	}
	unauthorized := func(t *testing.T, err error) {
		require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err), "got %v", err)
	}
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"throttle_violation with HTTP 502", reply{status: 502, file: "error_throttle.json"}, limitedUntil(now.Add(82227 * time.Second))},
		{"invalid access token", reply{status: 400, file: "error_invalid_token.json"}, unauthorized},
		{"bad parameter", reply{status: 400, file: "error_bad_filter.json"}, func(t *testing.T, err error) {
			require.False(t, mvpgraph.IsTransient(err))
			_, limited := mvpgraph.RateLimitReset(err)
			require.False(t, limited)
			require.Equal(t, mvpgraph.EINTERNAL, mvpgraph.ErrorCode(err))
			require.ErrorContains(t, err, "filter")
		}},
		{"proxy error page", reply{status: 503, file: "unavailable.html", plain: true}, transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := api(t, func(string, string) reply { return tt.reply })
			cl := newClient(t, srv, key)

			got, _, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656"})
			require.Error(t, err)
			require.Nil(t, got)
			require.NotContains(t, err.Error(), key)
			tt.check(t, err)
		})
	}
}

func TestFetchRemembersThrottle(t *testing.T) {
	t.Parallel()
	srv, s := api(t, func(string, string) reply { return reply{status: 400, file: "error_throttle.json"} })
	cl := newClient(t, srv, key)

	_, _, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656"})
	require.Error(t, err)
	_, _, err = cl.Fetch(context.Background(), []string{"stackoverflow:157882"})
	at, ok := mvpgraph.RateLimitReset(err)
	require.True(t, ok, "got %v", err)
	require.Equal(t, now.Add(82227*time.Second), at)
	require.Len(t, s.all(), 1, "no call before the reset")
}

func TestFetchWithoutKey(t *testing.T) {
	t.Parallel()
	srv, s := api(t, func(string, string) reply { return reply{status: 200, file: "users.json"} })
	cl := newClient(t, srv, "")

	_, _, err := cl.Fetch(context.Background(), []string{"stackoverflow:22656"})
	require.NoError(t, err)
	require.False(t, s.all()[0].URL.Query().Has("key"))
}
