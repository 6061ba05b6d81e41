package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"mvpgraph/graph"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newTestHandler is the handler over the schema with no resolvers: enough
// for what is refused or answered before any resolver runs.
func newTestHandler(t testing.TB, change ...func(*Options)) http.Handler {
	t.Helper()
	o := DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range change {
		c(&o)
	}
	return NewHandler(graph.NewExecutableSchema(graph.Config{}), o)
}

type testAnswer struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// postQuery sends query by POST and returns the status and the answer.
func postQuery(t testing.TB, h http.Handler, query string, header ...string) (*httptest.ResponseRecorder, testAnswer) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out testAnswer
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/") {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	}
	return w, out
}

// TestFieldBound: a document with too many fields in one selection set, or
// in all, is refused before validation, whose time grows with the square
// of a selection set's size.
func TestFieldBound(t *testing.T) {
	h := newTestHandler(t)
	refused := func(query, message string) {
		t.Helper()
		w, out := postQuery(t, h, query)
		require.Equal(t, http.StatusOK, w.Code)
		require.Len(t, out.Errors, 1, w.Body.String())
		require.Equal(t, CodeQueryTooCostly, out.Errors[0].Extensions["code"])
		require.Contains(t, out.Errors[0].Message, message)
	}
	repeated := `{ member(handle: "ada.dynamics") { ` + strings.Repeat("handle ", 4000) + `} }`
	refused(repeated, "4000 fields in one selection set (in member); at most 200 are allowed")
	// Refused before validation, which would have found the unknown field.
	refused(`{ member(handle: "x") { nosuchfield `+strings.Repeat("handle ", 4000)+`} }`, "at most 200 are allowed")
	// Inline fragments' fields are merged into their set; so are a
	// fragment's own.
	refused(`{ member(handle: "x") { `+strings.Repeat("... on Member { handle } ", 201)+`} }`, "201 fields in one selection set")
	refused(`{ member(handle: "x") { ...F } } fragment F on Member { `+strings.Repeat("handle ", 300)+`}`, "(in fragment F)")
	// Many sets under the bound add up.
	wide := `member(handle: "x") { ` + strings.Repeat("handle ", 150) + `} `
	refused(`{ `+strings.Repeat(wide, 4)+`}`, "604 fields and fragments in all; at most 500 are allowed")

	// What validation finds is still reported as before.
	_, out := postQuery(t, h, `{ member(handle: "x") { nosuchfield } }`)
	require.Equal(t, "GRAPHQL_VALIDATION_FAILED", out.Errors[0].Extensions["code"])
	_, out = postQuery(t, h, `{ __typename }`)
	require.Empty(t, out.Errors)
	require.JSONEq(t, `{"__typename": "Query"}`, string(out.Data))
}

// TestTrustedProxies: behind a trusted proxy, an anonymous caller pays by
// the address the proxy forwarded for, the rightmost of X-Forwarded-For
// that is not a trusted proxy's; from anywhere else the header is ignored.
func TestTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	require.NoError(t, err)
	h := newTestHandler(t, func(o *Options) {
		o.CostBudget, o.CostBudgetWindow = 1, time.Hour
		o.TrustedProxies = trusted
	})
	send := func(remote, forwarded string) int {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = remote
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	require.Equal(t, http.StatusOK, send("10.1.2.3:4000", "203.0.113.1"))
	require.Equal(t, http.StatusTooManyRequests, send("10.9.9.9:4000", "203.0.113.1"), "the same client through another proxy")
	require.Equal(t, http.StatusOK, send("10.1.2.3:4000", "203.0.113.2"), "another client behind the same proxy")
	require.Equal(t, http.StatusTooManyRequests, send("10.1.2.3:4000", "198.51.100.9, 203.0.113.2, 192.0.2.7"),
		"what the client wrote before its own address counts for nothing, nor do trusted hops after it")
	require.Equal(t, http.StatusOK, send("198.51.100.20:4000", "203.0.113.3"))
	require.Equal(t, http.StatusTooManyRequests, send("198.51.100.20:4000", "203.0.113.4"), "not a trusted proxy: its header is ignored")

	_, err = ParseTrustedProxies("10.0.0.0/8, proxy.example")
	require.ErrorContains(t, err, `"proxy.example" is neither an IP address nor a CIDR range`)
}
