package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mvpgraph/store"
)

// Metrics are the workers' Prometheus series.
type Metrics struct {
	batches  *prometheus.CounterVec
	accounts *prometheus.CounterVec
}

// NewMetrics registers the workers' series with reg, with each platform's
// quota as the database holds it, read when scraped.
func NewMetrics(reg prometheus.Registerer, s *store.Store) *Metrics {
	m := &Metrics{
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvpgraph_sync_batches_total", Help: "Sync batches run, by platform and outcome (ok, rate_limited, retry, failed).",
		}, []string{"platform", "outcome"}),
		accounts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvpgraph_sync_accounts_total", Help: "Accounts whose sync was recorded, by platform and status.",
		}, []string{"platform", "status"}),
	}
	reg.MustRegister(m.batches, m.accounts, quotaCollector{s})
	return m
}

func (m *Metrics) batch(platform, outcome string) {
	if m != nil {
		m.batches.WithLabelValues(platform, outcome).Inc()
	}
}

func (m *Metrics) recorded(platform string, outcomes []store.Outcome) {
	if m == nil {
		return
	}
	for _, o := range outcomes {
		status := string(o.Lookup.Status)
		if o.Lookup.Err != nil {
			status = "FAILED"
		}
		m.accounts.WithLabelValues(platform, status).Inc()
	}
}

// quotaCollector reports what each platform's API last said of the
// allowance, from the database every worker shares.
type quotaCollector struct{ s *store.Store }

var (
	quotaRemainingDesc = prometheus.NewDesc("mvpgraph_platform_quota_remaining", "Requests (or units) left in the platform's current window, as last reported.", []string{"platform"}, nil)
	quotaResetDesc     = prometheus.NewDesc("mvpgraph_platform_quota_reset_timestamp_seconds", "When the platform's window starts again.", []string{"platform"}, nil)
	pausedDesc         = prometheus.NewDesc("mvpgraph_platform_paused_until_timestamp_seconds", "Until when the platform is paused after a rate limit.", []string{"platform"}, nil)
)

func (quotaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- quotaRemainingDesc
	ch <- quotaResetDesc
	ch <- pausedDesc
}

func (c quotaCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	states, err := c.s.PlatformStates(ctx)
	if err != nil {
		return
	}
	for p, st := range states {
		if st.QuotaRemaining != nil {
			ch <- prometheus.MustNewConstMetric(quotaRemainingDesc, prometheus.GaugeValue, float64(*st.QuotaRemaining), string(p))
		}
		if st.QuotaReset != nil {
			ch <- prometheus.MustNewConstMetric(quotaResetDesc, prometheus.GaugeValue, float64(st.QuotaReset.Unix()), string(p))
		}
		if st.PausedUntil != nil {
			ch <- prometheus.MustNewConstMetric(pausedDesc, prometheus.GaugeValue, float64(st.PausedUntil.Unix()), string(p))
		}
	}
}
