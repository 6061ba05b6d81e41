package mastodon_test

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
	"mvpgraph/integrations/mastodon"
)

const token = "mastodon-secret-token-42"

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// reply is what the fake instance answers.
type reply struct {
	status  int
	file    string // under testdata/
	headers map[string]string
	delay   time.Duration
}

// seen is what the fake instance received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) all() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// instance starts a fake Mastodon instance; answer picks the reply by the
// acct asked for.
func instance(t *testing.T, answer func(acct string) reply) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		rep := answer(r.URL.Query().Get("acct"))
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
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
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

func newClient(t *testing.T, c integrations.Config) *mastodon.Client {
	t.Helper()
	if c.Now == nil {
		c.Now = func() time.Time { return now }
	}
	cl, err := mastodon.New(c)
	require.NoError(t, err)
	return cl
}

func ptr[T any](v T) *T { return &v }

// rateHeaders are the X-RateLimit-* headers Mastodon sends on every answer.
func rateHeaders(remaining string) map[string]string {
	return map[string]string{
		"X-RateLimit-Limit":     "300",
		"X-RateLimit-Remaining": remaining,
		"X-RateLimit-Reset":     "2025-06-01T12:05:00.123456Z",
	}
}

var reset = time.Date(2025, 6, 1, 12, 5, 0, 123456000, time.UTC)

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newClient(t, integrations.Config{BaseURL: baseURL, Token: token, Timeout: timeout})
		},
		ContentType: "application/json; charset=utf-8",
		Secret:      token,
		Known:       []string{"trwnh@mastodon.social", "quiet@fosstodon.org"},
		Reach: []mvpgraph.Reach{
			{Followers: ptr[int64](821), Following: ptr[int64](178), Posts: ptr[int64](33120), LastPostAt: ptr(time.Date(2019, 11, 24, 0, 0, 0, 0, time.UTC))},
			{Followers: ptr[int64](3), Following: ptr[int64](41), Posts: ptr[int64](0)},
		},
		Missing: "nobody@mastodon.social",
		// Each account is looked up alone, by its name on its instance.
		Found: func(r *http.Request) conformance.Answer {
			switch r.URL.Query().Get("acct") {
			case "trwnh":
				return conformance.Answer{Status: http.StatusOK, File: "account.json", Headers: rateHeaders("299")}
			case "quiet":
				return conformance.Answer{Status: http.StatusOK, File: "account_no_statuses.json", Headers: rateHeaders("298")}
			}
			return conformance.Answer{Status: http.StatusNotFound, File: "error_not_found.json", Headers: rateHeaders("297")}
		},
		Suspended:   &conformance.Account{Name: "banned@mastodon.social", Answer: conformance.Answer{Status: http.StatusOK, File: "account_suspended.json"}},
		RateLimited: conformance.Limit{Answer: conformance.Answer{Status: http.StatusTooManyRequests, File: "error_rate_limited.json", Headers: rateHeaders("0")}, Reset: reset},
		QuotaSpent:  &conformance.Limit{Answer: conformance.Answer{Status: http.StatusOK, File: "account.json", Headers: rateHeaders("0")}, Reset: reset},
		ServerError: conformance.Answer{Status: http.StatusBadGateway, File: "bad_gateway.html"},
		Malformed:   conformance.Answer{Status: http.StatusOK, File: "malformed.json"},
		Refused:     &conformance.Answer{Status: http.StatusUnauthorized, File: "error_unauthorized.json"},
	})
}

func TestFetch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		reply  reply
		want   mvpgraph.Lookup
		quota  *mvpgraph.Quota
		hasErr bool // Lookup.Err set
	}{
		{
			name:  "active account",
			reply: reply{status: 200, file: "account.json", headers: rateHeaders("299")},
			want: mvpgraph.Lookup{Handle: "trwnh@mastodon.social", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
				Followers:  ptr[int64](821),
				Following:  ptr[int64](178),
				Posts:      ptr[int64](33120),
				LastPostAt: ptr(time.Date(2019, 11, 24, 0, 0, 0, 0, time.UTC)),
			}},
			quota: &mvpgraph.Quota{Limit: 300, Remaining: 299, Reset: reset},
		},
		{
			name:  "account that never posted",
			reply: reply{status: 200, file: "account_no_statuses.json"},
			want: mvpgraph.Lookup{Handle: "trwnh@mastodon.social", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
				Followers: ptr[int64](3),
				Following: ptr[int64](41),
				Posts:     ptr[int64](0),
			}},
		},
		{
			name:  "unknown account",
			reply: reply{status: 404, file: "error_not_found.json", headers: rateHeaders("298")},
			want:  mvpgraph.Lookup{Handle: "trwnh@mastodon.social", Status: mvpgraph.AccountNotFound},
			quota: &mvpgraph.Quota{Limit: 300, Remaining: 298, Reset: reset},
		},
		{
			name:  "suspended account (Mastodon 3.3 and later)",
			reply: reply{status: 200, file: "account_suspended.json"},
			want:  mvpgraph.Lookup{Handle: "trwnh@mastodon.social", Status: mvpgraph.AccountSuspended},
		},
		{
			name:  "suspended account (HTTP 410, older instances)",
			reply: reply{status: 410},
			want:  mvpgraph.Lookup{Handle: "trwnh@mastodon.social", Status: mvpgraph.AccountSuspended},
		},
		{
			name:   "instance closed to public lookups",
			reply:  reply{status: 401, file: "error_public_disabled.json"},
			want:   mvpgraph.Lookup{Handle: "trwnh@mastodon.social"},
			hasErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, s := instance(t, func(string) reply { return tt.reply })
			cl := newClient(t, integrations.Config{BaseURL: srv.URL})

			got, quota, err := cl.Fetch(context.Background(), []string{"trwnh@mastodon.social"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			if tt.hasErr {
				require.Error(t, got[0].Err)
				got[0].Err = nil
			}
			require.Equal(t, tt.want, got[0])
			require.Equal(t, tt.quota, quota)

			reqs := s.all()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodGet, reqs[0].Method)
			require.Equal(t, "/api/v1/accounts/lookup", reqs[0].URL.Path)
			require.Equal(t, "acct=trwnh", reqs[0].URL.RawQuery)
			require.Empty(t, reqs[0].Header.Get("Authorization"), "no token configured, none sent")
		})
	}
}

func TestFetchSeveralKeepsOrder(t *testing.T) {
	t.Parallel()
	srv, s := instance(t, func(acct string) reply {
		switch acct {
		case "trwnh":
			return reply{status: 200, file: "account.json"}
		case "quiet":
			return reply{status: 200, file: "account_no_statuses.json"}
		}
		return reply{status: 404, file: "error_not_found.json"}
	})
	cl := newClient(t, integrations.Config{BaseURL: srv.URL})

	got, _, err := cl.Fetch(context.Background(), []string{"quiet@fosstodon.org", "gone@mastodon.social", "trwnh@mastodon.social"})
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, "quiet@fosstodon.org", got[0].Handle)
	require.Equal(t, int64(3), *got[0].Reach.Followers)
	require.Equal(t, mvpgraph.AccountNotFound, got[1].Status)
	require.Equal(t, "trwnh@mastodon.social", got[2].Handle)
	require.Equal(t, int64(821), *got[2].Reach.Followers)
	require.Len(t, s.all(), 3)
}

func TestFetchToken(t *testing.T) {
	t.Parallel()

	t.Run("sent as a bearer token", func(t *testing.T) {
		t.Parallel()
		srv, s := instance(t, func(string) reply { return reply{status: 200, file: "account.json"} })
		cl := newClient(t, integrations.Config{BaseURL: srv.URL, Token: token})

		_, _, err := cl.Fetch(context.Background(), []string{"trwnh@mastodon.social"})
		require.NoError(t, err)
		require.Equal(t, "Bearer "+token, s.all()[0].Header.Get("Authorization"))
	})

	t.Run("refused without a base URL, where it would reach every instance", func(t *testing.T) {
		t.Parallel()
		_, err := mastodon.New(integrations.Config{Token: token})
		require.Error(t, err)
		require.NotContains(t, err.Error(), token)
	})
}

func TestFetchBadHandle(t *testing.T) {
	t.Parallel()
	srv, s := instance(t, func(string) reply { return reply{status: 200, file: "account.json"} })
	cl := newClient(t, integrations.Config{BaseURL: srv.URL})

	got, _, err := cl.Fetch(context.Background(), []string{"no-instance", "trwnh@mastodon.social"})
	require.NoError(t, err)
	require.Error(t, got[0].Err)
	require.Equal(t, mvpgraph.AccountActive, got[1].Status)
	require.Len(t, s.all(), 1, "the bad handle is not sent")
}

func TestFetchRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	// Without a base URL or HTTP client, the instance named in the handle
	// is dialled, and a loopback address is refused before any request.
	cl := newClient(t, integrations.Config{Timeout: time.Second})

	got, _, err := cl.Fetch(context.Background(), []string{"admin@127.0.0.1"})
	require.NoError(t, err)
	require.Error(t, got[0].Err)
	require.Contains(t, got[0].Err.Error(), "private address")
}
