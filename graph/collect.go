package graph

import (
	"context"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// collectedStat is the operation statistic that holds an operation's
// collected fields (see collected).
const collectedStat = "mvpgraph.collected"

// collected keeps, for one operation, the fields collected from each
// selection set for each set of types, and marshalList's decisions.
// gqlgen keeps the fields too, but to make its key it hashes the type
// names and boxes the selection set, allocating, for every object it
// marshals; here the key is four words taken as they are.
type collected struct {
	mu      sync.RWMutex
	fields  map[collectKey][]graphql.CollectedField
	inOrder map[orderKey]bool
}

// collectKey names a selection set of the operation's document by its
// first element and length, and the type names by their slice's first
// element and length: both live as long as the operation.
type collectKey struct {
	sel       *ast.Selection
	n         int
	satisfies *string
	types     int
}

type orderKey struct {
	collectKey
	typ string
}

// keepCollected gives each operation its collected fields.
func keepCollected(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	graphql.GetOperationContext(ctx).Stats.SetExtension(collectedStat, &collected{
		fields:  map[collectKey][]graphql.CollectedField{},
		inOrder: map[orderKey]bool{},
	})
	return next(ctx)
}

func collectedOf(oc *graphql.OperationContext) *collected {
	if oc == nil {
		return nil
	}
	c, _ := oc.Stats.GetExtension(collectedStat).(*collected)
	return c
}

func keyOf(sel ast.SelectionSet, satisfies []string) collectKey {
	k := collectKey{n: len(sel), types: len(satisfies)}
	if len(sel) > 0 {
		k.sel = &sel[0]
	}
	if len(satisfies) > 0 {
		k.satisfies = &satisfies[0]
	}
	return k
}

// collectFields is graphql.CollectFields, kept for the operation; the
// generated executable schema calls it (graph/gen).
func collectFields(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	c := collectedOf(oc)
	if c == nil {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	return remember(&c.mu, c.fields, keyOf(sel, satisfies), func() []graphql.CollectedField {
		return graphql.CollectFields(oc, sel, satisfies)
	})
}

// remember returns m's value at k, computing and keeping it under mu the
// first time.
func remember[K comparable, V any](mu *sync.RWMutex, m map[K]V, k K, compute func() V) V {
	mu.RLock()
	v, ok := m[k]
	mu.RUnlock()
	if ok {
		return v
	}
	v = compute()
	mu.Lock()
	m[k] = v
	mu.Unlock()
	return v
}

// deferredGroup is graphql.NewDeferredGroup when one of fields is
// deferred, and an empty group otherwise: gqlgen builds a group, with its
// path, field set and map, for every object it marshals, and only a
// deferred field ever reads it. The generated executable schema calls it
// (graph/gen).
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}

// object writes an object's fields as gqlgen's FieldSet does, in order,
// each response name once, without the map of names written and the
// iterator FieldSet allocates for every object. The generated executable
// schema returns it (graph/gen).
type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func (o object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	first := true
	for i := range o.fields {
		name := o.fields[i].Alias
		if written(o.fields[:i], name) {
			continue
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		// A response name is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*):
		// nothing in it needs escaping.
		io.WriteString(w, `"`)
		io.WriteString(w, name)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// written reports whether one of fields has the response name name. gqlgen
// keeps two fields of one name apart when fragments on two interfaces that
// do not know each other select it; the schema has one interface today,
// and this keeps each name once if that changes.
func written(fields []graphql.CollectedField, name string) bool {
	for i := range fields {
		if fields[i].Alias == name {
			return true
		}
	}
	return false
}
