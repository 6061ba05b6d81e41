package twitter_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/twitter"
)

func newV2(t *testing.T, baseURL string, timeout time.Duration) *twitter.V2 {
	t.Helper()
	c, err := twitter.NewV2(integrations.Config{BaseURL: baseURL, Token: token, Timeout: timeout, Now: func() time.Time { return clock }})
	require.NoError(t, err)
	return c
}

// TestV2Conformance runs the suite every platform client passes against
// X API v2's documented answers.
func TestV2Conformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newV2(t, baseURL, timeout)
		},
		ContentType: "application/json; charset=utf-8",
		Secret:      token,
		Known:       []string{"xdevelopers", "x"},
		Reach: []mvpgraph.Reach{
			{Followers: i64(513958), Following: i64(2039), Posts: i64(3635)},
			{Followers: i64(68091525), Following: i64(0), Posts: i64(15228)},
		},
		Missing: "gone_for_good",
		// A batch leaves out the users it did not find and names them in
		// its errors.
		Found: func(r *http.Request) answer {
			for _, n := range strings.Split(r.URL.Query().Get("usernames"), ",") {
				if n != "gone_for_good" {
					return answer{Status: http.StatusOK, File: "v2_users_by.json", Headers: rateHeaders(297)}
				}
			}
			return answer{Status: http.StatusOK, File: "v2_users_by_missing.json", Headers: rateHeaders(296)}
		},
		Suspended:   &conformance.Account{Name: "banned_one", Answer: answer{Status: http.StatusOK, File: "v2_users_by_suspended.json", Headers: rateHeaders(12)}},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusTooManyRequests, File: "v2_too_many_requests.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusOK, File: "v2_users_by.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		ServerError: answer{Status: http.StatusServiceUnavailable, File: "v2_service_unavailable.json", Headers: rateHeaders(100)},
		Malformed:   answer{Status: http.StatusOK, File: "v2_users_by_truncated.json", Headers: rateHeaders(100)},
		Refused:     &answer{Status: http.StatusUnauthorized, File: "v2_unauthorized.json"},
	})
}

// TestV2PartialBatch: one call for the batch, asking for public_metrics;
// the found, the missing and the suspended told apart, in the order asked.
func TestV2PartialBatch(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: http.StatusOK, File: "v2_users_by_partial.json", Headers: rateHeaders(297)})
	lookups, quota, err := newV2(t, f.URL, 0).Fetch(context.Background(), []string{"banned_one", "xdevelopers", "gone_for_good"})
	require.NoError(t, err)
	require.Equal(t, []mvpgraph.AccountStatus{mvpgraph.AccountSuspended, mvpgraph.AccountActive, mvpgraph.AccountNotFound},
		[]mvpgraph.AccountStatus{lookups[0].Status, lookups[1].Status, lookups[2].Status})
	require.EqualValues(t, 513958, *lookups[1].Reach.Followers)
	require.Equal(t, 297, quota.Remaining)
	require.Equal(t, 300, quota.Limit)
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "/2/users/by", reqs[0].URL.Path)
	require.Equal(t, "banned_one,xdevelopers,gone_for_good", reqs[0].URL.Query().Get("usernames"))
	require.Contains(t, reqs[0].URL.Query().Get("user.fields"), "public_metrics")
	require.Equal(t, "Bearer "+token, reqs[0].Header.Get("Authorization"))

	_, err = twitter.NewV2(integrations.Config{})
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err))
}
