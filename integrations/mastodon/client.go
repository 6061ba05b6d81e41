// Package mastodon reads the reach of Mastodon accounts. Each account is
// looked up on its own instance, through the public account lookup
// (GET /api/v1/accounts/lookup?acct=<user>), and decoded into
// go-mastodon's Account.
//
// Reach: Followers is followers_count, Following is following_count, Posts
// is statuses_count (all time) and LastPostAt is last_status_at (a date).
// Views and Engagement are nil: Mastodon gives neither.
package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-mastodon"

	"mvpgraph"
	"mvpgraph/integrations"
)

// lookupPath is the public account lookup, the same on every instance.
const lookupPath = "/api/v1/accounts/lookup"

// maxBody bounds what is read of one answer; an account is a few KB.
const maxBody = 1 << 20

// Client looks Mastodon accounts up on their instances. It is safe for
// concurrent use.
type Client struct {
	cfg   integrations.Config
	http  *http.Client
	base  string // every instance's address when set (tests, proxies)
	token string // sent only to base: see New
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client. Config.BaseURL, when set, stands for every
// instance (the path is kept). Config.Token is optional, since the lookup
// is public; it is accepted only with a BaseURL, because a Mastodon token
// belongs to one instance and sending it to every member's instance would
// hand it to their administrators.
//
// Without an HTTPClient, the client refuses to connect to loopback,
// private and link-local addresses: instance names come from members, and
// must not reach into the network the server runs in.
func New(c integrations.Config) (*Client, error) {
	cl := &Client{cfg: c}
	switch {
	case c.BaseURL != "":
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("mastodon: %s is not an absolute http(s) URL; fix or unset it",
				integrations.EnvName(mvpgraph.Mastodon, "BASE_URL"))
		}
		cl.base = strings.TrimRight(c.BaseURL, "/")
		cl.token = c.Token
		cl.http = c.Client()
	case c.Token != "":
		return nil, fmt.Errorf("mastodon: a token belongs to one instance and would be sent to every member's instance; "+
			"unset %s (lookups are public) or set %s to the token's instance",
			integrations.EnvName(mvpgraph.Mastodon, "TOKEN"), integrations.EnvName(mvpgraph.Mastodon, "BASE_URL"))
	case c.HTTPClient != nil:
		cl.http = c.HTTPClient
	default:
		cl.http = integrations.PublicClient(c.Timeout)
	}
	return cl, nil
}

// Platform is Mastodon.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.Mastodon }

// BatchSize is 1: the lookup takes one account, on its own instance.
func (c *Client) BatchSize() int { return 1 }

// Fetch looks each handle ("user@instance.host") up on its instance. The
// quota returned is the last instance's: each instance counts on its own.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	lookups := make([]mvpgraph.Lookup, 0, len(handles))
	var quota *mvpgraph.Quota
	for _, h := range handles {
		l, q, err := c.lookup(ctx, h)
		if q != nil {
			quota = q
		}
		if err != nil {
			return nil, quota, err
		}
		lookups = append(lookups, l)
	}
	return lookups, quota, nil
}

// account is go-mastodon's Account with the fields it lacks.
type account struct {
	mastodon.Account
	Suspended    bool    `json:"suspended"`      // Mastodon 3.3+
	LastStatusAt *string `json:"last_status_at"` // a date since 3.1, a time before
}

// lookup asks one account's instance about it. A failure of that account
// alone is in the Lookup; the error is for failures of the call.
func (c *Client) lookup(ctx context.Context, handle string) (mvpgraph.Lookup, *mvpgraph.Quota, error) {
	l := mvpgraph.Lookup{Handle: handle}
	user, instance, ok := strings.Cut(handle, "@")
	if !ok || user == "" || instance == "" || strings.ContainsAny(instance, "/?#@:") {
		l.Err = fmt.Errorf("%q is not a Mastodon handle; store it as user@instance.host", handle)
		return l, nil, nil
	}
	base := "https://" + instance
	if c.base != "" {
		base = c.base
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+lookupPath+"?"+url.Values{"acct": {user}}.Encode(), nil)
	if err != nil {
		l.Err = fmt.Errorf("cannot build a lookup for %q: %w", handle, err)
		return l, nil, nil
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "mvpgraph")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// An instance that does not resolve, or resolves to a private
		// address, is that account's problem, not the platform's.
		var dns *net.DNSError
		if errors.As(err, &dns) && dns.IsNotFound {
			l.Err = fmt.Errorf("instance %s does not resolve; check the handle", instance)
			return l, nil, nil
		}
		if errors.Is(err, integrations.ErrPrivateAddress) {
			l.Err = fmt.Errorf("instance %s resolves to a private address; check the handle", instance)
			return l, nil, nil
		}
		return l, nil, integrations.NetError(ctx, err)
	}
	defer resp.Body.Close()
	now := c.cfg.Clock()
	quota := quotaOf(resp.Header)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return l, quota, integrations.NetError(ctx, err)
	}

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		l.Status = mvpgraph.AccountNotFound
		return l, quota, nil
	case http.StatusGone: // how instances before 3.3 report a suspended account
		l.Status = mvpgraph.AccountSuspended
		return l, quota, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		if c.token == "" {
			// No credentials were sent: the instance closes its API to
			// the public, which is about this account's instance only.
			l.Err = fmt.Errorf("instance %s refuses public lookups (HTTP %d: %s)", instance, resp.StatusCode, c.detail(body))
			return l, quota, nil
		}
		return l, quota, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"Mastodon refused the access token (HTTP %d: %s); fix %s or unset it, since lookups are public",
			resp.StatusCode, c.detail(body), integrations.EnvName(mvpgraph.Mastodon, "TOKEN"))
	default:
		var reset time.Time
		if quota != nil {
			reset = quota.Reset
		}
		return l, quota, integrations.StatusError(resp.StatusCode, reset, now, "Mastodon instance "+instance+": "+c.detail(body))
	}

	var a account
	if err := json.Unmarshal(body, &a); err != nil {
		return l, quota, &mvpgraph.TransientError{Err: fmt.Errorf("mastodon instance %s answered with malformed JSON: %w", instance, err)}
	}
	if a.Suspended {
		l.Status = mvpgraph.AccountSuspended
		return l, quota, nil
	}
	l.Status = mvpgraph.AccountActive
	l.Reach = mvpgraph.Reach{
		Followers:  &a.FollowersCount,
		Following:  &a.FollowingCount,
		Posts:      &a.StatusesCount,
		LastPostAt: parseDate(a.LastStatusAt),
	}
	return l, quota, nil
}

// detail is the message of a Mastodon error body ({"error": "..."}), or
// the start of whatever else came back, without the token.
func (c *Client) detail(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "[token]")
	}
	if msg == "" {
		msg = "no message"
	}
	return msg
}

// quotaOf reads Mastodon's X-RateLimit-* headers; nil when there are none.
func quotaOf(h http.Header) *mvpgraph.Quota {
	limit, errL := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if errL != nil && errR != nil {
		return nil
	}
	q := &mvpgraph.Quota{Limit: limit, Remaining: remaining}
	if t, err := time.Parse(time.RFC3339Nano, h.Get("X-RateLimit-Reset")); err == nil {
		q.Reset = t
	}
	return q
}

// parseDate reads last_status_at, a date ("2019-11-24") since Mastodon 3.1
// and a full time before.
func parseDate(s *string) *time.Time {
	if s == nil {
		return nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano} {
		if t, err := time.Parse(layout, *s); err == nil {
			return &t
		}
	}
	return nil
}
