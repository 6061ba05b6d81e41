package resolvers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/graph"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestReachUpdated subscribes over WebSocket (graphql-transport-ws),
// authenticated in connection_init, and sees a sync recorded by the
// workers arrive.
func TestReachUpdated(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.New(t, d)
			opts := graph.DefaultOptions()
			opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			opts.WebsocketInit = resolvers.WebsocketInit(s, resolvers.WebsocketOptions{})
			root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
			h := resolvers.Middleware(s, graph.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts))
			c := client.New(h)

			m := mvpgraph.Member{Handle: "sub", Name: "Sub", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, "sub")
			require.NoError(t, err)
			secret, hash := mvpgraph.NewTokenSecret()
			require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "viewer", Role: mvpgraph.RoleAnalyst}, hash))

			query := `subscription { reachUpdated(memberId: "` + mvpgraph.GlobalID("Member", m.ID) + `") { handle socialAccounts { followers } reach { total } } }`
			sub := c.WebsocketWithPayload(query, map[string]any{"Authorization": "Bearer " + secret})
			defer sub.Close()
			go func() {
				time.Sleep(300 * time.Millisecond)
				followers := int64(42)
				_ = s.RecordSync(ctx, []store.Outcome{{AccountID: acc.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}})
			}()
			var got struct {
				ReachUpdated struct {
					Handle         string
					SocialAccounts []struct{ Followers *int64 }
					Reach          struct{ Total int64 }
				}
			}
			require.NoError(t, sub.Next(&got))
			require.Equal(t, "sub", got.ReachUpdated.Handle)
			require.EqualValues(t, 42, *got.ReachUpdated.SocialAccounts[0].Followers)
			require.EqualValues(t, 42, got.ReachUpdated.Reach.Total)

			// A second change is read afresh, not from the first answer's loaders.
			go func() {
				followers := int64(50)
				_ = s.RecordSync(ctx, []store.Outcome{{AccountID: acc.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}})
			}()
			require.NoError(t, sub.Next(&got))
			require.EqualValues(t, 50, got.ReachUpdated.Reach.Total)

			// Without a token in connection_init, the connection is refused.
			anon := c.Websocket(query)
			defer anon.Close()
			err = anon.Next(&got)
			require.Error(t, err)
		})
	}
}

// TestWebsocketCloseCodes: a connection refused for its token, or whose
// token is revoked while it is open, is closed with graphql-transport-ws's
// 4401 (Unauthorized) and a reason, which the client reports, rather than
// a normal closure, after which clients reconnect.
func TestWebsocketCloseCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		opts := graph.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.WebsocketInit = resolvers.WebsocketInit(s, resolvers.WebsocketOptions{Recheck: 50 * time.Millisecond})
		root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
		srv := httptest.NewServer(resolvers.Middleware(s, graph.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
		defer srv.Close()
		m := mvpgraph.Member{Handle: "sub", Name: "Sub", Country: "US"}
		require.NoError(t, s.CreateMember(ctx, &m))
		secret, hash := mvpgraph.NewTokenSecret()
		tok := mvpgraph.APIToken{Name: "viewer", Role: mvpgraph.RoleAnalyst}
		require.NoError(t, s.CreateToken(ctx, &tok, hash))

		// open initialises a connection with payload and returns it and the
		// first message the server sends.
		open := func(payload map[string]any) (*websocket.Conn, map[string]any, error) {
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			require.NoError(t, err)
			require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": payload}))
			var msg map[string]any
			err = wsjson.Read(ctx, conn, &msg)
			return conn, msg, err
		}
		closedWith := func(err error, code websocket.StatusCode, reason string) {
			t.Helper()
			var ce websocket.CloseError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, code, ce.Code)
			require.Contains(t, ce.Reason, reason)
		}

		conn, _, err := open(map[string]any{})
		closedWith(err, graph.CloseUnauthorized, `send {"Authorization": "Bearer <token>"}`)
		conn.CloseNow()
		conn, _, err = open(map[string]any{"Authorization": "Bearer mvpg_nope"})
		closedWith(err, graph.CloseUnauthorized, "Unauthorized: the token is unknown, revoked or expired")
		conn.CloseNow()

		conn, ack, err := open(map[string]any{"Authorization": "Bearer " + secret})
		require.NoError(t, err)
		defer conn.CloseNow()
		require.Equal(t, "connection_ack", ack["type"])
		require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription { reachUpdated(memberId: "` + mvpgraph.GlobalID("Member", m.ID) + `") { handle } }`,
		}}))
		time.Sleep(200 * time.Millisecond)
		require.NoError(t, s.RevokeToken(ctx, tok.ID))
		for {
			var msg map[string]any
			if err = wsjson.Read(ctx, conn, &msg); err != nil {
				break
			}
			require.NotEqual(t, "complete", msg["type"], "a revoked token's subscription is not completed as if it had ended")
		}
		closedWith(err, graph.CloseUnauthorized, "the token was revoked or has expired")
	})
}
