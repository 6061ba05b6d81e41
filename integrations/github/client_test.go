package github_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/github"
	"mvpgraph/integrations/platformtest"
)

type answer = platformtest.Answer

var always = platformtest.Always

// newFake starts a fake GitHub API that answers each request as route says.
func newFake(t *testing.T, route func(*http.Request) answer) *platformtest.Server {
	t.Helper()
	return platformtest.New(t, "application/json; charset=utf-8", map[string]string{"X-GitHub-Api-Version-Selected": "2022-11-28"}, route)
}

const token = "ghp_R2d2C3poFakeFakeFake0123456789abcd"

// resetEpoch is the x-ratelimit-reset the fake API announces.
const resetEpoch = 1767225600 // 2026-01-01T00:00:00Z

var clock = time.Date(2025, 12, 31, 23, 50, 0, 0, time.UTC)

// rateHeaders are the headers GitHub sends on every REST answer.
func rateHeaders(remaining int) map[string]string {
	return map[string]string{
		"x-ratelimit-limit":     "5000",
		"x-ratelimit-remaining": strconv.Itoa(remaining),
		"x-ratelimit-used":      strconv.Itoa(5000 - remaining),
		"x-ratelimit-reset":     strconv.Itoa(resetEpoch),
		"x-ratelimit-resource":  "core",
	}
}

func newClient(t *testing.T, baseURL string, timeout time.Duration) *github.Client {
	t.Helper()
	c, err := github.New(integrations.Config{
		BaseURL: baseURL,
		Token:   token,
		Timeout: timeout,
		Now:     func() time.Time { return clock },
	})
	require.NoError(t, err)
	return c
}

func i64(v int64) *int64 { return &v }

func TestNewRequiresToken(t *testing.T) {
	t.Parallel()
	_, err := github.New(integrations.Config{BaseURL: "http://127.0.0.1:1"})
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_GITHUB_TOKEN")

	_, err = github.New(integrations.Config{Token: token, BaseURL: "localhost:8080/api"})
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_GITHUB_BASE_URL")

	c, err := github.New(integrations.Config{Token: token})
	require.NoError(t, err)
	require.Equal(t, mvpgraph.GitHub, c.Platform())
	require.Equal(t, 1, c.BatchSize())
}

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newClient(t, baseURL, timeout)
		},
		ContentType: "application/json; charset=utf-8",
		Secret:      token,
		Known:       []string{"octocat", "hubot"},
		Reach: []mvpgraph.Reach{
			{Followers: i64(21874), Following: i64(9), Posts: i64(8)},
			{Followers: i64(1931), Following: i64(0), Posts: i64(1)},
		},
		Missing: "no-such-user-4711",
		Found: func(r *http.Request) answer {
			switch r.URL.Path {
			case "/users/octocat":
				return answer{Status: http.StatusOK, File: "user_octocat.json", Headers: rateHeaders(4990)}
			case "/users/hubot":
				return answer{Status: http.StatusOK, File: "user_hubot.json", Headers: rateHeaders(4989)}
			}
			// A suspended github.com user answers the same 404.
			return answer{Status: http.StatusNotFound, File: "error_not_found.json", Headers: rateHeaders(4988)}
		},
		// GitHub Enterprise Server says so of a suspended user.
		Suspended:   &conformance.Account{Name: "mallory", Answer: answer{Status: http.StatusOK, File: "user_suspended_ghes.json", Headers: rateHeaders(4000)}},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusTooManyRequests, File: "error_rate_limit_exceeded.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusForbidden, File: "error_rate_limit_exceeded.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		ServerError: answer{Status: http.StatusInternalServerError, File: "error_server.json", Headers: rateHeaders(4000)},
		Malformed:   answer{Status: http.StatusOK, File: "user_octocat_truncated.json", Headers: rateHeaders(4000)},
		Refused: &answer{Status: http.StatusUnauthorized, File: "error_bad_credentials.json", Headers: map[string]string{
			"x-ratelimit-limit": "60", "x-ratelimit-remaining": "59", "x-ratelimit-reset": strconv.Itoa(resetEpoch),
		}},
	})
}

// TestFetchRequests: one call per user, with the token and API version,
// below the base URL's path (GitHub Enterprise Server lives under /api/v3),
// and the quota of the last answer, a 404 included.
func TestFetchRequests(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(r *http.Request) answer {
		if r.URL.Path == "/api/v3/users/octocat" {
			return answer{Status: http.StatusOK, File: "user_octocat.json", Headers: rateHeaders(4990)}
		}
		// A suspended github.com user answers the same 404.
		return answer{Status: http.StatusNotFound, File: "error_not_found.json", Headers: rateHeaders(4989)}
	})
	c := newClient(t, f.URL+"/api/v3", 0)

	lookups, quota, err := c.Fetch(context.Background(), []string{"octocat", "no-such-user-4711"})
	require.NoError(t, err)

	reqs := f.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, http.MethodGet, reqs[0].Method)
	require.Equal(t, "/api/v3/users/octocat", reqs[0].URL.Path)
	require.Empty(t, reqs[0].URL.RawQuery)
	require.Equal(t, "Bearer "+token, reqs[0].Header.Get("Authorization"))
	require.Equal(t, "2022-11-28", reqs[0].Header.Get("X-GitHub-Api-Version"))
	require.Equal(t, "/api/v3/users/no-such-user-4711", reqs[1].URL.Path)

	require.Equal(t, []mvpgraph.Lookup{
		{Handle: "octocat", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Followers: i64(21874), Following: i64(9), Posts: i64(8),
		}},
		{Handle: "no-such-user-4711", Status: mvpgraph.AccountNotFound},
	}, lookups)
	// The quota is that of the last answer, a 404 included.
	require.Equal(t, &mvpgraph.Quota{Limit: 5000, Remaining: 4989, Reset: time.Unix(resetEpoch, 0).UTC()}, quota)
}

func TestFetchRateLimited(t *testing.T) {
	t.Parallel()
	withRetryAfter := func(h map[string]string, s string) map[string]string {
		h["retry-after"] = s
		return h
	}
	for _, tc := range []struct {
		name      string
		status    int
		file      string
		headers   map[string]string
		wantReset time.Time
	}{
		{
			name:   "primary limit, 403 with remaining 0",
			status: http.StatusForbidden, file: "error_rate_limit_exceeded.json",
			headers: rateHeaders(0), wantReset: time.Unix(resetEpoch, 0),
		},
		{
			name:   "primary limit, 429 with remaining 0",
			status: http.StatusTooManyRequests, file: "error_rate_limit_exceeded.json",
			headers: rateHeaders(0), wantReset: time.Unix(resetEpoch, 0),
		},
		{
			name:   "secondary limit with retry-after",
			status: http.StatusForbidden, file: "error_secondary_rate_limit.json",
			headers: withRetryAfter(rateHeaders(4200), "120"), wantReset: clock.Add(2 * time.Minute),
		},
		{
			name:    "bare 429 with retry-after",
			status:  http.StatusTooManyRequests,
			headers: withRetryAfter(rateHeaders(4200), "30"), wantReset: clock.Add(30 * time.Second),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, always(answer{Status: tc.status, File: tc.file, Headers: tc.headers}))
			c := newClient(t, f.URL, 0)

			lookups, quota, err := c.Fetch(context.Background(), []string{"octocat"})
			require.Nil(t, lookups)
			reset, ok := mvpgraph.RateLimitReset(err)
			require.True(t, ok, "want a rate-limit error, got %v", err)
			require.True(t, tc.wantReset.Equal(reset), "reset %s, want %s", reset, tc.wantReset)
			require.NotNil(t, quota)
			require.NotContains(t, err.Error(), token)
		})
	}
}

func TestFetchEmptyLogin(t *testing.T) {
	t.Parallel()
	f := newFake(t, always(answer{Status: http.StatusOK, File: "user_octocat.json"}))
	c := newClient(t, f.URL, 0)

	lookups, quota, err := c.Fetch(context.Background(), []string{""})
	require.NoError(t, err)
	require.Len(t, lookups, 1)
	require.Equal(t, mvpgraph.AccountNotFound, lookups[0].Status)
	require.Error(t, lookups[0].Err)
	require.Nil(t, quota)
	require.Empty(t, f.Requests(), "an empty login must not read the token's own user")
}
