// Package resolvers answers the GraphQL schema: thin resolvers that decode
// IDs, call the store, and batch nested lookups through per-request
// loaders.
package resolvers

import (
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// Resolver is the root of the resolvers and holds their dependencies.
type Resolver struct {
	Store *store.Store
	// Sync queues syncs and tells how the platforms are set up; nil when the
	// server has no workers' client.
	Sync Sync
	// Weights weigh the platforms in reach scores; nil means the defaults.
	Weights mvpgraph.ReachWeights
	// PollInterval is how often subscriptions look for changes; zero means
	// every 2 seconds.
	PollInterval time.Duration
	// EscalationTarget is how long an escalation may wait for its answer
	// before it is overdue; zero means mvpgraph.DefaultAnswerTarget.
	EscalationTarget time.Duration
	// FirstAnswerWeight is the points each first answer to a question adds
	// to an award candidate's score; nil means
	// mvpgraph.DefaultFirstAnswerWeight.
	FirstAnswerWeight *float64
	// UnansweredAfter is how long a question may wait before it counts as
	// unanswered; 0 means mvpgraph.DefaultUnansweredAfter.
	UnansweredAfter time.Duration
	// KindWeights weigh activity in award candidates' scores; nil means
	// the defaults.
	KindWeights mvpgraph.KindWeights
	// RankingTTL is how long a reach ranking is kept and its pages served
	// from memory; zero computes every page afresh.
	RankingTTL time.Duration
	// AnalyticsTTL is how long the answers of programStats, activityStats
	// and communityTrends are kept and served from memory, per question;
	// zero computes every answer afresh.
	AnalyticsTTL time.Duration

	reachWatches      watches[struct{}]
	escalationWatches watches[mvpgraph.Escalation]

	rankings kept[ranking]
	stats    kept[statsAnswer]
	activity kept[activityAnswer]
	trends   kept[trendCounts]
}
