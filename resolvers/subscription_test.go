package resolvers_test

import (
	"context"
	"fmt"
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
	httpapi "mvpgraph/api"
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
			opts := httpapi.DefaultOptions()
			opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{})
			root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
			h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
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
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{Recheck: 50 * time.Millisecond})
		root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
		srv := httptest.NewServer(resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts))))
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
		closedWith(err, httpapi.CloseUnauthorized, `send {"Authorization": "Bearer <token>"}`)
		conn.CloseNow()
		conn, _, err = open(map[string]any{"Authorization": "Bearer mvpg_nope"})
		closedWith(err, httpapi.CloseUnauthorized, "Unauthorized: the token is unknown, revoked or expired")
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
		closedWith(err, httpapi.CloseUnauthorized, "the token was revoked or has expired")
	})
}

// TestSubscriptionsSharePolls: however many subscribe to one member's
// reach, the database is read once per poll for it, and each subscriber
// gets the change; the poll stops when the last one leaves.
func TestSubscriptionsSharePolls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{})
		const every = 50 * time.Millisecond
		root := &resolvers.Resolver{Store: s, PollInterval: every}
		h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
		secret, hash := mvpgraph.NewTokenSecret()
		require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "viewer", Role: mvpgraph.RoleAnalyst}, hash))
		var accounts []int64
		var subs []*client.Subscription
		for _, handle := range []string{"one", "two"} {
			m := mvpgraph.Member{Handle: handle, Name: handle, Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, handle)
			require.NoError(t, err)
			accounts = append(accounts, acc.ID)
			for range 8 {
				subs = append(subs, client.New(h).WebsocketWithPayload(`subscription { reachUpdated(memberId: "`+mvpgraph.GlobalID("Member", m.ID)+`") { handle reach { total } } }`,
					map[string]any{"Authorization": "Bearer " + secret}))
			}
		}
		require.Eventually(t, func() bool { running, _ := root.Polls(); return running == 2 }, 5*time.Second, 10*time.Millisecond,
			"one poll per member, for 16 subscribers")
		_, before := root.Polls()
		time.Sleep(20 * every)
		_, after := root.Polls()
		require.LessOrEqual(t, after-before, int64(2*(20+5)), "reads in 20 polls of two members")

		followers := int64(7)
		for _, acc := range accounts {
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: acc, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}}))
		}
		for i, sub := range subs {
			var got struct {
				ReachUpdated struct {
					Handle string
					Reach  struct{ Total int64 }
				}
			}
			require.NoError(t, sub.Next(&got))
			require.Equal(t, []string{"one", "two"}[i/8], got.ReachUpdated.Handle)
			require.EqualValues(t, 7, got.ReachUpdated.Reach.Total)
			require.NoError(t, sub.Close())
		}
		require.Eventually(t, func() bool { running, _ := root.Polls(); return running == 0 }, 5*time.Second, 10*time.Millisecond,
			"the polls stop with their last subscriber")
	})
}

// TestSubscriptionBounds: a WebSocket connection runs at most so many
// operations at once (TOO_MANY_OPERATIONS), and a token holds at most so
// many connections open (4403).
func TestSubscriptionBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.MaxWebsocketOperations = 3
		opts.WebsocketInit = httpapi.WebsocketInit(s, httpapi.WebsocketOptions{MaxPerToken: 2})
		root := &resolvers.Resolver{Store: s, PollInterval: 50 * time.Millisecond}
		srv := httptest.NewServer(resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts))))
		defer srv.Close()
		m := mvpgraph.Member{Handle: "sub", Name: "Sub", Country: "US"}
		require.NoError(t, s.CreateMember(ctx, &m))
		secret, hash := mvpgraph.NewTokenSecret()
		require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "viewer", Role: mvpgraph.RoleAnalyst}, hash))

		open := func() (*websocket.Conn, error) {
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			require.NoError(t, err)
			require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + secret}}))
			var ack map[string]any
			if err := wsjson.Read(ctx, conn, &ack); err != nil {
				return conn, err
			}
			require.Equal(t, "connection_ack", ack["type"])
			return conn, nil
		}
		first, err := open()
		require.NoError(t, err)
		defer first.CloseNow()
		second, err := open()
		require.NoError(t, err)
		third, err := open()
		var ce websocket.CloseError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, websocket.StatusCode(httpapi.CloseForbidden), ce.Code)
		require.Contains(t, ce.Reason, "this token has 2 connections open")
		third.CloseNow()
		second.Close(websocket.StatusNormalClosure, "")
		require.Eventually(t, func() bool {
			c, err := open()
			if c != nil {
				c.CloseNow()
			}
			return err == nil
		}, 5*time.Second, 20*time.Millisecond, "a closed connection frees its place")

		// next reads the connection's next message but pings.
		next := func() map[string]any {
			for {
				var msg map[string]any
				require.NoError(t, wsjson.Read(ctx, first, &msg))
				if msg["type"] != "ping" && msg["type"] != "pong" {
					return msg
				}
			}
		}
		subscribe := func(id string) {
			require.NoError(t, wsjson.Write(ctx, first, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{
				"query": `subscription { reachUpdated(memberId: "` + mvpgraph.GlobalID("Member", m.ID) + `") { handle } }`,
			}}))
		}
		// Four at once: the transport starts each in a goroutine of its
		// own, so any one of them may be the one refused.
		running := map[string]bool{"1": true, "2": true, "3": true, "4": true}
		for id := range running {
			subscribe(id)
		}
		msg := next()
		require.Equal(t, "next", msg["type"], "%v", msg)
		refused := msg["id"].(string)
		require.Contains(t, fmt.Sprint(msg["payload"]), "TOO_MANY_OPERATIONS")
		require.Contains(t, fmt.Sprint(msg["payload"]), "runs 3 operations already")
		require.Equal(t, map[string]any{"id": refused, "type": "complete"}, next())
		delete(running, refused)

		time.Sleep(200 * time.Millisecond) // the three have started
		var completed string
		for id := range running {
			completed = id
			require.NoError(t, wsjson.Write(ctx, first, map[string]any{"id": id, "type": "complete"}))
			delete(running, id)
			break
		}
		time.Sleep(100 * time.Millisecond)
		subscribe("5")
		time.Sleep(100 * time.Millisecond)
		_, err = s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, "sub-two")
		require.NoError(t, err)
		for {
			msg := next()
			if msg["id"] == completed && msg["type"] == "complete" {
				continue
			}
			require.NotContains(t, fmt.Sprint(msg["payload"]), "errors", "a completed operation frees its place: %v", msg)
			if msg["id"] == "5" {
				require.Equal(t, "next", msg["type"])
				break
			}
			require.True(t, running[msg["id"].(string)], "%v", msg)
		}
	})
}
