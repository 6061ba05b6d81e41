package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	httpapi "mvpgraph/api"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// A client that accepts multipart/mixed gets the fields it marks @defer in
// later parts, each at its path, and together they are the answer the same
// query has without @defer. Fields that are resolved apart are deferred (a
// lead's expertises and countries); fields a page loads with its members
// are in the first part, as the incremental delivery spec lets a server
// answer a deferred fragment at once.
func TestDeferredFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		reg := prometheus.NewRegistry()
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.Metrics = httpapi.NewMetrics(reg)
		a := newAPIWith(t, &resolvers.Resolver{Store: s}, opts)
		buildProgram(a)
		const fields = `expertises { name } countries`

		var plain struct {
			Leads struct {
				Edges []struct{ Node map[string]any }
			}
		}
		a.do(&plain, `{ leads(first: 10) { edges { node { name `+fields+` } } } }`)
		require.Len(t, plain.Leads.Edges, 2)

		inc := a.c.IncrementalHTTP(context.Background(),
			`query Deferred { leads(first: 10) { edges { node { name ... @defer(label: "more") { `+fields+` } } } } }`)
		defer inc.Close()
		var first map[string]any
		require.NoError(t, inc.Next(&first))
		require.Equal(t, true, first["hasNext"], "the first part says more follow: %v", first)
		edges := first["data"].(map[string]any)["leads"].(map[string]any)["edges"].([]any)
		require.Len(t, edges, 2)
		nodes := make([]map[string]any, len(edges))
		for i, e := range edges {
			nodes[i] = e.(map[string]any)["node"].(map[string]any)
			require.Equal(t, plain.Leads.Edges[i].Node["name"], nodes[i]["name"])
			require.NotContains(t, nodes[i], "expertises", "a deferred field comes later, and is not in the first part")
			require.NotContains(t, nodes[i], "countries", "a deferred field comes later, and is not in the first part")
		}

		more := 0
		for hasNext := true; hasNext; {
			var part struct {
				Incremental []struct {
					Data       map[string]any
					Label      string
					Path       []any
					HasNext    bool
					Extensions map[string]any
				}
				HasNext bool
			}
			require.NoError(t, inc.Next(&part))
			for _, inc := range part.Incremental {
				require.Equal(t, "more", inc.Label)
				require.Len(t, inc.Path, 4, "the path of a lead: %v", inc.Path)
				i := int(inc.Path[2].(float64))
				for k, v := range inc.Data {
					nodes[i][k] = v
				}
				more++
			}
			hasNext = part.HasNext
		}
		require.Equal(t, 2, more, "one deferred part per lead")
		for i, e := range plain.Leads.Edges {
			want, err := json.Marshal(e.Node)
			require.NoError(t, err)
			require.JSONEq(t, string(want), mustJSON(t, nodes[i]))
		}
		// The later parts are not counted as operations of their own.
		require.Equal(t, 1.0, operations(t, reg, "Deferred"))

		// A page's members' awards are loaded with the page: deferred, they
		// are answered in the first part.
		var whole struct {
			Data struct {
				Mvps struct {
					Edges []struct {
						Node struct {
							Handle string
							Awards []struct{ Year int }
						}
					}
				}
			}
			HasNext    bool
			Extensions map[string]any
		}
		now := a.c.IncrementalHTTP(context.Background(), `{ mvps(first: 10) { edges { node { handle ... @defer { awards { year } } } } } }`)
		defer now.Close()
		require.NoError(t, now.Next(&whole))
		require.False(t, whole.HasNext)
		require.Len(t, whole.Data.Mvps.Edges, 2)
		for _, e := range whole.Data.Mvps.Edges {
			require.Len(t, e.Node.Awards, 1, e.Node.Handle)
		}
	})
}

// operations reads mvpgraph_graphql_operations_total of a named query.
func operations(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	return counter(t, reg, "mvpgraph_graphql_operations_total", "operation", name)
}

// counter reads the series of family whose label is value.
func counter(t *testing.T, reg *prometheus.Registry, family, label, value string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// A subscription asked by multipart/mixed is refused with the way to ask
// for it, and a body that is not JSON is answered 400 without being
// written to the process's log.
func TestMultipartRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		post := func(body string) (int, result) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept", "multipart/mixed")
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, r)
			var out result
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "answer: %s", w.Body.String())
			return w.Code, out
		}

		_, out := post(`{"query":"subscription { reachUpdated(memberId: \"TWVtYmVyOjE\") { handle } }"}`)
		require.Len(t, out.Errors, 1)
		require.Contains(t, out.Errors[0].Message, "WebSocket")
		require.Equal(t, "BAD_REQUEST", out.Errors[0].Extensions["code"])

		var logged bytes.Buffer
		log.SetOutput(&logged)
		defer log.SetOutput(os.Stderr)
		code, out := post(`{"query": "{ mvps { totalCount } }", "secret-looking": "hunter2"`)
		require.Equal(t, http.StatusBadRequest, code)
		require.NotEmpty(t, out.Errors)
		require.NotContains(t, logged.String(), "hunter2")
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// One selection asked of nodes of several types gives each type its own
// fields, also when the same type comes again.
func TestNodesOfSeveralTypes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		var got struct {
			Nodes []map[string]any
		}
		a.do(&got, fmt.Sprintf(`{ nodes(ids: [%q, %q, %q, %q, %q]) { __typename
  ... on Member { handle }
  ... on Lead { name kind }
  ... on Expertise { name category } } }`, ids["ada"], ids["uma"], ids["crm"], ids["jean"], ids["chloe"]))
		require.Equal(t, []map[string]any{
			{"__typename": "Member", "handle": "ada"},
			{"__typename": "Lead", "name": "Uma", "kind": "US"},
			{"__typename": "Expertise", "name": "Dynamics CRM", "category": "Business Applications"},
			{"__typename": "Member", "handle": "jean"},
			{"__typename": "Lead", "name": "Chloe", "kind": "INTERNATIONAL"},
		}, got.Nodes)

		// On the wire, in the order asked, each response name once.
		query := fmt.Sprintf(`{ nodes(ids: [%q, %q]) { ... on Member { handle h: country handle } ... on Lead { kind name } ... on Member { h: country } } }`, ids["ada"], ids["uma"])
		body, err := json.Marshal(map[string]string{"query": query})
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		bearer(t, s, mvpgraph.APIToken{Name: "wire", Role: mvpgraph.RoleAnalyst})(&client.Request{HTTP: r})
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, r)
		require.Contains(t, w.Body.String(), `{"data":{"nodes":[{"handle":"ada","h":"US"},{"kind":"US","name":"Uma"}]}`)
	})
}

// TestPostAnswers: answers to POST keep the shape and media types of
// GraphQL over HTTP with the data written as it was marshalled.
func TestPostAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		a.do(&map[string]any{}, `mutation { createMember(input: {handle: "tag", name: "<b>Tom & Jerry</b>", country: "US"}) { member { id } } }`)
		post := func(accept, body string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			if accept != "" {
				r.Header.Set("Accept", accept)
			}
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, r)
			return w
		}

		// Errors first, then data, then extensions, as encoding/json
		// orders a gqlgen response; a string's characters as they are.
		w := post("", `{"query": "{ member(handle: \"tag\") { name } node(id: \"nope\") { id } }"}`)
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"))
		require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
		body := w.Body.String()
		require.True(t, strings.HasPrefix(body, `{"errors":[`), "answer: %s", body)
		require.Contains(t, body, `"data":{"member":{"name":"<b>Tom & Jerry</b>"},"node":null},"extensions":{"cost":`)
		require.True(t, json.Valid(w.Body.Bytes()))

		// The media type the request accepts first.
		for accept, want := range map[string]string{
			"application/graphql-response+json, application/json": "application/graphql-response+json",
			"application/json;q=0.9, */*":                         "application/json",
			"text/html":                                           "application/graphql-response+json",
		} {
			w := post(accept, `{"query": "{ mvps { totalCount } }"}`)
			require.Equal(t, want, w.Header().Get("Content-Type"), "Accept: %s", accept)
			require.JSONEq(t, `{"mvps": {"totalCount": 0}}`, mustJSON(t, decode(t, w)["data"]))
		}

		// A body that is no GraphQL request says what to send; a request
		// that cannot run has no data under graphql-response+json.
		w = post("", `{"query": `)
		require.Equal(t, http.StatusBadRequest, w.Code)
		require.Contains(t, w.Body.String(), `Send a JSON object such as`)
		w = post("application/graphql-response+json", `{"query": "{ nosuchfield }"}`)
		require.Equal(t, http.StatusBadRequest, w.Code)
		require.NotContains(t, decode(t, w), "data")

		// Over plain JSON, @defer is left out: the whole answer comes at
		// once, nothing promised.
		w = post("", `{"query": "{ members { edges { node { handle } } ... @defer { totalCount } } }"}`)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"))
		got := decode(t, w)
		require.NotContains(t, got, "hasNext")
		require.JSONEq(t, `{"members": {"edges": [{"node": {"handle": "tag"}}], "totalCount": 1}}`, mustJSON(t, got["data"]))
	})
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "answer: %s", w.Body.String())
	return out
}

// TestMultipartOnlyWhenDeferred: an answer comes in parts only when the
// query defers something and the client prefers multipart/mixed to JSON;
// listing multipart/mixed, as urql does on every request, asks for
// nothing more. Every answer in parts ends with hasNext: false.
func TestMultipartOnlyWhenDeferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		buildProgram(a)
		post := func(accept, query string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(mustJSON(t, map[string]string{"query": query})))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept", accept)
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			return w
		}
		const urql = "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed"
		const apollo = "multipart/mixed;deferSpec=20220824,application/json"
		deferring := `{ leads(first: 10) { edges { node { name ... @defer { expertises { name } } } } } }`
		plain := `{ leads(first: 10) { edges { node { name expertises { name } } } } }`

		for _, accept := range []string{urql, apollo, "multipart/mixed"} {
			w := post(accept, plain)
			require.NotContains(t, w.Header().Get("Content-Type"), "multipart", "Accept: %s", accept)
			require.NotContains(t, decode(t, w), "hasNext")
		}
		// Preferring JSON, the client gets the whole answer at once.
		w := post("application/json, multipart/mixed;q=0.5", deferring)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"))
		require.Equal(t, mustJSON(t, decode(t, post("application/json", plain))["data"]), mustJSON(t, decode(t, w)["data"]))

		for _, accept := range []string{urql, apollo} {
			w := post(accept, deferring)
			require.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "multipart/mixed"), "Accept: %s", accept)
			body := w.Body.String()
			require.True(t, strings.HasSuffix(body, "\r\n-----\r\n"), "the closing boundary ends it: %q", body)
			require.Contains(t, body[strings.LastIndex(body, "\r\n---\r\n"):], `"hasNext":false`, "the last part says nothing follows")
		}
		// Deferred fields that a page loads with its members come in the
		// first part: one part, which says nothing follows.
		w = post(apollo, `{ mvps(first: 10) { edges { node { handle ... @defer { awards { year } } } } } }`)
		require.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "multipart/mixed"))
		require.Equal(t, 1, strings.Count(w.Body.String(), "Content-Type: application/json"), w.Body.String())
		require.Contains(t, w.Body.String(), `"hasNext":false`)
	})
}
