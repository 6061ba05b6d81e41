// Command mvpgraph serves the program graph over GraphQL and manages its
// database: serve, migrate and seed. It is the only package that knows
// every other one; it reads flags and the environment and wires them up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mvpgraph"
	"mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/jobs"
	"mvpgraph/resolvers"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/web"
)

const usage = `mvpgraph: a GraphQL API for an expert-community program.

Usage:
  mvpgraph serve   [--addr 127.0.0.1:8080] [--database-url URL] [--demo] [--no-worker]
  mvpgraph worker  [--database-url URL]
  mvpgraph migrate [--database-url URL]
  mvpgraph import activities FILE [--format csv|jsonl] [--all-or-nothing]
  mvpgraph token create --role ROLE [--lead ID | --product-team ID] [--name N] [--expires DURATION]
  mvpgraph token list
  mvpgraph token revoke ID
  mvpgraph seed    [--database-url URL] (--demo | --scale N [--rand-seed S] [--history-days D])

The database URL is postgres://... or sqlite:PATH; it defaults to
$MVPGRAPH_DATABASE_URL, or sqlite:mvpgraph.db in the working directory.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one stops the process at once.
		<-ctx.Done()
		stop()
	}()
	m := NewMain(os.Stdout, os.Stderr, os.Getenv)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp):
			// Asked for with -h or --help: the usage is the answer.
			os.Exit(0)
		case errors.Is(err, errUsage):
		default:
			fmt.Fprintln(os.Stderr, "mvpgraph:", err)
		}
		os.Exit(2)
	}
}

// Main is the program, made to be run by tests as it runs from a shell.
type Main struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	logger         *slog.Logger

	// Ready, if set, receives the address serve listens on, once it does.
	Ready chan<- string

	// stopping is set once serve is asked to stop: readiness fails from then
	// on, so that load balancers send no new requests.
	stopping atomic.Bool
}

// NewMain returns the program writing to stdout and stderr and reading the
// environment through getenv.
func NewMain(stdout, stderr io.Writer, getenv func(string) string) *Main {
	m := &Main{stdout: stdout, stderr: stderr, getenv: getenv}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if getenv("MVPGRAPH_LOG_FORMAT") == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	}
	m.logger = slog.New(h)
	return m
}

// Run runs the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return m.serve(ctx, args[1:])
	case "worker":
		return m.worker(ctx, args[1:])
	case "migrate":
		return m.migrate(ctx, args[1:])
	case "token":
		return m.token(ctx, args[1:])
	case "import":
		return m.importCmd(ctx, args[1:])
	case "seed":
		return m.seed(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q; mvpgraph help lists the commands (serve, worker, migrate, token, import, seed)", args[0])
}

// errUsage is a command line without a command: the usage was printed.
var errUsage = errors.New("usage")

func (m *Main) env(name, def string) string {
	if v := m.getenv(name); v != "" {
		return v
	}
	return def
}

func (m *Main) envInt(name string, def int) (int, error) {
	v := m.getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return n, nil
}

func (m *Main) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("mvpgraph "+name, flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	dbURL := fs.String("database-url", m.env("MVPGRAPH_DATABASE_URL", "sqlite:mvpgraph.db"), "database URL: postgres://... or sqlite:PATH")
	return fs, dbURL
}

// open connects to the database and brings its schema up to date.
func (m *Main) open(ctx context.Context, dbURL string) (*store.Store, error) {
	s, err := store.Open(ctx, dbURL)
	if err != nil {
		if mvpgraph.ErrorCode(err) == mvpgraph.EINVALID {
			return nil, fmt.Errorf("--database-url (or MVPGRAPH_DATABASE_URL): %s", mvpgraph.ErrorMessage(err))
		}
		return nil, err
	}
	n, err := s.Migrate(ctx)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if n > 0 {
		m.logger.Info("migrated database", "dialect", s.Dialect(), "migrations", n)
	}
	if pending, err := s.HistoryMovePending(ctx); err == nil && pending {
		m.logger.Info("reach history is still to be moved to its monthly partitions: a worker moves it in the background, or run mvpgraph migrate")
	}
	return s, nil
}

// worker syncs social reach until stopped, with no API.
func (m *Main) worker(ctx context.Context, args []string) error {
	fs, dbURL := m.flags("worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := m.syncConfig()
	if err != nil {
		return err
	}
	cfg.Work = true
	s, err := m.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	runner, err := jobs.New(ctx, s, *dbURL, cfg)
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return err
	}
	var enabled []string
	for _, p := range mvpgraph.Platforms {
		if runner.Serves(p) {
			enabled = append(enabled, string(p))
		}
	}
	m.logger.Info("syncing social reach", "platforms", enabled, "dialect", s.Dialect())
	<-ctx.Done()
	m.logger.Info("stopping: finishing batches in hand", "within", stopWithin)
	return m.stopWorkers(runner)
}

// stopWithin bounds how long stopping waits for the batches in hand; those
// still running then are cancelled, and run again later by any worker.
const stopWithin = 25 * time.Second

// stopWorkers stops runner, letting the batches in hand finish.
func (m *Main) stopWorkers(runner *jobs.Runner) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopWithin)
	defer cancel()
	return runner.Stop(ctx)
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	fs, dbURL := m.flags("migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "applied %d migration(s); the %s database is up to date\n", n, s.Dialect())
	return m.moveHistory(ctx, s)
}

// moveHistory moves reach history stored before it was partitioned to its
// monthly partitions, when Migrate left that to be done: in batches,
// telling how far it got; stopped (Ctrl-C), it resumes on the next run,
// or in a worker.
func (m *Main) moveHistory(ctx context.Context, s *store.Store) error {
	pending, err := s.HistoryMovePending(ctx)
	if err != nil || !pending {
		return err
	}
	fmt.Fprintln(m.stdout, "moving reach history to its monthly partitions; the server keeps answering meanwhile, and a stopped move resumes where it was")
	last := time.Now()
	done, err := s.MoveHistory(ctx, store.MoveBatch, func(moved int64) {
		if time.Since(last) >= 10*time.Second {
			fmt.Fprintf(m.stdout, "%d snapshots moved\n", moved)
			last = time.Now()
		}
	})
	if err != nil {
		return fmt.Errorf("move reach history (run mvpgraph migrate again to resume): %w", err)
	}
	if !done {
		return errors.New("reach history is being moved by another process, or its old table was busy at the end: run mvpgraph migrate again later, or leave it to a worker")
	}
	fmt.Fprintln(m.stdout, "reach history is in its monthly partitions")
	return nil
}

func (m *Main) seed(ctx context.Context, args []string) error {
	fs, dbURL := m.flags("seed")
	demo := fs.Bool("demo", false, "load the demo program into an empty database")
	scale := fs.Int("scale", 0, "load a synthetic program of N members into an empty database")
	randSeed := fs.Int64("rand-seed", 1, "seed of the synthetic program; the same seed gives the same data")
	historyDays := fs.Int("history-days", seed.ScaleHistoryDays, "days of daily reach snapshots of the synthetic program's accounts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demo == (*scale > 0) {
		return errors.New("seed needs exactly one of --demo or --scale N (N > 0)")
	}
	if *historyDays < 0 {
		return fmt.Errorf("--history-days is the days of reach history, 0 or more; got %d", *historyDays)
	}
	s, err := m.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	if *demo {
		var loaded bool
		if loaded, err = seed.Demo(ctx, s); err == nil && !loaded {
			return errors.New("the database is not empty; the demo program loads only into an empty one")
		}
	} else {
		err = seed.ScaleWithHistory(ctx, s, *scale, *randSeed, *historyDays)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "seeded in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func (m *Main) serve(ctx context.Context, args []string) error {
	fs, dbURL := m.flags("serve")
	addr := fs.String("addr", m.env("MVPGRAPH_ADDR", "127.0.0.1:8080"), "address to listen on")
	demo := fs.Bool("demo", false, "load the demo program when the database is empty")
	noWorker := fs.Bool("no-worker", false, "do not sync social reach in this process (run mvpgraph worker instead)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tuneGC()
	opts := api.DefaultOptions()
	opts.Logger = m.logger
	var err error
	if opts.MaxDepth, err = m.envInt("MVPGRAPH_MAX_DEPTH", opts.MaxDepth); err != nil {
		return err
	}
	if opts.MaxComplexity, err = m.envInt("MVPGRAPH_MAX_COMPLEXITY", opts.MaxComplexity); err != nil {
		return err
	}
	if opts.MaxAliases, err = m.envInt("MVPGRAPH_MAX_ALIASES", opts.MaxAliases); err != nil {
		return err
	}
	if opts.MaxRootFields, err = m.envInt("MVPGRAPH_MAX_ROOT_FIELDS", opts.MaxRootFields); err != nil {
		return err
	}
	if opts.MaxFields, err = m.envInt("MVPGRAPH_MAX_FIELDS", opts.MaxFields); err != nil {
		return err
	}
	if opts.MaxSetFields, err = m.envInt("MVPGRAPH_MAX_SET_FIELDS", opts.MaxSetFields); err != nil {
		return err
	}
	if opts.CostBudget, err = m.envInt("MVPGRAPH_COST_BUDGET", opts.CostBudget); err != nil {
		return err
	}
	opts.CallerKey = api.TokenCaller
	if opts.MaxWebsocketOperations, err = m.envInt("MVPGRAPH_WS_MAX_OPERATIONS", opts.MaxWebsocketOperations); err != nil {
		return err
	}
	wsOpts := api.DefaultWebsocketOptions()
	if wsOpts.MaxPerToken, err = m.envInt("MVPGRAPH_WS_MAX_CONNECTIONS", wsOpts.MaxPerToken); err != nil {
		return err
	}
	if opts.TrustedProxies, err = api.ParseTrustedProxies(m.getenv("MVPGRAPH_TRUSTED_PROXIES")); err != nil {
		return fmt.Errorf("MVPGRAPH_TRUSTED_PROXIES: %w", err)
	}
	if opts.CachedBytes, err = m.envInt("MVPGRAPH_CACHED_BYTES", opts.CachedBytes); err != nil {
		return err
	}
	var cors []string
	for _, o := range strings.Split(m.getenv("MVPGRAPH_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cors = append(cors, o)
		}
	}
	opts.AllowedOrigins = cors
	opts.Introspection = m.env("MVPGRAPH_INTROSPECTION", "true") != "false"
	weights, err := mvpgraph.ParseReachWeights(m.getenv("MVPGRAPH_REACH_WEIGHTS"))
	if err != nil {
		return fmt.Errorf("MVPGRAPH_REACH_WEIGHTS: %s", mvpgraph.ErrorMessage(err))
	}
	syncCfg, err := m.syncConfig()
	if err != nil {
		return err
	}
	syncCfg.Work = !*noWorker
	kindWeights, err := mvpgraph.ParseKindWeights(m.getenv("MVPGRAPH_ACTIVITY_WEIGHTS"))
	if err != nil {
		return fmt.Errorf("MVPGRAPH_ACTIVITY_WEIGHTS: %s", mvpgraph.ErrorMessage(err))
	}
	target := mvpgraph.DefaultAnswerTarget
	if v := m.getenv("MVPGRAPH_ESCALATION_TARGET"); v != "" {
		if target, err = time.ParseDuration(v); err != nil || target <= 0 {
			return fmt.Errorf("MVPGRAPH_ESCALATION_TARGET=%q is not a positive duration, such as 72h", v)
		}
	}
	firstAnswerWeight := mvpgraph.DefaultFirstAnswerWeight
	if v := m.getenv("MVPGRAPH_FIRST_ANSWER_WEIGHT"); v != "" {
		if firstAnswerWeight, err = strconv.ParseFloat(v, 64); err != nil || firstAnswerWeight < 0 || firstAnswerWeight > 1000 {
			return fmt.Errorf("MVPGRAPH_FIRST_ANSWER_WEIGHT=%q is not a number from 0 to 1000, such as 3", v)
		}
	}
	unansweredAfter := mvpgraph.DefaultUnansweredAfter
	if v := m.getenv("MVPGRAPH_UNANSWERED_AFTER"); v != "" {
		if unansweredAfter, err = time.ParseDuration(v); err != nil || unansweredAfter <= 0 || unansweredAfter > 365*24*time.Hour {
			return fmt.Errorf("MVPGRAPH_UNANSWERED_AFTER=%q is not a duration from 1s to 8760h, such as 48h", v)
		}
	}
	rankingTTL, err := m.keepFor("MVPGRAPH_RANKING_TTL")
	if err != nil {
		return err
	}
	analyticsTTL, err := m.keepFor("MVPGRAPH_ANALYTICS_TTL")
	if err != nil {
		return err
	}
	delay := defaultShutdownDelay
	if v := m.getenv("MVPGRAPH_SHUTDOWN_DELAY"); v != "" {
		if delay, err = time.ParseDuration(v); err != nil || delay < 0 || delay > time.Minute {
			return fmt.Errorf("MVPGRAPH_SHUTDOWN_DELAY=%q is not a duration from 0s to 1m, such as 5s", v)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts.Metrics = api.NewMetrics(reg)

	s, err := m.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := m.useReplicas(ctx, s, reg); err != nil {
		return err
	}
	if *demo {
		start := time.Now()
		loaded, err := seed.Demo(ctx, s)
		if err != nil {
			return fmt.Errorf("load demo program: %w", err)
		}
		if loaded {
			m.logger.Info("loaded the demo program", "took", time.Since(start).Round(time.Millisecond))
		} else {
			m.logger.Info("the database is not empty: kept its data, did not load the demo program")
		}
	}

	syncCfg.Metrics = jobs.NewMetrics(reg, s)
	opts.WebsocketInit = api.WebsocketInit(s, wsOpts)
	runner, err := jobs.New(ctx, s, *dbURL, syncCfg)
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		_ = runner.Stop(context.Background())
		return err
	}
	workersStopped := make(chan struct{})
	stopWorkers := sync.OnceFunc(func() {
		go func() {
			defer close(workersStopped)
			if err := m.stopWorkers(runner); err != nil {
				m.logger.Warn("stopping the workers", "error", err)
			}
		}()
	})
	defer func() {
		stopWorkers()
		<-workersStopped
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if pprofAddr := m.getenv("MVPGRAPH_PPROF_ADDR"); pprofAddr != "" {
		stop, err := m.serveProfiler(pprofAddr)
		if err != nil {
			return err
		}
		defer stop()
	}
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if metricsAddr := m.getenv("MVPGRAPH_METRICS_ADDR"); metricsAddr != "" {
		stop, err := m.serveApart("MVPGRAPH_METRICS_ADDR", metricsAddr, "the metrics", "metrics", "/metrics", metrics)
		if err != nil {
			return err
		}
		defer stop()
		metrics = nil // served there only
	}
	srv := &http.Server{
		Handler:           m.logRequests(withCORS(cors, m.routes(s, opts, &resolvers.Resolver{Store: s, Sync: runner, Weights: weights, EscalationTarget: target, KindWeights: kindWeights, RankingTTL: rankingTTL, AnalyticsTTL: analyticsTTL, UnansweredAfter: unansweredAfter, FirstAnswerWeight: &firstAnswerWeight}, metrics))),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	m.logger.Info("serving", "page", "http://"+ln.Addr().String()+"/", "graphql", "http://"+ln.Addr().String()+"/graphql", "graphiql", "http://"+ln.Addr().String()+"/graphiql", "dialect", s.Dialect())
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stopping: readiness fails at once and every answer closes its
	// connection, while requests are still served for the delay that load
	// balancers need to notice; then the listener closes, idle connections
	// with it, and the requests in flight finish. The workers finish their
	// batches in hand meanwhile.
	m.stopping.Store(true)
	srv.SetKeepAlivesEnabled(false)
	stopWorkers()
	m.logger.Info("stopping: readiness fails; serving on before closing", "delay", delay)
	select {
	case <-time.After(delay):
	case err := <-errc:
		return err
	}
	m.logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), requestTimeout+5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running past their own timeout are cut off.
		_ = srv.Close()
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// tuneGC sets the collector for serving, unless GOGC or GOMEMLIMIT say
// otherwise. The server's live heap is small and nearly all it allocates is
// one request's garbage, so the default of collecting each time the heap
// doubles spends a large share of the CPU on the collector under load.
// Collecting at five times the live heap instead, with a soft limit of
// 100 MiB that makes it collect sooner as the heap nears it, keeps the
// server's resident memory within its target (bench/README.md, "Targets").
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
}

// serveProfiler serves Go's profiler (net/http/pprof) on addr, an address
// of its own that operators keep private, and returns what stops it.
func (m *Main) serveProfiler(addr string) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m.serveApart("MVPGRAPH_PPROF_ADDR", addr, "the profiler", "pprof", "/debug/pprof/", mux)
}

// serveApart serves h, what it is, on addr, an address of its own set by
// the environment variable env, logs its URL (path on it) under key, and
// returns what stops it.
func (m *Main) serveApart(env, addr, what, key, path string, h http.Handler) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", env, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	m.logger.Info("serving "+what, key, "http://"+ln.Addr().String()+path)
	return func() { _ = srv.Close() }, nil
}

// requestTimeout bounds the work of one request.
const requestTimeout = 30 * time.Second

// defaultShutdownDelay is how long serve goes on answering, unready, after
// it is asked to stop: long enough for a load balancer checking /readyz
// every few seconds to stop sending it requests.
const defaultShutdownDelay = 5 * time.Second

// routes serves the API, the pages, health checks and, unless nil, the
// metrics.
func (m *Main) routes(s *store.Store, opts api.Options, root *resolvers.Resolver, metrics http.Handler) http.Handler {
	gql := resolvers.Middleware(s, api.Authenticate(s, api.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
	mux := http.NewServeMux()
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.RawQuery == "" && strings.Contains(r.Header.Get("Accept"), "text/html") {
			// A browser opening the endpoint: GraphiQL is where to ask.
			http.Redirect(w, r, "/graphiql", http.StatusSeeOther)
			return
		}
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			// A subscription lives as long as its client stays: no request
			// timeout, and none of the server's read and write deadlines.
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
			gql.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		gql.ServeHTTP(w, r.WithContext(ctx))
	}))
	// The leads' page at /, the GraphiQL console at /graphiql: embedded,
	// loading nothing from elsewhere.
	site := web.Handler()
	mux.Handle("GET /{$}", site)
	mux.Handle("GET /graphiql", site)
	mux.Handle("GET /assets/", site)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if m.stopping.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if err := s.Ping(r.Context()); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if pending, err := s.MigrationsPending(r.Context()); err != nil || pending {
			http.Error(w, "database migrations pending", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
		// Read replicas say how they are; one left out makes the server no
		// less ready, since the primary takes its reads.
		for _, st := range s.ReplicaStates() {
			if st.Up {
				fmt.Fprintf(w, "read replica %s: up, %s behind\n", st.Name, st.Lag.Round(time.Millisecond))
			} else {
				fmt.Fprintf(w, "read replica %s: left out, %s\n", st.Name, st.Problem)
			}
		}
	})
	return mux
}

// keepFor reads how long answers are kept from the environment variable
// name: a duration, one minute when unset, zero to keep nothing.
func (m *Main) keepFor(name string) (time.Duration, error) {
	v := m.getenv(name)
	if v == "" {
		return time.Minute, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration, such as 1m (0 turns the keeping off)", name, v)
	}
	return d, nil
}

// useReplicas connects the read replicas of MVPGRAPH_READ_DATABASE_URL
// (comma-separated), bounded by MVPGRAPH_READ_MAX_LAG, and reports their
// state and lag in the metrics.
func (m *Main) useReplicas(ctx context.Context, s *store.Store, reg *prometheus.Registry) error {
	raw := m.getenv("MVPGRAPH_READ_DATABASE_URL")
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	opts := store.DefaultReplicaOptions
	if v := m.getenv("MVPGRAPH_READ_MAX_LAG"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return fmt.Errorf("MVPGRAPH_READ_MAX_LAG=%q is not a duration from 100ms to 1h, such as 5s", v)
		}
		opts.MaxLag = d
	}
	var urls []string
	for _, u := range strings.Split(raw, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if err := s.UseReplicas(ctx, urls, opts); err != nil {
		return fmt.Errorf("MVPGRAPH_READ_DATABASE_URL: %s", mvpgraph.ErrorMessage(err))
	}
	reg.MustRegister(replicaCollector{s})
	for _, st := range s.ReplicaStates() {
		m.logger.Info("read replica", "replica", st.Name, "up", st.Up, "problem", st.Problem)
	}
	return nil
}

// replicaCollector exports each read replica's state and lag.
type replicaCollector struct{ s *store.Store }

var (
	replicaUpDesc  = prometheus.NewDesc("mvpgraph_read_replica_up", "1 when the read replica serves reads, 0 when it is left out (unreachable, not a replica, or past MVPGRAPH_READ_MAX_LAG).", []string{"replica"}, nil)
	replicaLagDesc = prometheus.NewDesc("mvpgraph_read_replica_lag_seconds", "How far the read replica's replay was behind the primary at its last check.", []string{"replica"}, nil)
)

func (c replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- replicaUpDesc
	ch <- replicaLagDesc
}

func (c replicaCollector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.s.ReplicaStates() {
		up := 0.0
		if st.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(replicaUpDesc, prometheus.GaugeValue, up, st.Name)
		ch <- prometheus.MustNewConstMetric(replicaLagDesc, prometheus.GaugeValue, st.Lag.Seconds(), st.Name)
	}
}
