package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"golang.org/x/time/rate"
)

// fieldBound refuses a query document with more fields than it allows in
// one selection set or in all, before gqlparser validates it. Validation
// compares the fields of a selection set pairwise (the rule that fields
// of one name can be merged), so its time grows with the square of a set's
// size, and a small document of one field repeated costs seconds of CPU
// (bench/README.md, "A query's CPU before it runs"). The document is parsed here, within the token
// limit, in time that grows with its size; a document the parsed-query
// cache holds has been counted already and is not parsed again.
type fieldBound struct {
	perSet, perDocument, tokens int
	parsed                      graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = fieldBound{}

func (fieldBound) ExtensionName() string                   { return "FieldBound" }
func (fieldBound) Validate(graphql.ExecutableSchema) error { return nil }

func (b fieldBound) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" || (b.perSet <= 0 && b.perDocument <= 0) {
		return nil
	}
	if b.parsed != nil {
		if _, ok := b.parsed.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, b.tokens)
	if err != nil {
		return nil // the executor parses it again and says what is wrong
	}
	c := fieldCount{perSet: b.perSet}
	for _, op := range doc.Operations {
		c.set(op.SelectionSet, op.Name)
	}
	for _, f := range doc.Fragments {
		c.set(f.SelectionSet, "fragment "+f.Name)
	}
	refuse := func(format string, args ...any) *gqlerror.Error {
		err := gqlerror.Errorf(format, args...)
		errcode.Set(err, CodeQueryTooCostly)
		return err
	}
	if c.widest > 0 {
		return refuse("The query selects %d fields in one selection set (in %s); at most %d are allowed: ask for each field once.",
			c.widest, c.widestAt, b.perSet)
	}
	if b.perDocument > 0 && c.total > b.perDocument {
		return refuse("The query selects %d fields and fragments in all; at most %d are allowed: ask for less at once.", c.total, b.perDocument)
	}
	return nil
}

// fieldCount counts the selections of a document: fields, fragment
// spreads and inline fragments in all, and the widest selection set, whose
// inline fragments' selections count with its own since validation merges
// them.
type fieldCount struct {
	perSet   int
	total    int
	widest   int    // selections of the widest set over perSet, or 0
	widestAt string // where that set is
}

func (c *fieldCount) set(set ast.SelectionSet, at string) {
	n := c.flat(set, at)
	if c.perSet > 0 && n > c.perSet && n > c.widest {
		if at == "" {
			at = "the operation"
		}
		c.widest, c.widestAt = n, at
	}
}

// flat counts set's selections, those of its inline fragments included,
// and counts the sets of its fields on their own.
func (c *fieldCount) flat(set ast.SelectionSet, at string) int {
	n := 0
	for _, sel := range set {
		c.total++
		switch s := sel.(type) {
		case *ast.Field:
			n++
			if len(s.SelectionSet) > 0 {
				c.set(s.SelectionSet, s.Alias)
			}
		case *ast.FragmentSpread:
			n++
		case *ast.InlineFragment:
			n += c.flat(s.SelectionSet, at)
		}
	}
	return n
}

// shapeLimit refuses operations nested too deep, with too many aliases or
// too many root fields, before anything runs.
type shapeLimit struct {
	maxDepth, maxAliases, maxRootFields int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                   { return "ShapeLimit" }
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l shapeLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	refuse := func(code, format string, args ...any) *gqlerror.Error {
		err := gqlerror.Errorf(format, args...)
		errcode.Set(err, code)
		return err
	}
	if l.maxRootFields > 0 && len(oc.Operation.SelectionSet) > l.maxRootFields {
		return refuse(CodeTooManyFields, "The query asks for %d root fields; at most %d are allowed. Send several requests.", len(oc.Operation.SelectionSet), l.maxRootFields)
	}
	w := walker{doc: oc.Doc, limit: max(l.maxDepth, 1)}
	depth := w.depth(oc.Operation.SelectionSet, 0)
	if w.visits > maxVisits {
		return refuse(CodeQueryTooCostly, "The query spreads its fragments into more than %d fields; ask for less at once.", maxVisits)
	}
	if w.introspectionTooDeep {
		return refuse(CodeQueryTooDeep, "The introspection query nests deeper than %d levels.", maxIntrospectionDepth)
	}
	if l.maxDepth > 0 && depth > l.maxDepth {
		return refuse(CodeQueryTooDeep, "The query nests deeper than %d levels; ask for less at once.", l.maxDepth)
	}
	if l.maxAliases > 0 && w.aliases > l.maxAliases {
		return refuse(CodeTooManyAliases, "The query uses %d aliases; at most %d are allowed.", w.aliases, l.maxAliases)
	}
	return nil
}

// walker measures a selection set: its depth and the aliases it uses,
// following fragments. Introspection reads the fixed schema, not the data,
// and has a depth limit of its own (GraphiQL's query nests 13 levels); its
// aliases count like any others.
type walker struct {
	doc                  *ast.QueryDocument
	limit                int
	aliases              int
	visits               int
	introspectionTooDeep bool
}

// maxIntrospectionDepth bounds introspection queries.
const maxIntrospectionDepth = 16

// maxVisits bounds the walk: fragments can repeat a selection many times.
const maxVisits = 100000

func (w *walker) depth(set ast.SelectionSet, depth int) int {
	if depth > w.limit || w.visits > maxVisits {
		return depth
	}
	deepest := depth
	for _, sel := range set {
		w.visits++
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if s.Name == "__schema" || s.Name == "__type" {
				inner := walker{doc: w.doc, limit: maxIntrospectionDepth, visits: w.visits}
				if inner.depth(s.SelectionSet, 1) > maxIntrospectionDepth {
					w.introspectionTooDeep = true
				}
				w.aliases += inner.aliases
				w.visits = inner.visits
				continue
			}
			if len(s.SelectionSet) == 0 {
				d = depth + 1
			} else {
				d = w.depth(s.SelectionSet, depth+1)
			}
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				d = w.depth(f.SelectionSet, depth)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// costBudget gives each caller (a token, or an address when anonymous) an
// allowance of query cost that refills evenly over a window; an operation
// that costs more than is left is refused with RATE_LIMITED and HTTP 429.
// The allowance is kept per process.
type costBudget struct {
	budget int
	rate   rate.Limit
	mu     sync.Mutex
	byKey  map[string]*rate.Limiter
}

func newCostBudget(budget int, window time.Duration) *costBudget {
	if budget <= 0 || window <= 0 {
		return nil
	}
	return &costBudget{budget: budget, rate: rate.Limit(float64(budget) / window.Seconds()), byKey: map[string]*rate.Limiter{}}
}

func (*costBudget) ExtensionName() string                   { return "CostBudget" }
func (*costBudget) Validate(graphql.ExecutableSchema) error { return nil }

// maxCallers bounds the remembered callers; full allowances are forgotten
// first, as a new caller starts full anyway.
const maxCallers = 100000

func (b *costBudget) limiter(key string, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.byKey[key]; ok {
		return l
	}
	if len(b.byKey) >= maxCallers {
		for k, l := range b.byKey {
			if l.TokensAt(now) >= float64(b.budget) {
				delete(b.byKey, k)
			}
		}
	}
	l := rate.NewLimiter(b.rate, b.budget)
	b.byKey[key] = l
	return l
}

func (b *costBudget) MutateOperationContext(ctx context.Context, _ *graphql.OperationContext) *gqlerror.Error {
	if b == nil {
		return nil
	}
	stats := extension.GetComplexityStats(ctx)
	st := limitStateFrom(ctx)
	if stats == nil || st == nil {
		return nil
	}
	now := time.Now()
	l := b.limiter(st.caller, now)
	cost := max(stats.Complexity, 1)
	r := l.ReserveN(now, cost)
	if !r.OK() {
		st.retryAfter = b.window()
		err := gqlerror.Errorf("This query costs %d, more than the whole budget of %d per %s; ask for smaller pages.", cost, b.budget, b.window())
		errcode.Set(err, CodeRateLimited)
		return err
	}
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		st.retryAfter = delay
		err := gqlerror.Errorf("This query costs %d, more than is left of your budget of %d per %s; retry in %d s.",
			cost, b.budget, b.window(), int(math.Ceil(delay.Seconds())))
		errcode.Set(err, CodeRateLimited)
		return err
	}
	st.remaining = int(l.TokensAt(now))
	st.charged = true
	return nil
}

func (b *costBudget) window() time.Duration {
	return time.Duration(float64(b.budget) / float64(b.rate) * float64(time.Second)).Round(time.Second)
}

// reportCost adds extensions.cost to every answer that was costed: what the
// query cost, the per-query limit, and what is left of the caller's budget.
func reportCost(limit int, b *costBudget) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil || !graphql.HasOperationContext(ctx) {
			return resp // refused before an operation was made
		}
		if len(resp.Path) > 0 {
			return resp // a deferred part: the first part said it
		}
		stats := extension.GetComplexityStats(ctx)
		if stats == nil {
			return resp
		}
		cost := map[string]any{"requested": stats.Complexity, "limit": limit}
		if st := limitStateFrom(ctx); b != nil && st != nil && st.charged {
			cost["budgetRemaining"] = st.remaining
			cost["budget"] = b.budget
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = cost
		return resp
	}
}

// limitState carries, through one request, who pays for it and what the
// limits decided.
type limitState struct {
	caller     string
	retryAfter time.Duration
	// unavailable: the database could not answer part of the request.
	unavailable atomic.Bool
	remaining   int
	charged     bool
}

type limitStateKey struct{}

func limitStateFrom(ctx context.Context) *limitState {
	st, _ := ctx.Value(limitStateKey{}).(*limitState)
	return st
}

// CallerKey names who pays for a request's cost: a token's key, or "" for
// an anonymous caller, who pays by address.
type CallerKey func(ctx context.Context) string

func withLimitState(r *http.Request, w *limitedWriter, key CallerKey, trusted []netip.Prefix) context.Context {
	caller := ""
	if key != nil {
		caller = key(r.Context())
	}
	if caller == "" {
		caller = "address:" + clientAddress(r, trusted)
	}
	w.state = &limitState{caller: caller}
	return context.WithValue(r.Context(), limitStateKey{}, w.state)
}

// clientAddress is the address of the client that sent r. A request from
// one of the trusted proxies was forwarded for the rightmost address of
// its X-Forwarded-For that is not a trusted proxy's: each proxy appends
// the address it was sent from, and what a client writes there itself
// comes before.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(hops[i])
		if err != nil {
			break // not written by a proxy of ours
		}
		if !isTrusted(hop, trusted) || i == 0 {
			return hop.String()
		}
	}
	return host
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address of X-Forwarded-For, which some proxies write
// with a port.
func parseHop(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err
}

// ParseTrustedProxies reads a comma-separated list of the addresses of
// proxies, each an IP address or a CIDR range, such as
// "10.0.0.0/8, 192.0.2.7".
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range such as 10.0.0.0/8", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// limitedWriter adjusts answers refused before execution: 429 with
// Retry-After for an operation over its caller's budget, 503 with
// Retry-After for one the database could not answer, and for parse,
// validation and variable errors the status and body the GraphQL-over-HTTP
// specification asks for by media type: 200 for application/json, 400
// without a data entry for application/graphql-response+json.
type limitedWriter struct {
	http.ResponseWriter
	state   *limitState
	written bool
	// graphQLResponse: the answer is application/graphql-response+json.
	graphQLResponse bool
	buf             *bytes.Buffer
}

func newLimitedWriter(w http.ResponseWriter, r *http.Request) *limitedWriter {
	// The media type the transports answer in (api/http.go).
	return &limitedWriter{ResponseWriter: w, graphQLResponse: answerType(r.Header.Get("Accept")) == mediaGraphQLResponse}
}

func (w *limitedWriter) WriteHeader(code int) {
	if w.written {
		return
	}
	switch {
	case w.state != nil && w.state.retryAfter > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(w.state.retryAfter.Seconds()))))
		code = http.StatusTooManyRequests
	case w.state != nil && w.state.unavailable.Load() && code == http.StatusOK:
		w.Header().Set("Retry-After", strconv.Itoa(int(unavailableRetry.Seconds())))
		code = http.StatusServiceUnavailable
	case (code == http.StatusUnprocessableEntity || code == http.StatusBadRequest) && w.graphQLResponse:
		code = http.StatusBadRequest
		w.buf = &bytes.Buffer{}
	case code == http.StatusUnprocessableEntity:
		code = http.StatusOK
	}
	w.written = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *limitedWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	if w.buf != nil {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// finish writes a held body without its data entry: a request that never
// ran has no data, not null data.
func (w *limitedWriter) finish() {
	if w.buf == nil {
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(w.buf.Bytes(), &body); err != nil {
		_, _ = w.ResponseWriter.Write(w.buf.Bytes())
		return
	}
	delete(body, "data")
	_ = json.NewEncoder(w.ResponseWriter).Encode(body)
}

// Flush passes flushes through, for streaming transports.
func (w *limitedWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.buf == nil {
		f.Flush()
	}
}

// Hijack lets the WebSocket transport take the connection over.
func (w *limitedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap gives http.ResponseController the writer beneath.
func (w *limitedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// noIntrospection refuses, before anything runs, an operation that asks
// for the schema when introspection is switched off.
type noIntrospection struct{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || !asksSchema(oc.Doc, oc.Operation.SelectionSet, 0) {
		return nil
	}
	err := gqlerror.Errorf("Introspection is switched off on this server; the schema is published as schema.graphql.")
	errcode.Set(err, CodeNoIntrospection)
	return err
}

// asksSchema reports whether a selection asks for __schema or __type, at
// any depth and through fragments.
func asksSchema(doc *ast.QueryDocument, set ast.SelectionSet, depth int) bool {
	if depth > 64 {
		return false
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || asksSchema(doc, s.SelectionSet, depth+1) {
				return true
			}
		case *ast.InlineFragment:
			if asksSchema(doc, s.SelectionSet, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil && asksSchema(doc, f.SelectionSet, depth+1) {
				return true
			}
		}
	}
	return false
}

// unavailableRetry is how soon a client is told to try again when the
// database could not answer: about as long as a restart or a failover
// takes to accept connections again.
const unavailableRetry = 2 * time.Second

// answerUnavailable marks a request whose answer holds an UNAVAILABLE
// error, so that it goes out as 503 with Retry-After: clients and their
// retry links treat that as a failure to try again, where a 200 would be
// taken as an answer. Only the first response of a request sets the
// status; deferred parts follow it.
func answerUnavailable(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	if st := limitStateFrom(ctx); st != nil {
		for _, e := range resp.Errors {
			if e.Extensions["code"] == CodeUnavailable {
				st.unavailable.Store(true)
				break
			}
		}
	}
	return resp
}
