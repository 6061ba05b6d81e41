package resolvers

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"mvpgraph"
	"mvpgraph/store"
)

// Loaders batch the lookups of one request, so that a nested query runs a
// fixed number of SQL statements however many rows it returns. They live
// for one request: nothing is cached across requests.
type Loaders struct {
	member          idLoader[mvpgraph.Member]
	award           idLoader[mvpgraph.Award]
	expertise       idLoader[mvpgraph.Expertise]
	lead            idLoader[mvpgraph.Lead]
	productTeam     idLoader[mvpgraph.ProductTeam]
	leadsOfMember   *dataloadgen.Loader[int64, []mvpgraph.Lead]
	countriesOfLead *dataloadgen.Loader[int64, []string]
	contactsOfTeam  *dataloadgen.Loader[int64, []mvpgraph.Contact]
	accountsOf      *dataloadgen.Loader[int64, []mvpgraph.SocialAccount]
	account         idLoader[mvpgraph.SocialAccount]
	space           idLoader[mvpgraph.CommunitySpace]

	store     *store.Store
	mu        sync.Mutex
	count     map[string]*dataloadgen.Loader[int64, int]
	leadReach map[string]*dataloadgen.Loader[int64, store.LeadReach]
	escStats  *dataloadgen.Loader[int64, store.EscalationStats]
	activity  map[string]*dataloadgen.Loader[int64, store.Page[mvpgraph.Activity]]
	views     map[viewKey]any
}

// batchWait is how long a loader gathers keys before it queries: long enough
// for the sibling resolvers of a list to join, short against a request.
const batchWait = 2 * time.Millisecond

var loaderOptions = loaderOptionsWaiting(batchWait)

// loaderOptionsWaiting are the loaders' options with wait as their batch
// window.
func loaderOptionsWaiting(wait time.Duration) []dataloadgen.Option {
	return []dataloadgen.Option{dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(1000)}
}

// byID indexes rows by their ID for a mapped loader.
func byID[T any](list func(context.Context, []int64) ([]T, error), id func(T) int64) func(context.Context, []int64) (map[int64]T, error) {
	return func(ctx context.Context, ids []int64) (map[int64]T, error) {
		rows, err := list(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]T, len(rows))
		for _, r := range rows {
			out[id(r)] = r
		}
		return out, nil
	}
}

// idLoader loads rows by ID, batched like any loader.
type idLoader[T any] = *dataloadgen.Loader[int64, T]

func newIDLoader[T any](list func(context.Context, []int64) ([]T, error), id func(T) int64) idLoader[T] {
	return newLoader(byID(list, id))
}

// orEmpty gives every key a value, so that a key with no rows loads as an
// empty list rather than as not found.
func orEmpty[V any](fetch func(context.Context, []int64) (map[int64]V, error)) func(context.Context, []int64) (map[int64]V, error) {
	return func(ctx context.Context, ids []int64) (map[int64]V, error) {
		m, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				var zero V
				m[id] = zero
			}
		}
		return m, nil
	}
}

func newLoader[V any](fetch func(context.Context, []int64) (map[int64]V, error)) *dataloadgen.Loader[int64, V] {
	return dataloadgen.NewMappedLoader(fetch, loaderOptions...)
}

// NewLoaders returns the loaders of one request.
func NewLoaders(s *store.Store) *Loaders {
	return &Loaders{
		member:          newIDLoader(s.MembersByIDs, func(m mvpgraph.Member) int64 { return m.ID }),
		award:           newIDLoader(s.AwardsByIDs, func(a mvpgraph.Award) int64 { return a.ID }),
		expertise:       newIDLoader(s.ExpertisesByIDs, func(e mvpgraph.Expertise) int64 { return e.ID }),
		lead:            newIDLoader(s.LeadsByIDs, func(l mvpgraph.Lead) int64 { return l.ID }),
		productTeam:     newIDLoader(s.ProductTeamsByIDs, func(t mvpgraph.ProductTeam) int64 { return t.ID }),
		leadsOfMember:   newLoader(orEmpty(s.LeadsOfMembers)),
		countriesOfLead: newLoader(orEmpty(s.CountriesOfLeads)),
		contactsOfTeam:  newLoader(orEmpty(s.ContactsOfTeams)),
		accountsOf:      newLoader(orEmpty(s.SocialAccountsOfMembers)),
		account:         newIDLoader(s.SocialAccountsByIDs, func(a mvpgraph.SocialAccount) int64 { return a.ID }),
		space:           newIDLoader(s.SpacesByIDs, func(c mvpgraph.CommunitySpace) int64 { return c.ID }),
		store:           s,
		count:           map[string]*dataloadgen.Loader[int64, int]{},
		leadReach:       map[string]*dataloadgen.Loader[int64, store.LeadReach]{},
		activity:        map[string]*dataloadgen.Loader[int64, store.Page[mvpgraph.Activity]]{},
		views:           map[viewKey]any{},
	}
}

// mvpsKey identifies one set of list arguments, shared by the parents whose
// pages load together.
func mvpsKey(parent store.MVPParent, q store.MemberQuery, forCount bool) string {
	b, _ := json.Marshal(struct {
		P store.MVPParent
		Q store.MemberQuery
		C bool
	}{parent, q, forCount})
	return string(b)
}

// mvpCountOf returns the loader of MVP counts for one parent kind and filter.
func (l *Loaders) mvpCountOf(parent store.MVPParent, q store.MemberQuery) *dataloadgen.Loader[int64, int] {
	q.Page, q.OrderBy = store.PageArgs{}, nil
	key := mvpsKey(parent, q, true)
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.count[key]; ok {
		return ld
	}
	ld := newLoader(orEmpty(func(ctx context.Context, ids []int64) (map[int64]int, error) {
		return l.store.CountMVPsOf(ctx, parent, ids, q)
	}))
	l.count[key] = ld
	return ld
}

type loadersKey struct{}

// WithLoaders returns ctx carrying fresh loaders for one request.
func WithLoaders(ctx context.Context, s *store.Store) context.Context {
	return context.WithValue(ctx, loadersKey{}, NewLoaders(s))
}

func loaders(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil {
		panic("resolvers: request context has no loaders; wrap the handler with graph.Handler")
	}
	return l
}

// clear forgets everything the loaders hold, for a long-lived request (a
// subscription) that must read afresh.
func (l *Loaders) clear() {
	l.member.ClearAll()
	l.award.ClearAll()
	l.expertise.ClearAll()
	l.lead.ClearAll()
	l.productTeam.ClearAll()
	l.leadsOfMember.ClearAll()
	l.countriesOfLead.ClearAll()
	l.contactsOfTeam.ClearAll()
	l.accountsOf.ClearAll()
	l.account.ClearAll()
	l.space.ClearAll()
	l.mu.Lock()
	l.escStats = nil
	defer l.mu.Unlock()
	clear(l.count)
	clear(l.leadReach)
	clear(l.activity)
	clear(l.views)
}

// activityOf returns the loader of spaces' activity pages for one set of
// page arguments.
func (l *Loaders) activityOf(p store.PageArgs) *dataloadgen.Loader[int64, store.Page[mvpgraph.Activity]] {
	b, _ := json.Marshal(p)
	key := string(b)
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.activity[key]; ok {
		return ld
	}
	ld := newLoader(orEmpty(func(ctx context.Context, ids []int64) (map[int64]store.Page[mvpgraph.Activity], error) {
		return l.store.ActivityOfSpaces(ctx, ids, p)
	}))
	l.activity[key] = ld
	return ld
}

// viewKey names a view loader: the edge it loads and the selection below
// it in the query.
type viewKey struct {
	edge string
	sel  *ast.Selection
	n    int
}

// viewLoader returns the loader of the views an edge reached outside a
// page leads to (an escalation's member, a lead's expertises), for the
// field being resolved: fetch reads the views of a batch of parents and
// loads what the field's selection asks below them, so that siblings
// (the members of a page of escalations) are read and filled together.
func viewLoader[V any](ctx context.Context, edge string, fetch func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]V, error)) *dataloadgen.Loader[int64, V] {
	var sel ast.SelectionSet
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		sel = fc.Field.Selections
	}
	key := viewKey{edge: edge, n: len(sel)}
	if len(sel) > 0 {
		key.sel = &sel[0]
	}
	l := loaders(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.views[key].(*dataloadgen.Loader[int64, V]); ok {
		return ld
	}
	ld := newLoader(func(ctx context.Context, ids []int64) (map[int64]V, error) {
		return fetch(ctx, sel, ids)
	})
	l.views[key] = ld
	return ld
}
