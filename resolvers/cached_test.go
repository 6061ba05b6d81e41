package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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

// TestCachedAnswers: a query marked @cached is answered again from memory,
// without SQL, per caller, until a mutation on this server, refresh: true,
// or its ttl; answers with errors are not kept.
func TestCachedAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		reg := prometheus.NewRegistry()
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.Metrics = httpapi.NewMetrics(reg)
		opts.CallerKey = httpapi.TokenCaller
		a := newAPIWith(t, &resolvers.Resolver{Store: s}, opts)
		ids := buildProgram(a)
		const front = `query Front @cached(ttl: 60) { mvps(first: 10) { totalCount edges { node { handle name email } } } }`
		type page struct {
			Mvps struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Handle, Name string
						Email        *string
					}
				}
			}
		}
		ask := func(a *api, query string) (page, map[string]any, int64) {
			t.Helper()
			ctx := store.WithStatementCounter(context.Background())
			r := a.raw(query, withContext(ctx))
			require.Empty(t, r.Errors)
			var p page
			require.NoError(t, json.Unmarshal(r.Data, &p))
			cached, _ := r.Extensions["cached"].(map[string]any)
			return p, cached, store.StatementCount(ctx)
		}

		first, c, fresh := ask(a, front)
		require.Equal(t, 2, first.Mvps.TotalCount)
		require.Equal(t, map[string]any{"hit": false, "age": 0.0, "ttl": 60.0}, c)
		again, c, kept := ask(a, front)
		require.Equal(t, first, again)
		require.Equal(t, true, c["hit"], "the same query again comes from memory")
		require.Less(t, kept, fresh, "SQL statements from memory (%d) and afresh (%d)", kept, fresh)
		require.LessOrEqual(t, kept, int64(1), "from memory, at most the token is looked up")
		require.NotNil(t, again.Mvps.Edges[0].Node.Email, "the admin sees personal data")
		require.Equal(t, 1.0, counter(t, reg, "mvpgraph_cached_answers_total", "result", "hit"))
		require.Equal(t, 1.0, counter(t, reg, "mvpgraph_cached_answers_total", "result", "miss"))
		require.Equal(t, 2.0, operations(t, reg, "Front"), "an answer from memory is an operation answered")

		// Another caller never gets the admin's answer: anonymous callers
		// see no personal data.
		anon := a.as()
		p, c, _ := ask(anon, front)
		require.Equal(t, false, c["hit"])
		for _, e := range p.Mvps.Edges {
			require.Nil(t, e.Node.Email, "an anonymous caller sees no email")
		}
		_, c, _ = ask(anon, front)
		require.Equal(t, true, c["hit"], "anonymous callers share their answers")
		// Other variables, another question.
		varied := `query Front($n: Int) @cached(ttl: 60) { mvps(first: $n) { totalCount edges { node { handle name email } } } }`
		r := a.raw(varied, client.Var("n", 1))
		require.Equal(t, false, r.Extensions["cached"].(map[string]any)["hit"])
		r = a.raw(varied, client.Var("n", 2))
		require.Equal(t, false, r.Extensions["cached"].(map[string]any)["hit"])
		r = a.raw(varied, client.Var("n", 1))
		require.Equal(t, true, r.Extensions["cached"].(map[string]any)["hit"])
		require.JSONEq(t, `{"mvps": {"totalCount": 2, "edges": [{"node": {"handle": "ada", "name": "ADA", "email": "ada@example.com"}}]}}`, string(r.Data))

		// A change made elsewhere (another server on the same database)
		// shows once asked with refresh, or once the ttl is up; a plain
		// query sees it at once.
		other := newAPI(t, s)
		other.do(&map[string]any{}, fmt.Sprintf(`mutation { updateMember(input: {id: %q, name: "Ada L."}) { member { id } } }`, ids["ada"]))
		p, c, _ = ask(a, front)
		require.Equal(t, true, c["hit"])
		require.Equal(t, "ADA", p.Mvps.Edges[0].Node.Name, "kept until refreshed")
		p, _, _ = ask(a, `{ mvps(first: 10) { totalCount edges { node { handle name email } } } }`)
		require.Equal(t, "Ada L.", p.Mvps.Edges[0].Node.Name, "a query without @cached is answered afresh")
		p, c, _ = ask(a, `query Front @cached(ttl: 60, refresh: true) { mvps(first: 10) { totalCount edges { node { handle name email } } } }`)
		require.Equal(t, false, c["hit"])
		require.Equal(t, "Ada L.", p.Mvps.Edges[0].Node.Name)

		// A mutation on this server drops every kept answer.
		_, c, _ = ask(a, front)
		require.Equal(t, true, c["hit"])
		a.do(&map[string]any{}, fmt.Sprintf(`mutation { updateMember(input: {id: %q, name: "Ada Lovelace"}) { member { id } } }`, ids["ada"]))
		p, c, _ = ask(a, front)
		require.Equal(t, false, c["hit"], "a mutation here drops the kept answers")
		require.Equal(t, "Ada Lovelace", p.Mvps.Edges[0].Node.Name)
		_, c, _ = ask(anon, front)
		require.Equal(t, false, c["hit"], "every caller's answers are dropped")

		// An answer with an error is not kept.
		broken := `query Broken @cached(ttl: 60) { node(id: "nope") { id } }`
		for range 2 {
			r := a.raw(broken)
			require.NotEmpty(t, r.Errors)
			require.Equal(t, false, r.Extensions["cached"].(map[string]any)["hit"])
		}

		// The cost is reported and charged as for a fresh answer.
		r = a.raw(front)
		require.Equal(t, true, r.Extensions["cached"].(map[string]any)["hit"])
		before := r.Extensions["cost"].(map[string]any)
		r = a.raw(front)
		require.Equal(t, true, r.Extensions["cached"].(map[string]any)["hit"])
		after := r.Extensions["cost"].(map[string]any)
		require.Positive(t, after["requested"])
		require.Less(t, after["budgetRemaining"], before["budgetRemaining"], "charged")

		// A client that takes multipart/mixed (here anonymous, whose answer
		// was kept above) gets a kept answer whole, as JSON, since it
		// defers nothing; a query with deferred parts is answered in full
		// each time and not kept.
		for range 2 {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(mustJSON(t, map[string]string{"query": front})))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "multipart/mixed, application/json")
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, req)
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			var whole struct {
				Data       page
				HasNext    *bool
				Extensions map[string]any
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &whole))
			require.Equal(t, "Ada Lovelace", whole.Data.Mvps.Edges[0].Node.Name)
			require.Nil(t, whole.HasNext)
			require.Equal(t, true, whole.Extensions["cached"].(map[string]any)["hit"])
		}
		deferred := `query Later @cached(ttl: 60) { leads(first: 10) { edges { node { name ... @defer { expertises { name } } } } } }`
		for range 2 {
			inc := a.c.IncrementalHTTP(context.Background(), deferred)
			var first struct {
				Data       map[string]any
				HasNext    bool
				Extensions map[string]any
			}
			require.NoError(t, inc.Next(&first))
			require.True(t, first.HasNext)
			require.Equal(t, false, first.Extensions["cached"].(map[string]any)["hit"])
			parts := 0
			for more := true; more; {
				var part struct {
					Incremental []struct {
						Data       map[string]any
						Path       []any
						HasNext    bool
						Extensions map[string]any
					}
					HasNext bool
				}
				require.NoError(t, inc.Next(&part))
				for _, p := range part.Incremental {
					require.Contains(t, p.Data, "expertises")
					parts++
				}
				more = part.HasNext
			}
			require.Equal(t, 2, parts, "every deferred part comes, each time")
			require.NoError(t, inc.Close())
		}
	})
}

// TestCachedArguments: a ttl out of bounds is refused, saying what to fix.
func TestCachedArguments(t *testing.T) {
	s := storetest.New(t, store.SQLite)
	a := newAPI(t, s)
	for _, q := range []string{
		`query @cached(ttl: 0) { mvps(first: 1) { totalCount } }`,
		`query @cached(ttl: 3601) { mvps(first: 1) { totalCount } }`,
	} {
		e := a.fail("BAD_USER_INPUT", "ttl", q)
		require.Contains(t, e.Message, "from 1 to 3600")
	}
	e := a.fail("BAD_USER_INPUT", "ttl", `query Q($ttl: Int!) @cached(ttl: $ttl) { mvps(first: 1) { totalCount } }`, client.Var("ttl", -5))
	require.Contains(t, e.Message, "-5")
	// @cached belongs on a query.
	r := a.raw(`mutation @cached { updateMember(input: {id: "x", name: "y"}) { member { id } } }`)
	require.NotEmpty(t, r.Errors)
	require.Contains(t, r.Errors[0].Message, "cached")
}

// TestCachedOverGET: a @cached query asked by GET tells HTTP caches how
// long they may keep it, shared caches only when the caller is
// anonymous; other answers are not to be kept, and GET runs only queries.
func TestCachedOverGET(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		get := func(auth, query string, vars string) *httptest.ResponseRecorder {
			v := url.Values{"query": {query}}
			if vars != "" {
				v.Set("variables", vars)
			}
			r := httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil)
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, r)
			return w
		}
		const front = `query Front @cached(ttl: 60) { mvps(first: 10) { totalCount edges { node { handle email } } } }`

		w := get("", front, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Equal(t, "public, max-age=60", w.Header().Get("Cache-Control"))
		require.Contains(t, w.Header().Get("Vary"), "Authorization")
		require.Contains(t, w.Body.String(), `"email":null`, "anonymous: no personal data")
		w = get("", front, "")
		require.Contains(t, w.Body.String(), `"hit":true`)
		require.Regexp(t, `^public, max-age=(59|60)$`, w.Header().Get("Cache-Control"))

		secret, hash := mvpgraph.NewTokenSecret()
		require.NoError(t, s.CreateToken(context.Background(), &mvpgraph.APIToken{Name: "get admin", Role: mvpgraph.RoleAdmin}, hash))
		admin := "Bearer " + secret
		w = get(admin, front, "")
		require.Equal(t, "private, max-age=60", w.Header().Get("Cache-Control"), "a token's answer is the caller's own")
		require.Contains(t, w.Body.String(), `"email":"ada@example.com"`)

		w = get(admin, `{ mvps(first: 1) { totalCount } }`, "")
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"), "an answer not marked @cached")

		// Variables are read from the URL; bad ones are refused with what
		// is wrong.
		w = get(admin, `query ($id: ID!) { node(id: $id) { id } }`, fmt.Sprintf(`{"id": %q}`, ids["ada"]))
		require.Contains(t, w.Body.String(), ids["ada"])
		w = get(admin, `query ($id: ID!) { node(id: $id) { id } }`, `{"id": `)
		require.Equal(t, http.StatusBadRequest, w.Code)
		require.Contains(t, w.Body.String(), "The variables parameter is not a JSON object")

		w = get(admin, fmt.Sprintf(`mutation { updateMember(input: {id: %q, name: "X"}) { member { id } } }`, ids["ada"]), "")
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		require.Equal(t, http.MethodPost, w.Header().Get("Allow"))
		require.Contains(t, w.Body.String(), "send a mutation by POST")
		var ada struct{ Member struct{ Name string } }
		a.do(&ada, `{ member(handle: "ada") { name } }`)
		require.Equal(t, "ADA", ada.Member.Name, "the mutation did not run")
	})
}

// TestCachedAnswersOnce: callers asking the same @cached question at once
// wait for one of them to work it out, instead of all running it.
func TestCachedAnswersOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		buildProgram(a)
		const fields = `{ mvps(first: 10) { totalCount edges { node { handle awards { year expertise { name } } leads { name } } } } }`
		statements := func(query string) int64 {
			ctx := store.WithStatementCounter(context.Background())
			r := a.raw(query, withContext(ctx))
			require.Empty(t, r.Errors)
			return store.StatementCount(ctx)
		}
		fresh := statements(`query Warm @cached(ttl: 60) ` + fields)
		hit := statements(`query Warm @cached(ttl: 60) ` + fields)
		require.Less(t, hit, fresh)

		const callers = 16
		var wg sync.WaitGroup
		start := make(chan struct{})
		counts := make([]int64, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := store.WithStatementCounter(context.Background())
				<-start
				r, err := a.c.RawPost(`query Cold @cached(ttl: 60) `+fields, withContext(ctx))
				if err != nil || len(r.Errors) > 0 {
					t.Errorf("caller %d: %v %v", i, err, r.Errors)
				}
				counts[i] = store.StatementCount(ctx)
			}()
		}
		close(start)
		wg.Wait()
		var total int64
		for _, n := range counts {
			total += n
		}
		require.Equal(t, fresh+(callers-1)*hit, total, "one caller works the answer out, %d get it: %v", callers-1, counts)
	})
}

// TestRefusedMutationsKeepAnswers: only a mutation that changed something
// drops the kept answers; a refused one, even anonymous, changes nothing
// and keeps every caller's.
func TestRefusedMutationsKeepAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		anon := a.as()
		const front = `query Front @cached(ttl: 60) { mvps(first: 10) { edges { node { name } } } }`
		hit := func() bool {
			t.Helper()
			r := anon.raw(front)
			require.Empty(t, r.Errors)
			return r.Extensions["cached"].(map[string]any)["hit"].(bool)
		}
		require.False(t, hit())
		require.True(t, hit())

		rename := func(id, name string) string {
			return fmt.Sprintf(`updateMember(input: {id: %q, name: %q}) { member { id } }`, id, name)
		}
		anon.fail("UNAUTHENTICATED", "", "mutation { "+rename(ids["ada"], "Anon")+" }")
		require.True(t, hit(), "an anonymous mutation, refused, changes nothing")
		a.fail("BAD_USER_INPUT", "id", "mutation { "+rename("nope", "Nobody")+" }")
		require.True(t, hit(), "a mutation refused for its input changes nothing")
		get := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("mutation { "+rename(ids["ada"], "By GET")+" }"), nil)
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, get)
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		require.True(t, hit(), "a mutation refused before it ran changes nothing")

		// One field changed something, the next failed: data is null, and
		// the answers go.
		r := a.raw(fmt.Sprintf("mutation { a: %s b: %s }", rename(ids["ada"], "Ada L."), rename("nope", "Nobody")))
		require.NotEmpty(t, r.Errors)
		require.False(t, hit(), "a mutation that changed something drops the answers")
		require.True(t, hit())
		a.do(&map[string]any{}, "mutation { "+rename(ids["ada"], "Ada Lovelace")+" }")
		require.False(t, hit())
	})
}
