// Package github reads the reach of GitHub users through the REST API
// (GET /users/{username}), authenticated with a personal access token or an
// app installation token.
//
// GitHub answers 404 for a user that does not exist and, on github.com,
// also for a suspended one, so both are reported NOT_FOUND. SUSPENDED is
// reported only when the answer itself says so: GitHub Enterprise Server
// shows suspended users to site administrators with suspended_at set.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/go-github/v93/github"

	"mvpgraph"
	"mvpgraph/integrations"
)

// fallbackWait is how long to wait after a rate limit that names no time;
// GitHub's documentation asks for at least a minute.
const fallbackWait = time.Minute

// Client reads user figures from the GitHub REST API. It is safe for
// concurrent use.
type Client struct {
	api *github.Client
	now func() time.Time
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client sending the token in c.Token. c.BaseURL, when set,
// replaces https://api.github.com; for GitHub Enterprise Server it is
// https://HOST/api/v3.
func New(c integrations.Config) (*Client, error) {
	if c.Token == "" {
		return nil, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
			"no GitHub token: set %s to a personal access token (no scope is needed to read public profiles).",
			integrations.EnvName(mvpgraph.GitHub, "TOKEN"))
	}
	opts := []github.ClientOptionsFunc{
		github.WithHTTPClient(c.Client()),
		github.WithAuthToken(c.Token),
		github.WithUserAgent("mvpgraph"),
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, mvpgraph.Errorf(mvpgraph.EINVALID,
				"%s is not an absolute http(s) URL; set it to https://api.github.com or https://HOST/api/v3.",
				integrations.EnvName(mvpgraph.GitHub, "BASE_URL"))
		}
		// WithURLs, not WithEnterpriseURLs: the latter appends /api/v3/ to
		// any host not named api.*, test servers and proxies included.
		base := c.BaseURL
		opts = append(opts, github.WithURLs(&base, nil))
	}
	api, err := github.NewClient(opts...)
	if err != nil {
		return nil, mvpgraph.Errorf(mvpgraph.EINVALID, "the GitHub client cannot be set up (%v); check %s.",
			err, integrations.EnvName(mvpgraph.GitHub, "BASE_URL"))
	}
	return &Client{api: api, now: c.Clock}, nil
}

// Platform returns mvpgraph.GitHub.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.GitHub }

// BatchSize returns 1: the REST API reads one user per request.
func (c *Client) BatchSize() int { return 1 }

// Fetch reads each login (lower case) with its own request and returns one
// Lookup per login, in order, and the rate limit of the last answer. It
// stops at the first failure of a request as a whole.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	if len(handles) == 0 {
		return nil, nil, nil
	}
	// go-github refuses, on its own, requests after an answer that said the
	// allowance was spent until a reset. The workers share one allowance
	// kept in the database, which may count a request against the next
	// window: the API decides, not this process's memory.
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	lookups := make([]mvpgraph.Lookup, len(handles))
	var quota *mvpgraph.Quota
	for i, login := range handles {
		lookups[i] = mvpgraph.Lookup{Handle: login, Status: mvpgraph.AccountNotFound}
		if login == "" {
			// An empty login would read the token's own user instead.
			lookups[i].Err = errors.New("github: empty login")
			continue
		}
		user, resp, err := c.api.Users.Get(ctx, url.PathEscape(login))
		if q := quotaOf(resp); q != nil {
			quota = q
		}
		if err != nil {
			if notFound(err) {
				continue
			}
			return nil, quota, c.classify(ctx, login, err)
		}
		if user.SuspendedAt != nil {
			lookups[i].Status = mvpgraph.AccountSuspended
			continue
		}
		lookups[i].Status = mvpgraph.AccountActive
		lookups[i].Reach = mvpgraph.Reach{
			Followers: count(user.Followers),
			Following: count(user.Following),
			Posts:     count(user.PublicRepos),
		}
	}
	return lookups, quota, nil
}

func notFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// classify maps go-github's errors onto the domain's.
func (c *Client) classify(ctx context.Context, login string, err error) error {
	now := c.now()
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		reset := rl.Rate.Reset.Time
		if reset.IsZero() || reset.Before(now) {
			reset = now.Add(fallbackWait)
		}
		return &mvpgraph.RateLimitError{Reset: reset, Err: fmt.Errorf("github: primary rate limit of %d requests exhausted: %s", rl.Rate.Limit, rl.Message)}
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) {
		wait := fallbackWait
		if ab.RetryAfter != nil && *ab.RetryAfter > 0 {
			wait = *ab.RetryAfter
		}
		return &mvpgraph.RateLimitError{Reset: now.Add(wait), Err: fmt.Errorf("github: secondary rate limit: %s", ab.Message)}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		status := er.Response.StatusCode
		detail := fmt.Sprintf("GitHub GET /users/%s: HTTP %d %s", login, status, er.Message)
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "GitHub refused the token (%s); set a valid, unexpired token in %s.",
				detail, integrations.EnvName(mvpgraph.GitHub, "TOKEN"))
		}
		return integrations.StatusError(status, retryAfter(er.Response, now), now, detail)
	}
	err = integrations.NetError(ctx, err)
	if ctx.Err() != nil || mvpgraph.IsTransient(err) {
		return err
	}
	// The answer came but did not decode.
	return &mvpgraph.TransientError{Err: fmt.Errorf("github: read GET /users/%s answer: %w", login, err)}
}

// retryAfter reads a Retry-After header in seconds; zero when absent.
func retryAfter(resp *http.Response, now time.Time) time.Time {
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s <= 0 {
		return time.Time{}
	}
	return now.Add(time.Duration(s) * time.Second)
}

// quotaOf takes the primary rate limit GitHub announced; nil when the
// answer had no x-ratelimit-* headers.
func quotaOf(resp *github.Response) *mvpgraph.Quota {
	if resp == nil || resp.Response == nil || (resp.Rate.Limit == 0 && resp.Rate.Reset.IsZero()) {
		return nil
	}
	return &mvpgraph.Quota{Limit: resp.Rate.Limit, Remaining: resp.Rate.Remaining, Reset: resp.Rate.Reset.UTC()}
}

func count(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}
