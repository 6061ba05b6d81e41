package resolvers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	httpapi "mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// snapshot is what the program holds, to show that refused mutations
// change nothing.
func snapshot(a *api) string {
	a.t.Helper()
	r := a.raw(`{
		members(first: 100, orderBy: [{field: HANDLE}]) { totalCount edges { node { handle name country city isEmployee isMvp awards { year status expertise { name } } leads { name } } } }
		leads(first: 100) { edges { node { name kind countries expertises { name } } } }
		expertises(first: 100) { totalCount edges { node { name usLead { name } } } }
		productTeams(first: 100) { totalCount }
	}`)
	require.Empty(a.t, r.Errors)
	return string(r.Data)
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		before := snapshot(a)
		unknownMember := mvpgraph.GlobalID("Member", 999999)

		for _, tc := range []struct {
			name, code, field, query string
		}{
			{"malformed member ID", "BAD_USER_INPUT", "memberId", fmt.Sprintf(`mutation { awardMember(input: {memberId: "not-an-id", expertiseId: %q, year: 2026}) { award { id } } }`, ids["crm"])},
			{"ID of another type", "BAD_USER_INPUT", "memberId", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["crm"], ids["crm"])},
			{"unknown member", "NOT_FOUND", "memberId", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, unknownMember, ids["crm"])},
			{"unknown expertise", "NOT_FOUND", "expertiseId", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["ada"], mvpgraph.GlobalID("Expertise", 999999))},
			{"employee awarded", "BAD_USER_INPUT", "memberId", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["fay"], ids["crm"])},
			{"duplicate award", "CONFLICT", "", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["ada"], ids["crm"])},
			{"year out of range", "BAD_USER_INPUT", "year", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 3000}) { award { id } } }`, ids["ada"], ids["excel"])},
			{"year beyond next", "BAD_USER_INPUT", "year", fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2028}) { award { id } } }`, ids["ada"], ids["excel"])},
			{"invalid country", "BAD_USER_INPUT", "country", `mutation { createMember(input: {handle: "zed", name: "Zed", country: "XX"}) { member { id } } }`},
			{"invalid country on update", "BAD_USER_INPUT", "country", fmt.Sprintf(`mutation { updateMember(input: {id: %q, country: "Canada"}) { member { id } } }`, ids["ada"])},
			{"duplicate handle", "CONFLICT", "", `mutation { createMember(input: {handle: "ADA", name: "Another Ada", country: "US"}) { member { id } } }`},
			{"invalid handle", "BAD_USER_INPUT", "handle", `mutation { createMember(input: {handle: "no spaces please", name: "Zed", country: "US"}) { member { id } } }`},
			{"invalid email", "BAD_USER_INPUT", "email", `mutation { createMember(input: {handle: "zed", name: "Zed", country: "US", email: "zed"}) { member { id } } }`},
			{"contact without email", "BAD_USER_INPUT", "contacts[1].email", `mutation { createProductTeam(input: {name: "T", contacts: [{name: "A", email: "a@x.example", role: "PM"}, {name: "B", email: "", role: "PM"}]}) { productTeam { id } } }`},
			{"page size of 1000", "BAD_USER_INPUT", "first", `{ members(first: 1000) { edges { node { id } } } }`},
			{"negative page size", "BAD_USER_INPUT", "last", `{ mvps(last: -5) { edges { node { id } } } }`},
			{"nested page size of 1000", "BAD_USER_INPUT", "first", `{ expertises(first: 2) { edges { node { mvps(first: 1000) { edges { node { handle } } } } } } }`},
			{"malformed cursor", "BAD_USER_INPUT", "after", `{ members(after: "xyz") { edges { node { id } } } }`},
			{"malformed node ID", "BAD_USER_INPUT", "id", `{ node(id: "%%%") { id } }`},
			{"malformed filter ID", "BAD_USER_INPUT", "where.id._eq", `{ members(where: {id: {_eq: "1"}}) { totalCount } }`},
			{"too many nodes", "BAD_USER_INPUT", "ids", fmt.Sprintf(`{ nodes(ids: [%s]) { id } }`, strings.Repeat(`"x",`, 101))},
			{"renew unknown award", "NOT_FOUND", "awardId", fmt.Sprintf(`mutation { renewAward(input: {awardId: %q}) { award { id } } }`, mvpgraph.GlobalID("Award", 424242))},
			{"assign expertise to an international lead", "BAD_USER_INPUT", "leadId", fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, ids["chloe"], ids["excel"])},
			{"assign the US to an international lead", "BAD_USER_INPUT", "country", fmt.Sprintf(`mutation { assignCountry(input: {leadId: %q, country: "US"}) { lead { id } } }`, ids["chloe"])},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := &api{t: t, c: a.c, h: a.h, s: a.s}
				e := a.fail(tc.code, tc.field, tc.query)
				require.NotEmpty(t, e.Message)
				for _, leak := range []string{"sql", "SQL", "pq:", "constraint failed", "violates", "goroutine"} {
					require.NotContains(t, e.Message, leak, "no database text reaches the client")
				}
			})
		}

		require.Equal(t, before, snapshot(a), "refused requests change nothing")

		// The second US lead for an expertise: create one, then the assignment conflicts.
		olaf := a.id(`mutation { createLead(input: {name: "Olaf", email: "olaf2@vendor.example", kind: US}) { lead { id } } }`, "createLead", "lead", "id")
		a.fail("CONFLICT", "", fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, olaf, ids["crm"]))
		var moved struct {
			AssignExpertise struct {
				Expertise struct{ UsLead struct{ Name string } }
			}
		}
		a.do(&moved, fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q, reassign: true}) { expertise { usLead { name } } } }`, olaf, ids["crm"]))
		require.Equal(t, "Olaf", moved.AssignExpertise.Expertise.UsLead.Name, "reassigning is explicit")
		var lead struct {
			Node struct{ Expertises []struct{ Name string } }
		}
		a.do(&lead, fmt.Sprintf(`{ node(id: %q) { ... on Lead { expertises { name } } } }`, ids["uma"]))
		require.Empty(t, lead.Node.Expertises, "the expertise left its former lead")
	})
}

func TestInternalErrorsAreHidden(t *testing.T) {
	s := storetest.New(t, store.SQLite)
	var log bytes.Buffer
	a := newAPIWithLog(t, s, &log)
	require.NoError(t, s.Close())
	e := a.as().fail("INTERNAL", "", `{ members { edges { node { id } } } }`)
	require.NotContains(t, e.Message, "sql")
	require.Contains(t, e.Message, "Internal error")
	require.Contains(t, log.String(), "database is closed", "the cause is logged for operators")
}

// TestSlowQueriesTimeOut: a request whose time runs out while PostgreSQL
// is still at work gets TIMEOUT, which tells the caller to narrow the
// question, not INTERNAL. PostgreSQL reports the statement the driver
// cancelled as an error of its own (57014), not as the context's.
func TestSlowQueriesTimeOut(t *testing.T) {
	s, lock := lockable(t)
	a := newAPI(t, s)

	// Another session holds the members table, so reading it waits.
	tx := lock("members")

	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	e := a.fail("TIMEOUT", "", `{ members(first: 5) { edges { node { name } } } }`, withContext(short))
	require.Contains(t, e.Message, "took too long")
	require.NoError(t, tx.Rollback())
	var data struct{ Members struct{ Edges []any } }
	a.do(&data, `{ members(first: 5) { edges { node { name } } } }`)
}

// lockable returns a new PostgreSQL store, and a function that locks one
// of its tables from another session until the transaction it returns
// ends: a statement reading that table waits meanwhile.
func lockable(t *testing.T) (*store.Store, func(table string) *sql.Tx) {
	u := storetest.URL(t, store.Postgres)
	ctx := context.Background()
	s, err := store.Open(ctx, u, store.WithClock(storetest.Clock))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	other, err := sql.Open("postgres", u)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	return s, func(table string) *sql.Tx {
		tx, err := other.Begin()
		require.NoError(t, err)
		_, err = tx.Exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE")
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback() })
		return tx
	}
}

func TestQueryLimits(t *testing.T) {
	s := storetest.New(t, store.SQLite)
	a := newAPI(t, s)

	deep := "handle"
	for range 10 {
		deep = "awards { member { " + deep + " } }"
	}
	a.fail("QUERY_TOO_DEEP", "", fmt.Sprintf(`{ member(handle: "x") { %s } }`, deep))

	a.fail("QUERY_TOO_COMPLEX", "", `{ expertises(first: 100) { edges { node { mvps(first: 100) { edges { node { awards { expertise { mvps(first: 100) { totalCount } } } } } } } } } }`)

	// Abusive shapes are refused before anything runs.
	aliases := ""
	for i := range 100 {
		aliases += fmt.Sprintf("a%d: handle ", i)
	}
	a.fail("TOO_MANY_ALIASES", "", `{ member(handle: "x") { `+aliases+"} }")
	// More fields than validation should compare are refused first.
	a.fail("QUERY_TOO_COMPLEX", "", `{ member(handle: "x") { `+strings.Repeat(aliases, 10)+"} }")
	roots := strings.Repeat("members { totalCount } ", 25)
	a.fail("TOO_MANY_ROOT_FIELDS", "", "{ "+roots+"}")
	deep100 := "handle"
	for range 50 {
		deep100 = "awards { member { " + deep100 + " } }"
	}
	a.fail("QUERY_TOO_DEEP", "", fmt.Sprintf(`{ member(handle: "x") { %s } }`, deep100))
	// Fragments spreading into each other cannot hide depth or aliases.
	a.fail("QUERY_TOO_DEEP", "", `query { member(handle: "x") { ...A } }
		fragment A on Member { awards { member { ...B } } }
		fragment B on Member { awards { member { ...C } } }
		fragment C on Member { awards { member { ...D } } }
		fragment D on Member { awards { member { awards { member { awards { member { handle } } } } } } }`)

	// Counts and statistics cost what they scan, however small the page.
	a.fail("QUERY_TOO_COMPLEX", "", `{ programStats(groupBy: [EXPERTISE, COUNTRY, YEAR]) { expertise { mvps(first: 100) { edges { node { awards { year } } } } } } }`)

	var ok struct{ Members struct{ TotalCount int } }
	a.do(&ok, `{ members(first: 100) { totalCount } }`)
	r := a.raw(`{ members(first: 10) { edges { node { handle } } } }`)
	cost := r.Extensions["cost"].(map[string]any)
	require.EqualValues(t, 40, cost["requested"], "10 for the page + 10 items of 3 (edges, node, handle)")
	require.EqualValues(t, 50000, cost["limit"])
	require.NotNil(t, cost["budgetRemaining"])

	// Introspection is no way around the alias limit, nor fragments around
	// the walk's bound.
	introAliases := ""
	for i := range 100 {
		introAliases += fmt.Sprintf("t%d: types { name } ", i)
	}
	a.fail("TOO_MANY_ALIASES", "", "{ __schema { "+introAliases+"} }")
	frag := "query { ...F0 }\n"
	for i := range 5 {
		frag += fmt.Sprintf("fragment F%d on Query { %s }\n", i, strings.Repeat(fmt.Sprintf("...F%d ", i+1), 10))
	}
	frag += "fragment F5 on Query { __typename members { totalCount } }"
	a.fail("QUERY_TOO_COMPLEX", "", frag)

	// GraphiQL's introspection query nests deeper than any data query may.
	var schema struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	a.do(&schema, `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } } }`)
	require.NotEmpty(t, schema.Schema.Types)
}

func ptr[T any](v T) *T { return &v }

// TestCostBudget spends a caller's budget and shows the next query refused
// with 429 and Retry-After, while another caller goes on.
func TestCostBudget(t *testing.T) {
	s := storetest.New(t, store.SQLite)
	opts := httpapi.DefaultOptions()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.CostBudget, opts.CostBudgetWindow = 100, time.Hour
	opts.CallerKey = httpapi.TokenCaller
	h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(&resolvers.Resolver{Store: s})), opts)))
	secret, hash := mvpgraph.NewTokenSecret()
	require.NoError(t, s.CreateToken(context.Background(), &mvpgraph.APIToken{Name: "t", Role: mvpgraph.RoleAnalyst}, hash))
	send := func(auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ members(first: 10) { edges { node { handle } } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	require.Equal(t, http.StatusOK, send(secret).Code, "cost 40 of 100")
	require.Equal(t, http.StatusOK, send(secret).Code, "cost 40 of the 60 left")
	w := send(secret)
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.NotEmpty(t, w.Header().Get("Retry-After"))
	require.Contains(t, w.Body.String(), "RATE_LIMITED")
	require.Equal(t, http.StatusOK, send("").Code, "another caller has a budget of its own")
}

// TestPersistedQueriesAndIntrospection: a query's hash stands for the query
// once sent, and introspection can be switched off.
func TestPersistedQueriesAndIntrospection(t *testing.T) {
	s := storetest.New(t, store.SQLite)
	serve := func(introspection bool) http.Handler {
		opts := httpapi.DefaultOptions()
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		opts.Introspection = introspection
		return resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(&resolvers.Resolver{Store: s})), opts)))
	}
	post := func(h http.Handler, body string) string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Body.String()
	}
	h := serve(true)
	const query = "{ members { totalCount } }"
	sum := sha256.Sum256([]byte(query))
	ext := fmt.Sprintf(`"extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}`, hex.EncodeToString(sum[:]))
	require.Contains(t, post(h, `{`+ext+`}`), "PersistedQueryNotFound", "an unknown hash asks for the query")
	require.Contains(t, post(h, fmt.Sprintf(`{"query": %q, %s}`, query, ext)), `"totalCount":0`)
	require.Contains(t, post(h, `{`+ext+`}`), `"totalCount":0`, "the hash now stands for the query")

	require.Contains(t, post(h, `{"query": "{ __schema { queryType { name } } }"}`), `"Query"`)
	off := post(serve(false), `{"query": "{ __schema { queryType { name } } }"}`)
	require.NotContains(t, off, `"Query"`)
	require.Contains(t, off, "INTROSPECTION_DISABLED")
}

// TestFilterBounds: inputs that once reached a database and came back
// INTERNAL are refused first, naming the field: a pattern ending in a lone
// escape, a NUL (which PostgreSQL refuses), an _or of a thousand filters
// and a 100 KB pattern (which SQLite refuses).
func TestFilterBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		buildProgram(a)
		wide := strings.Repeat(`{ name: { _eq: "x" } } `, 1000)
		for _, tc := range []struct{ field, where string }{
			{"where.name._like", `{ name: { _like: "ADA\\" } }`},
			{"where.name._ilike", `{ name: { _ilike: "ada\\\\\\" } }`},
			{"where.name._eq", `{ name: { _eq: "A\u0000DA" } }`},
			{"where._or", `{ _or: [` + wide + `] }`},
			{"where._and[0].city._like", `{ _and: [{ city: { _like: "` + strings.Repeat("%a", 50000) + `" } }] }`},
			{"where.handle._in[1]", `{ handle: { _in: ["ada", "a\u0000"] } }`},
		} {
			e := a.fail("BAD_USER_INPUT", tc.field, `{ members(where: `+tc.where+`) { totalCount edges { node { handle } } } }`)
			require.NotEmpty(t, e.Message, tc.field)
		}
		// A pattern that escapes its last character, and one matching a
		// backslash, are fine.
		var ok struct{ Members struct{ TotalCount int } }
		a.do(&ok, `{ members(where: { name: { _like: "AD\\%" } }) { totalCount } }`)
		require.Zero(t, ok.Members.TotalCount)
		a.do(&ok, `{ members(where: { name: { _like: "%\\\\" } }) { totalCount } }`)
		require.Zero(t, ok.Members.TotalCount)
	})
}

// TestPersistedQueryNotFound: a hash the server does not know is answered
// as the automatic persisted queries protocol expects, by POST and by GET,
// under either media type: 200 (Apollo Client then sends the query with
// its hash; a 400 turns its persisted queries off), the message
// PersistedQueryNotFound, no data entry, and kept by no cache.
func TestPersistedQueryNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		const query = "{ members { totalCount } }"
		sum := sha256.Sum256([]byte(query))
		ext := fmt.Sprintf(`{"persistedQuery": {"version": 1, "sha256Hash": %q}}`, hex.EncodeToString(sum[:]))
		send := func(method, accept string, withQuery bool) *httptest.ResponseRecorder {
			var req *http.Request
			if method == http.MethodGet {
				q := url.Values{"extensions": {ext}}
				if withQuery {
					q.Set("query", query)
				}
				req = httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
			} else {
				body := `{"extensions": ` + ext + `}`
				if withQuery {
					body = fmt.Sprintf(`{"query": %q, "extensions": %s}`, query, ext)
				}
				req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Accept", accept)
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, req)
			return w
		}
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			for _, accept := range []string{"application/json", "application/graphql-response+json"} {
				w := send(method, accept, false)
				require.Equal(t, http.StatusOK, w.Code, "%s %s", method, accept)
				require.Equal(t, accept, w.Header().Get("Content-Type"))
				require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				var body map[string]any
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
				require.NotContains(t, body, "data", "a request that did not run has no data: %s", w.Body.String())
				errs := body["errors"].([]any)
				require.Len(t, errs, 1)
				e := errs[0].(map[string]any)
				require.Equal(t, "PersistedQueryNotFound", e["message"])
				require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", e["extensions"].(map[string]any)["code"])
			}
		}
		require.Contains(t, send(http.MethodPost, "application/json", true).Body.String(), `"totalCount":0`)
		require.Contains(t, send(http.MethodGet, "application/graphql-response+json", false).Body.String(), `"totalCount":0`, "the hash now stands for the query")
	})
}
