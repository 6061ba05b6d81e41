package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestServeThroughCutConnections runs the server on PostgreSQL behind a
// proxy that cuts its connections, as a database restart or failover
// does, and checks what a client and a load balancer see.
func TestServeThroughCutConnections(t *testing.T) {
	u := storetest.URL(t, store.Postgres)
	proxy, via := storetest.NewProxy(t, u)
	addr, logs := server(t, via, "--demo", "--no-worker")
	analyst := createToken(t, u, "--role", "ANALYST")
	const query = `{ expertises(first: 3) { totalCount edges { node { name } } } }`
	ask := func() (*http.Response, response) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out response
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp, out
	}
	ready := func() int {
		t.Helper()
		resp, err := http.Get("http://" + addr + "/readyz")
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 4 {
		// Several requests at once leave several connections in the pool.
		go func() {
			if resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader([]byte(`{"query":"{ expertises(first: 1) { totalCount } }"}`))); err == nil {
				resp.Body.Close()
			}
		}()
	}
	resp, out := ask()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, out.Errors)

	proxy.Cut()
	require.Equal(t, http.StatusOK, ready(), "the database is up: its dropped connections do not make the server unready")
	resp, out = ask()
	require.Equal(t, http.StatusOK, resp.StatusCode, "errors: %v", out.Errors)
	require.Empty(t, out.Errors)
	require.NotNil(t, out.Data["expertises"])

	proxy.Down()
	resp, out = ask()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
	require.NotEmpty(t, out.Errors)
	require.Equal(t, "UNAVAILABLE", out.Errors[0].Extensions["code"])
	require.Contains(t, out.Errors[0].Message, "try again")
	require.Equal(t, http.StatusServiceUnavailable, ready())
	// A token cannot be checked either: the same answer, before any GraphQL.
	out = post(t, addr, query, analyst)
	require.Equal(t, "UNAVAILABLE", out.Errors[0].Extensions["code"])
	require.Contains(t, logs.String(), "database unavailable", "operators see the cause in the log")

	proxy.Up()
	resp, out = ask()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, out.Errors)
	require.Equal(t, http.StatusOK, ready())
}

// TestServeWhileSQLiteIsLocked holds SQLite's write lock past the busy
// timeout: a change is answered 503 with Retry-After, to be sent again,
// and reads go on.
func TestServeWhileSQLiteIsLocked(t *testing.T) {
	u := storetest.URL(t, store.SQLite)
	addr, _ := server(t, u+"?_pragma=busy_timeout(100)", "--no-worker")
	admin := createToken(t, u, "--role", "ADMIN")

	other, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(u, "sqlite:"))
	require.NoError(t, err)
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	send := func(query string) (*http.Response, response) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out response
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp, out
	}
	const create = `mutation { createMember(input: {handle: "grace", name: "Grace Hopper", country: "US"}) { member { handle } } }`
	resp, out := send(create)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "errors: %v", out.Errors)
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
	require.Equal(t, "UNAVAILABLE", out.Errors[0].Extensions["code"])
	resp, out = send(`{ expertises(first: 1) { totalCount } }`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, out.Errors, "reads go on while another connection writes")

	_, err = conn.ExecContext(ctx, "COMMIT")
	require.NoError(t, err)
	resp, out = send(create)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, out.Errors)
}
