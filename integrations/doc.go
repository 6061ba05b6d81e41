// Package integrations holds what the platform clients share; each platform
// has a package of its own below it (twitter/, youtube/, github/,
// mastodon/, facebook/, stackexchange/, feed/) implementing
// mvpgraph.ReachSource with the platform's own client library where a good
// one exists. Only the workers in jobs/ call them.
//
// Every client reads its base URL and credentials from a Config, which
// ConfigFromEnv fills from MVPGRAPH_<PLATFORM>_BASE_URL and
// MVPGRAPH_<PLATFORM>_TOKEN, so the same code runs against the real API or
// a test server. Credentials never appear in errors or logs.
package integrations
