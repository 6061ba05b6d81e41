package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON and getJSON answer GraphQL requests sent by POST and by GET,
// as gqlgen's transport.POST and transport.GET do (which they embed for
// Supports), with two differences. An answer's data is written as gqlgen
// marshalled it: encoding/json would scan and compact it all again, a
// share of every answer's CPU and most of one answered from memory
// (@cached; bench/README.md, "Figures behind the code"). And a @cached query asked by GET tells
// HTTP caches how long they may keep its answer.
type (
	postJSON struct{ transport.POST }
	getJSON  struct{ transport.GET }
)

// The answer's media types (GraphQL over HTTP).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// answerType picks the answer's media type from the request's Accept: the
// first it names that mvpgraph can answer in, application/json for any
// JSON or none at all, and application/graphql-response+json when it names
// only types that mvpgraph cannot answer in.
func answerType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		t, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch t {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := answerType(r.Header.Get("Accept"))
	setHeaders(w, media)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.Errorf("The request body could not be read: %v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.Errorf(
			`The request body is not a GraphQL request: %v. Send a JSON object such as {"query": "{ mvps { totalCount } }", "variables": {}}.`, err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	if prefersMultipart(r.Header.Get("Accept")) {
		r = r.WithContext(withIncremental(r.Context()))
	}
	run(w, r, exec, &params, media, false)
}

func (getJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := answerType(r.Header.Get("Accept"))
	setHeaders(w, media)
	start := graphql.Now()
	refuse := func(format string, args ...any) {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.Errorf(format, args...)}))
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		refuse("The URL's query string could not be read: %v.", err)
		return
	}
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := q.Get(p.name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(p.dst); err != nil {
				refuse("The %s parameter is not a JSON object: %v.", p.name, err)
				return
			}
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	run(w, r, exec, &params, media, true)
}

func setHeaders(w http.ResponseWriter, media string) {
	w.Header().Set("Content-Type", media)
	// Strings are written as they are, not HTML-escaped.
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// run prepares and runs the operation params ask for and writes its
// answer; queriesOnly refuses anything but a query (GET).
func run(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, media string, queriesOnly bool) {
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if persistedQueryNotFound(errs) {
		// As the automatic persisted queries protocol expects: 200, so
		// that Apollo Client sends the query with its hash next (a 400
		// turns its persisted queries off), no data entry, as a request
		// that did not run, and kept by no cache.
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		writeRequestError(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	if errs != nil {
		// A request that cannot run: 422 under application/json (which
		// the handler's writer answers as 200), 400 under
		// application/graphql-response+json.
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			if media == mediaGraphQLResponse {
				w.WriteHeader(http.StatusBadRequest)
			} else {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	if queriesOnly && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), gqlerror.List{gqlerror.Errorf(
			"GET asks only queries; send a %s by POST.", oc.Operation.Operation)}))
		return
	}
	if incremental(oc) != nil {
		writeMultipart(w, ctx, exec, oc)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if queriesOnly {
		cacheControl(w, oc, resp)
	}
	writeResponse(w, resp)
}

// cacheControl lets HTTP caches keep the answer of a @cached query for
// what is left of its ttl: any cache when the caller is anonymous, only
// the caller's own when it sent a token. Other answers are not to be
// kept.
func cacheControl(w http.ResponseWriter, oc *graphql.OperationContext, resp *graphql.Response) {
	h := w.Header()
	// Added to what is there: CORS varies the answer by Origin.
	h.Add("Vary", "Accept, Authorization")
	st, _ := oc.Stats.GetExtension(cachedStateKey).(*cachedState)
	if st == nil || resp == nil || len(resp.Errors) > 0 || resp.HasNext != nil {
		h.Set("Cache-Control", "no-store")
		return
	}
	left := st.ttl - int(st.age/time.Second)
	if left <= 0 {
		h.Set("Cache-Control", "no-store")
		return
	}
	scope := "private"
	if st.anonymous {
		scope = "public"
	}
	h.Set("Cache-Control", fmt.Sprintf("%s, max-age=%d", scope, left))
}

// writeResponse writes resp with the members and order encoding/json gives
// a graphql.Response, its data as it is.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		resp = &graphql.Response{}
	}
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		head.WriteString(`"errors":`)
		writeJSON(&head, resp.Errors)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	data := resp.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	var tail bytes.Buffer
	if resp.Label != "" {
		tail.WriteString(`,"label":`)
		writeJSON(&tail, resp.Label)
	}
	if len(resp.Path) > 0 {
		tail.WriteString(`,"path":`)
		writeJSON(&tail, resp.Path)
	}
	if resp.HasNext != nil {
		tail.WriteString(`,"hasNext":`)
		writeJSON(&tail, *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail.WriteString(`,"extensions":`)
		writeJSON(&tail, resp.Extensions)
	}
	tail.WriteByte('}')
	for _, b := range [][]byte{head.Bytes(), data, tail.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return // the client has gone
		}
	}
}

// persistedQueryNotFound reports whether errs say that the hash of a
// persisted query is one the server does not know.
func persistedQueryNotFound(errs gqlerror.List) bool {
	for _, e := range errs {
		if e.Extensions["code"] == CodePersistedQueryNotFound {
			return true
		}
	}
	return false
}

// writeRequestError writes the answer to a request that did not run: its
// errors and extensions, and no data entry.
func writeRequestError(w io.Writer, resp *graphql.Response) {
	var b bytes.Buffer
	b.WriteString(`{"errors":`)
	writeJSON(&b, resp.Errors)
	if len(resp.Extensions) > 0 {
		b.WriteString(`,"extensions":`)
		writeJSON(&b, resp.Extensions)
	}
	b.WriteString("}\n")
	_, _ = w.Write(b.Bytes())
}

// writeJSON appends v's JSON to b. What it is given (errors, extensions)
// always encodes; a value that did not would be a bug, so it panics, as
// gqlgen's transports do.
func writeJSON(b *bytes.Buffer, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	b.Write(out)
}
