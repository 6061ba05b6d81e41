package main

import (
	"fmt"
	"strconv"
	"time"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/bluesky"
	"mvpgraph/integrations/facebook"
	"mvpgraph/integrations/feed"
	"mvpgraph/integrations/github"
	"mvpgraph/integrations/mastodon"
	"mvpgraph/integrations/stackexchange"
	"mvpgraph/integrations/twitter"
	"mvpgraph/integrations/youtube"
	"mvpgraph/jobs"
	"mvpgraph/store"
)

// platforms build each platform's client.
var platforms = map[mvpgraph.Platform]func(integrations.Config) (mvpgraph.ReachSource, error){
	mvpgraph.Twitter:       func(c integrations.Config) (mvpgraph.ReachSource, error) { return twitter.New(c) },
	mvpgraph.YouTube:       func(c integrations.Config) (mvpgraph.ReachSource, error) { return youtube.New(c) },
	mvpgraph.GitHub:        func(c integrations.Config) (mvpgraph.ReachSource, error) { return github.New(c) },
	mvpgraph.Facebook:      func(c integrations.Config) (mvpgraph.ReachSource, error) { return facebook.New(c) },
	mvpgraph.Mastodon:      func(c integrations.Config) (mvpgraph.ReachSource, error) { return mastodon.New(c) },
	mvpgraph.Bluesky:       func(c integrations.Config) (mvpgraph.ReachSource, error) { return bluesky.New(c) },
	mvpgraph.StackExchange: func(c integrations.Config) (mvpgraph.ReachSource, error) { return stackexchange.New(c) },
	mvpgraph.Blog:          func(c integrations.Config) (mvpgraph.ReachSource, error) { return feed.New(c) },
}

// syncConfig reads each platform's settings from the environment:
// MVPGRAPH_<PLATFORM>_ENABLED, _TOKEN, _BASE_URL and _INTERVAL. A platform
// syncs when it has a token or is enabled explicitly; none reaches out to
// the internet unless configured to.
func (m *Main) syncConfig() (jobs.Config, error) {
	cfg := jobs.Config{
		Sources:   map[mvpgraph.Platform]mvpgraph.ReachSource{},
		Intervals: map[mvpgraph.Platform]time.Duration{},
		Logger:    m.logger,
	}
	keep, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", m.getenv("MVPGRAPH_HISTORY_KEEP"))
	if err != nil {
		return cfg, fmt.Errorf("MVPGRAPH_HISTORY_KEEP: %s", mvpgraph.ErrorMessage(err))
	}
	cfg.HistoryKeep = keep
	for _, p := range mvpgraph.Platforms {
		c := integrations.ConfigFromEnv(p, m.getenv)
		enabled := c.Token != ""
		if v := m.getenv(integrations.EnvName(p, "ENABLED")); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cfg, fmt.Errorf("%s=%q is not true or false", integrations.EnvName(p, "ENABLED"), v)
			}
			enabled = b
		}
		if v := m.getenv(integrations.EnvName(p, "INTERVAL")); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return cfg, fmt.Errorf("%s=%q is not a duration of a minute or more, such as 12h", integrations.EnvName(p, "INTERVAL"), v)
			}
			cfg.Intervals[p] = d
		}
		build := platforms[p]
		if p == mvpgraph.Twitter {
			// X API v2 by default; v1.1 users/lookup, through go-twitter,
			// for the programs that still have it.
			switch api := m.env("MVPGRAPH_TWITTER_API", "v2"); api {
			case "v2":
				build = func(c integrations.Config) (mvpgraph.ReachSource, error) { return twitter.NewV2(c) }
			case "v1.1":
			default:
				return cfg, fmt.Errorf("MVPGRAPH_TWITTER_API=%q is not v2 or v1.1", api)
			}
		}
		if !enabled {
			continue
		}
		src, err := build(c)
		if err != nil {
			return cfg, fmt.Errorf("%s: %s (set %s, or %s=false to switch it off)", p, mvpgraph.ErrorMessage(err), integrations.EnvName(p, "TOKEN"), integrations.EnvName(p, "ENABLED"))
		}
		cfg.Sources[p] = src
	}
	// Community spaces' feeds are read whenever a space has one.
	reader, err := feed.New(integrations.Config{Timeout: 20 * time.Second})
	if err != nil {
		return cfg, err
	}
	cfg.Feeds = reader
	tags, err := stackexchange.New(integrations.ConfigFromEnv(mvpgraph.StackExchange, m.getenv))
	if err != nil {
		return cfg, err
	}
	cfg.Tags = tags
	if v := m.getenv("MVPGRAPH_FEED_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return cfg, fmt.Errorf("MVPGRAPH_FEED_INTERVAL=%q is not a duration of a minute or more, such as 1h", v)
		}
		cfg.FeedInterval = d
	}
	return cfg, nil
}
