package resolvers

import (
	"context"
	"net/http"

	"mvpgraph"
	"mvpgraph/graph"
	"mvpgraph/store"
)

// NewConfig returns the executable schema's configuration: the resolvers
// and the cost of each connection field, which is its page size times the
// cost of what each item selects (as GitHub and Shopify count).
func NewConfig(s *store.Store) graph.Config {
	c := graph.Config{Resolvers: &Resolver{Store: s}}
	c.Complexity.Query.Members = func(child int, _ *mvpgraph.MemberWhere, _ []*mvpgraph.OrderBy, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	c.Complexity.Query.Mvps = c.Complexity.Query.Members
	c.Complexity.Expertise.Mvps = c.Complexity.Query.Members
	c.Complexity.Lead.Mvps = c.Complexity.Query.Members
	c.Complexity.Query.Expertises = func(child int, _ *mvpgraph.ExpertiseWhere, _ []*mvpgraph.OrderBy, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	c.Complexity.Query.Leads = func(child int, _ *mvpgraph.LeadWhere, _ []*mvpgraph.OrderBy, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	c.Complexity.Query.ProductTeams = func(child int, _ *mvpgraph.ProductTeamWhere, _ []*mvpgraph.OrderBy, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	c.Complexity.Query.Nodes = func(child int, ids []string) int { return 1 + child*len(ids) }
	return c
}

// connectionCost is the cost of a page: one for the page itself plus its
// size times what each item costs. Lists inside an item (awards, leads)
// count as if they held a few items.
func connectionCost(child int, first, last *int) int {
	n := mvpgraph.DefaultPageSize
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	if n < 0 || n > mvpgraph.MaxPageSize {
		n = mvpgraph.MaxPageSize // the resolver rejects it; cost it as the largest page
	}
	return 1 + n*child
}

// Middleware gives each request its own loaders and statement counter.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithRequest(r.Context(), s)))
	})
}

// WithRequest prepares ctx for one GraphQL request: fresh loaders and a
// statement counter.
func WithRequest(ctx context.Context, s *store.Store) context.Context {
	return WithLoaders(store.WithStatementCounter(ctx), s)
}
