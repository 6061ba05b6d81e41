package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Incremental delivery (@defer). A query that defers something is answered
// in parts, as multipart/mixed, when the client asks for it by POST and
// prefers multipart/mixed to JSON in its Accept. Every other request is
// answered in one part, as JSON: @defer is then left out of the
// operation, so nothing is held back. Listing multipart/mixed in Accept,
// as urql does on every request, asks for nothing more.

// prefersMultipart reports whether an Accept header takes multipart/mixed
// at a quality no lower than any JSON the server answers in.
func prefersMultipart(accept string) bool {
	multipart, jsonQ := 0.0, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		t, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch t {
		case "multipart/mixed":
			multipart = max(multipart, q)
		case mediaJSON, mediaGraphQLResponse, "application/*", "*/*":
			jsonQ = max(jsonQ, q)
		}
	}
	return multipart > 0 && multipart >= jsonQ
}

type incrementalKey struct{}

// withIncremental marks ctx as a request that may be answered in parts.
func withIncremental(ctx context.Context) context.Context {
	return context.WithValue(ctx, incrementalKey{}, true)
}

// deferral decides, as an operation is prepared, whether it is answered
// in parts: a query that defers something, asked by a request that may be
// answered so. Any other operation has its @defer left out.
type deferral struct{}

const incrementalExtension = "mvpgraph.incremental"

func (deferral) ExtensionName() string                   { return "Deferral" }
func (deferral) Validate(graphql.ExecutableSchema) error { return nil }

func (deferral) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || !defers(oc, oc.Operation.SelectionSet, map[string]bool{}) {
		return nil
	}
	if ok, _ := ctx.Value(incrementalKey{}).(bool); ok && oc.Operation.Operation == ast.Query {
		first := &firstPart{resolved: map[string]bool{}}
		oc.Stats.SetExtension(incrementalExtension, first)
		inner := oc.ResolverMiddleware
		oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
			if graphql.GetExtension(ctx, incrementalExtension) == first {
				first.add(graphql.GetFieldContext(ctx).Path())
			}
			return inner(ctx, next)
		}
		return nil
	}
	oc.Doc, oc.Operation = withoutDefer(oc.Doc, oc.Operation)
	return nil
}

// incremental is the first part's record of a query answered in parts, or
// nil.
func incremental(oc *graphql.OperationContext) *firstPart {
	first, _ := oc.Stats.GetExtension(incrementalExtension).(*firstPart)
	return first
}

// defers reports whether a selection defers a fragment, at any depth.
func defers(oc *graphql.OperationContext, set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if defers(oc, s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if deferred(s.Directives, oc.Variables) || defers(oc, s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if deferred(s.Directives, oc.Variables) {
				return true
			}
			if f := oc.Doc.Fragments.ForName(s.Name); f != nil && !seen[s.Name] {
				seen[s.Name] = true
				if defers(oc, f.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}

// deferred reports whether directives defer their fragment, as gqlgen
// reads them: @defer, unless its if is false.
func deferred(directives ast.DirectiveList, vars map[string]any) bool {
	d := directives.ForName("defer")
	if d == nil {
		return false
	}
	if arg := d.Arguments.ForName("if"); arg != nil {
		if v, err := arg.Value.Value(vars); err == nil {
			on, _ := v.(bool)
			return on
		}
	}
	return true
}

// withoutDefer returns the operation and a document in which no fragment
// is deferred: copies of what held a @defer, sharing the rest with the
// parsed document, which the query cache keeps for other requests.
func withoutDefer(doc *ast.QueryDocument, op *ast.OperationDefinition) (*ast.QueryDocument, *ast.OperationDefinition) {
	out := *doc
	out.Fragments = make(ast.FragmentDefinitionList, len(doc.Fragments))
	for i, f := range doc.Fragments {
		c := *f
		c.SelectionSet = undeferSet(f.SelectionSet)
		out.Fragments[i] = &c
	}
	o := *op
	o.SelectionSet = undeferSet(op.SelectionSet)
	out.Operations = make(ast.OperationList, len(doc.Operations))
	for i, other := range doc.Operations {
		out.Operations[i] = other
		if other == op {
			out.Operations[i] = &o
		}
	}
	return &out, &o
}

func undeferSet(set ast.SelectionSet) ast.SelectionSet {
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				out[i] = s
				continue
			}
			c := *s
			c.SelectionSet = undeferSet(s.SelectionSet)
			out[i] = &c
		case *ast.InlineFragment:
			c := *s
			c.Directives = withoutDirective(s.Directives, "defer")
			c.SelectionSet = undeferSet(s.SelectionSet)
			out[i] = &c
		case *ast.FragmentSpread:
			c := *s
			c.Directives = withoutDirective(s.Directives, "defer")
			out[i] = &c
		default:
			out[i] = sel
		}
	}
	return out
}

func withoutDirective(list ast.DirectiveList, name string) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if d.Name != name {
			out = append(out, d)
		}
	}
	return out
}

// firstPart records the fields resolved for the first part of a query
// answered in parts, by path. gqlgen writes a deferred field into the
// first part as null, without resolving it there: a null the first part
// did not resolve is a deferred field, which the incremental delivery spec
// leaves out of the first part (clients such as Apollo's otherwise take
// the null as the field's value, and the first part as complete).
type firstPart struct {
	mu       sync.Mutex
	resolved map[string]bool
	begun    bool // the first part is on its way
}

func (f *firstPart) add(path ast.Path) {
	k := pathKey(path)
	f.mu.Lock()
	f.resolved[k] = true
	f.mu.Unlock()
}

func pathKey(path ast.Path) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case ast.PathName:
			b.WriteByte('.')
			b.WriteString(string(p))
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(p))
		}
	}
	return b.String()
}

// leaveOutDeferred is the response middleware that marks the first part's
// response context, so that the fields resolved for it are told from the
// deferred ones (resolved later, under a response context of their own),
// and leaves the deferred fields out of the first part.
func leaveOutDeferred(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	first := incremental(graphql.GetOperationContext(ctx))
	if first == nil {
		return next(ctx)
	}
	first.mu.Lock()
	later := first.begun
	first.begun = true
	first.mu.Unlock()
	if later {
		return next(ctx) // a deferred part
	}
	graphql.RegisterExtension(ctx, incrementalExtension, first)
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	delete(resp.Extensions, incrementalExtension)
	first.mu.Lock()
	defer first.mu.Unlock()
	if data, err := omitUnresolvedNulls(resp.Data, first.resolved); err == nil {
		resp.Data = data
	}
	return resp
}

// omitUnresolvedNulls rewrites a first part's data without the null
// members that the first part did not resolve: the deferred fields. The
// root fields are never deferred.
func omitUnresolvedNulls(data json.RawMessage, resolved map[string]bool) (json.RawMessage, error) {
	if len(data) == 0 {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	w := &omitter{dec: dec, out: &out, enc: enc, resolved: resolved}
	if err := w.value("", 0); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

type omitter struct {
	dec      *json.Decoder
	out      *bytes.Buffer
	enc      *json.Encoder
	resolved map[string]bool
}

func (w *omitter) value(path string, depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	return w.write(tok, path, depth)
}

func (w *omitter) write(tok json.Token, path string, depth int) error {
	switch tok {
	case json.Delim('{'):
		w.out.WriteByte('{')
		first := true
		for w.dec.More() {
			k, err := w.dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			v, err := w.dec.Token()
			if err != nil {
				return err
			}
			at := path + "." + key
			if v == nil && depth > 0 && !w.resolved[at] {
				continue // deferred
			}
			if !first {
				w.out.WriteByte(',')
			}
			first = false
			if err := w.scalar(key); err != nil {
				return err
			}
			w.out.WriteByte(':')
			if err := w.write(v, at, depth+1); err != nil {
				return err
			}
		}
		_, err := w.dec.Token() // }
		w.out.WriteByte('}')
		return err
	case json.Delim('['):
		w.out.WriteByte('[')
		for i := 0; w.dec.More(); i++ {
			if i > 0 {
				w.out.WriteByte(',')
			}
			if err := w.value(fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
		_, err := w.dec.Token() // ]
		w.out.WriteByte(']')
		return err
	}
	return w.scalar(tok)
}

func (w *omitter) scalar(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	w.out.Truncate(w.out.Len() - 1) // Encode's newline
	return nil
}

// writeMultipart answers a query in parts, as multipart/mixed: the first
// part, then the deferred ones as they come (those that came meanwhile
// together), the last saying hasNext: false.
func writeMultipart(w http.ResponseWriter, ctx context.Context, exec graphql.GraphExecutor, oc *graphql.OperationContext) {
	const boundary = "-"
	h := w.Header()
	h.Set("Content-Type", fmt.Sprintf(`multipart/mixed; boundary="%s"; deferSpec=20220824`, boundary))
	h.Set("Cache-Control", "no-store")
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	part := func(body []byte, last bool) {
		fmt.Fprintf(w, "Content-Type: application/json\r\n\r\n%s\r\n", body)
		if last {
			io.WriteString(w, "--"+boundary+"--\r\n")
		} else {
			io.WriteString(w, "--"+boundary+"\r\n")
		}
		flush()
	}
	io.WriteString(w, "--"+boundary+"\r\n")

	responses, ctx := exec.DispatchOperation(ctx, oc)
	first := responses(ctx)
	if first == nil {
		first = &graphql.Response{}
	}
	more := first.HasNext != nil && *first.HasNext
	first.HasNext = &more
	var b bytes.Buffer
	writeResponse(&b, first)
	part(b.Bytes(), !more)
	if !more {
		return
	}

	later := make(chan *graphql.Response, 16)
	go func() {
		defer close(later)
		for {
			resp := responses(ctx)
			if resp == nil {
				return
			}
			later <- resp
		}
	}()
	type item struct {
		Data       json.RawMessage `json:"data"`
		Label      string          `json:"label,omitempty"`
		Path       ast.Path        `json:"path"`
		Errors     gqlerror.List   `json:"errors,omitempty"`
		Extensions map[string]any  `json:"extensions,omitempty"`
	}
	for resp := range later {
		batch := []*graphql.Response{resp}
	gather:
		for {
			select {
			case r, ok := <-later:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		payload := struct {
			Incremental []item `json:"incremental"`
			HasNext     bool   `json:"hasNext"`
		}{}
		for _, r := range batch {
			payload.Incremental = append(payload.Incremental, item{Data: r.Data, Label: r.Label, Path: r.Path, Errors: r.Errors, Extensions: r.Extensions})
		}
		payload.HasNext = batch[len(batch)-1].HasNext != nil && *batch[len(batch)-1].HasNext
		body, err := json.Marshal(payload)
		if err != nil {
			panic(err) // as gqlgen's transports: what it marshalled encodes
		}
		part(body, !payload.HasNext)
		if !payload.HasNext {
			// Drain what is left, if anything: the answer has ended.
			for range later {
			}
			return
		}
	}
	part([]byte(`{"hasNext":false}`), true)
}

// subscriptionsOverWebSocket refuses a subscription asked by HTTP:
// subscriptions run over WebSocket.
type subscriptionsOverWebSocket struct{}

func (subscriptionsOverWebSocket) ExtensionName() string                   { return "SubscriptionsOverWebSocket" }
func (subscriptionsOverWebSocket) Validate(graphql.ExecutableSchema) error { return nil }

func (subscriptionsOverWebSocket) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription || wsConnectionFrom(ctx) != nil {
		return nil
	}
	err := gqlerror.Errorf("Subscriptions run over WebSocket at /graphql (graphql-transport-ws), not over HTTP.")
	errcode.Set(err, CodeBadRequest)
	return err
}
