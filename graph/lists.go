package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// listType and listField describe an object type for marshalList; the
// table, listTypes, is generated with the schema (graph/gen).
type listType struct {
	satisfies []string
	fields    map[string]listField
}

type listField struct {
	waits bool   // resolved apart: it may wait on a loader or the database
	child string // the object type below it, or "" for a leaf
}

// marshalList marshals the n elements of a list of typ. gqlgen gives each
// element a goroutine, so that elements waiting on a loader wait together
// and the loader batches them; when nothing the query selects below the
// elements can wait (no field with a resolver or a directive, all the way
// down), the goroutines only cost, and the elements are marshalled in
// order. A page of 100 members' names, or a few hundred rows of program
// statistics, then marshals without starting a goroutine per element.
func marshalList(ctx context.Context, sel ast.SelectionSet, typ string, n int, workerLimit int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if n < 2 || !inOrder(graphql.GetOperationContext(ctx), sel, typ) {
		return graphql.MarshalSliceConcurrently(ctx, n, workerLimit, omitPanicHandler, func(ctx context.Context, i int) graphql.Marshaler {
			growStack()
			return marshal(ctx, i)
		})
	}
	ret := make(graphql.Array, n)
	for i := range n {
		ret[i] = marshalElement(ctx, i, omitPanicHandler, marshal)
	}
	return ret
}

// marshalElement marshals element i as gqlgen does: with its index in the
// field context, and a panic reported as an error on it.
func marshalElement(ctx context.Context, i int, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) (out graphql.Marshaler) {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				out = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// inOrder reports whether nothing sel selects of typ, and below it, may
// wait. The answer is kept for the operation.
func inOrder(oc *graphql.OperationContext, sel ast.SelectionSet, typ string) bool {
	t, ok := listTypes[typ]
	if !ok || oc == nil {
		return false
	}
	c := collectedOf(oc)
	if c == nil {
		return nothingWaits(oc, sel, t)
	}
	return remember(&c.mu, c.inOrder, orderKey{keyOf(sel, t.satisfies), typ}, func() bool {
		return nothingWaits(oc, sel, t)
	})
}

func nothingWaits(oc *graphql.OperationContext, sel ast.SelectionSet, t listType) bool {
	for _, f := range collectFields(oc, sel, t.satisfies) {
		if f.Name == "__typename" {
			continue
		}
		lf, ok := t.fields[f.Name]
		if !ok || lf.waits || f.IsDeferred() {
			return false
		}
		if lf.child != "" && !inOrder(oc, f.Selections, lf.child) {
			return false
		}
	}
	return true
}
