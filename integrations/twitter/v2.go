package twitter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mvpgraph"
	"mvpgraph/integrations"
)

// V2 reads account figures through X API v2's GET /2/users/by, with an
// app's bearer token: up to 100 usernames a call, their public_metrics. It
// is written on net/http: go-twitter speaks v1.1 only, and the Go clients
// of v2 are unmaintained or far larger than one GET and its documented
// JSON. It is safe for concurrent use.
//
// A batch answers the users it found in data, and names the others in an
// errors array: "Not Found Error" for a user that does not exist or was
// deleted, "Forbidden" for a suspended one.
type V2 struct {
	base  string
	token string
	http  *http.Client
	now   func() time.Time
}

var _ mvpgraph.ReachSource = (*V2)(nil)

// NewV2 returns a v2 client authenticated with the app-only bearer token in
// c.Token. c.BaseURL, when set, stands for https://api.x.com.
func NewV2(c integrations.Config) (*V2, error) {
	if c.Token == "" {
		return nil, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"no X bearer token: set %s to the app's bearer token.", integrations.EnvName(mvpgraph.Twitter, "TOKEN"))
	}
	base := "https://api.x.com"
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
				"%s is not an absolute http(s) URL; set it to the API's scheme and host, such as https://api.x.com.",
				integrations.EnvName(mvpgraph.Twitter, "BASE_URL"))
		}
		base = strings.TrimRight(c.BaseURL, "/")
	}
	return &V2{base: base, token: c.Token, http: c.Client(), now: c.Clock}, nil
}

// Platform returns mvpgraph.Twitter.
func (c *V2) Platform() mvpgraph.Platform { return mvpgraph.Twitter }

// BatchSize returns 100, the most usernames /2/users/by takes.
func (c *V2) BatchSize() int { return MaxBatch }

type v2Answer struct {
	Data []struct {
		Username      string `json:"username"`
		PublicMetrics struct {
			Followers int64 `json:"followers_count"`
			Following int64 `json:"following_count"`
			Tweets    int64 `json:"tweet_count"`
		} `json:"public_metrics"`
	} `json:"data"`
	Errors []struct {
		Value  string `json:"value"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	} `json:"errors"`
	// A refused call: a problem document.
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Fetch looks up usernames (lower case, without '@') in one call and
// returns one Lookup per handle, in order, with the rate limit the answer
// announced.
func (c *V2) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	if len(handles) == 0 {
		return nil, nil, nil
	}
	if len(handles) > MaxBatch {
		return nil, nil, fmt.Errorf("x: %d handles in one batch; /2/users/by takes at most %d", len(handles), MaxBatch)
	}
	q := url.Values{"usernames": {strings.Join(handles, ",")}, "user.fields": {"public_metrics,created_at"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/2/users/by?"+q.Encode(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, integrations.NetError(ctx, err)
	}
	defer resp.Body.Close()
	quota := quotaOf(resp.Header)
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, quota, integrations.NetError(ctx, err)
	}
	var a v2Answer
	parsed := json.Unmarshal(body, &a) == nil
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		reset := resetOf(quota)
		if reset.IsZero() || reset.Before(c.now()) {
			reset = c.now().Add(rateWindow)
		}
		return nil, quota, &mvpgraph.RateLimitError{Reset: reset, Err: fmt.Errorf("x: /2/users/by: %s", a.Detail)}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, quota, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"X refused the bearer token (HTTP %d: %s); set a valid app bearer token in %s.",
			resp.StatusCode, a.Title, integrations.EnvName(mvpgraph.Twitter, "TOKEN"))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, quota, integrations.StatusError(resp.StatusCode, resetOf(quota), c.now(), "X /2/users/by")
	case !parsed:
		return nil, quota, &mvpgraph.TransientError{Err: fmt.Errorf("x: /2/users/by answered what is not its JSON")}
	}
	found := map[string]int{}
	for i, u := range a.Data {
		found[strings.ToLower(u.Username)] = i
	}
	suspended := map[string]bool{}
	for _, e := range a.Errors {
		if e.Title == "Forbidden" || strings.Contains(strings.ToLower(e.Detail), "suspended") {
			suspended[strings.ToLower(e.Value)] = true
		}
	}
	lookups := make([]mvpgraph.Lookup, len(handles))
	for i, h := range handles {
		lookups[i] = mvpgraph.Lookup{Handle: h, Status: mvpgraph.AccountNotFound}
		if j, ok := found[strings.ToLower(h)]; ok {
			m := a.Data[j].PublicMetrics
			followers, following, posts := m.Followers, m.Following, m.Tweets
			lookups[i].Status = mvpgraph.AccountActive
			lookups[i].Reach = mvpgraph.Reach{Followers: &followers, Following: &following, Posts: &posts}
		} else if suspended[strings.ToLower(h)] {
			lookups[i].Status = mvpgraph.AccountSuspended
		}
	}
	return lookups, quota, nil
}
