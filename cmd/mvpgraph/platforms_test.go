package main

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations/twitter"
	"mvpgraph/store"
)

func TestSyncConfig(t *testing.T) {
	config := func(env map[string]string) (map[mvpgraph.Platform]bool, map[mvpgraph.Platform]time.Duration, error) {
		m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
		cfg, err := m.syncConfig()
		enabled := map[mvpgraph.Platform]bool{}
		for p := range cfg.Sources {
			enabled[p] = true
		}
		return enabled, cfg.Intervals, err
	}

	enabled, _, err := config(nil)
	require.NoError(t, err)
	require.Empty(t, enabled, "nothing reaches out unless configured")

	_, _, err = config(map[string]string{"MVPGRAPH_STACK_EXCHANGE_ENABLED": "yes"})
	require.ErrorContains(t, err, "MVPGRAPH_STACK_EXCHANGE_ENABLED", "not a boolean")

	enabled, intervals, err := config(map[string]string{
		"MVPGRAPH_TWITTER_TOKEN":    "secret-bearer",
		"MVPGRAPH_TWITTER_INTERVAL": "6h",
		"MVPGRAPH_GITHUB_TOKEN":     "ghp_secret",
		"MVPGRAPH_GITHUB_ENABLED":   "false",
		"MVPGRAPH_BLOG_ENABLED":     "true",
		"MVPGRAPH_MASTODON_ENABLED": "1",
	})
	require.NoError(t, err)
	require.Equal(t, map[mvpgraph.Platform]bool{mvpgraph.Twitter: true, mvpgraph.Blog: true, mvpgraph.Mastodon: true}, enabled)
	require.Equal(t, 6*time.Hour, intervals[mvpgraph.Twitter])

	_, _, err = config(map[string]string{"MVPGRAPH_YOUTUBE_ENABLED": "true"})
	require.ErrorContains(t, err, "MVPGRAPH_YOUTUBE_TOKEN", "enabled without its credential: say what to set")
	_, _, err = config(map[string]string{"MVPGRAPH_GITHUB_INTERVAL": "soon"})
	require.ErrorContains(t, err, "MVPGRAPH_GITHUB_INTERVAL")
	_, _, err = config(map[string]string{"MVPGRAPH_TWITTER_TOKEN": "t", "MVPGRAPH_TWITTER_BASE_URL": "not a url"})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret")

	_, _, err = config(map[string]string{"MVPGRAPH_HISTORY_KEEP": "24 months"})
	require.ErrorContains(t, err, "MVPGRAPH_HISTORY_KEEP")
	m := NewMain(io.Discard, io.Discard, func(k string) string { return map[string]string{"MVPGRAPH_HISTORY_KEEP": "13mo,5y"}[k] })
	cfg, err := m.syncConfig()
	require.NoError(t, err)
	require.Equal(t, store.HistoryKeep{Daily: 13, Total: 60}, cfg.HistoryKeep)

	// X API v2 by default; v1.1 when asked for.
	sources := func(env map[string]string) mvpgraph.ReachSource {
		m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
		cfg, err := m.syncConfig()
		require.NoError(t, err)
		return cfg.Sources[mvpgraph.Twitter]
	}
	require.IsType(t, &twitter.V2{}, sources(map[string]string{"MVPGRAPH_TWITTER_TOKEN": "t"}))
	require.IsType(t, &twitter.Client{}, sources(map[string]string{"MVPGRAPH_TWITTER_TOKEN": "t", "MVPGRAPH_TWITTER_API": "v1.1"}))
	_, _, err = config(map[string]string{"MVPGRAPH_TWITTER_API": "v3"})
	require.ErrorContains(t, err, "MVPGRAPH_TWITTER_API")
}
