package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"mvpgraph"
	"mvpgraph/api"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// defaultPoll is how often a subscription looks for changes. Polling the
// database works the same whichever process records the change (an API
// replica, a separate worker) and on either database.
const defaultPoll = 2 * time.Second

func (r *Resolver) poll() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return defaultPoll
}

// reachUpdated sends the member each time the reach of the member's
// accounts changes, until the subscriber leaves. Subscribers of one member
// share one poll.
func (r *Resolver) reachUpdated(ctx context.Context, gid string) (<-chan *model.Member, error) {
	id, err := mvpgraph.ParseID("memberId", typeMember, gid)
	if err != nil {
		return nil, err
	}
	if _, err := r.Store.MemberByID(ctx, id); err != nil {
		return nil, err
	}
	fingerprint := func(ctx context.Context) (string, error) {
		accounts, err := r.Store.SocialAccountsOfMembers(ctx, []int64{id})
		if err != nil {
			return "", err
		}
		// The values, not the pointers holding them: each read allocates
		// new ones.
		type state struct {
			ID     int64
			Status mvpgraph.AccountStatus
			Synced *time.Time
			mvpgraph.Reach
		}
		states := make([]state, 0, len(accounts[id]))
		for _, a := range accounts[id] {
			states = append(states, state{a.ID, a.Status, a.LastSyncedAt, a.Reach})
		}
		f, err := json.Marshal(states)
		return string(f), err
	}
	newLook := func(ctx context.Context) (look[struct{}], error) {
		last, err := fingerprint(ctx)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) ([]struct{}, error) {
			f, err := fingerprint(ctx)
			if err != nil || f == last {
				return nil, err
			}
			last = f
			return []struct{}{{}}, nil
		}, nil
	}
	changed := func(_, _ []struct{}) []struct{} { return []struct{}{{}} }
	f, err := r.reachWatches.follow(ctx, id, r.poll(), newLook, changed)
	if err != nil {
		return nil, err
	}
	sel := selected(ctx)
	ch := make(chan *model.Member, 1)
	go func() {
		defer close(ch)
		for {
			if _, ok := f.next(ctx); !ok {
				return
			}
			m, err := r.Store.MemberByID(ctx, id)
			if err != nil {
				continue
			}
			view, err := r.pageOf(ctx).member(ctx, sel, m)
			if err != nil {
				continue
			}
			if !send(ctx, ch, view) {
				return
			}
		}
	}()
	return ch, nil
}

// send delivers a subscription's event, reporting false when the
// subscriber has left. The subscription's loaders live as long as it does,
// so what they hold is forgotten first, for the answer to be read afresh.
func send[T any](ctx context.Context, ch chan<- *T, v *T) bool {
	loaders(ctx).clear()
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// recheckEvery is how often an open WebSocket connection's token is checked
// again by default, so that revoking it ends the connection's operations.
const recheckEvery = 15 * time.Second

// WebsocketOptions time and bound the WebSocket connections.
type WebsocketOptions struct {
	// Recheck is how often an open connection's token is checked again;
	// zero means every 15 seconds.
	Recheck time.Duration
	// MaxPerToken bounds the connections one token may hold open at once
	// on this process; zero means no bound.
	MaxPerToken int
}

// DefaultWebsocketOptions are the bounds mvpgraph serves with unless told
// otherwise.
func DefaultWebsocketOptions() WebsocketOptions {
	return WebsocketOptions{Recheck: recheckEvery, MaxPerToken: 10}
}

// WebsocketInit authenticates a WebSocket connection by the token in its
// connection_init payload ({"Authorization": "Bearer <token>"}). A
// connection without a valid token is closed with 4401 (Unauthorized),
// the reason saying what to send; one over its token's o.MaxPerToken with
// 4403 (Forbidden). The token is checked again every o.Recheck: once it is
// revoked or expired, the connection's context ends with 4401 as its
// cause, and with it every operation on it.
func WebsocketInit(s *store.Store, o WebsocketOptions) transport.WebsocketInitFunc {
	recheck := o.Recheck
	if recheck <= 0 {
		recheck = recheckEvery
	}
	var mu sync.Mutex
	open := map[int64]int{} // connections by token
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		auth := payload.Authorization()
		if auth == "" {
			auth = payload.GetString("authorization")
		}
		secret, ok := api.BearerToken(auth)
		if !ok {
			return api.RefuseWebsocket(ctx, api.CloseUnauthorized, `Unauthorized: send {"Authorization": "Bearer <token>"} in connection_init`)
		}
		p, err := s.Authenticate(ctx, secret)
		if mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED {
			return api.RefuseWebsocket(ctx, api.CloseUnauthorized, closeReason("Unauthorized: "+mvpgraph.ErrorMessage(err)))
		}
		if err != nil {
			return api.RefuseWebsocket(ctx, api.CloseInternal, "Internal error: the token could not be checked; try again later")
		}
		mu.Lock()
		full := o.MaxPerToken > 0 && open[p.TokenID] >= o.MaxPerToken
		if !full {
			open[p.TokenID]++
		}
		mu.Unlock()
		if full {
			return api.RefuseWebsocket(ctx, api.CloseForbidden,
				fmt.Sprintf("Forbidden: this token has %d connections open, the most it may; close one first", o.MaxPerToken))
		}
		ctx, cancel := context.WithCancelCause(mvpgraph.WithPrincipal(ctx, p))
		go func() {
			defer func() {
				mu.Lock()
				if open[p.TokenID]--; open[p.TokenID] == 0 {
					delete(open, p.TokenID)
				}
				mu.Unlock()
			}()
			defer cancel(nil)
			tick := time.NewTicker(recheck)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if _, err := s.Authenticate(ctx, secret); mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED {
					cancel(&api.WebsocketClose{Code: api.CloseUnauthorized, Reason: "Unauthorized: the token was revoked or has expired"})
					return
				}
			}
		}()
		return ctx, nil, nil
	}
}

// closeReason cuts a close frame's reason to the 123 bytes it may hold, on
// a character's boundary.
func closeReason(s string) string {
	const most = 123
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
