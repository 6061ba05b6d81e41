package mvpgraph

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Platform is a social network or publishing platform where members have
// accounts.
type Platform string

// Platforms mvpgraph reads reach from.
const (
	Twitter       Platform = "TWITTER"
	YouTube       Platform = "YOUTUBE"
	GitHub        Platform = "GITHUB"
	Mastodon      Platform = "MASTODON"
	Bluesky       Platform = "BLUESKY"
	Facebook      Platform = "FACEBOOK"
	StackExchange Platform = "STACK_EXCHANGE"
	Blog          Platform = "BLOG"
)

// Platforms lists every platform, in display order.
var Platforms = []Platform{Twitter, YouTube, GitHub, Mastodon, Bluesky, Facebook, StackExchange, Blog}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool {
	for _, q := range Platforms {
		if p == q {
			return true
		}
	}
	return false
}

// AccountStatus is where a social account stands.
type AccountStatus string

// Account statuses. ACTIVE accounts are synced; NOT_FOUND and SUSPENDED say
// what the platform last answered; FROZEN accounts belong to a platform that
// is switched off, their last data kept; ERROR accounts failed to sync
// several times in a row for another reason.
const (
	AccountActive    AccountStatus = "ACTIVE"
	AccountNotFound  AccountStatus = "NOT_FOUND"
	AccountSuspended AccountStatus = "SUSPENDED"
	AccountFrozen    AccountStatus = "FROZEN"
	AccountError     AccountStatus = "ERROR"
)

// Valid reports whether s is a known status.
func (s AccountStatus) Valid() bool {
	switch s {
	case AccountActive, AccountNotFound, AccountSuspended, AccountFrozen, AccountError:
		return true
	}
	return false
}

// Reach is what a platform says of one account at one time. A nil field is
// one the platform does not give.
type Reach struct {
	Followers  *int64     `db:"followers"`  // followers, subscribers, fans, reputation
	Following  *int64     `db:"following"`  // accounts followed
	Posts      *int64     `db:"posts"`      // tweets, videos, statuses, repositories, answers, posts in the last 90 days
	Views      *int64     `db:"views"`      // total views, where given
	Engagement *float64   `db:"engagement"` // the platform's own engagement figure, where given
	LastPostAt *time.Time `db:"last_post_at"`
}

// Lookup is what a platform answered for one account of a batch.
type Lookup struct {
	Handle string        // the handle asked for, as stored
	Status AccountStatus // ACTIVE, NOT_FOUND or SUSPENDED
	Reach  Reach         // set when Status is ACTIVE
	Err    error         // a failure of this account alone, such as a feed that does not parse
}

// Quota is what an API last said of the caller's allowance.
type Quota struct {
	Limit     int       // requests (or units) per window; 0 when not given
	Remaining int       // left in the current window
	Reset     time.Time // when the window starts again; zero when not given
}

// ReachSource reads the reach of accounts on one platform. Implementations
// live in integrations/, one package per platform.
type ReachSource interface {
	// Platform is the platform read.
	Platform() Platform
	// BatchSize is the most handles one Fetch takes.
	BatchSize() int
	// Fetch looks up handles and returns one Lookup per handle, in order, and
	// what the API said of the quota (nil when it said nothing). A failure
	// of the whole call is a *RateLimitError, a *TransientError, an
	// EUNAUTHORIZED *Error for bad credentials, or another error.
	Fetch(ctx context.Context, handles []string) ([]Lookup, *Quota, error)
}

// MissingTeller is a ReachSource whose batch answers leave accounts out
// without saying why (not found, suspended), and whose lookup of one
// account alone does (Bluesky's): the sync worker looks an account missing
// from a batch up again alone, at the cost of one more request of the
// allowance, before recording it.
type MissingTeller interface {
	TellsMissingAlone() bool
}

// RateLimitError says the platform refused the call for its rate limit or
// quota; nothing should be sent before Reset.
type RateLimitError struct {
	Reset time.Time
	Err   error
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited until %s: %v", e.Reset.UTC().Format(time.RFC3339), e.Err)
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// TransientError is a failure worth retrying after a backoff: a 5xx, a
// timeout, a malformed answer.
type TransientError struct {
	Err error
}

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }

func (e *TransientError) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying.
func IsTransient(err error) bool {
	var t *TransientError
	return errors.As(err, &t)
}

// RateLimitReset returns when a rate-limited call may be sent again, and
// whether err is a rate-limit error at all.
func RateLimitReset(err error) (time.Time, bool) {
	var r *RateLimitError
	if errors.As(err, &r) {
		return r.Reset, true
	}
	return time.Time{}, false
}
