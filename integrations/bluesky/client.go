// Package bluesky reads the reach of Bluesky accounts from the public
// AppView's XRPC API (https://public.api.bsky.app, no credentials):
// app.bsky.actor.getProfiles for up to 25 actors a call, and
// app.bsky.actor.getProfile for one.
//
// It is a small net/http client rather than the Bluesky team's Go SDK
// (github.com/bluesky-social/indigo): the SDK is built for running the
// network's services, and brings their whole dependency tree, while
// reading profiles is two GETs and their documented JSON.
//
// Reach: Followers is followersCount, Following followsCount, Posts
// postsCount. The profile gives no date of the last post, no views and no
// engagement; those stay nil.
//
// A batch answers the profiles it found and leaves out, without saying
// why, the actors that do not resolve, were taken down (suspended) or
// deactivated. The lookup of one actor alone tells them apart: an
// AccountTakedown error is SUSPENDED, AccountDeactivated and a profile not
// found are NOT_FOUND. So the client asks for one actor alone with
// getProfile, and says (TellsMissingAlone) that the worker should look an
// actor missing from a batch up again alone.
package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
	"mvpgraph/integrations"
)

// MaxBatch is the most actors getProfiles takes.
const MaxBatch = 25

// rateWindow is the wait assumed when the AppView refuses a call for its
// rate without saying when the window resets: its limits are counted per
// five minutes.
const rateWindow = 5 * time.Minute

// maxBody bounds what is read of one answer: 25 profiles are a few dozen KB.
const maxBody = 4 << 20

// Client reads profiles from the AppView. It is safe for concurrent use.
type Client struct {
	base string
	http *http.Client
	now  func() time.Time
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client of the public AppView, or of c.BaseURL when set (a
// test server, a proxy, another AppView). The AppView takes no
// credentials, so a token is refused rather than sent.
func New(c integrations.Config) (*Client, error) {
	if c.Token != "" {
		return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
			"the Bluesky AppView is public and takes no token; unset %s and set %s=true to read Bluesky.",
			integrations.EnvName(mvpgraph.Bluesky, "TOKEN"), integrations.EnvName(mvpgraph.Bluesky, "ENABLED"))
	}
	base := "https://public.api.bsky.app"
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
				"%s is not an absolute http(s) URL; set it to an AppView's scheme and host, such as https://public.api.bsky.app.",
				integrations.EnvName(mvpgraph.Bluesky, "BASE_URL"))
		}
		base = strings.TrimRight(c.BaseURL, "/")
	}
	return &Client{base: base, http: c.Client(), now: c.Clock}, nil
}

// Platform returns mvpgraph.Bluesky.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.Bluesky }

// BatchSize returns 25, the most actors getProfiles takes.
func (c *Client) BatchSize() int { return MaxBatch }

// TellsMissingAlone says that an actor missing from a batch's answer is
// told apart (not found, suspended) by looking it up alone.
func (c *Client) TellsMissingAlone() bool { return true }

// profile is the part of app.bsky.actor.defs#profileViewDetailed read.
type profile struct {
	DID            string `json:"did"`
	Handle         string `json:"handle"`
	FollowersCount *int64 `json:"followersCount"`
	FollowsCount   *int64 `json:"followsCount"`
	PostsCount     *int64 `json:"postsCount"`
}

// xrpcError is the body of an XRPC error: {"error": "Name", "message": "..."}.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Fetch looks up handles (lower-case handles or DIDs, as
// mvpgraph.NormalizeAccount stores them) in one call, and returns one
// Lookup per handle, in order, with the rate limit the answer announced.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	switch {
	case len(handles) == 0:
		return nil, nil, nil
	case len(handles) > MaxBatch:
		return nil, nil, fmt.Errorf("bluesky: %d actors in one batch; getProfiles takes at most %d", len(handles), MaxBatch)
	case len(handles) == 1:
		return c.one(ctx, handles[0])
	}
	body, status, quota, err := c.get(ctx, "app.bsky.actor.getProfiles", url.Values{"actors": handles})
	if err != nil {
		return nil, quota, err
	}
	if status != http.StatusOK {
		return nil, quota, c.failure(status, quota, body, "getProfiles")
	}
	var a struct {
		Profiles []profile `json:"profiles"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Profiles == nil {
		return nil, quota, &mvpgraph.TransientError{Err: errors.New("bluesky: getProfiles answered what is not its JSON")}
	}
	found := make(map[string]profile, 2*len(a.Profiles))
	for _, p := range a.Profiles {
		found[p.DID] = p
		found[strings.ToLower(p.Handle)] = p
	}
	lookups := make([]mvpgraph.Lookup, len(handles))
	for i, h := range handles {
		lookups[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountNotFound}
		if p, ok := found[h]; ok {
			lookups[i] = active(h, p)
		}
	}
	return lookups, quota, nil
}

// one looks one actor up with getProfile, which says why it has none.
func (c *Client) one(ctx context.Context, handle string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	body, status, quota, err := c.get(ctx, "app.bsky.actor.getProfile", url.Values{"actor": {handle}})
	if err != nil {
		return nil, quota, err
	}
	l := mvpgraph.Lookup{Handle: handle}
	switch status {
	case http.StatusOK:
		var p profile
		if err := json.Unmarshal(body, &p); err != nil || p.DID == "" {
			return nil, quota, &mvpgraph.TransientError{Err: errors.New("bluesky: getProfile answered what is not its JSON")}
		}
		return []mvpgraph.Lookup{active(handle, p)}, quota, nil
	case http.StatusBadRequest, http.StatusNotFound:
		var e xrpcError
		_ = json.Unmarshal(body, &e)
		switch {
		case e.Error == "AccountTakedown":
			l.Status = mvpgraph.AccountSuspended
		case e.Error == "AccountDeactivated":
			l.Status = mvpgraph.AccountNotFound
		case e.Error == "InvalidRequest" && notFound(e.Message), status == http.StatusNotFound:
			l.Status = mvpgraph.AccountNotFound
		default:
			// A request the AppView found wrong is this actor's failure.
			l.Err = fmt.Errorf("the Bluesky AppView refused the lookup of %q (%s: %s)", handle, e.Error, cut(e.Message))
		}
		return []mvpgraph.Lookup{l}, quota, nil
	}
	return nil, quota, c.failure(status, quota, body, "getProfile")
}

// notFound tells the AppView's messages for an actor it does not know.
func notFound(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "not found") || strings.Contains(m, "unable to resolve") || strings.Contains(m, "could not find")
}

func active(handle string, p profile) mvpgraph.Lookup {
	return mvpgraph.Lookup{Handle: handle, Status: mvpgraph.AccountActive,
		Reach: mvpgraph.Reach{Followers: p.FollowersCount, Following: p.FollowsCount, Posts: p.PostsCount}}
}

// get calls an XRPC query and returns its body, status and quota.
func (c *Client) get(ctx context.Context, method string, q url.Values) ([]byte, int, *mvpgraph.Quota, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/xrpc/"+method+"?"+q.Encode(), nil)
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "mvpgraph")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, nil, integrations.NetError(ctx, err)
	}
	defer resp.Body.Close()
	quota := quotaOf(resp.Header)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, 0, quota, integrations.NetError(ctx, err)
	}
	return body, resp.StatusCode, quota, nil
}

// failure is the error of a call the AppView did not answer: 429 until the
// reset it announced, the rest as integrations.StatusError classes them.
func (c *Client) failure(status int, quota *mvpgraph.Quota, body []byte, method string) error {
	var e xrpcError
	_ = json.Unmarshal(body, &e)
	detail := strings.TrimSpace(e.Error + ": " + cut(e.Message))
	if e.Error == "" {
		detail = "no XRPC error body"
	}
	var reset time.Time
	if quota != nil {
		reset = quota.Reset
	}
	if status == http.StatusTooManyRequests {
		if reset.IsZero() || reset.Before(c.now()) {
			reset = c.now().Add(rateWindow)
		}
		return &mvpgraph.RateLimitError{Reset: reset, Err: fmt.Errorf("bluesky: %s: HTTP 429: %s", method, detail)}
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"the Bluesky AppView at %s refused the call (HTTP %d: %s); the public AppView asks for no credentials: point %s at it, or unset it.",
			c.base, status, detail, integrations.EnvName(mvpgraph.Bluesky, "BASE_URL"))
	}
	return integrations.StatusError(status, reset, c.now(), "Bluesky "+method+": "+detail)
}

// cut shortens an error message from the AppView.
func cut(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// quotaOf reads the rate-limit headers the AppView sends (RateLimit-Limit,
// -Remaining, and -Reset in Unix seconds); nil when there are none.
func quotaOf(h http.Header) *mvpgraph.Quota {
	limit, errL := strconv.Atoi(h.Get("RateLimit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("RateLimit-Remaining"))
	if errL != nil && errR != nil {
		return nil
	}
	q := &mvpgraph.Quota{Limit: limit, Remaining: remaining}
	if s, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64); err == nil && s > 0 {
		q.Reset = time.Unix(s, 0)
	}
	return q
}
