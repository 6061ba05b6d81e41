package resolvers

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"mvpgraph"
	"mvpgraph/graph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// NewConfig returns the executable schema's configuration: the resolvers
// and the cost of each connection field, which is its page size times the
// cost of what each item selects (as GitHub and Shopify count).
func NewConfig(root *Resolver) graph.Config {
	// The schema as introspection shows it to clients (prelude.go).
	c := graph.Config{Resolvers: root, Schema: Schema()}
	c.Directives.Auth, c.Directives.Personal, c.Directives.Staff = directives(root)
	// The handler keeps and serves @cached answers (api/cached.go); the
	// query itself runs as any other.
	c.Directives.Cached = func(ctx context.Context, _ any, next graphql.Resolver, _ int, _ bool) (any, error) {
		return next(ctx)
	}
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

	// A count scans every row its filter selects, whatever the page size.
	count := func(int) int { return countCost }
	c.Complexity.MemberConnection.TotalCount = count
	c.Complexity.ExpertiseConnection.TotalCount = count
	c.Complexity.LeadConnection.TotalCount = count
	c.Complexity.ProductTeamConnection.TotalCount = count

	// Lists without pages cost what they typically hold.
	list := func(n int) func(int) int { return func(child int) int { return 1 + n*child } }
	c.Complexity.Member.Awards = list(10)
	c.Complexity.Member.Leads = list(3)
	c.Complexity.Lead.Expertises = list(10)
	c.Complexity.Lead.Countries = list(10)
	c.Complexity.ProductTeam.Expertises = list(10)
	c.Complexity.ProductTeam.Contacts = list(5)
	c.Complexity.Member.SocialAccounts = list(3)
	c.Complexity.Escalation.Events = list(5)
	c.Complexity.SocialAccount.History = func(child int, _ *time.Time, _ *time.Time, _ *mvpgraph.HistoryInterval) int {
		return 1 + 90*child // 90 days of points by default
	}
	c.Complexity.Query.ReachLeaderboard = func(child int, _ *model.LeaderboardWhere, _ *model.LeaderboardOrder, _ *int, first *int, _ *string) int {
		return statsCost + connectionCost(child, first, nil)
	}
	c.Complexity.Query.Escalations = func(child int, _ *model.EscalationWhere, _ []*mvpgraph.OrderBy, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	c.Complexity.Query.AwardCandidates = func(child int, _ string, _ *string, _ time.Time, _ time.Time, first *int) int {
		return statsCost + connectionCost(child, first, nil)
	}
	c.Complexity.Query.CommunityTrends = func(child int, _ string, _ time.Time, _ time.Time, _ *model.TrendBucket) int {
		return statsCost + 50*child
	}
	c.Complexity.Query.ActivityStats = func(child int, _ []model.ActivityDimension, _ *model.ActivityWhere) int {
		return statsCost + 50*child
	}
	c.Complexity.Query.EscalationGroups = func(child int, _ []model.EscalationDimension, _ *model.EscalationWhere) int {
		return statsCost + 50*child
	}
	c.Complexity.CommunitySpace.Activity = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connectionCost(child, first, last)
	}
	// Statistics aggregate the whole program into up to thousands of groups.
	c.Complexity.Query.ProgramStats = func(child int, _ []mvpgraph.StatsDimension, _ *mvpgraph.MemberWhere) int {
		return statsCost + 50*child
	}
	return c
}

// Costs of the fields that read much more than they return.
const (
	countCost = 100
	statsCost = 1000
)

// connectionCost is the cost of a page: one for the page itself plus its
// size times what each item costs. Lists inside an item (awards, leads)
// count as if they held a few items.
func connectionCost(child int, first, last *int) int {
	n := store.DefaultPageSize
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	if n < 0 || n > store.MaxPageSize {
		n = store.MaxPageSize // the resolver rejects it; cost it as the largest page
	}
	// Even an empty page runs its query, and its totalCount counts.
	return 10 + max(n, 1)*child
}

// Middleware gives each request its own loaders and statement counter
// before next runs: next is the authenticated GraphQL handler, so that the
// counter counts the token's lookup too.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithRequest(r.Context(), s)))
	})
}

// WithRequest prepares ctx for one GraphQL request: fresh loaders, a
// statement counter, and reads that read replicas may serve.
func WithRequest(ctx context.Context, s *store.Store) context.Context {
	return WithLoaders(store.WithStatementCounter(store.PreferReplica(ctx)), s)
}
