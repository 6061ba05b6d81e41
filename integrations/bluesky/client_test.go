package bluesky_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/bluesky"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/platformtest"
)

type answer = platformtest.Answer

// clock is the tests' now; resetEpoch is when the AppView's window resets.
var clock = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const resetEpoch = 1795176300 // 2026-11-20T12:05:00Z

// rateHeaders are the AppView's rate-limit headers (the IETF draft's
// RateLimit-*), with remaining requests left of 3,000 per five minutes.
func rateHeaders(remaining int) map[string]string {
	return map[string]string{"RateLimit-Limit": "3000", "RateLimit-Remaining": strconv.Itoa(remaining),
		"RateLimit-Reset": strconv.Itoa(resetEpoch), "RateLimit-Policy": "3000;w=300"}
}

func newClient(t *testing.T, baseURL string, timeout time.Duration) *bluesky.Client {
	t.Helper()
	c, err := bluesky.New(integrations.Config{BaseURL: baseURL, Timeout: timeout, Now: func() time.Time { return clock }})
	require.NoError(t, err)
	return c
}

func i64(v int64) *int64 { return &v }

// appView answers as the public AppView does: a batch with the profiles
// it found, one actor with its profile or why it has none.
func appView(r *http.Request) answer {
	if strings.HasSuffix(r.URL.Path, "/app.bsky.actor.getProfiles") {
		return answer{Status: http.StatusOK, File: "get_profiles.json", Headers: rateHeaders(2990)}
	}
	switch r.URL.Query().Get("actor") {
	case "bsky.app":
		return answer{Status: http.StatusOK, File: "get_profile.json", Headers: rateHeaders(2989)}
	case "banned.bsky.social":
		return answer{Status: http.StatusBadRequest, File: "error_takedown.json", Headers: rateHeaders(2988)}
	case "resting.bsky.social":
		return answer{Status: http.StatusBadRequest, File: "error_deactivated.json", Headers: rateHeaders(2987)}
	}
	return answer{Status: http.StatusBadRequest, File: "error_profile_not_found.json", Headers: rateHeaders(2986)}
}

// TestConformance runs the suite every platform client passes against the
// AppView's documented answers.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newClient(t, baseURL, timeout)
		},
		ContentType: "application/json; charset=utf-8",
		Known:       []string{"bsky.app", "pfrazee.com"},
		Reach: []mvpgraph.Reach{
			{Followers: i64(21864573), Following: i64(6), Posts: i64(570)},
			{Followers: i64(139410), Following: i64(1281), Posts: i64(19826)},
		},
		Missing:     "gone.bsky.social",
		Found:       appView,
		Suspended:   &conformance.Account{Name: "banned.bsky.social", Answer: answer{Status: http.StatusBadRequest, File: "error_takedown.json", Headers: rateHeaders(12)}},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusTooManyRequests, File: "error_rate_limited.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusOK, File: "get_profile.json", Headers: rateHeaders(0)}, Reset: time.Unix(resetEpoch, 0)},
		ServerError: answer{Status: http.StatusInternalServerError, File: "error_internal.json"},
		Malformed:   answer{Status: http.StatusOK, File: "truncated_profile.json", Headers: rateHeaders(100)},
		Without:     map[string]string{"refused credentials": "the public AppView takes no credentials"},
	})
}

// TestBatch: one getProfiles call for the batch, its actors as repeated
// parameters; a handle and a DID matched to their profiles, and the actor
// left out reported NOT_FOUND, in the order asked.
func TestBatch(t *testing.T) {
	t.Parallel()
	f := platformtest.New(t, "application/json", nil, appView)
	c := newClient(t, f.URL, 0)
	lookups, quota, err := c.Fetch(context.Background(), []string{"did:plc:ragtjsm2j2vknwkz3zp4oxrd", "banned.bsky.social", "bsky.app"})
	require.NoError(t, err)
	require.Len(t, lookups, 3)
	require.Equal(t, mvpgraph.AccountActive, lookups[0].Status, "a DID matches the profile's did")
	require.EqualValues(t, 139410, *lookups[0].Reach.Followers)
	require.Equal(t, mvpgraph.AccountNotFound, lookups[1].Status, "left out of the batch")
	require.Equal(t, mvpgraph.AccountActive, lookups[2].Status)
	require.EqualValues(t, 6, *lookups[2].Reach.Following)
	require.Nil(t, lookups[2].Reach.LastPostAt, "a profile gives no date of the last post")
	require.Equal(t, 2990, quota.Remaining)
	require.Equal(t, 3000, quota.Limit)
	require.True(t, time.Unix(resetEpoch, 0).Equal(quota.Reset))
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "/xrpc/app.bsky.actor.getProfiles", reqs[0].URL.Path)
	require.Equal(t, []string{"did:plc:ragtjsm2j2vknwkz3zp4oxrd", "banned.bsky.social", "bsky.app"}, reqs[0].URL.Query()["actors"])
	require.Empty(t, reqs[0].Header.Get("Authorization"), "no credentials")
	require.True(t, c.TellsMissingAlone(), "an actor left out is looked up again alone")

	_, _, err = c.Fetch(context.Background(), make([]string, bluesky.MaxBatch+1))
	require.ErrorContains(t, err, "at most 25")
}

// TestAlone: one actor alone is asked of getProfile, whose errors tell a
// suspended account (AccountTakedown) from a deactivated or unknown one.
func TestAlone(t *testing.T) {
	t.Parallel()
	f := platformtest.New(t, "application/json", nil, appView)
	c := newClient(t, f.URL, 0)
	for handle, want := range map[string]mvpgraph.AccountStatus{
		"bsky.app":            mvpgraph.AccountActive,
		"banned.bsky.social":  mvpgraph.AccountSuspended,
		"resting.bsky.social": mvpgraph.AccountNotFound,
		"gone.bsky.social":    mvpgraph.AccountNotFound,
	} {
		lookups, _, err := c.Fetch(context.Background(), []string{handle})
		require.NoError(t, err, handle)
		require.Len(t, lookups, 1)
		require.NoError(t, lookups[0].Err, handle)
		require.Equal(t, want, lookups[0].Status, handle)
	}
	for _, r := range f.Requests() {
		require.Equal(t, "/xrpc/app.bsky.actor.getProfile", r.URL.Path)
	}
}

// TestFailures: what the AppView refuses, as the worker needs it told.
func TestFailures(t *testing.T) {
	t.Parallel()
	fetch := func(a answer, handles ...string) ([]mvpgraph.Lookup, error) {
		f := platformtest.New(t, "application/json", nil, platformtest.Always(a))
		lookups, _, err := newClient(t, f.URL, 0).Fetch(context.Background(), handles)
		return lookups, err
	}
	// A batch the AppView finds malformed fails, saying why.
	_, err := fetch(answer{Status: http.StatusBadRequest, File: "error_invalid_actors.json"}, "a.bsky.social", "b.bsky.social")
	require.ErrorContains(t, err, "InvalidRequest: Error: actors/0 must be a valid did or a handle")
	require.False(t, mvpgraph.IsTransient(err))
	// One actor refused for another reason is that actor's failure.
	lookups, err := fetch(answer{Status: http.StatusBadRequest, File: "error_invalid_actors.json"}, "a.bsky.social")
	require.NoError(t, err)
	require.ErrorContains(t, lookups[0].Err, "refused the lookup")
	// A batch's body cut short is transient.
	_, err = fetch(answer{Status: http.StatusOK, File: "truncated.json"}, "a.bsky.social", "b.bsky.social")
	require.True(t, mvpgraph.IsTransient(err), "got %v", err)
	// 429 without the headers waits out a window of five minutes.
	_, err = fetch(answer{Status: http.StatusTooManyRequests, File: "error_rate_limited.json"}, "a.bsky.social", "b.bsky.social")
	reset, ok := mvpgraph.RateLimitReset(err)
	require.True(t, ok, "got %v", err)
	require.Equal(t, clock.Add(5*time.Minute), reset)
	// A proxy that asks for credentials says what to set.
	_, err = fetch(answer{Status: http.StatusUnauthorized, Body: `{"error":"AuthMissing","message":"Authentication Required"}`}, "a.bsky.social", "b.bsky.social")
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_BLUESKY_BASE_URL")

	_, err = bluesky.New(integrations.Config{Token: "secret"})
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_BLUESKY_ENABLED=true")
	_, err = bluesky.New(integrations.Config{BaseURL: "ftp://appview"})
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_BLUESKY_BASE_URL")
}
