// Package api is mvpgraph's HTTP edge for GraphQL: the handler around the
// executable schema gqlgen generates into graph/, with its transports
// (POST, GET, multipart, WebSocket), request limits, the cost budget,
// @cached answers, metrics, and the one place where mvpgraph errors become
// GraphQL errors.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mvpgraph"
	"mvpgraph/store"
)

// Options bound what one request may ask.
type Options struct {
	Logger        *slog.Logger
	Introspection bool  // answer __schema and __type queries
	MaxDepth      int   // deepest selection nesting
	MaxAliases    int   // most aliased fields in one operation
	MaxRootFields int   // most fields at the root of one operation
	MaxTokens     int   // most lexical tokens in one query document
	MaxFields     int   // most fields, fragment spreads and inline fragments in one query document
	MaxSetFields  int   // most fields in one selection set
	MaxComplexity int   // highest computed cost of one operation
	MaxBodyBytes  int64 // largest request body
	// CostBudget is how much cost one caller (a token, or an address when
	// anonymous) may spend per CostBudgetWindow; it refills evenly.
	CostBudget       int
	CostBudgetWindow time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client's address, which anonymous callers pay by.
	TrustedProxies []netip.Prefix
	// CallerKey names who pays for a request; nil or "" means the address.
	// It also tells apart the answers kept for @cached: without it, nothing
	// is kept.
	CallerKey CallerKey
	// CachedBytes is the room for answers kept for @cached queries.
	CachedBytes int
	// Metrics, when set, count operations, errors and SQL statements.
	Metrics *Metrics
	// WebsocketInit authenticates subscriptions by their connection_init
	// payload.
	WebsocketInit transport.WebsocketInitFunc
	// AllowedOrigins are the origins (or "*") whose pages may call the API
	// from a browser (MVPGRAPH_CORS_ORIGINS): a WebSocket is opened for a
	// page of one of them, or of the API's own host, or for a client that
	// sends no Origin (not a browser).
	AllowedOrigins []string
	// MaxWebsocketOperations bounds the operations running at once on one
	// WebSocket connection.
	MaxWebsocketOperations int
}

// DefaultOptions are the limits mvpgraph serves with unless told otherwise.
func DefaultOptions() Options {
	return Options{
		Logger:           slog.Default(),
		Introspection:    true,
		MaxDepth:         12,
		MaxAliases:       50,
		MaxRootFields:    20,
		MaxTokens:        15000,
		MaxFields:        500,
		MaxSetFields:     200,
		MaxComplexity:    50000,
		MaxBodyBytes:     1 << 20,
		CachedBytes:      16 << 20,
		CostBudget:       500000,
		CostBudgetWindow: time.Minute,

		MaxWebsocketOperations: 20,
	}
}

// GraphQL error codes, in extensions.code.
const (
	CodeBadUserInput      = "BAD_USER_INPUT"
	CodeNotFound          = "NOT_FOUND"
	CodeConflict          = "CONFLICT"
	CodeInternal          = "INTERNAL"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeQueryTooDeep      = "QUERY_TOO_DEEP"
	CodeQueryTooCostly    = "QUERY_TOO_COMPLEX"
	CodeBadRequest        = "BAD_REQUEST"
	CodeTimeout           = "TIMEOUT"
	CodeTooManyAliases    = "TOO_MANY_ALIASES"
	CodeTooManyFields     = "TOO_MANY_ROOT_FIELDS"
	CodeRateLimited       = "RATE_LIMITED"
	CodeNoIntrospection   = "INTROSPECTION_DISABLED"
	CodeTooManyOperations = "TOO_MANY_OPERATIONS"
	CodeUnavailable       = "UNAVAILABLE"
	// CodePersistedQueryNotFound is gqlgen's, with the message
	// "PersistedQueryNotFound", which Apollo Client looks for.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

var codes = map[string]string{
	mvpgraph.EINVALID:      CodeBadUserInput,
	mvpgraph.ENOTFOUND:     CodeNotFound,
	mvpgraph.ECONFLICT:     CodeConflict,
	mvpgraph.EUNAUTHORIZED: CodeUnauthenticated,
	mvpgraph.EFORBIDDEN:    CodeForbidden,
	mvpgraph.EUNAVAILABLE:  CodeUnavailable,
}

// NewHandler returns the GraphQL endpoint for es: GET and POST, a parsed
// query cache, the depth and cost limits, and the error presenter.
func NewHandler(es graphql.ExecutableSchema, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{
		// The handler checks the Origin of an upgrade against
		// AllowedOrigins before this transport sees it.
		Implementation:        wsImplementation{},
		InitFunc:              wsInit(o.WebsocketInit),
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getJSON{})
	// A query that defers something, asked by a POST that prefers
	// multipart/mixed, is answered in parts (api/multipart.go).
	srv.AddTransport(postJSON{})
	parsed := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(parsed)
	if o.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
	}
	srv.SetParserTokenLimit(o.MaxTokens)
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// After the persisted query is found, before the query is validated.
	srv.Use(fieldBound{perSet: o.MaxSetFields, perDocument: o.MaxFields, tokens: o.MaxTokens, parsed: parsed})
	srv.Use(subscriptionsOverWebSocket{})
	srv.Use(deferral{})
	srv.AroundResponses(leaveOutDeferred)
	srv.AroundOperations(limitOperations(o.MaxWebsocketOperations))
	srv.Use(shapeLimit{maxDepth: o.MaxDepth, maxAliases: o.MaxAliases, maxRootFields: o.MaxRootFields})
	srv.Use(complexityLimit(o.MaxComplexity))
	kept := newAnswers(o.CallerKey, o.CachedBytes)
	srv.Use(cachedCheck{kept})
	budget := newCostBudget(o.CostBudget, o.CostBudgetWindow)
	srv.Use(budget)
	srv.AroundResponses(reportCost(o.MaxComplexity, budget))
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		o.Metrics.observe(ctx, resp)
		return resp
	})
	srv.AroundResponses(answerUnavailable)
	// Innermost (gqlgen runs the first registered outermost), so that an
	// answer from memory has its cost reported and is counted.
	srv.Use(kept)
	srv.SetErrorPresenter(presenter(o.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p))
		return errors.New("internal: panic")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			if !originAllowed(r, o.AllowedOrigins) {
				writeError(w, http.StatusForbidden, CodeForbidden,
					fmt.Sprintf("A page from %s may not open a WebSocket here: its origin is not one the server allows.", r.Header.Get("Origin")))
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), wsConnectionKey{}, &wsConnection{}))
		}
		if o.MaxBodyBytes > 0 && r.Body != nil {
			// Read the body here, so that an oversized one is refused with
			// 413 before any of it is parsed.
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.MaxBodyBytes))
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE",
						fmt.Sprintf("The request body is over %d bytes; send a smaller query or fewer variables.", o.MaxBodyBytes))
					return
				}
				writeError(w, http.StatusBadRequest, CodeBadRequest, "The request body could not be read.")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		lw := newLimitedWriter(w, r)
		srv.ServeHTTP(lw, r.WithContext(withLimitState(r, lw, o.CallerKey, o.TrustedProxies)))
		lw.finish()
		o.Metrics.observeStatements(store.StatementCount(r.Context()))
	})
}

// originAllowed reports whether a browser page at the request's Origin
// may open a WebSocket: one of the allowed origins (or any, with "*"), or
// the API's own host. Browsers send no CORS preflight for a WebSocket, so
// the server checks. A request without an Origin is not from a browser.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || slices.Contains(allowed, "*") || slices.Contains(allowed, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// writeError answers a request refused before GraphQL execution.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
	})
}

// presenter maps errors onto the wire once: mvpgraph errors keep their
// message and get a code (and the input field); anything else is logged and
// shown as INTERNAL with no detail, so no SQL or driver text leaks.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var ge *gqlerror.Error
		if !errors.As(err, &ge) {
			ge = gqlerror.WrapPath(graphql.GetPath(ctx), err)
		}
		var me *mvpgraph.Error
		if errors.As(err, &me) {
			out := &gqlerror.Error{Message: me.Message, Path: ge.Path, Locations: ge.Locations, Extensions: map[string]any{}}
			code, ok := codes[me.Code]
			if !ok {
				return internal(ctx, log, err, ge)
			}
			out.Extensions["code"] = code
			if me.Code == mvpgraph.EUNAVAILABLE {
				// The cause (a dropped connection, a lock) is for operators.
				log.WarnContext(ctx, "database unavailable", "path", ge.Path.String(), "error", err.Error())
			}
			if me.Field != "" {
				out.Extensions["field"] = me.Field
			}
			return out
		}
		if ge.Err == nil {
			// gqlgen's own: a body, parse or validation error about the
			// request, whose message says what to fix.
			if ge.Extensions == nil {
				ge.Extensions = map[string]any{}
			}
			if ge.Extensions["code"] == nil {
				ge.Extensions["code"] = CodeBadRequest
			}
			return ge
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return &gqlerror.Error{Message: "The request was cancelled or took too long.", Path: ge.Path, Extensions: map[string]any{"code": CodeTimeout}}
		}
		if out := badArgument(ctx, ge); out != nil {
			return out
		}
		return internal(ctx, log, err, ge)
	}
}

// badArgument recognises a value gqlgen could not read into an argument of
// the field at hand: a custom scalar (Time, Int64) in the wrong form, which
// validation lets through. gqlgen reports it at the field's path followed
// by the argument's name and, within an input object, its fields. It is
// the caller's input, so BAD_USER_INPUT names the argument and says what
// form the scalar takes; nil when the error is not that.
func badArgument(ctx context.Context, ge *gqlerror.Error) *gqlerror.Error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return nil
	}
	at := fc.Path()
	if len(ge.Path) <= len(at) {
		return nil
	}
	for i, p := range at {
		if fmt.Sprint(p) != fmt.Sprint(ge.Path[i]) {
			return nil
		}
	}
	name, ok := ge.Path[len(at)].(ast.PathName)
	if !ok || fc.Field.Definition.Arguments.ForName(string(name)) == nil {
		return nil
	}
	var field strings.Builder
	for i, p := range ge.Path[len(at):] {
		switch p := p.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&field, "[%d]", int(p))
		case ast.PathName:
			if i > 0 {
				field.WriteByte('.')
			}
			field.WriteString(string(p))
		}
	}
	msg := fmt.Sprintf("%s is not in a form the server can read: %s.", field.String(), strings.TrimSuffix(ge.Message, "."))
	if strings.Contains(ge.Message, "time") || strings.Contains(ge.Message, "Time") {
		msg = fmt.Sprintf("%s is not a date and time the server can read: give one in RFC 3339 form, such as 2026-05-01T00:00:00Z.", field.String())
	}
	return &gqlerror.Error{Message: msg, Path: ge.Path[:len(at)], Locations: ge.Locations,
		Extensions: map[string]any{"code": CodeBadUserInput, "field": field.String()}}
}

func internal(ctx context.Context, log *slog.Logger, err error, ge *gqlerror.Error) *gqlerror.Error {
	log.ErrorContext(ctx, "internal error", "path", ge.Path.String(), "error", err.Error())
	return &gqlerror.Error{
		Message:    "Internal error. It has been logged; try again later.",
		Path:       ge.Path,
		Extensions: map[string]any{"code": CodeInternal},
	}
}

// complexityLimit refuses operations costing more than limit, with a code
// and a message that says what to do.
func complexityLimit(limit int) graphql.HandlerExtension {
	return &costLimit{inner: extension.FixedComplexityLimit(limit), limit: limit}
}

type costLimit struct {
	inner *extension.ComplexityLimit
	limit int
}

func (c *costLimit) ExtensionName() string { return "ComplexityLimit" }

func (c *costLimit) Validate(es graphql.ExecutableSchema) error { return c.inner.Validate(es) }

func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if err := c.inner.MutateOperationContext(ctx, oc); err != nil {
		stats := extension.GetComplexityStats(ctx)
		cost := 0
		if stats != nil {
			cost = stats.Complexity
		}
		out := gqlerror.Errorf("The query costs %d, over the limit of %d: ask for smaller pages (first/last) or fewer nested lists.", cost, c.limit)
		errcode.Set(out, CodeQueryTooCostly)
		return out
	}
	return nil
}
