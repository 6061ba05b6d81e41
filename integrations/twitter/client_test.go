package twitter_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/platformtest"
	"mvpgraph/integrations/twitter"
)

type answer = platformtest.Answer

// newFake starts a fake Twitter API that answers every request with a.
func newFake(t *testing.T, a answer) *platformtest.Server {
	t.Helper()
	return platformtest.New(t, "application/json;charset=utf-8", nil, platformtest.Always(a))
}

const token = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"

// resetEpoch is the x-rate-limit-reset the fake API announces.
const resetEpoch = 1767225600 // 2026-01-01T00:00:00Z

// rateHeaders are the headers Twitter sends on every v1.1 answer.
func rateHeaders(remaining int) map[string]string {
	return map[string]string{
		"x-rate-limit-limit":     "300",
		"x-rate-limit-remaining": strconv.Itoa(remaining),
		"x-rate-limit-reset":     strconv.Itoa(resetEpoch),
	}
}

var clock = time.Date(2025, 12, 31, 23, 50, 0, 0, time.UTC)

func newClient(t *testing.T, baseURL string, timeout time.Duration) *twitter.Client {
	t.Helper()
	c, err := twitter.New(integrations.Config{
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
	_, err := twitter.New(integrations.Config{BaseURL: "http://127.0.0.1:1"})
	require.Error(t, err)
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_TWITTER_TOKEN")

	_, err = twitter.New(integrations.Config{Token: token, BaseURL: "localhost:8080/api"})
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_TWITTER_BASE_URL")

	c, err := twitter.New(integrations.Config{Token: token})
	require.NoError(t, err)
	require.Equal(t, mvpgraph.Twitter, c.Platform())
	require.Equal(t, 100, c.BatchSize())
}

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	lastPost := time.Date(2024, 3, 12, 17, 4, 46, 0, time.UTC)
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newClient(t, baseURL, timeout)
		},
		ContentType: "application/json;charset=utf-8",
		Secret:      token,
		Known:       []string{"xdevelopers", "x"},
		Reach: []mvpgraph.Reach{
			{Followers: i64(513958), Following: i64(2039), Posts: i64(3635), LastPostAt: &lastPost},
			{Followers: i64(68091525), Following: i64(0), Posts: i64(15228)},
		},
		Missing: "gone_for_good",
		// users/lookup leaves out the names that do not exist, and fails
		// with code 17 when none does.
		Found: func(r *http.Request) answer {
			for _, n := range strings.Split(r.URL.Query().Get("screen_name"), ",") {
				if n != "gone_for_good" {
					return answer{Status: http.StatusOK, File: "users_lookup.json", Headers: rateHeaders(297)}
				}
			}
			return answer{Status: http.StatusNotFound, File: "error_17_no_user_matches.json", Headers: rateHeaders(296)}
		},
		Suspended:   &conformance.Account{Name: "banned_one", Answer: answer{Status: http.StatusForbidden, File: "error_63_user_suspended.json", Headers: rateHeaders(12)}},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusTooManyRequests, File: "error_88_rate_limit_exceeded.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusOK, File: "users_lookup.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		ServerError: answer{Status: http.StatusServiceUnavailable, File: "error_130_over_capacity.json", Headers: rateHeaders(100)},
		Malformed:   answer{Status: http.StatusOK, File: "users_lookup_truncated.json", Headers: rateHeaders(100)},
		Refused:     &answer{Status: http.StatusUnauthorized, File: "error_89_invalid_token.json"},
	})
}

// TestFetchActiveAndMissing: one users/lookup call for the batch, answered
// in its own order and display case.
func TestFetchActiveAndMissing(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: http.StatusOK, File: "users_lookup.json", Headers: rateHeaders(297)})
	c := newClient(t, f.URL, 0)

	// users/lookup answers in its own order, with the screen names in their
	// display case, and leaves out the account that does not exist.
	handles := []string{"x", "gone_for_good", "xdevelopers"}
	lookups, quota, err := c.Fetch(context.Background(), handles)
	require.NoError(t, err)

	reqs := f.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, "/1.1/users/lookup.json", r.URL.Path)
	require.Equal(t, "x,gone_for_good,xdevelopers", r.URL.Query().Get("screen_name"))
	require.Equal(t, "false", r.URL.Query().Get("include_entities"))
	require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))

	lastPost := time.Date(2024, 3, 12, 17, 4, 46, 0, time.UTC)
	require.Equal(t, []mvpgraph.Lookup{
		{Handle: "x", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Followers: i64(68091525), Following: i64(0), Posts: i64(15228),
		}},
		{Handle: "gone_for_good", Status: mvpgraph.AccountNotFound},
		{Handle: "xdevelopers", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Followers: i64(513958), Following: i64(2039), Posts: i64(3635), LastPostAt: &lastPost,
		}},
	}, lookups)
	require.Equal(t, &mvpgraph.Quota{Limit: 300, Remaining: 297, Reset: time.Unix(resetEpoch, 0).UTC()}, quota)
}

func TestFetchBaseURLPathPrefix(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: http.StatusOK, File: "users_lookup.json"})
	c := newClient(t, f.URL+"/proxy/twitter", 0)

	lookups, quota, err := c.Fetch(context.Background(), []string{"xdevelopers"})
	require.NoError(t, err)
	require.Equal(t, mvpgraph.AccountActive, lookups[0].Status)
	require.Nil(t, quota, "no rate-limit headers, no quota")
	require.Equal(t, "/proxy/twitter/1.1/users/lookup.json", f.Requests()[0].URL.Path)
}

func TestFetchAccountErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		file   string
		want   mvpgraph.AccountStatus
	}{
		// The whole lookup fails with 17 when none of the names exists.
		{"no user matches", http.StatusNotFound, "error_17_no_user_matches.json", mvpgraph.AccountNotFound},
		{"user not found", http.StatusNotFound, "error_50_user_not_found.json", mvpgraph.AccountNotFound},
		{"user suspended", http.StatusForbidden, "error_63_user_suspended.json", mvpgraph.AccountSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer{Status: tc.status, File: tc.file, Headers: rateHeaders(12)})
			c := newClient(t, f.URL, 0)

			lookups, quota, err := c.Fetch(context.Background(), []string{"nobody_here", "banned_one"})
			require.NoError(t, err)
			require.Equal(t, []mvpgraph.Lookup{
				{Handle: "nobody_here", Status: tc.want},
				{Handle: "banned_one", Status: tc.want},
			}, lookups)
			require.Equal(t, 12, quota.Remaining)
		})
	}
}

func TestFetchRateLimited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		status    int
		file      string
		body      string
		headers   map[string]string
		wantReset time.Time
	}{
		{
			name:   "bare 429 with reset header",
			status: http.StatusTooManyRequests, body: "Too Many Requests",
			headers: rateHeaders(0), wantReset: time.Unix(resetEpoch, 0),
		},
		{
			// Without a reset, wait a whole 15-minute window.
			name:   "code 88 without reset header",
			status: http.StatusTooManyRequests, file: "error_88_rate_limit_exceeded.json",
			wantReset: clock.Add(15 * time.Minute),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer{Status: tc.status, File: tc.file, Body: tc.body, Headers: tc.headers})
			c := newClient(t, f.URL, 0)

			lookups, _, err := c.Fetch(context.Background(), []string{"xdevelopers"})
			require.Nil(t, lookups)
			var rl *mvpgraph.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.True(t, tc.wantReset.Equal(rl.Reset), "reset %s, want %s", rl.Reset, tc.wantReset)
		})
	}
}

func TestFetchBatchLimits(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: http.StatusOK, File: "users_lookup.json"})
	c := newClient(t, f.URL, 0)

	lookups, quota, err := c.Fetch(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, lookups)
	require.Nil(t, quota)

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = "user" + strconv.Itoa(i)
	}
	_, _, err = c.Fetch(context.Background(), tooMany)
	require.Error(t, err)
	require.False(t, errors.As(err, new(*mvpgraph.RateLimitError)))
	require.Empty(t, f.Requests(), "no call is sent for an empty or oversized batch")
}
