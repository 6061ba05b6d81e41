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
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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
	// Sources are the enabled platforms' clients. A platform without one is
	// switched off: its accounts are FROZEN, their data kept.
	Sources map[mvpgraph.Platform]mvpgraph.ReachSource
	// Intervals is how often each platform's accounts sync; DefaultInterval
	// where not given.
	Intervals map[mvpgraph.Platform]time.Duration
	// Round is how often the periodic round looks for accounts due.
	Round time.Duration
	// RoundSize bounds the accounts one round claims per platform.
	RoundSize int
	// Lease is how long a round's claim on an account lasts; longer than any
	// batch takes, so that no other round fetches it meanwhile.
	Lease time.Duration
	// MaxAttempts bounds the tries of a batch that fails transiently.
	MaxAttempts int
	// Concurrency is how many batches one process syncs at once.
	Concurrency int
	// RescueAfter is how long a batch may run before River takes it as
	// abandoned by a crashed process and runs it again.
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
}

// Defaults.
const (
	DefaultInterval    = 24 * time.Hour
	defaultRound       = time.Minute
	defaultRoundSize   = 10000
	defaultLease       = 2 * time.Hour
	defaultMaxAttempts = 5
	defaultRescue      = time.Hour
)

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
	if c.RoundSize <= 0 {
		c.RoundSize = defaultRoundSize
	}
	if c.Lease <= 0 {
		c.Lease = defaultLease
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
}

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
		r.db.SetMaxOpenConns(cfg.Concurrency + 4)
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

// Start freezes the accounts of switched-off platforms (and thaws those of
// platforms switched back on), then starts working when configured to.
func (r *Runner) Start(ctx context.Context) error {
	for _, p := range mvpgraph.Platforms {
		_, enabled := r.cfg.Sources[p]
		n, err := r.store.SetPlatformFrozen(ctx, p, !enabled)
		if err != nil {
			return err
		}
		if n > 0 && !enabled {
			r.cfg.Logger.Info("platform switched off: accounts frozen, their data kept", "platform", p, "accounts", n)
		}
	}
	if !r.cfg.Work {
		return nil
	}
	return r.client.Start(ctx)
}

// Stop finishes the batches in hand and stops. When ctx ends first, the
// batches still running are cancelled and River runs them again later, in
// this process or another.
func (r *Runner) Stop(ctx context.Context) error {
	var err error
	if r.cfg.Work {
		if err = r.client.Stop(ctx); err != nil && ctx.Err() != nil {
			cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = r.client.StopAndCancel(cancelCtx)
		}
	}
	return errors.Join(err, r.db.Close())
}

// Enabled reports whether a platform syncs.
func (r *Runner) Enabled(p mvpgraph.Platform) bool {
	_, ok := r.cfg.Sources[p]
	return ok
}

// Interval returns how often a platform's accounts sync.
func (r *Runner) Interval(p mvpgraph.Platform) time.Duration { return r.cfg.Intervals[p] }

// Intervals returns every platform's sync interval.
func (r *Runner) Intervals() map[mvpgraph.Platform]time.Duration { return r.cfg.Intervals }

// Round claims the accounts due on every enabled platform and queues them in
// batches as large as each API takes. It returns how many accounts it
// queued.
func (r *Runner) Round(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, p := range mvpgraph.Platforms {
		src, ok := r.cfg.Sources[p]
		if !ok {
			continue
		}
		n, err := r.store.ClaimDue(ctx, p, r.cfg.Intervals[p], r.cfg.RoundSize, r.cfg.Lease, r.enqueue(jobSize(src)))
		if err != nil {
			// One platform's trouble does not stop the others.
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		total += n
	}
	return total, errors.Join(errs...)
}

// Refresh queues an immediate sync of the given accounts.
func (r *Runner) Refresh(ctx context.Context, accountIDs []int64) (int, error) {
	return r.store.ClaimAccounts(ctx, accountIDs, r.cfg.Lease, func(ctx context.Context, tx *sql.Tx, accounts []mvpgraph.SocialAccount) error {
		byPlatform := map[mvpgraph.Platform][]mvpgraph.SocialAccount{}
		for _, a := range accounts {
			byPlatform[a.Platform] = append(byPlatform[a.Platform], a)
		}
		for p, as := range byPlatform {
			size := jobAccounts
			if src, ok := r.cfg.Sources[p]; ok {
				size = jobSize(src)
			}
			if err := r.enqueue(size)(ctx, tx, as); err != nil {
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
func jobSize(src mvpgraph.ReachSource) int {
	return max(src.BatchSize(), jobAccounts)
}

// enqueue queues accounts of one platform in jobs of size, inside the
// claiming transaction.
func (r *Runner) enqueue(size int) store.Enqueue {
	return func(ctx context.Context, tx *sql.Tx, accounts []mvpgraph.SocialAccount) error {
		var params []river.InsertManyParams
		for start := 0; start < len(accounts); start += size {
			batch := accounts[start:min(start+size, len(accounts))]
			args := SyncArgs{Platform: batch[0].Platform}
			for _, a := range batch {
				args.AccountIDs = append(args.AccountIDs, a.ID)
			}
			params = append(params, river.InsertManyParams{Args: args})
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
