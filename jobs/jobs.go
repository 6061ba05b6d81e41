// Package jobs keeps social reach current: River workers that sync batches
// of accounts with the platforms, and a periodic round that finds the
// accounts due and queues their batches. It is the only package that calls
// the integrations.
//
// River runs on the program's database: PostgreSQL through
// riverdatabasesql (lib/pq), SQLite through riversqlite. Several worker
// processes on one PostgreSQL cooperate: River elects one leader to run the
// periodic round, a round claims the accounts it queues (skipping those
// another holds) in the transaction that queues them, and every process
// takes its requests from the one allowance kept in the database.
//
// Which platforms sync is shared state too: each syncing process records
// the platforms it serves, with a heartbeat, and every process (API
// replicas included) reads that record, never its own environment, to say
// whether a platform is switched on. Each platform's batches go to a queue
// of their own, worked only by the processes that serve it.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"mvpgraph"
	"mvpgraph/store"
)

// Config says which platforms to sync and how.
type Config struct {
	// Sources are the clients of the platforms this process can sync. A
	// platform that no live syncing process has a client for is switched
	// off: its accounts are FROZEN, their data kept.
	Sources map[mvpgraph.Platform]mvpgraph.ReachSource
	// Intervals is how often each platform's accounts sync; DefaultInterval
	// where not given.
	Intervals map[mvpgraph.Platform]time.Duration
	// Heartbeat is how often a syncing process records the platforms it
	// serves, and how often any process reads that record again; a process
	// that has not beaten for four heartbeats is taken as gone.
	Heartbeat time.Duration
	// Round is how often the periodic round looks for accounts due.
	Round time.Duration
	// RoundSize bounds the accounts one round claims per platform.
	RoundSize int
	// Lease is how long a round's claim on an account lasts while its batch
	// waits in the queue (to start, to be tried again, or for a rate limit
	// to reset), so that no other round queues it meanwhile.
	Lease time.Duration
	// RunningLease is how long a running batch's claim lasts past its last
	// record of progress, which renews it: when the process running it
	// dies, a round takes its accounts over this soon after.
	RunningLease time.Duration
	// MaxAttempts bounds the tries of a batch that fails transiently.
	MaxAttempts int
	// Concurrency is how many batches of one platform one process syncs at
	// once.
	Concurrency int
	// RescueAfter is how long a batch may run before River takes it as
	// abandoned by a crashed process and runs it again; longer than an
	// attempt may take. By then a round has taken its accounts over.
	RescueAfter time.Duration
	// RetryBase is the first retry's backoff; later ones double.
	RetryBase time.Duration
	// Work makes the process sync; without it, it only queues (as
	// `serve --no-worker` does for refreshes).
	Work   bool
	Logger *slog.Logger
	// Metrics, when set, count batches and accounts.
	Metrics *Metrics
	// Feeds reads community spaces' feeds; nil leaves them unread.
	Feeds ActivityFeed
	// Tags reads community spaces' Stack Exchange tags; nil leaves them
	// unread.
	Tags ActivityFeed
	// FeedInterval is how often a space's feed is read.
	FeedInterval time.Duration
	// HistoryKeep is how much reach history to keep (store.KeepAll by
	// default); HistoryEvery how often a working process applies it, makes
	// the coming months' partitions, and goes on with a move of the
	// history to its partitions that is not done (hourly by default).
	HistoryKeep  store.HistoryKeep
	HistoryEvery time.Duration
}

// Defaults.
const (
	DefaultInterval    = 24 * time.Hour
	defaultRound       = time.Minute
	defaultRoundSize   = 10000
	defaultLease       = 2 * time.Hour
	defaultMaxAttempts = 5
	defaultRunning     = 2 * time.Minute
	defaultRescue      = 15 * time.Minute
	defaultHeartbeat   = 15 * time.Second
)

// heartbeatsToLive is how many heartbeats a syncing process may miss before
// its platforms count as no longer served by it.
const heartbeatsToLive = 4

func (c *Config) fill() {
	for p, src := range c.Sources {
		if src == nil {
			delete(c.Sources, p)
		}
	}
	if c.Intervals == nil {
		c.Intervals = map[mvpgraph.Platform]time.Duration{}
	}
	for _, p := range mvpgraph.Platforms {
		if c.Intervals[p] <= 0 {
			c.Intervals[p] = DefaultInterval
		}
	}
	if c.Round <= 0 {
		c.Round = defaultRound
	}
	if c.HistoryEvery <= 0 {
		c.HistoryEvery = time.Hour
	}
	if c.RoundSize <= 0 {
		c.RoundSize = defaultRoundSize
	}
	if c.Lease <= 0 {
		c.Lease = defaultLease
	}
	if c.RunningLease <= 0 {
		c.RunningLease = defaultRunning
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = defaultRescue
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = defaultHeartbeat
	}
	if c.FeedInterval <= 0 {
		c.FeedInterval = time.Hour
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Runner is the River client with mvpgraph's workers.
type Runner struct {
	cfg    Config
	store  *store.Store
	db     *sql.DB
	client *river.Client[*sql.Tx]

	// view is this process's copy of which platforms live syncing
	// processes serve.
	view struct {
		sync.Mutex
		services map[mvpgraph.Platform]store.Service // nil until read
		at       time.Time
		loading  bool
	}
	// stopBeat ends the heartbeat; beatDone is closed when it has.
	stopBeat chan struct{}
	beatDone chan struct{}
	// stopHistory ends the history's upkeep; historyDone is closed when it
	// has.
	stopHistory context.CancelFunc
	historyDone chan struct{}
}

// queueName is the River queue of a platform's batches: only the processes
// that serve the platform work it.
func queueName(p mvpgraph.Platform) string { return "sync_" + strings.ToLower(string(p)) }

// New connects River to the database at dbURL (the program's own), brings
// River's tables up to date, and builds the client. Call Start to work.
func New(ctx context.Context, s *store.Store, dbURL string, cfg Config) (*Runner, error) {
	cfg.fill()
	dialect, dsn, err := store.ParseURL(dbURL)
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, store: s}
	var driver riverdriver.Driver[*sql.Tx]
	switch dialect {
	case store.Postgres:
		if r.db, err = sql.Open("postgres", dsn); err != nil {
			return nil, err
		}
		r.db.SetMaxOpenConns(cfg.Concurrency + 4 + len(cfg.Sources))
		driver = riverdatabasesql.New(r.db)
	default:
		if r.db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, err
		}
		// River's own advice for SQLite: one connection, so that its
		// parallel operations queue instead of failing with SQLITE_BUSY.
		r.db.SetMaxOpenConns(1)
		driver = riversqlite.New(r.db)
	}
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(cfg.Logger)})
	if err != nil {
		r.db.Close()
		return nil, err
	}
	if err := migrateQueue(ctx, dialect, r.db, migrator); err != nil {
		r.db.Close()
		return nil, fmt.Errorf("migrate job queue: %w", err)
	}

	rc := &river.Config{
		Logger:               quiet(cfg.Logger),
		MaxAttempts:          cfg.MaxAttempts,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    time.Second,
		FetchCooldown:        20 * time.Millisecond,
		RetryPolicy:          retryPolicy{base: cfg.RetryBase},
	}
	if cfg.Work {
		workers := river.NewWorkers()
		river.AddWorker(workers, &syncWorker{r: r})
		river.AddWorker(workers, &roundWorker{r: r})
		river.AddWorker(workers, &ingestWorker{r: r})
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Concurrency}}
		for p := range cfg.Sources {
			rc.Queues[queueName(p)] = river.QueueConfig{MaxWorkers: cfg.Concurrency}
		}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.Round),
			func() (river.JobArgs, *river.InsertOpts) { return RoundArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})}
	}
	if r.client, err = river.NewClient(driver, rc); err != nil {
		r.db.Close()
		return nil, err
	}
	return r, nil
}

// quiet keeps River's routine logging at warnings and above.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// Start starts working when configured to: the process records the
// platforms it serves, and beats until stopped. A process that only queues
// (an API replica) changes nothing at start: which platforms sync, and
// which accounts are frozen, is for the syncing processes to say.
//
// Working goes on until Stop, whatever becomes of ctx: ending the context
// River starts with would cancel the batches in flight, abandoning calls
// whose quota is already spent, so a process stopping on a signal calls Stop
// instead, which lets them finish.
func (r *Runner) Start(ctx context.Context) error {
	if !r.cfg.Work {
		return nil
	}
	if err := r.beat(ctx); err != nil {
		return err
	}
	r.stopBeat, r.beatDone = make(chan struct{}), make(chan struct{})
	go r.beatLoop()
	var hctx context.Context
	hctx, r.stopHistory = context.WithCancel(context.WithoutCancel(ctx))
	r.historyDone = make(chan struct{})
	go r.historyLoop(hctx)
	return r.client.Start(context.WithoutCancel(ctx))
}

// services are the platforms this process serves.
func (r *Runner) services() map[mvpgraph.Platform]store.Service {
	out := make(map[mvpgraph.Platform]store.Service, len(r.cfg.Sources))
	for p, src := range r.cfg.Sources {
		out[p] = store.Service{Interval: r.cfg.Intervals[p], BatchSize: src.BatchSize()}
	}
	return out
}

func (r *Runner) beat(ctx context.Context) error {
	return r.store.Heartbeat(ctx, r.client.ID(), r.services(), heartbeatsToLive*r.cfg.Heartbeat)
}

func (r *Runner) beatLoop() {
	defer close(r.beatDone)
	t := time.NewTicker(r.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.stopBeat:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Heartbeat)
			if err := r.beat(ctx); err != nil {
				r.cfg.Logger.Warn("could not record the platforms this process syncs", "error", err)
			}
			cancel()
		}
	}
}

// Stop finishes the batches in hand and stops. When ctx ends first, the
// batches still running are cancelled and River runs them again later, in
// this process or another. The process's record of the platforms it serves
// is left to expire, so that a restart does not switch them off meanwhile.
func (r *Runner) Stop(ctx context.Context) error {
	var err error
	if r.cfg.Work {
		if err = r.client.Stop(ctx); err != nil && ctx.Err() != nil {
			cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = r.client.StopAndCancel(cancelCtx)
		}
		if r.stopBeat != nil {
			close(r.stopBeat)
			<-r.beatDone
			r.stopBeat = nil
		}
		if r.stopHistory != nil {
			r.stopHistory()
			<-r.historyDone
			r.stopHistory = nil
		}
	}
	return errors.Join(err, r.db.Close())
}

// Serves reports whether this process syncs a platform.
func (r *Runner) Serves(p mvpgraph.Platform) bool {
	_, ok := r.cfg.Sources[p]
	return ok
}

// Enabled reports whether a platform syncs: whether a live syncing process,
// this one or another, serves it.
func (r *Runner) Enabled(p mvpgraph.Platform) bool {
	_, ok := r.served()[p]
	return ok
}

// Interval returns how often a platform's accounts sync: as the processes
// that serve it do, or as this process is configured when none does.
func (r *Runner) Interval(p mvpgraph.Platform) time.Duration {
	if svc, ok := r.served()[p]; ok {
		return svc.Interval
	}
	return r.cfg.Intervals[p]
}

// Intervals returns every platform's sync interval.
func (r *Runner) Intervals() map[mvpgraph.Platform]time.Duration {
	out := make(map[mvpgraph.Platform]time.Duration, len(mvpgraph.Platforms))
	for _, p := range mvpgraph.Platforms {
		out[p] = r.Interval(p)
	}
	return out
}

// served returns which platforms live syncing processes serve, as last
// read: read now the first time, then again in the background once the
// copy is a heartbeat old. When the record cannot be read, the last copy
// stands (none: nothing is served).
func (r *Runner) served() map[mvpgraph.Platform]store.Service {
	r.view.Lock()
	services, at, loading := r.view.services, r.view.at, r.view.loading
	stale := services == nil || time.Since(at) > r.cfg.Heartbeat
	if stale && !loading {
		r.view.loading = true
	}
	r.view.Unlock()
	switch {
	case services == nil:
		services = r.readView()
		if services == nil {
			return map[mvpgraph.Platform]store.Service{}
		}
	case stale && !loading:
		go r.readView()
	}
	return services
}

// readView reads the record of served platforms into the view, and returns
// it (nil when it could not be read).
func (r *Runner) readView() map[mvpgraph.Platform]store.Service {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	services, err := r.store.ServedPlatforms(ctx)
	if err != nil {
		r.cfg.Logger.Warn("could not read which platforms are served", "error", err)
	}
	r.setView(services)
	return services
}

// setView stores a reading of the served platforms; nil only ends a read.
func (r *Runner) setView(services map[mvpgraph.Platform]store.Service) {
	r.view.Lock()
	defer r.view.Unlock()
	r.view.loading = false
	if services != nil {
		r.view.services, r.view.at = services, time.Now()
	}
}

// Round brings each platform's accounts in line with the record of served
// platforms, and queues those due. A platform that a live syncing process
// serves has its frozen accounts thawed, and its accounts due claimed and
// queued, in batches as large as its API takes, at the shortest interval
// its processes sync at; one that none serves has its active accounts
// frozen. While a platform's allowance is spent, nothing more of it is
// queued: the batches put off until the reset, which hold the accounts
// that waited longest, go first then. It returns how many accounts it
// queued.
func (r *Runner) Round(ctx context.Context) (int, error) {
	served, err := r.store.ServedPlatforms(ctx)
	if err != nil {
		return 0, err
	}
	r.setView(served)
	states, err := r.store.PlatformStates(ctx)
	if err != nil {
		return 0, err
	}
	now := r.store.Now()
	total := 0
	var errs []error
	for _, p := range mvpgraph.Platforms {
		svc, ok := served[p]
		if !ok {
			n, err := r.store.FreezePlatform(ctx, p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
			} else if n > 0 {
				r.cfg.Logger.InfoContext(ctx, "no process syncs the platform: accounts frozen, their data kept", "platform", p, "accounts", n)
			}
			continue
		}
		if n, err := r.store.ThawPlatform(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		} else if n > 0 {
			r.cfg.Logger.InfoContext(ctx, "the platform syncs again: accounts thawed", "platform", p, "accounts", n)
		}
		if allowanceSpent(states[p], now) {
			continue
		}
		n, err := r.store.ClaimDue(ctx, p, svc.Interval, r.cfg.RoundSize, r.cfg.Lease, r.enqueue(p, jobSize(svc.BatchSize)))
		if err != nil {
			// One platform's trouble does not stop the others.
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		total += n
	}
	return total, errors.Join(errs...)
}

// allowanceSpent reports whether a platform can take no request before its
// window resets or its pause ends.
func allowanceSpent(st mvpgraph.PlatformState, now time.Time) bool {
	if st.PausedUntil != nil && st.PausedUntil.After(now) {
		return true
	}
	return st.QuotaRemaining != nil && *st.QuotaRemaining <= 0 && st.QuotaReset != nil && st.QuotaReset.After(now)
}

// Refresh queues an immediate sync of the given accounts, those of
// platforms a live syncing process serves.
func (r *Runner) Refresh(ctx context.Context, accountIDs []int64) (int, error) {
	served := r.served()
	platforms := make([]mvpgraph.Platform, 0, len(served))
	for p := range served {
		platforms = append(platforms, p)
	}
	return r.store.ClaimAccounts(ctx, accountIDs, platforms, r.cfg.Lease, func(ctx context.Context, tx *sql.Tx, claim string, accounts []mvpgraph.SocialAccount) error {
		byPlatform := map[mvpgraph.Platform][]mvpgraph.SocialAccount{}
		for _, a := range accounts {
			byPlatform[a.Platform] = append(byPlatform[a.Platform], a)
		}
		for p, as := range byPlatform {
			if err := r.enqueue(p, jobSize(served[p].BatchSize))(ctx, tx, claim, as); err != nil {
				return err
			}
		}
		return nil
	})
}

// jobAccounts is the least number of accounts one job carries: platforms
// whose API takes one account a call still sync a hundred per job, so that
// the queue's own work per account stays small.
const jobAccounts = 100

// jobSize is how many accounts of a platform one job carries: what one call
// takes, or jobAccounts when that is fewer.
func jobSize(batch int) int {
	return max(batch, jobAccounts)
}

// enqueue queues accounts of platform p in jobs of size on the platform's
// queue, inside the claiming transaction; each job carries the claim.
func (r *Runner) enqueue(p mvpgraph.Platform, size int) store.Enqueue {
	return func(ctx context.Context, tx *sql.Tx, claim string, accounts []mvpgraph.SocialAccount) error {
		var params []river.InsertManyParams
		for start := 0; start < len(accounts); start += size {
			batch := accounts[start:min(start+size, len(accounts))]
			args := SyncArgs{Platform: p, Claim: claim}
			for _, a := range batch {
				args.AccountIDs = append(args.AccountIDs, a.ID)
			}
			params = append(params, river.InsertManyParams{Args: args, InsertOpts: &river.InsertOpts{Queue: queueName(p)}})
		}
		_, err := r.client.InsertManyTx(ctx, tx, params)
		return err
	}
}

// retryPolicy retries transient failures with exponential backoff and full
// jitter: up to base, 2 base, 4 base ... after each attempt, at most 10
// minutes.
type retryPolicy struct{ base time.Duration }

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(backoff(p.base, job.Attempt))
}

func backoff(base time.Duration, attempt int) time.Duration {
	d := min(base<<min(max(attempt-1, 0), 10), 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// queueMigrationLock is the PostgreSQL advisory lock held while River's
// tables are migrated.
const queueMigrationLock int64 = 0x6d7670_7175657565 // "mvp" "queue"

// migrateQueue brings River's tables up to date when processes start
// together on one database (API replicas, workers, a server and a worker on
// one SQLite file): River's migrations create types, tables and indexes,
// which two processes at once fail to do. On PostgreSQL the processes take
// turns under an advisory lock. SQLite has no lock that outlives a
// transaction, and River migrates one version per transaction, so a process
// that fails because another got there first reads the versions again and
// goes on from there.
func migrateQueue(ctx context.Context, dialect store.Dialect, db *sql.DB, m *rivermigrate.Migrator[*sql.Tx]) error {
	if dialect == store.Postgres {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", queueMigrationLock); err != nil {
			return err
		}
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", queueMigrationLock)
		}()
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	}
	var err error
	for attempt := range 5 {
		if _, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
	return err
}
