package api

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// TestOperationNamesBounded: operation names are the client's choice, so
// only the first 200 get series of their own; later ones count as other.
func TestOperationNamesBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := newTestHandler(t, func(o *Options) { o.Metrics = NewMetrics(reg) })
	for i := range 250 {
		_, out := postQuery(t, h, fmt.Sprintf("query Q%d { __typename }", i))
		require.Empty(t, out.Errors)
	}
	_, _ = postQuery(t, h, "query Q0 { __typename }")
	_, _ = postQuery(t, h, "{ __typename }")

	families, err := reg.Gather()
	require.NoError(t, err)
	series := map[string]map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() != "operation" {
					continue
				}
				if series[f.GetName()] == nil {
					series[f.GetName()] = map[string]float64{}
				}
				series[f.GetName()][l.GetValue()] = m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	ops := series["mvpgraph_graphql_operations_total"]
	require.Len(t, ops, 202, "200 names, other and anonymous")
	require.EqualValues(t, 2, ops["Q0"], "a name seen first keeps its series")
	require.EqualValues(t, 50, ops["other"])
	require.EqualValues(t, 1, ops["anonymous"])
	require.NotContains(t, ops, "Q249")
	require.Len(t, series["mvpgraph_graphql_operation_duration_seconds"], 202)
}
