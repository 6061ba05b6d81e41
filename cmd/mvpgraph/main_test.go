package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// server runs the real program's serve command on a free port and returns
// its address; it stops, gracefully, when the test ends.
func server(t *testing.T, dbURL string, args ...string) (string, *syncWriter) {
	return serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": dbURL}, args...)
}

func serverEnv(t *testing.T, env map[string]string, args ...string) (string, *syncWriter) {
	t.Helper()
	addr, logs, stop := startServer(t, env, args...)
	t.Cleanup(func() {
		select {
		case err := <-stop():
			require.NoError(t, err, "graceful shutdown")
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	return addr, logs
}

// startServer runs serve with env, answering without delay when asked to
// stop unless env sets MVPGRAPH_SHUTDOWN_DELAY. stop asks it to, as a signal
// does, and returns where serve's result arrives.
func startServer(t *testing.T, env map[string]string, args ...string) (addr string, logs *syncWriter, stop func() <-chan error) {
	t.Helper()
	logs = &syncWriter{w: &bytes.Buffer{}}
	ready := make(chan string, 1)
	m := NewMain(io.Discard, logs, func(k string) string {
		if v, ok := env[k]; ok || k != "MVPGRAPH_SHUTDOWN_DELAY" {
			return v
		}
		return "0s"
	})
	m.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start within a minute")
	}
	return addr, logs, func() <-chan error {
		cancel()
		return done
	}
}

// syncWriter lets the server's goroutines log into one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

type response struct {
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func post(t *testing.T, addr, query string, token ...string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if len(token) > 0 {
		req.Header.Set("Authorization", "Bearer "+token[0])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out response
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// TestServeDemo runs what the README's run command runs, on each database,
// and checks that every example query of the README and docs/ returns
// data.
func TestServeDemo(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := storetest.URL(t, d)
			addr, _ := server(t, dbURL, "--demo")
			token := createToken(t, dbURL, "--role", "ADMIN", "--name", "readme")
			for _, ex := range docExamples(t, "graphql") {
				r := post(t, addr, ex.text, token)
				require.Empty(t, r.Errors, "%s: the example query failed:\n%s", ex.file, ex.text)
				require.NotEmpty(t, r.Data)
				for k, v := range r.Data {
					require.NotNil(t, v, "%s: the example query returned no %s:\n%s", ex.file, k, ex.text)
				}
			}

			// Anonymous callers read public fields, never personal data.
			anon := post(t, addr, `{ member(handle: "ada.dynamics") { name email employer } }`)
			require.Empty(t, anon.Errors)
			require.Equal(t, map[string]any{"name": "Ada Whitman", "email": nil, "employer": nil}, anon.Data["member"])
			denied := post(t, addr, `mutation { createMember(input: {handle: "x1", name: "X", country: "US"}) { member { id } } }`)
			require.Equal(t, "UNAUTHENTICATED", denied.Errors[0].Extensions["code"])

			resp, err := http.Get("http://" + addr + "/graphql?query=" + url.QueryEscape("{ mvps(first: 3) { totalCount edges { node { handle } } } }"))
			require.NoError(t, err)
			var r response
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
			resp.Body.Close()
			require.Empty(t, r.Errors)
			mvps := r.Data["mvps"].(map[string]any)
			require.Greater(t, mvps["totalCount"].(float64), 100.0, "the demo has some hundreds of MVPs")

			for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/graphiql": 200} {
				resp, err := http.Get("http://" + addr + path)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, want, resp.StatusCode, path)
			}
			// The leads' page and the console come from the binary itself.
			for _, path := range []string{"/", "/graphiql"} {
				resp, err := http.Get("http://" + addr + path)
				require.NoError(t, err)
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.Equal(t, 200, resp.StatusCode, path)
				require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'", path)
				require.Regexp(t, `<script type="module" crossorigin src="/assets/[^"]+\.js">`, string(body), path)
			}
		})
	}
}

// TestServeRefusesHugeBodies sends a 10 MB body: refused with 413, and the
// server answers the next request.
func TestServeRefusesHugeBodies(t *testing.T) {
	addr, _ := server(t, storetest.URL(t, store.SQLite))
	big := `{"query": "{ members { totalCount } }", "variables": {"x": "` + strings.Repeat("a", 10<<20) + `"}}`
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(big))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	r := post(t, addr, `{ members { totalCount } }`)
	require.Empty(t, r.Errors, "the server keeps answering")
}

func TestMigrateAndSeedCommands(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	var out bytes.Buffer
	env := func(k string) string {
		if k == "MVPGRAPH_DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	m := NewMain(&out, io.Discard, env)
	ctx := context.Background()
	require.NoError(t, m.Run(ctx, []string{"migrate"}))
	require.Contains(t, out.String(), "up to date")
	out.Reset()
	require.NoError(t, m.Run(ctx, []string{"migrate"}))
	require.Contains(t, out.String(), "applied 0 migration(s)")

	require.Error(t, m.Run(ctx, []string{"seed"}), "seed needs --demo or --scale")
	require.Error(t, m.Run(ctx, []string{"seed", "--demo", "--scale", "5"}))
	require.ErrorContains(t, m.Run(ctx, []string{"seed", "--scale", "5", "--history-days", "-1"}), "--history-days")
	require.NoError(t, m.Run(ctx, []string{"seed", "--scale", "200", "--rand-seed", "7", "--history-days", "3"}))
	s, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	defer s.Close()
	n, err := s.CountMembers(ctx, store.MemberQuery{})
	require.NoError(t, err)
	require.Equal(t, 200, n)
	require.ErrorContains(t, m.Run(ctx, []string{"seed", "--demo"}), "not empty", "the demo never mixes into existing data")
	require.ErrorContains(t, m.Run(ctx, []string{"seed", "--scale", "10"}), "empty database")

	require.Error(t, m.Run(ctx, []string{"serve", "--database-url", "mysql://nope"}))
	require.Error(t, m.Run(ctx, []string{"frobnicate"}))
	err = NewMain(io.Discard, io.Discard, func(k string) string {
		if k == "MVPGRAPH_MAX_DEPTH" {
			return "deep"
		}
		return ""
	}).Run(ctx, []string{"serve"})
	require.ErrorContains(t, err, "MVPGRAPH_MAX_DEPTH")
}

func TestServeAnswersGarbageWithBadRequest(t *testing.T) {
	addr, logs := server(t, storetest.URL(t, store.SQLite))
	for _, body := range []string{"garbage", `{"query": 42}`, `{"query": "{ members { "}`, `{"query": "{ nosuchfield }"}`} {
		resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		var r response
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r), body)
		resp.Body.Close()
		require.NotEmpty(t, r.Errors, body)
		require.NotEqual(t, "INTERNAL", r.Errors[0].Extensions["code"], "%s: %s", body, r.Errors[0].Message)
	}
	require.NotContains(t, logs.String(), "internal error")

	// GraphQL over HTTP: a request that cannot run is 200 with errors for
	// application/json, 400 without a data entry for
	// application/graphql-response+json.
	for accept, want := range map[string]int{"application/json": 200, "application/graphql-response+json": 400, "": 200} {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query": "{ nosuchfield }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, accept)
		require.NotEmpty(t, body["errors"])
		if want == 400 {
			require.NotContains(t, body, "data")
		}
	}
}

// createToken runs mvpgraph token create and returns the secret it prints.
func createToken(t *testing.T, dbURL string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	m := NewMain(&out, io.Discard, func(k string) string {
		if k == "MVPGRAPH_DATABASE_URL" {
			return dbURL
		}
		return ""
	})
	require.NoError(t, m.Run(context.Background(), append([]string{"token", "create"}, args...)))
	secret := strings.TrimSpace(out.String())
	require.True(t, strings.HasPrefix(secret, "mvpg_"), secret)
	return secret
}

func TestTokenCommands(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	ctx := context.Background()
	var out bytes.Buffer
	m := NewMain(&out, io.Discard, func(k string) string {
		if k == "MVPGRAPH_DATABASE_URL" {
			return dbURL
		}
		return ""
	})
	require.NoError(t, m.Run(ctx, []string{"seed", "--demo"}))
	secret := createToken(t, dbURL, "--role", "analyst", "--name", "reports", "--expires", "24h")
	for _, bad := range [][]string{
		{"token", "create", "--role", "LEAD"},                      // no lead
		{"token", "create", "--role", "OWNER"},                     // no such role
		{"token", "create", "--role", "LEAD", "--lead", "9999"},    // no such lead
		{"token", "create", "--role", "ANALYST", "--lead", "1"},    // analysts act for no one
		{"token", "create", "--role", "ADMIN", "--expires", "-1h"}, // negative
		{"token", "revoke", "not-a-number"},
		{"token", "revoke", "424242"},
		{"token", "frobnicate"},
	} {
		require.Error(t, m.Run(ctx, bad), "%v", bad)
	}
	lead := createToken(t, dbURL, "--role", "LEAD", "--lead", mvpgraph.GlobalID("Lead", 1))
	require.NotEqual(t, secret, lead)

	out.Reset()
	require.NoError(t, m.Run(ctx, []string{"token", "list"}))
	require.Contains(t, out.String(), "reports")
	require.Contains(t, out.String(), "ANALYST")
	require.NotContains(t, out.String(), secret, "secrets are never shown again")
	require.NotContains(t, out.String(), strings.TrimPrefix(secret, "mvpg_"))

	out.Reset()
	require.NoError(t, m.Run(ctx, []string{"token", "revoke", "1"}))
	require.Contains(t, out.String(), "revoked")
	s, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Authenticate(ctx, secret)
	require.Equal(t, mvpgraph.EUNAUTHORIZED, mvpgraph.ErrorCode(err), "a revoked token no longer works")
	p, err := s.Authenticate(ctx, lead)
	require.NoError(t, err)
	require.Equal(t, mvpgraph.RoleLead, p.Role)
}

func TestServeHTTPEdges(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	secret := createToken(t, dbURL, "--role", "ANALYST")
	addr, logs := serverEnv(t, map[string]string{
		"MVPGRAPH_DATABASE_URL": dbURL,
		"MVPGRAPH_CORS_ORIGINS": "https://app.example, https://leads.example",
		"MVPGRAPH_LOG_FORMAT":   "json",
	})
	do := func(method, origin, reqID string) *http.Response {
		req, err := http.NewRequest(method, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ members { totalCount } }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		if reqID != "" {
			req.Header.Set("X-Request-ID", reqID)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	pre := do(http.MethodOptions, "https://app.example", "")
	require.Equal(t, http.StatusNoContent, pre.StatusCode)
	require.Equal(t, "https://app.example", pre.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	other := do(http.MethodPost, "https://evil.example", "")
	require.Empty(t, other.Header.Get("Access-Control-Allow-Origin"), "an origin not configured gets no CORS header")

	resp := do(http.MethodPost, "", "trace-123")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "trace-123", resp.Header.Get("X-Request-ID"))
	resp = do(http.MethodPost, "", "bad id with spaces <script>")
	require.Len(t, resp.Header.Get("X-Request-ID"), 16, "a new ID replaces one that is not plain")

	// Metrics: operations by name, errors by code, SQL statements per request.
	for _, q := range []string{`query Members { members { totalCount } }`, `mutation { createMember(input: {handle: "m", name: "M", country: "ZZ"}) { member { id } } }`} {
		post(t, addr, q, secret)
	}
	mresp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	require.NoError(t, err)
	metrics := string(body)
	require.True(t, strings.Contains(metrics, `mvpgraph_graphql_operations_total{operation="Members",type="query"} 1`), "operations by name")
	require.True(t, strings.Contains(metrics, `mvpgraph_graphql_errors_total{code="FORBIDDEN"} 1`), "an analyst may not create members")
	require.True(t, strings.Contains(metrics, "mvpgraph_sql_statements_per_request_count"))
	require.True(t, strings.Contains(metrics, "mvpgraph_graphql_operation_duration_seconds_bucket"))
	require.False(t, strings.Contains(metrics, secret))

	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"request_id":"trace-123"`) }, 5*time.Second, 20*time.Millisecond)
	require.NotContains(t, logs.String(), secret, "tokens never reach the logs")
	require.NotContains(t, logs.String(), strings.TrimPrefix(secret, "mvpg_"))
}

// TestServeSubscription subscribes through the real server's whole handler
// chain (request IDs, CORS, limits) over graphql-transport-ws.
func TestServeSubscription(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbURL := storetest.URL(t, store.SQLite)
	secret := createToken(t, dbURL, "--role", "ANALYST")
	addr, _ := serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": dbURL, "MVPGRAPH_CORS_ORIGINS": "*"})
	s, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	defer s.Close()
	m := mvpgraph.Member{Handle: "live", Name: "Live", Country: "US"}
	require.NoError(t, s.CreateMember(ctx, &m))

	conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer conn.CloseNow()
	send := func(v any) { require.NoError(t, wsjson.Write(ctx, conn, v)) }
	recv := func() map[string]any {
		var msg map[string]any
		require.NoError(t, wsjson.Read(ctx, conn, &msg))
		return msg
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + secret}})
	require.Equal(t, "connection_ack", recv()["type"])
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reachUpdated(memberId: "` + mvpgraph.GlobalID("Member", m.ID) + `") { handle socialAccounts { handle } } }`,
	}})
	time.Sleep(200 * time.Millisecond)
	_, err = s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, "live-one")
	require.NoError(t, err)
	for {
		msg := recv()
		if msg["type"] == "ping" || msg["type"] == "ka" {
			continue
		}
		require.Equal(t, "next", msg["type"], "%v", msg)
		payload, _ := json.Marshal(msg["payload"])
		require.Contains(t, string(payload), "live-one")
		break
	}
}

// TestImportCommand imports a 100,000-row file with some bad rows, then
// again (nothing new), and checks --all-or-nothing.
func TestImportCommand(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	ctx := context.Background()
	var out, errs bytes.Buffer
	m := NewMain(&out, &errs, func(k string) string {
		if k == "MVPGRAPH_DATABASE_URL" {
			return dbURL
		}
		return ""
	})
	require.NoError(t, m.Run(ctx, []string{"migrate"}))
	s, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	defer s.Close()
	for _, name := range []string{"Forum", "Q&A"} {
		require.NoError(t, s.CreateSpace(ctx, &mvpgraph.CommunitySpace{Name: name, Kind: "FORUM"}, nil))
	}
	path := filepath.Join(t.TempDir(), "activity.csv")
	var b strings.Builder
	b.WriteString("space,external_id,kind,occurred_at,contributor_handle,contributor_name,title,score\n")
	for i := range 100000 {
		space := "Forum"
		if i%2 == 1 {
			space = "Q&A"
		}
		fmt.Fprintf(&b, "%s,%d,ANSWER,2026-0%d-%02dT12:00:00Z,user%d,User %d,\"A title, with a comma\",%d\n", space, i, 1+i%9, 1+i%28, i%5000, i%5000, i%7)
	}
	b.WriteString("Nowhere,x1,ANSWER,2026-01-01,u,U,,\n")
	b.WriteString("Forum,x2,ANSWER,31/01/2026,u,U,,\n")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))

	err = m.Run(ctx, []string{"import", "activities", "--all-or-nothing", path})
	require.Error(t, err)
	require.Contains(t, out.String(), "imported nothing: 2 bad row(s)")
	require.Contains(t, errs.String(), path+":100002: unknown space \"Nowhere\"")
	require.Contains(t, errs.String(), path+":100003: occurred_at \"31/01/2026\" is not a date")

	out.Reset()
	require.Error(t, m.Run(ctx, []string{"import", "activities", path}), "some rows were rejected")
	require.Contains(t, out.String(), "imported 100000 new activities, 0 already there, 2 rejected")
	out.Reset()
	require.Error(t, m.Run(ctx, []string{"import", "activities", path}))
	require.Contains(t, out.String(), "imported 0 new activities, 100000 already there, 2 rejected", "a re-import changes nothing")

	require.ErrorContains(t, m.Run(ctx, []string{"import", "activities", filepath.Join(t.TempDir(), "x.txt")}), "--format")
}

// TestServeRefusesBadKeepTimes: a time to keep answers that is not a
// duration stops serve with a message naming the variable.
func TestServeRefusesBadKeepTimes(t *testing.T) {
	for _, name := range []string{"MVPGRAPH_RANKING_TTL", "MVPGRAPH_ANALYTICS_TTL"} {
		env := map[string]string{"MVPGRAPH_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), name: "soon"}
		m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
		err := m.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"})
		require.ErrorContains(t, err, name+`="soon" is not a duration, such as 1m`)
	}
}

// TestServeProfiler: MVPGRAPH_PPROF_ADDR serves Go's profiler on an address
// of its own, never on the API's.
func TestServeProfiler(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	addr, logs := serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": dbURL, "MVPGRAPH_PPROF_ADDR": "127.0.0.1:0"})
	m := regexp.MustCompile(`pprof=(http://\S+/debug/pprof/)`).FindStringSubmatch(logs.String())
	require.NotNil(t, m, "the log names the profiler's address: %s", logs.String())
	resp, err := http.Get(m[1])
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get("http://" + addr + "/debug/pprof/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "the API's address does not serve the profiler")
}

// TestCommandLineSaysWhatToFix: what a newcomer met at the command line.
func TestCommandLineSaysWhatToFix(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.URL(t, store.SQLite)
	var out, errs bytes.Buffer
	m := NewMain(&out, &errs, func(k string) string { return "" })

	err := m.Run(ctx, []string{"token", "create", "--database-url", dbURL})
	require.ErrorContains(t, err, "needs --role")

	err = m.Run(ctx, []string{"token", "list", "--database-url", "mysql://nowhere"})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "code=", "a message a person reads: %v", err)
	require.Contains(t, err.Error(), "--database-url")

	errs.Reset()
	err = m.Run(ctx, []string{"start"})
	require.ErrorContains(t, err, "mvpgraph help")
	require.Empty(t, errs.String(), "an unknown command is one line, not the whole usage")

	require.ErrorIs(t, m.Run(ctx, []string{"serve", "--help"}), flag.ErrHelp, "help asked for is not a failure (exit 0)")
	require.ErrorIs(t, m.Run(ctx, nil), errUsage)

	// Flags after the token's ID.
	createToken(t, dbURL, "--role", "ANALYST")
	out.Reset()
	require.NoError(t, m.Run(ctx, []string{"token", "revoke", "1", "--database-url", dbURL}))
	require.Contains(t, out.String(), "token 1 revoked")
}

// TestServeSendsBrowsersToGraphiQL: a browser opening /graphql is sent to
// GraphiQL, and the start-up log names the page.
func TestServeSendsBrowsersToGraphiQL(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	addr, logs := server(t, dbURL)
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/graphql", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/graphiql", resp.Header.Get("Location"))
	require.Contains(t, logs.String(), "page=http://"+addr+"/")
}

// TestServeMetricsApart: with MVPGRAPH_METRICS_ADDR, /metrics is served on
// that address only, and operation names given by anonymous callers do not
// grow it without bound.
func TestServeMetricsApart(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			addr, logs := serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": storetest.URL(t, d), "MVPGRAPH_METRICS_ADDR": "127.0.0.1:0"})
			m := regexp.MustCompile(`metrics=(http://\S+/metrics)`).FindStringSubmatch(logs.String())
			require.NotNil(t, m, "the log names the metrics' address: %s", logs.String())
			resp, err := http.Get("http://" + addr + "/metrics")
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusNotFound, resp.StatusCode, "the API's address does not serve the metrics")

			for i := range 300 {
				post(t, addr, fmt.Sprintf("query Q%d { __typename }", i))
			}
			resp, err = http.Get(m[1])
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Contains(t, string(body), `mvpgraph_graphql_operations_total{operation="Q0",type="query"} 1`)
			require.Contains(t, string(body), `mvpgraph_graphql_operations_total{operation="other",type="query"} 100`)
			require.NotContains(t, string(body), `operation="Q299"`)
		})
	}
}

// TestServeRefusesBadTrustedProxies: a proxy that is not an address stops
// serve with a message naming the variable and what it takes.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	env := map[string]string{"MVPGRAPH_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "MVPGRAPH_TRUSTED_PROXIES": "10.0.0.0/8, lb.internal"}
	m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
	err := m.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"})
	require.ErrorContains(t, err, `MVPGRAPH_TRUSTED_PROXIES: "lb.internal" is neither an IP address nor a CIDR range such as 10.0.0.0/8`)
}

// TestServeOrigins: MVPGRAPH_CORS_ORIGINS holds for a kept answer asked by
// GET, whose Vary keeps Origin, and for the WebSocket upgrade: a page of
// an allowed origin (or of the API's own) may subscribe, one of another
// origin may not, and a client that sends no Origin is no browser.
func TestServeOrigins(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			addr, _ := serverEnv(t, map[string]string{"MVPGRAPH_DATABASE_URL": storetest.URL(t, d), "MVPGRAPH_CORS_ORIGINS": "https://app.example"})
			get := func(origin string) *http.Response {
				req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/graphql?query="+url.QueryEscape(`query @cached(ttl: 60) { mvps(first: 1) { totalCount } }`), nil)
				require.NoError(t, err)
				req.Header.Set("Origin", origin)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, http.StatusOK, resp.StatusCode)
				return resp
			}
			for _, origin := range []string{"https://app.example", "https://evil.example"} {
				resp := get(origin)
				require.Contains(t, resp.Header.Get("Cache-Control"), "max-age=")
				vary := strings.Join(resp.Header.Values("Vary"), ", ")
				for _, h := range []string{"Origin", "Accept", "Authorization"} {
					require.Contains(t, vary, h, "a cache must tell answers apart by %s (origin %s)", h, origin)
				}
			}

			dial := func(origin string) (int, error) {
				opts := &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}}
				if origin != "" {
					opts.HTTPHeader = http.Header{"Origin": {origin}}
				}
				conn, resp, err := websocket.Dial(ctx, "ws://"+addr+"/graphql", opts)
				if conn != nil {
					conn.CloseNow()
				}
				if resp == nil {
					return 0, err
				}
				return resp.StatusCode, err
			}
			for _, origin := range []string{"https://app.example", "http://" + addr, ""} {
				code, err := dial(origin)
				require.NoError(t, err, "origin %q", origin)
				require.Equal(t, http.StatusSwitchingProtocols, code)
			}
			code, err := dial("https://evil.example")
			require.Error(t, err)
			require.Equal(t, http.StatusForbidden, code)
		})
	}
}
