// Package youtube reads the reach of YouTube channels through the YouTube
// Data API v3 channels.list method (part=statistics), authenticated with an
// API key.
//
// Quota: every channels.list call costs 1 unit of the project's daily quota
// (10,000 units by default), whatever it returns, and the quota resets at
// midnight Pacific time. Channel IDs are looked up 50 to a call, so a batch
// of IDs costs 1 unit; an @handle has to be resolved with a call of its own
// (forHandle takes one value), so each @handle of a batch costs 1 more
// unit. The API does not report the quota left, so the Client counts the
// units it spends itself.
//
// channels.list leaves out of its answer channels that do not exist and
// channels YouTube terminated, without saying which: both are reported
// NOT_FOUND, never SUSPENDED.
package youtube

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/youtube/v3"

	"mvpgraph"
	"mvpgraph/integrations"
)

// MaxBatch is the most channel IDs channels.list takes in its id parameter.
const MaxBatch = 50

// DailyUnits is the default daily quota of a Google Cloud project for the
// YouTube Data API. Projects granted more still see this figure in Quota.
const DailyUnits = 10000

// errQuotaExceeded marks a RateLimitError for the exhausted daily quota, as
// opposed to a per-minute rate limit.
var errQuotaExceeded = errors.New("daily quota exceeded")

// unitsPerCall is the quota cost of one channels.list call.
const unitsPerCall = 1

// retryAfterRateLimit is how long to wait after a per-minute rate limit,
// for which the API gives no reset time.
const retryAfterRateLimit = time.Minute

// pacific is the time zone of the quota's midnight reset. Without the time
// zone database (import time/tzdata in main to embed it), standard time is
// assumed, an hour off in summer.
var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*60*60)
	}
	return loc
}()

// Client reads channel statistics from the YouTube Data API. It is safe for
// concurrent use.
type Client struct {
	svc *youtube.Service
	now func() time.Time

	mu    sync.Mutex
	day   string // the Pacific date units were counted on
	units int
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client sending the API key in c.Token. c.BaseURL, when set,
// stands for https://youtube.googleapis.com: requests go to
// BaseURL + "/youtube/v3/channels".
func New(c integrations.Config) (*Client, error) {
	if c.Token == "" {
		return nil, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"no YouTube API key: set %s to a key of a project with the YouTube Data API v3 enabled.",
			integrations.EnvName(mvpgraph.YouTube, "TOKEN"))
	}
	// option.WithAPIKey is ignored once option.WithHTTPClient is given, so
	// the key is added by a transport, as the library would add it: the
	// "key" query parameter.
	hc := *c.Client()
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = &keyTransport{key: c.Token, next: next}
	opts := []option.ClientOption{option.WithHTTPClient(&hc)}
	if c.BaseURL != "" {
		// The library panics on an endpoint it cannot parse.
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
				"%s is not an absolute http(s) URL; set it to the API's scheme and host, such as https://youtube.googleapis.com.",
				integrations.EnvName(mvpgraph.YouTube, "BASE_URL"))
		}
		// Relative paths resolve below the endpoint only with a final slash.
		opts = append(opts, option.WithEndpoint(strings.TrimRight(c.BaseURL, "/")+"/"))
	}
	svc, err := youtube.NewService(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("youtube: create the API client: %w", err)
	}
	return &Client{svc: svc, now: c.Clock}, nil
}

// Platform returns mvpgraph.YouTube.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.YouTube }

// BatchSize returns 50, the most channel IDs channels.list takes at once.
func (c *Client) BatchSize() int { return MaxBatch }

// UnitsUsed returns the quota units this client spent since the last
// midnight Pacific time. Other clients of the same project spend from the
// same quota without being counted here.
func (c *Client) UnitsUsed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rollDay()
	return c.units
}

// Fetch looks up channel IDs ("UC" and 22 more characters) and @handles. It
// returns one Lookup per handle, in order, and the daily quota as counted
// by this client. IDs cost one call for the batch, @handles one call each.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	if len(handles) == 0 {
		return nil, nil, nil
	}
	if len(handles) > MaxBatch {
		return nil, nil, fmt.Errorf("youtube: %d handles in one batch; channels.list takes at most %d", len(handles), MaxBatch)
	}

	lookups := make([]mvpgraph.Lookup, len(handles))
	var ids []string
	for i, h := range handles {
		lookups[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountNotFound}
		if !strings.HasPrefix(h, "@") {
			ids = append(ids, h)
		}
	}

	if len(ids) > 0 {
		// The library would repeat the parameter (id=a&id=b); the API
		// documents one comma-separated value.
		resp, err := c.list(ctx, c.svc.Channels.List([]string{"statistics"}).Id(strings.Join(ids, ",")))
		if err != nil {
			return nil, c.quota(err), err
		}
		byID := make(map[string]*youtube.Channel, len(resp.Items))
		for _, ch := range resp.Items {
			byID[ch.Id] = ch
		}
		for i, h := range handles {
			if ch, ok := byID[h]; ok {
				lookups[i].Status = mvpgraph.AccountActive
				lookups[i].Reach = reachOf(ch)
			}
		}
	}

	for i, h := range handles {
		if !strings.HasPrefix(h, "@") {
			continue
		}
		resp, err := c.list(ctx, c.svc.Channels.List([]string{"statistics"}).ForHandle(h))
		if err != nil {
			return nil, c.quota(err), err
		}
		if len(resp.Items) > 0 {
			lookups[i].Status = mvpgraph.AccountActive
			lookups[i].Reach = reachOf(resp.Items[0])
		}
	}
	return lookups, c.quota(nil), nil
}

// list sends one channels.list call, counts its cost and classifies its
// failure.
func (c *Client) list(ctx context.Context, call *youtube.ChannelsListCall) (*youtube.ChannelListResponse, error) {
	resp, err := call.Context(ctx).Do()
	var gerr *googleapi.Error
	if err == nil || errors.As(err, &gerr) {
		// Every answered call costs its units, failed ones included.
		c.spend(unitsPerCall)
	}
	if err == nil {
		return resp, nil
	}
	if gerr != nil {
		return nil, c.apiError(gerr)
	}
	err = integrations.NetError(ctx, err)
	if ctx.Err() != nil || mvpgraph.IsTransient(err) {
		return nil, err
	}
	// The answer came but did not decode.
	return nil, &mvpgraph.TransientError{Err: fmt.Errorf("youtube: read channels.list answer: %w", err)}
}

// apiError maps a Google JSON error body onto the domain's errors.
func (c *Client) apiError(e *googleapi.Error) error {
	reasons := reasonsOf(e)
	detail := fmt.Sprintf("YouTube channels.list: HTTP %d %s: %s", e.Code, strings.Join(reasons, ","), e.Message)
	switch {
	case has(reasons, "quotaExceeded", "dailyLimitExceeded"):
		return &mvpgraph.RateLimitError{Reset: nextReset(c.now()), Err: fmt.Errorf("%w: %s", errQuotaExceeded, detail)}
	case has(reasons, "rateLimitExceeded", "userRateLimitExceeded") || e.Code == http.StatusTooManyRequests:
		return &mvpgraph.RateLimitError{Reset: c.now().Add(retryAfterRateLimit), Err: errors.New(detail)}
	case has(reasons, "keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED") ||
		e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden:
		return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"YouTube refused the API key (%s); set a valid key in %s, of a project with the YouTube Data API v3 enabled and no restriction that excludes this server.",
			detail, integrations.EnvName(mvpgraph.YouTube, "TOKEN"))
	}
	return integrations.StatusError(e.Code, time.Time{}, c.now(), detail)
}

// reasonsOf collects the reasons of the legacy "errors" list and of the
// google.rpc.ErrorInfo details; newer answers give the precise reason
// (API_KEY_INVALID) only in the details.
func reasonsOf(e *googleapi.Error) []string {
	var reasons []string
	for _, item := range e.Errors {
		if item.Reason != "" {
			reasons = append(reasons, item.Reason)
		}
	}
	for _, d := range e.Details {
		m, ok := d.(map[string]any)
		if !ok || !strings.HasSuffix(fmt.Sprint(m["@type"]), "google.rpc.ErrorInfo") {
			continue
		}
		if r, ok := m["reason"].(string); ok && r != "" {
			reasons = append(reasons, r)
		}
	}
	return reasons
}

func has(reasons []string, want ...string) bool {
	for _, r := range reasons {
		for _, w := range want {
			if r == w {
				return true
			}
		}
	}
	return false
}

// reachOf takes a channel's statistics. A hidden subscriber count is left
// nil rather than read as 0.
func reachOf(ch *youtube.Channel) mvpgraph.Reach {
	var r mvpgraph.Reach
	s := ch.Statistics
	if s == nil {
		return r
	}
	if !s.HiddenSubscriberCount {
		r.Followers = count(s.SubscriberCount)
	}
	r.Views = count(s.ViewCount)
	r.Posts = count(s.VideoCount)
	return r
}

func count(v uint64) *int64 {
	n := int64(math.MaxInt64)
	if v < math.MaxInt64 {
		n = int64(v)
	}
	return &n
}

// nextReset returns the next midnight Pacific time after now.
func nextReset(now time.Time) time.Time {
	y, m, d := now.In(pacific).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, pacific)
}

// rollDay starts a new count when the Pacific day changed; c.mu is held.
func (c *Client) rollDay() {
	if day := c.now().In(pacific).Format(time.DateOnly); day != c.day {
		c.day, c.units = day, 0
	}
}

func (c *Client) spend(units int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rollDay()
	c.units += units
}

// quota returns the daily quota as this client counted it; after a
// quotaExceeded answer nothing is left, whatever the count says.
func (c *Client) quota(err error) *mvpgraph.Quota {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rollDay()
	now := c.now()
	q := &mvpgraph.Quota{Limit: DailyUnits, Remaining: max(DailyUnits-c.units, 0), Reset: nextReset(now)}
	if errors.Is(err, errQuotaExceeded) {
		q.Remaining = 0
	}
	return q
}

// keyTransport adds the API key to every request as the "key" query
// parameter.
type keyTransport struct {
	key  string
	next http.RoundTripper
}

func (t *keyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	q := r.URL.Query()
	q.Set("key", t.key)
	r.URL.RawQuery = q.Encode()
	return t.next.RoundTrip(r)
}
