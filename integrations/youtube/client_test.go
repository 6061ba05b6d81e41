package youtube_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/platformtest"
	"mvpgraph/integrations/youtube"
)

type answer = platformtest.Answer

var always = platformtest.Always

// newFake starts a fake YouTube API that answers each request as route says.
func newFake(t *testing.T, route func(*http.Request) answer) *platformtest.Server {
	t.Helper()
	return platformtest.New(t, "application/json; charset=UTF-8", nil, route)
}

const apiKey = "AIzaSyDk3fakeFAKEfake0123456789abcdefGHI"

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// summer is 03:00 PDT (UTC-7); the quota resets at the next midnight PDT.
var (
	summer      = time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	summerReset = time.Date(2026, 7, 2, 7, 0, 0, 0, time.UTC)
)

func newClient(t *testing.T, baseURL string, timeout time.Duration, clk *clock) *youtube.Client {
	t.Helper()
	if clk == nil {
		clk = &clock{t: summer}
	}
	c, err := youtube.New(integrations.Config{BaseURL: baseURL, Token: apiKey, Timeout: timeout, Now: clk.now})
	require.NoError(t, err)
	return c
}

func i64(v int64) *int64 { return &v }

func TestNewRequiresKey(t *testing.T) {
	t.Parallel()
	_, err := youtube.New(integrations.Config{BaseURL: "http://127.0.0.1:1"})
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_YOUTUBE_TOKEN")

	_, err = youtube.New(integrations.Config{Token: apiKey, BaseURL: "localhost:8080/api"})
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_YOUTUBE_BASE_URL")

	c, err := youtube.New(integrations.Config{Token: apiKey})
	require.NoError(t, err)
	require.Equal(t, mvpgraph.YouTube, c.Platform())
	require.Equal(t, 50, c.BatchSize())
}

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			return newClient(t, baseURL, timeout, nil)
		},
		ContentType: "application/json; charset=UTF-8",
		Secret:      apiKey,
		Known:       []string{"UCVHFbqXqoYvEWM1Ddxl0QDg", "@google"},
		Reach: []mvpgraph.Reach{
			{Followers: i64(1430000), Views: i64(190634873), Posts: i64(4212)},
			{Followers: i64(13100000), Views: i64(4593021837), Posts: i64(3067)},
		},
		// A terminated channel is left out of the answer.
		Missing: "UCgoneGoneGoneGoneGone01",
		Found: func(r *http.Request) answer {
			switch r.URL.Query().Get("forHandle") {
			case "":
				return answer{Status: http.StatusOK, File: "channels_by_id.json"}
			case "@google":
				return answer{Status: http.StatusOK, File: "channel_by_handle.json"}
			}
			return answer{Status: http.StatusOK, File: "channel_none.json"}
		},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusForbidden, File: "error_rate_limit_exceeded.json"}, Reset: summer.Add(time.Minute)},
		// The day's units run out until midnight Pacific time.
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusForbidden, File: "error_quota_exceeded.json"}, Reset: summerReset},
		ServerError: answer{Status: http.StatusServiceUnavailable, File: "error_backend.json"},
		Malformed:   answer{Status: http.StatusOK, File: "channels_by_id_truncated.json"},
		Refused:     &answer{Status: http.StatusBadRequest, File: "error_key_invalid.json"},
		Without: map[string]string{
			"suspended": "the Data API leaves a terminated or suspended channel out of its answer, as it does one that never existed",
		},
	})
}

func TestFetchIDsAndHandles(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(r *http.Request) answer {
		switch r.URL.Query().Get("forHandle") {
		case "":
			return answer{Status: http.StatusOK, File: "channels_by_id.json"}
		case "@google":
			return answer{Status: http.StatusOK, File: "channel_by_handle.json"}
		default:
			return answer{Status: http.StatusOK, File: "channel_none.json"}
		}
	})
	c := newClient(t, f.URL, 0, nil)

	handles := []string{
		"UCVHFbqXqoYvEWM1Ddxl0QDg",
		"@google",
		"UCgoneGoneGoneGoneGone01", // terminated: left out of the answer
		"UC_x5XG1OV2P6uZZ5FSM9Ttw", // hides its subscriber count
		"@nobody-here",
	}
	lookups, quota, err := c.Fetch(context.Background(), handles)
	require.NoError(t, err)

	// One call for all the IDs, one per @handle.
	reqs := f.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		require.Equal(t, http.MethodGet, r.Method)
		require.Equal(t, "/youtube/v3/channels", r.URL.Path)
		require.Equal(t, "statistics", r.URL.Query().Get("part"))
		require.Equal(t, apiKey, r.URL.Query().Get("key"))
	}
	require.Equal(t, []string{"UCVHFbqXqoYvEWM1Ddxl0QDg,UCgoneGoneGoneGoneGone01,UC_x5XG1OV2P6uZZ5FSM9Ttw"}, reqs[0].URL.Query()["id"])
	require.Empty(t, reqs[0].URL.Query().Get("forHandle"))
	require.Equal(t, "@google", reqs[1].URL.Query().Get("forHandle"))
	require.Empty(t, reqs[1].URL.Query().Get("id"))
	require.Equal(t, "@nobody-here", reqs[2].URL.Query().Get("forHandle"))

	require.Equal(t, []mvpgraph.Lookup{
		{Handle: "UCVHFbqXqoYvEWM1Ddxl0QDg", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Followers: i64(1430000), Views: i64(190634873), Posts: i64(4212),
		}},
		{Handle: "@google", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Followers: i64(13100000), Views: i64(4593021837), Posts: i64(3067),
		}},
		{Handle: "UCgoneGoneGoneGoneGone01", Status: mvpgraph.AccountNotFound},
		{Handle: "UC_x5XG1OV2P6uZZ5FSM9Ttw", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
			Views: i64(267718290), Posts: i64(6491),
		}},
		{Handle: "@nobody-here", Status: mvpgraph.AccountNotFound},
	}, lookups)

	require.Equal(t, 3, c.UnitsUsed())
	require.Equal(t, youtube.DailyUnits, quota.Limit)
	require.Equal(t, youtube.DailyUnits-3, quota.Remaining)
	require.True(t, summerReset.Equal(quota.Reset), "reset %s, want %s", quota.Reset, summerReset)
}

func TestFetchBaseURLPathPrefix(t *testing.T) {
	t.Parallel()
	f := newFake(t, always(answer{Status: http.StatusOK, File: "channel_none.json"}))
	c := newClient(t, f.URL+"/proxy/google", 0, nil)

	lookups, _, err := c.Fetch(context.Background(), []string{"UCgoneGoneGoneGoneGone01"})
	require.NoError(t, err)
	require.Equal(t, mvpgraph.AccountNotFound, lookups[0].Status)
	require.Equal(t, "/proxy/google/youtube/v3/channels", f.Requests()[0].URL.Path)
}

func TestUnitsUsedResetsAtPacificMidnight(t *testing.T) {
	t.Parallel()
	f := newFake(t, always(answer{Status: http.StatusOK, File: "channel_by_handle.json"}))
	// 23:30 PST (UTC-8) on a winter evening.
	clk := &clock{t: time.Date(2026, 1, 15, 7, 30, 0, 0, time.UTC)}
	c := newClient(t, f.URL, 0, clk)

	_, quota, err := c.Fetch(context.Background(), []string{"@google", "@google"})
	require.NoError(t, err)
	require.Equal(t, 2, c.UnitsUsed())
	require.Equal(t, youtube.DailyUnits-2, quota.Remaining)
	require.True(t, time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC).Equal(quota.Reset), "reset %s", quota.Reset)

	clk.set(time.Date(2026, 1, 15, 8, 0, 1, 0, time.UTC))
	require.Equal(t, 0, c.UnitsUsed(), "a new Pacific day starts a new count")
}

func TestFetchRateLimited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		status        int
		file          string
		wantReset     time.Time
		wantRemaining int
	}{
		{"daily quota exceeded", http.StatusForbidden, "error_quota_exceeded.json", summerReset, 0},
		{"per-minute rate limit", http.StatusForbidden, "error_rate_limit_exceeded.json", summer.Add(time.Minute), youtube.DailyUnits - 1},
		{"429 resource exhausted", http.StatusTooManyRequests, "error_resource_exhausted.json", summer.Add(time.Minute), youtube.DailyUnits - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, always(answer{Status: tc.status, File: tc.file}))
			c := newClient(t, f.URL, 0, nil)

			lookups, quota, err := c.Fetch(context.Background(), []string{"UCVHFbqXqoYvEWM1Ddxl0QDg"})
			require.Nil(t, lookups)
			reset, ok := mvpgraph.RateLimitReset(err)
			require.True(t, ok, "want a rate-limit error, got %v", err)
			require.True(t, tc.wantReset.Equal(reset), "reset %s, want %s", reset, tc.wantReset)
			require.Equal(t, tc.wantRemaining, quota.Remaining)
			require.NotContains(t, err.Error(), apiKey)
		})
	}
}

func TestFetchQuotaExceededMidBatch(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(r *http.Request) answer {
		if r.URL.Query().Get("forHandle") != "" {
			return answer{Status: http.StatusForbidden, File: "error_quota_exceeded.json"}
		}
		return answer{Status: http.StatusOK, File: "channels_by_id.json"}
	})
	c := newClient(t, f.URL, 0, nil)

	_, _, err := c.Fetch(context.Background(), []string{"UCVHFbqXqoYvEWM1Ddxl0QDg", "@google", "@android"})
	_, ok := mvpgraph.RateLimitReset(err)
	require.True(t, ok, "want a rate-limit error, got %v", err)
	require.Len(t, f.Requests(), 2, "no call after the quota ran out")
	require.Equal(t, 2, c.UnitsUsed(), "the refused call is counted too")
}

func TestFetchBadKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		file   string
	}{
		{"key invalid, legacy body", http.StatusBadRequest, "error_key_invalid_legacy.json"},
		{"api not enabled for the key's project", http.StatusForbidden, "error_access_not_configured.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, always(answer{Status: tc.status, File: tc.file}))
			c := newClient(t, f.URL, 0, nil)

			_, _, err := c.Fetch(context.Background(), []string{"@google"})
			require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err), "got %v", err)
			require.NotContains(t, err.Error(), apiKey)
			require.Contains(t, mvpgraph.ErrorMessage(err), "MVPGRAPH_YOUTUBE_TOKEN")
		})
	}
}

// TestFetchTimeoutCostsNoUnits: a call that got no answer is not counted
// against the day's units.
func TestFetchTimeoutCostsNoUnits(t *testing.T) {
	t.Parallel()
	f := newFake(t, always(answer{Status: http.StatusOK, File: "channels_by_id.json", Delay: 2 * time.Second}))
	c := newClient(t, f.URL, 50*time.Millisecond, nil)

	_, _, err := c.Fetch(context.Background(), []string{"UCVHFbqXqoYvEWM1Ddxl0QDg"})
	require.True(t, mvpgraph.IsTransient(err), "want a transient error, got %v", err)
	require.Equal(t, 0, c.UnitsUsed())
}

func TestFetchBatchLimits(t *testing.T) {
	t.Parallel()
	f := newFake(t, always(answer{Status: http.StatusOK, File: "channel_none.json"}))
	c := newClient(t, f.URL, 0, nil)

	lookups, quota, err := c.Fetch(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, lookups)
	require.Nil(t, quota)

	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = "UC" + strconv.Itoa(1000000+i)
	}
	_, _, err = c.Fetch(context.Background(), tooMany)
	require.Error(t, err)
	require.Empty(t, f.Requests())
	require.Equal(t, 0, c.UnitsUsed())
}
