package graph

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
		oc.Stats.SetExtension(incrementalExtension, &firstPart{})
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

// firstPart marks a query answered in parts.
type firstPart struct{}

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
