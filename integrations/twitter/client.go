// Package twitter reads the reach of Twitter (X) accounts through the v1.1
// users/lookup endpoint, with app-only (bearer token) authentication.
//
// users/lookup leaves out of its answer every account that does not exist,
// was deleted or is suspended, without saying which. A handle missing from
// the answer is therefore reported NOT_FOUND: the lookup cannot tell a
// suspended account from a missing one. Only when Twitter answers the whole
// call with error 63 ("User has been suspended") is SUSPENDED reported.
package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	//lint:ignore SA1019 the library is unmaintained but v1.1 users/lookup has not changed; it is the chosen client.
	"github.com/dghubble/go-twitter/twitter"

	"mvpgraph"
	"mvpgraph/integrations"
)

// MaxBatch is the most screen names users/lookup takes in one call.
const MaxBatch = 100

// apiHost is where go-twitter sends every request; it cannot be changed in
// the library, so Config.BaseURL is applied by rewriting requests to it.
const apiHost = "api.twitter.com"

// Twitter's v1.1 error codes that Fetch tells apart.
const (
	codeNoUserMatches = 17 // none of the screen names matched an account
	codeUserNotFound  = 50
	codeSuspended     = 63
	codeRateLimited   = 88
	codeInvalidToken  = 89
	codeNotAuthorized = 32  // "Could not authenticate you."
	codeBadAuthData   = 215 // "Bad Authentication data."
)

// rateWindow is the length of a v1.1 rate-limit window, the wait assumed
// when Twitter refuses a call without saying when the window resets.
const rateWindow = 15 * time.Minute

// Client reads account figures from the Twitter v1.1 API. It is safe for
// concurrent use.
type Client struct {
	base  *url.URL // replaces https://api.twitter.com; nil for the real API
	token string
	http  *http.Client
	now   func() time.Time
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client authenticated with the app-only bearer token in
// c.Token. c.BaseURL, when set, stands for https://api.twitter.com: requests
// go to BaseURL + "/1.1/users/lookup.json".
func New(c integrations.Config) (*Client, error) {
	if c.Token == "" {
		return nil, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"no Twitter bearer token: set %s to the app's bearer token.", integrations.EnvName(mvpgraph.Twitter, "TOKEN"))
	}
	cl := &Client{token: c.Token, http: c.Client(), now: c.Clock}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
				"%s is not an absolute http(s) URL; set it to the API's scheme and host, such as https://api.twitter.com.",
				integrations.EnvName(mvpgraph.Twitter, "BASE_URL"))
		}
		cl.base = u
	}
	return cl, nil
}

// Platform returns mvpgraph.Twitter.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.Twitter }

// BatchSize returns 100, the most screen names users/lookup takes.
func (c *Client) BatchSize() int { return MaxBatch }

// Fetch looks up screen names (lower case, without '@') in one users/lookup
// call and returns one Lookup per handle, in order, with the rate limit the
// answer announced.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	if len(handles) == 0 {
		return nil, nil, nil
	}
	if len(handles) > MaxBatch {
		return nil, nil, fmt.Errorf("twitter: %d handles in one batch; users/lookup takes at most %d", len(handles), MaxBatch)
	}

	// go-twitter takes no context, so the context and the timeout reach the
	// request through a transport made for this call alone; it also keeps
	// the rate-limit headers of this call's answer.
	callCtx := ctx
	if c.http.Timeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, c.http.Timeout)
		defer cancel()
	}
	next := c.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	rt := &transport{ctx: callCtx, base: c.base, token: c.token, next: next}
	api := twitter.NewClient(&http.Client{Transport: rt, Jar: c.http.Jar, CheckRedirect: c.http.CheckRedirect})

	users, resp, err := api.Users.Lookup(&twitter.UserLookupParams{
		ScreenName:      handles,
		IncludeEntities: twitter.Bool(false),
	})
	quota := rt.quota()
	if resp == nil {
		// No answer at all; a timeout of the call's own deadline is
		// transient, a cancellation of ctx is returned as is.
		return nil, quota, integrations.NetError(ctx, err)
	}

	var apiErr twitter.APIError
	if errors.As(err, &apiErr) {
		lookups, err := c.apiError(apiErr, resp.StatusCode, handles, quota)
		return lookups, quota, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An error answer without Twitter's error body, such as a 503
		// page from a proxy or a bare 429.
		return nil, quota, integrations.StatusError(resp.StatusCode, resetOf(quota), c.now(), "Twitter users/lookup")
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, quota, ctx.Err()
		}
		return nil, quota, &mvpgraph.TransientError{Err: fmt.Errorf("twitter: read users/lookup answer: %w", err)}
	}

	byName := make(map[string]*twitter.User, len(users))
	for i := range users {
		byName[strings.ToLower(users[i].ScreenName)] = &users[i]
	}
	lookups := make([]mvpgraph.Lookup, len(handles))
	for i, h := range handles {
		lookups[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountNotFound}
		if u, ok := byName[strings.ToLower(h)]; ok {
			lookups[i].Status = mvpgraph.AccountActive
			lookups[i].Reach = reachOf(u)
		}
	}
	return lookups, quota, nil
}

// apiError maps the error codes of a Twitter error body. Codes that speak of
// accounts (17, 50, 63) come back only when no account of the batch could be
// returned, so they apply to every handle of it.
func (c *Client) apiError(e twitter.APIError, status int, handles []string, quota *mvpgraph.Quota) ([]mvpgraph.Lookup, error) {
	has := func(codes ...int) (twitter.ErrorDetail, bool) {
		for _, d := range e.Errors {
			for _, code := range codes {
				if d.Code == code {
					return d, true
				}
			}
		}
		return twitter.ErrorDetail{}, false
	}
	all := func(s mvpgraph.AccountStatus) []mvpgraph.Lookup {
		lookups := make([]mvpgraph.Lookup, len(handles))
		for i, h := range handles {
			lookups[i] = mvpgraph.Lookup{Handle: h, Status: s}
		}
		return lookups
	}

	if d, ok := has(codeRateLimited); ok {
		reset := resetOf(quota)
		if reset.IsZero() || reset.Before(c.now()) {
			reset = c.now().Add(rateWindow)
		}
		return nil, &mvpgraph.RateLimitError{Reset: reset, Err: fmt.Errorf("twitter: error %d: %s", d.Code, d.Message)}
	}
	if d, ok := has(codeInvalidToken, codeNotAuthorized, codeBadAuthData); ok {
		return nil, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"Twitter refused the bearer token (error %d: %s); set a valid app bearer token in %s.",
			d.Code, d.Message, integrations.EnvName(mvpgraph.Twitter, "TOKEN"))
	}
	if _, ok := has(codeSuspended); ok {
		return all(mvpgraph.AccountSuspended), nil
	}
	if _, ok := has(codeNoUserMatches, codeUserNotFound); ok {
		return all(mvpgraph.AccountNotFound), nil
	}
	return nil, integrations.StatusError(status, resetOf(quota), c.now(), "Twitter users/lookup: "+e.Error())
}

// reachOf takes the figures Twitter gives of a user.
func reachOf(u *twitter.User) mvpgraph.Reach {
	followers, following, posts := int64(u.FollowersCount), int64(u.FriendsCount), int64(u.StatusesCount)
	r := mvpgraph.Reach{Followers: &followers, Following: &following, Posts: &posts}
	// The user object carries the latest tweet when it is visible to the
	// app (not for protected accounts).
	if u.Status != nil {
		if t, err := u.Status.CreatedAtTime(); err == nil {
			t = t.UTC()
			r.LastPostAt = &t
		}
	}
	return r
}

// resetOf returns when the quota's window resets, or the zero time.
func resetOf(q *mvpgraph.Quota) time.Time {
	if q == nil {
		return time.Time{}
	}
	return q.Reset
}

// transport sends the requests of one Fetch: it applies the call's context,
// the bearer token and the base URL, and keeps the rate-limit headers of
// the answer, error answers included.
type transport struct {
	ctx   context.Context
	base  *url.URL
	token string
	next  http.RoundTripper

	mu sync.Mutex
	q  *mvpgraph.Quota
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(t.ctx)
	if t.base != nil && r.URL.Host == apiHost {
		r.URL.Scheme = t.base.Scheme
		r.URL.Host = t.base.Host
		r.URL.Path = strings.TrimRight(t.base.Path, "/") + r.URL.Path
		r.URL.RawPath = ""
		r.Host = ""
	}
	r.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.next.RoundTrip(r)
	if resp != nil {
		if q := quotaOf(resp.Header); q != nil {
			t.mu.Lock()
			t.q = q
			t.mu.Unlock()
		}
	}
	return resp, err
}

func (t *transport) quota() *mvpgraph.Quota {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.q
}

// quotaOf reads Twitter's x-rate-limit-* headers; nil when there are none.
func quotaOf(h http.Header) *mvpgraph.Quota {
	limit, remaining, reset := h.Get("x-rate-limit-limit"), h.Get("x-rate-limit-remaining"), h.Get("x-rate-limit-reset")
	if limit == "" && remaining == "" && reset == "" {
		return nil
	}
	var q mvpgraph.Quota
	q.Limit, _ = strconv.Atoi(limit)
	q.Remaining, _ = strconv.Atoi(remaining)
	if s, err := strconv.ParseInt(reset, 10, 64); err == nil && s > 0 {
		q.Reset = time.Unix(s, 0).UTC()
	}
	return &q
}
