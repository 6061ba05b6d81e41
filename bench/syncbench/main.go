// Command syncbench measures how close the reach sync comes to a platform's
// rate limit without passing it: it links N accounts, serves a fake API
// that enforces a fixed-window limit with the platform's own headers and
// refusal (GitHub's REST API, one account a request, 403; X API v2's
// /2/users/by, 100 accounts a request, 429; or the Bluesky AppView's
// getProfiles, 25 actors a request, 429, with one actor in a hundred
// missing and looked up alone), runs the real workers
// (jobs.Runner with the real client) until every account has synced, and
// reports the achieved request rate as a share of the allowed rate, and how
// many requests the fake refused for being over the limit.
//
//	go run ./bench/syncbench -accounts 10000 -limit 250 -window 1s
//	go run ./bench/syncbench -platform x -accounts 10000 -limit 5 -window 1s
//	go run ./bench/syncbench -platform bluesky -accounts 10000 -limit 20 -window 1s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/bluesky"
	"mvpgraph/integrations/github"
	"mvpgraph/integrations/twitter"
	"mvpgraph/jobs"
	"mvpgraph/store"
)

func main() {
	platform := flag.String("platform", "github", "the API to fake: github (REST, an account a request), x (API v2, 100 a request) or bluesky (AppView, 25 a request)")
	accounts := flag.Int("accounts", 10000, "accounts to sync")
	limit := flag.Int("limit", 250, "requests the fake API allows per window")
	window := flag.Duration("window", time.Second, "the fake API's rate-limit window (whole seconds)")
	concurrency := flag.Int("concurrency", 8, "batches synced at once")
	dbURL := flag.String("database-url", "", "database to use (default: a new SQLite file in a temporary directory)")
	flag.Parse()
	if err := run(*platform, *accounts, *limit, *window, *concurrency, *dbURL); err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		os.Exit(1)
	}
}

// fakeGitHub enforces limit requests per window, windows starting on whole
// multiples of the window since the epoch, as GitHub's reset header (epoch
// seconds) describes them.
type fakeGitHub struct {
	limit  int
	window time.Duration

	mu        sync.Mutex
	current   int64 // window index
	used      int
	accepted  int
	refused   int
	first     time.Time
	last      time.Time
	perWindow map[int64]int
}

// take counts a request against the window, and says whether it was over
// the limit, how many are left and when the window resets.
func (f *fakeGitHub) take() (over bool, remaining int, reset time.Time) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := now.UnixNano() / int64(f.window)
	if idx != f.current {
		f.current, f.used = idx, 0
	}
	reset = time.Unix(0, (idx+1)*int64(f.window))
	over = f.used >= f.limit
	if over {
		f.refused++
	} else {
		f.used++
		f.accepted++
		f.perWindow[idx]++
		if f.first.IsZero() {
			f.first = now
		}
		f.last = now
	}
	return over, f.limit - f.used, reset
}

// fakeX answers X API v2's /2/users/by over the same windows, with X's
// x-rate-limit headers and 429 problem body.
type fakeX struct{ *fakeGitHub }

func (f fakeX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	over, remaining, reset := f.take()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("x-rate-limit-limit", strconv.Itoa(f.limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	h.Set("x-rate-limit-reset", strconv.FormatInt(reset.Unix(), 10))
	if over {
		w.WriteHeader(http.StatusTooManyRequests)
		_ = json.NewEncoder(w).Encode(map[string]any{"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})
		return
	}
	var data []map[string]any
	for i, u := range strings.Split(r.URL.Query().Get("usernames"), ",") {
		data = append(data, map[string]any{"id": strconv.Itoa(i + 1), "username": u, "name": u,
			"public_metrics": map[string]int{"followers_count": 100 + len(u), "following_count": 10, "tweet_count": 5, "listed_count": 1}})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// fakeBluesky answers the AppView's getProfiles and getProfile over the
// same windows, with its RateLimit-* headers and XRPC error bodies. One
// actor in a hundred (those whose number ends in 00 or 50) has no profile:
// a batch leaves it out, and getProfile says why (taken down, or not
// found), so the worker spends a request more on each.
type fakeBluesky struct{ *fakeGitHub }

func (f fakeBluesky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	over, remaining, reset := f.take()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("RateLimit-Limit", strconv.Itoa(f.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", f.limit, int(f.window.Seconds())))
	fail := func(status int, name, message string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": message})
	}
	if over {
		fail(http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
		return
	}
	gone := func(actor string) bool {
		return strings.HasSuffix(actor, "00.bsky.social") || strings.HasSuffix(actor, "50.bsky.social")
	}
	profile := func(actor string) map[string]any {
		return map[string]any{"did": "did:plc:" + strings.Repeat("a", 24), "handle": actor, "followersCount": 100 + len(actor), "followsCount": 10, "postsCount": 5}
	}
	if strings.HasSuffix(r.URL.Path, "/app.bsky.actor.getProfile") {
		actor := r.URL.Query().Get("actor")
		switch {
		case strings.HasSuffix(actor, "00.bsky.social"):
			fail(http.StatusBadRequest, "AccountTakedown", "Account has been suspended")
		case gone(actor):
			fail(http.StatusBadRequest, "InvalidRequest", "Profile not found")
		default:
			_ = json.NewEncoder(w).Encode(profile(actor))
		}
		return
	}
	profiles := []map[string]any{}
	for _, a := range r.URL.Query()["actors"] {
		if !gone(a) {
			profiles = append(profiles, profile(a))
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"profiles": profiles})
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimPrefix(r.URL.Path, "/users/")
	over, remaining, reset := f.take()
	if over && os.Getenv("SYNCBENCH_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "refused %s, the window resetting at %s\n", login, reset.Format(time.RFC3339Nano))
	}

	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-RateLimit-Limit", strconv.Itoa(f.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(f.limit-remaining))
	h.Set("X-RateLimit-Resource", "core")
	if over {
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"message":           "API rate limit exceeded for user ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
		})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"login": login, "id": len(login), "type": "User", "followers": 100 + len(login), "following": 10, "public_repos": 5,
	})
}

func run(platform string, n, limit int, window time.Duration, concurrency int, dbURL string) error {
	if platform != "github" && platform != "x" && platform != "bluesky" {
		return fmt.Errorf("-platform is github, x or bluesky, not %q", platform)
	}
	if window < time.Second || window%time.Second != 0 {
		return fmt.Errorf("-window must be whole seconds, as GitHub's reset header is")
	}
	ctx := context.Background()
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "syncbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbURL = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	s, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	m := mvpgraph.Member{Handle: fmt.Sprintf("bench%d", time.Now().UnixNano()%1e9), Name: "Bench", Country: "US"}
	if err := s.CreateMember(ctx, &m); err != nil {
		return err
	}
	prefix := m.Handle
	p := map[string]mvpgraph.Platform{"github": mvpgraph.GitHub, "x": mvpgraph.Twitter, "bluesky": mvpgraph.Bluesky}[platform]
	for i := range n {
		handle := fmt.Sprintf("%s-%d", prefix, i)
		switch p {
		case mvpgraph.Twitter:
			handle = fmt.Sprintf("b%s_%d", prefix[len(prefix)-4:], i) // at most 15 characters
		case mvpgraph.Bluesky:
			handle += ".bsky.social"
		}
		if _, err := s.LinkSocialAccount(ctx, m.ID, p, handle); err != nil {
			return err
		}
	}

	fake := &fakeGitHub{limit: limit, window: window, perWindow: map[int64]int{}}
	var handler http.Handler = fake
	switch p {
	case mvpgraph.Twitter:
		handler = fakeX{fake}
	case mvpgraph.Bluesky:
		handler = fakeBluesky{fake}
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	cfg := integrations.Config{BaseURL: srv.URL, Token: "bench-token", Timeout: 10 * time.Second}
	var client mvpgraph.ReachSource
	switch p {
	case mvpgraph.Twitter:
		client, err = twitter.NewV2(cfg)
	case mvpgraph.Bluesky:
		cfg.Token = "" // the AppView takes none
		client, err = bluesky.New(cfg)
	default:
		client, err = github.New(cfg)
	}
	if err != nil {
		return err
	}
	runner, err := jobs.New(ctx, s, dbURL, jobs.Config{
		Sources:     map[mvpgraph.Platform]mvpgraph.ReachSource{p: client},
		Work:        true,
		Round:       time.Hour,
		Concurrency: concurrency,
		Logger:      benchLogger(),
	})
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return err
	}
	defer runner.Stop(ctx)
	start := time.Now()
	if _, err := runner.Round(ctx); err != nil {
		return err
	}
	intervals := map[mvpgraph.Platform]time.Duration{p: jobs.DefaultInterval}
	for {
		counts, err := s.AccountCounts(ctx, intervals)
		if err != nil {
			return err
		}
		if counts[p].Due == 0 {
			break
		}
		if time.Since(start) > time.Duration(n/limit+60)*window*2 {
			return fmt.Errorf("gave up: %d accounts still due", counts[p].Due)
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)

	fake.mu.Lock()
	defer fake.mu.Unlock()
	// The allowance is what the windows from the first request to the last
	// allowed, each counted whole: a fixed window's allowance can be used at
	// any point of it.
	first, last := fake.first.UnixNano()/int64(window), fake.last.UnixNano()/int64(window)
	windows := last - first + 1
	span := time.Duration(windows) * window
	allowed := float64(limit) / window.Seconds()
	achieved := float64(fake.accepted) / span.Seconds()
	maxInWindow := 0
	for _, c := range fake.perWindow {
		maxInWindow = max(maxInWindow, c)
	}
	dialect, _, _ := store.ParseURL(dbURL)
	fmt.Printf("| date | machine | platform | database | accounts | limit | concurrency | requests | refused (over the limit) | most in one window | windows | achieved rate | allowed rate | share | wall time |\n")
	fmt.Printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	fmt.Printf("| %s | %d cores, %s/%s | %s | %s | %d | %d per %s | %d | %d | %d | %d | %d | %.1f/s | %.1f/s | %.1f %% | %s |\n",
		time.Now().UTC().Format(time.DateOnly), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, platform, dialect, n, limit, window,
		concurrency, fake.accepted+fake.refused, fake.refused, maxInWindow, windows, achieved, allowed, 100*achieved/allowed, elapsed.Round(time.Millisecond))
	return nil
}

// benchLogger discards the workers' logs unless SYNCBENCH_DEBUG is set.
func benchLogger() *slog.Logger {
	if os.Getenv("SYNCBENCH_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
