package api

import (
	"context"
	"regexp"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the API's Prometheus series.
type Metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	cached     *prometheus.CounterVec
	statements prometheus.Histogram

	mu    sync.Mutex
	names map[string]bool // the operation names given labels of their own
}

// maxOperationNames bounds the operation names that get series of their
// own: names are the client's choice, and each name is a series kept for
// the life of the process. The first ones seen keep theirs (a front end's
// operations, named the same on every request); any name after them is
// counted as "other".
const maxOperationNames = 200

// NewMetrics registers the API's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvpgraph_graphql_operations_total", Help: "GraphQL operations answered, by operation name and type.",
		}, []string{"operation", "type"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mvpgraph_graphql_operation_duration_seconds", Help: "Time to answer a GraphQL operation, by operation name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvpgraph_graphql_errors_total", Help: "Errors in GraphQL answers, by code.",
		}, []string{"code"}),
		cached: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvpgraph_cached_answers_total", Help: "Answers to queries marked @cached: from memory (hit) or worked out (miss).",
		}, []string{"result"}),
		statements: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "mvpgraph_sql_statements_per_request", Help: "SQL statements one GraphQL request ran.",
			Buckets: []float64{0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89},
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.errors, m.cached, m.statements)
	m.names = map[string]bool{}
	return m
}

// label is name as a label value: itself while it is one of the first
// maxOperationNames names, "other" after them.
func (m *Metrics) label(name string) string {
	if name == "anonymous" || name == "other" {
		return name
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// operationName is a label-safe operation name: names are the client's
// choice, so odd ones are folded together rather than growing the series.
var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func labelOf(oc *graphql.OperationContext) (name, typ string) {
	name, typ = "anonymous", "unknown"
	if oc == nil {
		return name, typ
	}
	given := oc.OperationName
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if given == "" {
			given = oc.Operation.Name
		}
	}
	if given != "" {
		name = "other"
		if operationName.MatchString(given) {
			name = given
		}
	}
	return name, typ
}

// observe counts an answer: its operation, time and errors.
func (m *Metrics) observe(ctx context.Context, resp *graphql.Response) {
	if m == nil || resp == nil {
		return
	}
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "unknown"
		}
		m.errors.WithLabelValues(code).Inc()
	}
	if !graphql.HasOperationContext(ctx) || len(resp.Path) > 0 {
		// A later part of a deferred answer is not another request.
		return
	}
	oc := graphql.GetOperationContext(ctx)
	name, typ := labelOf(oc)
	name = m.label(name)
	m.requests.WithLabelValues(name, typ).Inc()
	if c, ok := resp.Extensions["cached"].(map[string]any); ok {
		result := "miss"
		if c["hit"] == true {
			result = "hit"
		}
		m.cached.WithLabelValues(result).Inc()
	}
	if !oc.Stats.OperationStart.IsZero() {
		m.duration.WithLabelValues(name).Observe(graphql.Now().Sub(oc.Stats.OperationStart).Seconds())
	}
}

// observeStatements records the SQL statements of one request.
func (m *Metrics) observeStatements(n int64) {
	if m != nil {
		m.statements.Observe(float64(n))
	}
}
