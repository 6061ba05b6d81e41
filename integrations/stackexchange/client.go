// Package stackexchange reads the reach of Stack Exchange users through
// API 2.3: GET /2.3/users/{ids}?site=<site>&filter=default&key=<key>, up
// to 100 ids of one site a call. It is a small client of its own: the API
// is one GET with a JSON wrapper, and no Go library for it is maintained.
//
// Reach: Followers is reputation, the figure a Stack Exchange profile is
// known by (mvpgraph.Reach lists reputation under Followers). Posts is
// answer_count when the answer has it; the default filter, the one used,
// leaves it out, so Posts is nil unless the filter is changed to one that
// includes user.answer_count (filters are opaque ids made once with
// /filters/create). Following, Views, Engagement and LastPostAt are nil.
//
// Stack Exchange leaves deleted and unknown users out of the answer; they
// are NOT_FOUND. The API does not report suspensions, so no Lookup is
// SUSPENDED.
package stackexchange

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"mvpgraph"
	"mvpgraph/integrations"
)

const (
	defaultBaseURL = "https://api.stackexchange.com"
	// filter is the API's own default filter: reputation and the profile,
	// without counts.
	filter    = "default"
	batchSize = 100 // the API's limit on {ids}
	maxBody   = 8 << 20
	// maxBackoffWait is the longest Fetch waits out a backoff itself;
	// beyond it, it returns a RateLimitError for the caller to wait.
	maxBackoffWait = 30 * time.Second
)

// Client reads Stack Exchange users. It is safe for concurrent use.
type Client struct {
	cfg  integrations.Config
	http *http.Client
	base string
	key  string

	mu           sync.Mutex
	backoffUntil time.Time // no request before this, as the API asked
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client. Config.Token is the app key, optional: without
// one the API allows 300 requests a day per IP address, with one 10,000.
// It goes in the query string, as the API wants, so no URL ever appears in
// an error. Config.BaseURL replaces https://api.stackexchange.com.
func New(c integrations.Config) (*Client, error) {
	base := defaultBaseURL
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("stackexchange: %s is not an absolute http(s) URL; fix or unset it",
				integrations.EnvName(mvpgraph.StackExchange, "BASE_URL"))
		}
		base = strings.TrimRight(c.BaseURL, "/")
	}
	return &Client{cfg: c, http: c.Client(), base: base, key: c.Token}, nil
}

// Platform is Stack Exchange.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.StackExchange }

// BatchSize is 100, the most ids one call takes.
func (c *Client) BatchSize() int { return batchSize }

// account is a handle, "site:userID", read.
type account struct {
	site string
	id   int64
}

var siteName = regexp.MustCompile(`^[a-z][a-z0-9.]{1,40}$`)

func parseHandle(h string) (account, error) {
	site, id, ok := strings.Cut(h, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 || !siteName.MatchString(site) {
		return account{}, fmt.Errorf("%q is not a Stack Exchange handle; store it as site:userID, such as stackoverflow:22656", h)
	}
	return account{site, n}, nil
}

// Fetch looks the handles up, one call per site (more past 100 ids). The
// quota returned is the last call's: the key's quota is shared by all
// sites.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	out := make([]mvpgraph.Lookup, len(handles))
	accounts := make([]account, len(handles))
	var sites []string
	ids := map[string][]int64{}
	asked := map[account]bool{}
	for i, h := range handles {
		out[i].Handle = h
		a, err := parseHandle(h)
		if err != nil {
			out[i].Err = err
			continue
		}
		accounts[i] = a
		if asked[a] {
			continue
		}
		asked[a] = true
		if ids[a.site] == nil {
			sites = append(sites, a.site)
		}
		ids[a.site] = append(ids[a.site], a.id)
	}

	found := map[account]user{}
	badSite := map[string]error{}
	var quota *mvpgraph.Quota
	for _, site := range sites {
		for start := 0; start < len(ids[site]); start += batchSize {
			chunk := ids[site][start:min(start+batchSize, len(ids[site]))]
			users, q, err := c.users(ctx, site, chunk)
			if q != nil {
				quota = q
			}
			var se *siteError
			if errors.As(err, &se) {
				badSite[site] = se
				break
			}
			if err != nil {
				return nil, quota, err
			}
			for _, u := range users {
				found[account{site, u.UserID}] = u
			}
		}
	}

	for i := range out {
		if out[i].Err != nil {
			continue
		}
		a := accounts[i]
		if err := badSite[a.site]; err != nil {
			out[i].Err = err
			continue
		}
		u, ok := found[a]
		if !ok {
			out[i].Status = mvpgraph.AccountNotFound
			continue
		}
		out[i].Status = mvpgraph.AccountActive
		out[i].Reach = mvpgraph.Reach{Followers: u.Reputation, Posts: u.AnswerCount}
	}
	return out, quota, nil
}

// wrapper is the envelope of every answer, errors included
// (https://api.stackexchange.com/docs/wrapper).
type wrapper struct {
	Items          json.RawMessage `json:"items"`
	QuotaMax       *int            `json:"quota_max"`
	QuotaRemaining *int            `json:"quota_remaining"`
	Backoff        int             `json:"backoff"` // seconds before calling the method again
	ErrorID        int             `json:"error_id"`
	ErrorName      string          `json:"error_name"`
	ErrorMessage   string          `json:"error_message"`
}

// user is the part of a user (https://api.stackexchange.com/docs/types/user) read.
type user struct {
	UserID      int64  `json:"user_id"`
	Reputation  *int64 `json:"reputation"`
	AnswerCount *int64 `json:"answer_count"` // only with a filter that includes it
}

// siteError says the API knows no such site: a failure of the handles on
// it, not of the call.
type siteError struct{ site string }

func (e *siteError) Error() string {
	return fmt.Sprintf("Stack Exchange has no site %q; fix the handle's site, such as stackoverflow or superuser", e.site)
}

// users reads the users with ids on one site.
func (c *Client) users(ctx context.Context, site string, ids []int64) ([]user, *mvpgraph.Quota, error) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	raw, quota, err := c.call(ctx, site, "/2.3/users/"+strings.Join(parts, ";"), url.Values{"filter": {filter}, "pagesize": {strconv.Itoa(batchSize)}})
	if err != nil {
		return nil, nil, err
	}
	var users []user
	if err := json.Unmarshal(raw, &users); err != nil {
		return nil, nil, &mvpgraph.TransientError{Err: fmt.Errorf("stack exchange users: %w", err)}
	}
	return users, quota, nil
}

// call sends one API request for a site and returns the wrapper's items,
// obeying and recording the backoff the API asks for.
func (c *Client) call(ctx context.Context, site, path string, q url.Values) (json.RawMessage, *mvpgraph.Quota, error) {
	if err := c.waitBackoff(ctx); err != nil {
		return nil, nil, err
	}
	q.Set("site", site)
	if c.key != "" {
		q.Set("key", c.key)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("stackexchange: cannot build the request: %w", integrations.NetError(ctx, err))
	}
	// Asked for explicitly, so the body is decompressed here whatever the
	// transport: the API compresses every answer anyway.
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", "mvpgraph")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, integrations.NetError(ctx, err) // drops the URL, and the key with it
	}
	defer resp.Body.Close()
	now := c.cfg.Clock()

	var body io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, nil, c.unreadable(ctx, resp.StatusCode, now, err)
		}
		defer zr.Close()
		body = zr
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody))
	if err != nil {
		return nil, nil, c.unreadable(ctx, resp.StatusCode, now, err)
	}
	var w wrapper
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, nil, c.unreadable(ctx, resp.StatusCode, now, err)
	}
	if w.ErrorID != 0 {
		return nil, nil, c.apiError(w, site, now)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, integrations.StatusError(resp.StatusCode, time.Time{}, now, "Stack Exchange answered without an error wrapper")
	}
	if w.Items == nil {
		return nil, nil, &mvpgraph.TransientError{Err: errors.New("stack exchange answered a wrapper without items")}
	}

	var quota *mvpgraph.Quota
	if w.QuotaMax != nil && w.QuotaRemaining != nil {
		// The daily quota starts again at midnight UTC.
		d := now.UTC()
		quota = &mvpgraph.Quota{Limit: *w.QuotaMax, Remaining: *w.QuotaRemaining,
			Reset: time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, time.UTC)}
	}
	if w.Backoff > 0 {
		until := now.Add(time.Duration(w.Backoff) * time.Second)
		c.setBackoff(until)
		if quota == nil {
			quota = &mvpgraph.Quota{}
		}
		quota.Reset = until
	}
	return w.Items, quota, nil
}

// unreadable classifies an answer that could not be read: a broken
// connection or an HTTP error page first, else a malformed body.
func (c *Client) unreadable(ctx context.Context, status int, now time.Time, err error) error {
	if ne := integrations.NetError(ctx, err); mvpgraph.IsTransient(ne) || ctx.Err() != nil {
		return ne
	}
	if status != http.StatusOK {
		return integrations.StatusError(status, time.Time{}, now, "Stack Exchange answered with a body that is not its JSON wrapper")
	}
	return &mvpgraph.TransientError{Err: fmt.Errorf("stack exchange answered malformed JSON: %w", err)}
}

// throttleSeconds finds the wait in "too many requests from this IP, more
// requests available in 82227 seconds".
var throttleSeconds = regexp.MustCompile(`available in (\d+) seconds`)

// apiError turns an error wrapper into the error Fetch returns
// (https://api.stackexchange.com/docs/error-handling).
func (c *Client) apiError(w wrapper, site string, now time.Time) error {
	msg := w.ErrorMessage
	if c.key != "" {
		msg = strings.ReplaceAll(msg, c.key, "[key]")
	}
	detail := fmt.Errorf("stack exchange: %s: %s (error %d)", w.ErrorName, msg, w.ErrorID)
	switch w.ErrorID {
	case 502: // throttle_violation: daily quota spent, or backoff ignored
		reset := now.Add(time.Minute)
		if m := throttleSeconds.FindStringSubmatch(msg); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				reset = now.Add(time.Duration(n) * time.Second)
			}
		}
		// Remembered, so that no call is sent before then: the API
		// lengthens the ban of an address that keeps calling.
		c.setBackoff(reset)
		return &mvpgraph.RateLimitError{Reset: reset, Err: detail}
	case 500, 503: // internal_error, temporarily_unavailable
		return &mvpgraph.TransientError{Err: detail}
	case 401, 402, 403, 405, 406: // access token required/invalid/denied/compromised, key required
		return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"Stack Exchange refused the credentials (%s: %s); set %s to a valid app key",
			w.ErrorName, msg, integrations.EnvName(mvpgraph.StackExchange, "TOKEN"))
	case 400: // bad_parameter; the message names the parameter
		switch strings.TrimSpace(msg) {
		case "key", "access_token":
			return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
				"Stack Exchange does not accept the app key; set %s to the key of a registered Stack Apps application, or unset it",
				integrations.EnvName(mvpgraph.StackExchange, "TOKEN"))
		case "site":
			return &siteError{site: site}
		}
		return fmt.Errorf("stack exchange rejected the %q parameter (bad_parameter); mvpgraph built a request the API does not take, so report it", msg)
	}
	return detail
}

func (c *Client) setBackoff(until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.backoffUntil) {
		c.backoffUntil = until
	}
}

// waitBackoff waits until the API allows the next call: a short backoff
// here, a long one (a spent quota) by returning a RateLimitError.
func (c *Client) waitBackoff(ctx context.Context) error {
	c.mu.Lock()
	until := c.backoffUntil
	c.mu.Unlock()
	wait := until.Sub(c.cfg.Clock())
	if wait <= 0 {
		return nil
	}
	if wait > maxBackoffWait {
		return &mvpgraph.RateLimitError{Reset: until, Err: errors.New("stack exchange asked for no calls before then")}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
