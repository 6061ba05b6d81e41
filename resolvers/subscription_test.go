package resolvers_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
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
			opts.WebsocketInit = resolvers.WebsocketInit(s)
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
