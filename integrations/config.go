package integrations

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mvpgraph"
)

// Config is what a platform client needs to reach its API.
type Config struct {
	// BaseURL replaces the platform's API address, for test servers and
	// proxies; empty means the real API.
	BaseURL string
	// Token is the credential: a bearer token, API key or access token, as
	// the platform calls it. It is never logged or returned.
	Token string
	// HTTPClient sends the requests; nil means a client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds one request when HTTPClient is nil.
	Timeout time.Duration
	// Now is the clock, for quota resets; nil means time.Now.
	Now func() time.Time
}

// EnvName returns the environment variable of a platform's setting, such as
// MVPGRAPH_STACK_EXCHANGE_TOKEN.
func EnvName(p mvpgraph.Platform, setting string) string {
	return "MVPGRAPH_" + string(p) + "_" + setting
}

// ConfigFromEnv reads a platform's base URL and token from the environment.
func ConfigFromEnv(p mvpgraph.Platform, getenv func(string) string) Config {
	return Config{
		BaseURL: strings.TrimRight(getenv(EnvName(p, "BASE_URL")), "/"),
		Token:   getenv(EnvName(p, "TOKEN")),
		Timeout: 20 * time.Second,
	}
}

// Client returns the HTTP client to send requests with.
func (c Config) Client() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	t := c.Timeout
	if t == 0 {
		t = 20 * time.Second
	}
	return &http.Client{Timeout: t}
}

// Clock returns the time now.
func (c Config) Clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// NetError classifies a failure to get an answer at all: timeouts and
// broken connections are transient; a cancelled context is returned as is.
// URLs are dropped from the message, since some carry keys in their query.
func NetError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF") {
		return &mvpgraph.TransientError{Err: err}
	}
	return err
}

// StatusError classifies an HTTP error status that the platform's library
// did not: 429 is a rate limit until reset (or a minute from now when the
// API gives no reset), 5xx and 408 are transient, 401 and 403 are bad
// credentials, anything else is returned as a plain error.
func StatusError(status int, reset time.Time, now time.Time, detail string) error {
	switch {
	case status == http.StatusTooManyRequests:
		if reset.IsZero() || reset.Before(now) {
			reset = now.Add(time.Minute)
		}
		return &mvpgraph.RateLimitError{Reset: reset, Err: errors.New("HTTP 429: " + detail)}
	case status >= 500 || status == http.StatusRequestTimeout:
		return &mvpgraph.TransientError{Err: errors.New(http.StatusText(status) + ": " + detail)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "the platform refused the credentials (HTTP %d): %s", status, detail)
	}
	return errors.New(http.StatusText(status) + ": " + detail)
}
