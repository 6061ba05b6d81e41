// Package conformance is the one suite every platform client passes: the
// same cases, asserted the same way, each answered by the shared test server
// (platformtest) in the platform's own wire format. A client's package
// describes how its platform answers each case (Platform) and runs Run from
// its tests; what is particular to one platform stays in that package's
// own tests.
//
// The cases are what the sync worker relies on, whichever platform it
// reads: accounts found with their reach, in the order asked; accounts
// missing from a batch or not found; suspended accounts; a rate limit with
// the time it lifts; a spent quota; server errors, timeouts and malformed
// answers, all transient; refused credentials, which no retry mends; and a
// cancelled call. No error carries the credential.
package conformance

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations/platformtest"
)

// Answer is what the test server replies to one request.
type Answer = platformtest.Answer

// Limit is an answer that stops the calls until Reset.
type Limit struct {
	Answer
	Reset time.Time
}

// Platform describes one client and how its platform answers each case.
// A case the platform cannot present is nil, with the reason in Without.
type Platform struct {
	// Client builds the client against the test server at baseURL, each
	// request bounded by timeout.
	Client func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource
	// ContentType is the Content-Type of the answers read from testdata/.
	ContentType string
	// Secret is the credential the client sends, which no error may hold.
	Secret string
	// Handle names an account as the client takes it; the handles of a
	// platform whose accounts live at their own URLs depend on the server.
	// Nil takes the names below as they are.
	Handle func(baseURL, name string) string

	// Known are accounts the platform has, with their reach as it reports
	// it; Missing is one it does not have. Found answers every lookup of
	// them, leaving Missing out or answering that it is not found, as the
	// platform does.
	Known   []string
	Reach   []mvpgraph.Reach
	Missing string
	Found   func(r *http.Request) Answer

	// Suspended is an account the platform reports as suspended, and how.
	Suspended *Account
	// RateLimited refuses a call for the rate of calls, until Reset.
	RateLimited Limit
	// QuotaSpent is an answer saying the allowance is spent: a refusal
	// until Reset, or an answer whose quota has nothing left until Reset.
	QuotaSpent *Limit
	// ServerError is a 5xx answer; Malformed an answer that does not parse.
	ServerError, Malformed Answer
	// MalformedIsTheAccounts says that a malformed answer is the failure
	// of the account it describes, not of the call: each account is a
	// document of its own.
	MalformedIsTheAccounts bool
	// Refused is the answer to credentials the platform refuses.
	Refused *Answer

	// Without gives, by case name, why the platform has no such case.
	Without map[string]string
}

// Account is one account and the answer to its lookup.
type Account struct {
	Name string
	Answer
}

// Run runs every case against p.
func Run(t *testing.T, p Platform) {
	t.Helper()
	handle := func(base, name string) string {
		if p.Handle == nil {
			return name
		}
		return p.Handle(base, name)
	}
	server := func(t *testing.T, route func(*http.Request) Answer) *platformtest.Server {
		return platformtest.New(t, p.ContentType, nil, route)
	}
	// slowServer answers as Found does, after longer than any case waits.
	slowServer := func(t *testing.T) *platformtest.Server {
		return server(t, func(r *http.Request) Answer {
			a := p.Found(r)
			a.Delay = 5 * time.Second
			return a
		})
	}
	fetch := func(t *testing.T, f *platformtest.Server, timeout time.Duration, names ...string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
		t.Helper()
		handles := make([]string, len(names))
		for i, n := range names {
			handles[i] = handle(f.URL, n)
		}
		lookups, quota, err := p.Client(t, f.URL, timeout).Fetch(context.Background(), handles)
		if err != nil && p.Secret != "" {
			require.NotContains(t, err.Error(), p.Secret, "the error carries the credential")
		}
		for _, l := range lookups {
			if l.Err != nil && p.Secret != "" {
				require.NotContains(t, l.Err.Error(), p.Secret, "the account's error carries the credential")
			}
		}
		return lookups, quota, err
	}
	without := func(t *testing.T, name string, present bool) {
		t.Helper()
		if present {
			return
		}
		why, ok := p.Without[name]
		require.True(t, ok, "the platform presents no %q case and says not why", name)
		t.Skip(why)
	}
	active := func(t *testing.T, l mvpgraph.Lookup, want mvpgraph.Reach) {
		t.Helper()
		require.NoError(t, l.Err, l.Handle)
		require.Equal(t, mvpgraph.AccountActive, l.Status, l.Handle)
		require.Equal(t, want, l.Reach, l.Handle)
	}
	transient := func(t *testing.T, err error) {
		t.Helper()
		require.True(t, mvpgraph.IsTransient(err), "want a transient error, got %v", err)
	}
	limited := func(t *testing.T, err error, reset time.Time) {
		t.Helper()
		at, ok := mvpgraph.RateLimitReset(err)
		require.True(t, ok, "want a rate-limit error, got %v", err)
		require.True(t, reset.Equal(at), "the limit lifts at %s, want %s", at, reset)
	}
	require.Len(t, p.Reach, len(p.Known), "a reach for each known account")
	require.GreaterOrEqual(t, len(p.Known), 2, "two known accounts at least, to show order")

	t.Run("success", func(t *testing.T) {
		t.Parallel()
		f := server(t, p.Found)
		lookups, _, err := fetch(t, f, 0, p.Known...)
		require.NoError(t, err)
		require.Len(t, lookups, len(p.Known))
		for i, l := range lookups {
			require.Equal(t, handle(f.URL, p.Known[i]), l.Handle, "in the order asked")
			active(t, l, p.Reach[i])
		}
	})

	t.Run("a batch with some missing", func(t *testing.T) {
		t.Parallel()
		f := server(t, p.Found)
		lookups, _, err := fetch(t, f, 0, p.Known[0], p.Missing, p.Known[1])
		require.NoError(t, err, "a missing account is not the call's failure")
		require.Len(t, lookups, 3)
		active(t, lookups[0], p.Reach[0])
		require.Equal(t, handle(f.URL, p.Missing), lookups[1].Handle)
		require.Equal(t, mvpgraph.AccountNotFound, lookups[1].Status)
		active(t, lookups[2], p.Reach[1])
	})

	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		f := server(t, p.Found)
		lookups, _, err := fetch(t, f, 0, p.Missing)
		require.NoError(t, err)
		require.Len(t, lookups, 1)
		require.Equal(t, mvpgraph.AccountNotFound, lookups[0].Status)
		require.Zero(t, lookups[0].Reach)
	})

	t.Run("suspended", func(t *testing.T) {
		without(t, "suspended", p.Suspended != nil)
		t.Parallel()
		f := server(t, platformtest.Always(p.Suspended.Answer))
		lookups, _, err := fetch(t, f, 0, p.Suspended.Name)
		require.NoError(t, err)
		require.Len(t, lookups, 1)
		require.Equal(t, mvpgraph.AccountSuspended, lookups[0].Status)
		require.Zero(t, lookups[0].Reach)
	})

	t.Run("rate limited, with the time it lifts", func(t *testing.T) {
		t.Parallel()
		f := server(t, platformtest.Always(p.RateLimited.Answer))
		lookups, _, err := fetch(t, f, 0, p.Known...)
		require.Nil(t, lookups)
		limited(t, err, p.RateLimited.Reset)
		require.False(t, mvpgraph.IsTransient(err), "a limit is waited out, not retried at once")
	})

	t.Run("quota spent", func(t *testing.T) {
		without(t, "quota spent", p.QuotaSpent != nil)
		t.Parallel()
		f := server(t, platformtest.Always(p.QuotaSpent.Answer))
		_, quota, err := fetch(t, f, 0, p.Known[0])
		if err != nil {
			limited(t, err, p.QuotaSpent.Reset)
			return
		}
		require.NotNil(t, quota, "an answer of a spent allowance reports its quota")
		require.Zero(t, quota.Remaining)
		require.True(t, p.QuotaSpent.Reset.Equal(quota.Reset), "the quota resets at %s, want %s", quota.Reset, p.QuotaSpent.Reset)
	})

	t.Run("server error", func(t *testing.T) {
		t.Parallel()
		require.GreaterOrEqual(t, p.ServerError.Status, 500)
		f := server(t, platformtest.Always(p.ServerError))
		lookups, _, err := fetch(t, f, 0, p.Known...)
		require.Nil(t, lookups)
		transient(t, err)
	})

	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		f := slowServer(t)
		start := time.Now()
		lookups, _, err := fetch(t, f, 100*time.Millisecond, p.Known[0])
		require.Less(t, time.Since(start), 2*time.Second, "the call gives up at its timeout")
		require.Nil(t, lookups)
		transient(t, err)
	})

	t.Run("malformed body", func(t *testing.T) {
		t.Parallel()
		f := server(t, platformtest.Always(p.Malformed))
		lookups, _, err := fetch(t, f, 0, p.Known[0])
		if p.MalformedIsTheAccounts {
			require.NoError(t, err, "the account's failure, not the call's")
			require.Len(t, lookups, 1)
			require.Error(t, lookups[0].Err)
			require.Empty(t, lookups[0].Status, "nothing is known of the account")
			return
		}
		require.Nil(t, lookups)
		transient(t, err)
	})

	t.Run("refused credentials", func(t *testing.T) {
		without(t, "refused credentials", p.Refused != nil)
		t.Parallel()
		f := server(t, platformtest.Always(*p.Refused))
		lookups, _, err := fetch(t, f, 0, p.Known...)
		require.Nil(t, lookups)
		require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err), "got %v", err)
		require.False(t, mvpgraph.IsTransient(err), "retrying does not mend a refused credential")
		require.True(t, strings.Contains(mvpgraph.ErrorMessage(err), "_TOKEN"), "the message names the setting to fix: %s", mvpgraph.ErrorMessage(err))
	})

	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		f := slowServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		handles := []string{handle(f.URL, p.Known[0])}
		start := time.Now()
		_, _, err := p.Client(t, f.URL, 0).Fetch(ctx, handles)
		require.Less(t, time.Since(start), 2*time.Second)
		require.True(t, errors.Is(err, context.Canceled), "got %v", err)
		require.False(t, mvpgraph.IsTransient(err), "the caller's own cancellation is not the platform's fault")
	})
}
