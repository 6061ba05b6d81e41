package api

import (
	"context"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"mvpgraph"
	"mvpgraph/store"
)

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
		secret, ok := BearerToken(auth)
		if !ok {
			return RefuseWebsocket(ctx, CloseUnauthorized, `Unauthorized: send {"Authorization": "Bearer <token>"} in connection_init`)
		}
		p, err := s.Authenticate(ctx, secret)
		if mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED {
			return RefuseWebsocket(ctx, CloseUnauthorized, closeReason("Unauthorized: "+mvpgraph.ErrorMessage(err)))
		}
		if err != nil {
			return RefuseWebsocket(ctx, CloseInternal, "Internal error: the token could not be checked; try again later")
		}
		mu.Lock()
		full := o.MaxPerToken > 0 && open[p.TokenID] >= o.MaxPerToken
		if !full {
			open[p.TokenID]++
		}
		mu.Unlock()
		if full {
			return RefuseWebsocket(ctx, CloseForbidden,
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
					cancel(&WebsocketClose{Code: CloseUnauthorized, Reason: "Unauthorized: the token was revoked or has expired"})
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
