package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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

// TestServeDrains stops the server as SIGTERM does and checks what a load
// balancer and a client on a kept-alive connection see: readiness fails at
// once, requests are still answered during the delay, each on a connection
// the server then closes, and the server stops after the delay.
func TestServeDrains(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			const delay = 1500 * time.Millisecond
			addr, logs, stop := startServer(t, map[string]string{
				"MVPGRAPH_DATABASE_URL":   storetest.URL(t, d),
				"MVPGRAPH_SHUTDOWN_DELAY": delay.String(),
			}, "--demo", "--no-worker")
			client := &http.Client{Transport: &http.Transport{}}
			get := func(path string) (*http.Response, string) {
				t.Helper()
				resp, err := client.Get("http://" + addr + path)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp, string(body)
			}
			const query = `/graphql?query=%7B__typename%7D`
			resp, _ := get("/readyz")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			resp, _ = get(query)
			require.False(t, resp.Close, "kept alive while serving")

			asked := time.Now()
			done := stop()
			require.Eventually(t, func() bool {
				resp, body := get("/readyz")
				return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "shutting down")
			}, time.Second, 20*time.Millisecond, "readiness fails as soon as the server is asked to stop")
			resp, body := get(query)
			require.Equal(t, http.StatusOK, resp.StatusCode, "requests are still answered during the delay")
			require.Contains(t, body, `"data":{"__typename":"Query"}`)
			require.True(t, resp.Close, "the answer closes its connection")

			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop")
			}
			require.GreaterOrEqual(t, time.Since(asked), delay, "serve stops after the delay")
			_, err := client.Get("http://" + addr + "/readyz")
			require.Error(t, err, "the listener is closed")
			require.Contains(t, logs.String(), "readiness fails")
		})
	}
}

// TestServeReadReplicas runs the server with a read replica of a real
// primary: requests are answered, /readyz says the replica is up and how
// far behind, and /metrics has its state and lag.
func TestServeReadReplicas(t *testing.T) {
	pair := storetest.ReplicaPair(t)
	addr, _ := serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": pair.Primary, "MVPGRAPH_READ_DATABASE_URL": pair.Replica, "MVPGRAPH_READ_MAX_LAG": "10s"},
		"--demo", "--no-worker")
	analyst := createToken(t, pair.Primary, "--role", "ANALYST")
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	require.Eventually(t, func() bool { return strings.Contains(get("/readyz"), "read replica 127.0.0.1:55433/postgres: up") }, 30*time.Second, 100*time.Millisecond)
	require.Contains(t, get("/metrics"), `mvpgraph_read_replica_up{replica="127.0.0.1:55433/postgres"} 1`)
	require.Contains(t, get("/metrics"), `mvpgraph_read_replica_lag_seconds{replica="127.0.0.1:55433/postgres"}`)
	out := post(t, addr, `{ expertises(first: 3) { totalCount } programStats(groupBy: [COUNTRY]) { country members } }`, analyst)
	require.Empty(t, out.Errors)
	require.NotEmpty(t, out.Data["programStats"])
}
