package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/resolvers"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestLimitsAnswerAsTheAPI: each limit statement answers exactly what
// mvpgraph answers to its scenario's query, on a seeded program, so that
// the benchmark compares the same answer.
func TestLimitsAnswerAsTheAPI(t *testing.T) {
	url := storetest.URL(t, store.Postgres)
	ctx := context.Background()
	s, err := store.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	// The real clock, as the limit statements read PostgreSQL's.
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.NoError(t, seed.ScaleWithHistory(ctx, s, 400, 7, 120))

	opts := api.DefaultOptions()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(resolvers.Middleware(s, api.Authenticate(s, api.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(&resolvers.Resolver{Store: s})), opts))))
	t.Cleanup(srv.Close)
	secret, hash := mvpgraph.NewTokenSecret()
	require.NoError(t, s.CreateToken(ctx, &mvpgraph.APIToken{Name: "limit", Role: mvpgraph.RoleAnalyst}, hash))
	c := &client{base: srv.URL, header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + secret}}}

	db, err := sqlOpen(url)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NotEmpty(t, limits)
	for name := range limits {
		t.Run(name, func(t *testing.T) {
			r, err := scenarios[name](c)
			require.NoError(t, err)
			var raw rawJSON
			require.NoError(t, c.do(r.query, r.variables, &raw))
			data := []byte(raw)
			query, args, ok := limitQuery(name, r)
			require.True(t, ok)
			answer, err := limitAnswer(db, query, args)
			require.NoError(t, err)
			same, err := sameJSON(data, []byte(answer))
			require.NoError(t, err)
			require.True(t, same, "mvpgraph: %.2000s\nlimit:    %.2000s", data, answer)
			require.Greater(t, len(data), 200, "a page with something on it: %s", data)
		})
	}
}

// rawJSON keeps an answer's data as it came.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}
