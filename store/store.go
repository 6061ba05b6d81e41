// Package store keeps the program in PostgreSQL or SQLite through sqlx. The
// SQL is portable; where the dialects differ (placeholders, case-insensitive
// matching, error codes) the Store asks its dialect. Each dialect has its
// own embedded goose migrations. Row structs and SQL stay inside this
// package: callers see domain types and mvpgraph errors.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // also registers "postgres"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers "sqlite"

	"mvpgraph"
)

//go:embed migrations
var migrations embed.FS

// Dialect names a supported database.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store is the program's storage. It is safe for concurrent use.
type Store struct {
	db       *sqlx.DB
	prepared *prepared
	replicas *replicaSet // nil without read replicas
	history  *historyState
	dialect  Dialect
	sb       sq.StatementBuilderType
	now      func() time.Time
}

// ParseURL returns the dialect and driver data source of a database URL:
// postgres://... (or postgresql://...) or sqlite:PATH (sqlite::memory: for a
// private in-memory database).
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", mvpgraph.Errorf(mvpgraph.EINVALID, "database URL is not a valid URL: %v", redactURLError(err))
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", mvpgraph.Errorf(mvpgraph.EINVALID, "database URL %q names no file; use sqlite:PATH, such as sqlite:mvpgraph.db", raw)
		}
		path, query, _ := strings.Cut(path, "?")
		// Foreign keys are off in SQLite unless asked for; busy_timeout lets
		// writers queue (for 10 s, unless the URL says otherwise);
		// immediate transactions take the write lock up front so that two
		// writers never deadlock upgrading a read lock.
		params := url.Values{}
		params.Add("_pragma", "foreign_keys(1)")
		if !strings.Contains(query, "busy_timeout") {
			params.Add("_pragma", "busy_timeout(10000)")
		}
		params.Add("_pragma", "case_sensitive_like(1)")
		params.Add("_txlock", "immediate")
		if path != ":memory:" {
			params.Add("_pragma", "journal_mode(WAL)")
			params.Add("_pragma", "synchronous(NORMAL)")
		}
		dsn := "file:" + path + "?" + params.Encode()
		if query != "" {
			dsn += "&" + query
		}
		return SQLite, dsn, nil
	}
	return "", "", mvpgraph.Errorf(mvpgraph.EINVALID, "database URL must start with postgres:// or sqlite: (such as sqlite:mvpgraph.db)")
}

// redactURLError drops the URL, which may hold a password, from a parse error.
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "malformed"
}

// Option changes how a Store is opened.
type Option func(*Store)

// WithClock makes the store read the time from now: the timestamps it
// writes and the current award year. Tests use it to fix the year.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	}
}

// WithClock returns a store on the same database that reads the time from
// now: what it writes is stamped as of then.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	WithClock(now)(&c)
	return &c
}

// Open connects to the database at rawURL and checks that it answers. It
// does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var db *sqlx.DB
	if dialect == Postgres {
		db, err = openPostgres(dsn)
	} else {
		db, err = sqlx.Open(string(dialect), dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	s := &Store{db: db, prepared: newPrepared(db, preparedLimit), history: &historyState{}, dialect: dialect, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	for _, o := range opts {
		o(s)
	}
	switch dialect {
	case Postgres:
		s.sb = sq.StatementBuilder.PlaceholderFormat(sq.Dollar)
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
	case SQLite:
		s.sb = sq.StatementBuilder.PlaceholderFormat(sq.Question)
		if strings.Contains(dsn, ":memory:") {
			// Each connection would otherwise open its own empty database.
			db.SetMaxOpenConns(1)
		} else {
			db.SetMaxOpenConns(8)
		}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.replicas != nil {
		s.replicas.close()
	}
	s.prepared.close()
	return s.db.Close()
}

// Dialect returns the database in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers. Pooled connections that died
// since their last use, as all of them do when the database restarts or
// fails over, are dropped one by one until one answers or a new one is
// made, so that dead connections do not fail the check while the database
// is up.
func (s *Store) Ping(ctx context.Context) error {
	var err error
	for range s.db.Stats().OpenConnections + 1 {
		if err = s.db.PingContext(ctx); err == nil || !connectionLost(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (s *Store) migrationFS() (fs.FS, goose.Dialect) {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	if s.dialect == Postgres {
		return sub, goose.DialectPostgres
	}
	return sub, goose.DialectSQLite3
}

func (s *Store) migrator() (*goose.Provider, error) {
	fsys, dialect := s.migrationFS()
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		// Replicas starting together take turns: one migrates, the others
		// then find nothing to do.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		opts = append(opts, goose.WithGoMigrations(sqliteGoMigrations()...))
	}
	return goose.NewProvider(dialect, s.db.DB, fsys, opts...)
}

// Migrate applies every pending migration and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	p, err := s.migrator()
	if err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	// Identities stored before people were (or by a program that stopped
	// midway) get their people now.
	if err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.placePeople(ctx, tx, mvpgraph.Principal{Name: "migration"}) }); err != nil {
		return len(res), fmt.Errorf("migrate: place people: %w", err)
	}
	if err := s.fillSummary(ctx); err != nil {
		return len(res), fmt.Errorf("migrate: fill the program summary: %w", err)
	}
	if err := s.fillCells(ctx); err != nil {
		return len(res), fmt.Errorf("migrate: count the spaces' months and days: %w", err)
	}
	if err := s.moveSmallHistory(ctx); err != nil {
		return len(res), fmt.Errorf("migrate: move reach history to its partitions: %w", err)
	}
	return len(res), nil
}

// MigrationsPending reports whether the database lags behind the migrations
// built into this program.
func (s *Store) MigrationsPending(ctx context.Context) (bool, error) {
	p, err := s.migrator()
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}

// counterKey carries a statement counter in a context.
type counterKey struct{}

// WithStatementCounter returns a context in which the store counts the SQL
// statements it runs; StatementCount reads the count. A context that
// already counts keeps its counter.
func WithStatementCounter(ctx context.Context) context.Context {
	if _, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		return ctx
	}
	return context.WithValue(ctx, counterKey{}, new(atomic.Int64))
}

// StatementCount returns the statements run so far in a context made by
// WithStatementCounter, or 0.
func StatementCount(ctx context.Context) int64 {
	if c, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		return c.Load()
	}
	return 0
}

func count(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		c.Add(1)
	}
}

// queryer is a *sqlx.DB or a *sqlx.Tx.
type queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *Store) get(ctx context.Context, q queryer, dest any, b sq.Sqlizer) error {
	query, args, err := b.ToSql()
	if err != nil {
		return err
	}
	return s.read(ctx, q, query, dest,
		func(st *sqlx.Stmt) error { return st.GetContext(ctx, dest, args...) },
		func(q queryer) error { return q.GetContext(ctx, dest, query, args...) })
}

func (s *Store) selectAll(ctx context.Context, q queryer, dest any, b sq.Sqlizer) error {
	query, args, err := b.ToSql()
	if err != nil {
		return err
	}
	return s.read(ctx, q, query, dest,
		func(st *sqlx.Stmt) error { return st.SelectContext(ctx, dest, args...) },
		func(q queryer) error { return q.SelectContext(ctx, dest, query, args...) })
}

// read runs a statement that returns rows through q. Outside a
// transaction, it runs prepared (see prepared), and on a read replica when
// ctx may read from one (see PreferReplica); what a replica fails for
// being gone, behind its recovery, or read-only runs on the primary.
func (s *Store) read(ctx context.Context, q queryer, query string, dest any, prepared func(*sqlx.Stmt) error, plain func(queryer) error) error {
	if q != queryer(s.db) {
		return s.run(ctx, q, query, dest, func() error { return plain(q) })
	}
	withClause := strings.HasPrefix(strings.TrimSpace(query), "WITH")
	if !isRead(query) && !withClause {
		s.wrote(ctx) // an INSERT ... RETURNING
	}
	if s.replicas != nil && (isRead(query) || withClause) {
		if r := s.replicas.pick(ctx); r != nil {
			err := s.onPool(ctx, r.db, r.prepared, query, dest, prepared, plain)
			if err == nil || ctx.Err() != nil {
				return err
			}
			var pe *pq.Error
			switch {
			case errors.As(err, &pe) && pe.Code == "25006": // a write, in a replica's read-only transaction
				s.wrote(ctx)
			case fromReplica(err):
				r.leftOut(err)
			default:
				return err
			}
			v := reflect.ValueOf(dest).Elem()
			v.Set(reflect.Zero(v.Type()))
		}
	}
	return s.onPool(ctx, s.db, s.prepared, query, dest, prepared, plain)
}

// onPool runs a read on a pool, prepared once its shape is seen twice.
func (s *Store) onPool(ctx context.Context, db *sqlx.DB, p *prepared, query string, dest any, prepared func(*sqlx.Stmt) error, plain func(queryer) error) error {
	if e := p.acquire(ctx, query); e != nil {
		defer p.release(e)
		return s.run(ctx, db, query, dest, func() error { return prepared(e.stmt) })
	}
	return s.run(ctx, db, query, dest, func() error { return plain(db) })
}

func (s *Store) exec(ctx context.Context, q queryer, b sq.Sqlizer) (sql.Result, error) {
	query, args, err := b.ToSql()
	if err != nil {
		return nil, err
	}
	count(ctx)
	s.wrote(ctx)
	res, err := q.ExecContext(ctx, query, args...)
	return res, unavailable(ctx, err)
}

// wrote records a write by ctx's caller, whose reads then go to the
// primary for a while (see PreferReplica).
func (s *Store) wrote(ctx context.Context) {
	if s.replicas != nil {
		s.replicas.wroteNow(ctx)
	}
}

// insertID runs an INSERT ... RETURNING id.
func (s *Store) insertID(ctx context.Context, q queryer, b sq.InsertBuilder) (int64, error) {
	var id int64
	err := s.get(ctx, q, &id, b.Suffix("RETURNING id"))
	return id, err
}

// lockMember takes the row lock of a member for the rest of the
// transaction, so that rules read from the member (an employee is never
// awarded) still hold when the transaction commits. Every transaction that
// changes awards locks the member first, then the award, so they queue
// rather than deadlock. SQLite transactions are already exclusive.
func (s *Store) lockMember(ctx context.Context, tx queryer, id int64) error {
	if s.dialect != Postgres {
		return nil
	}
	var got []int64
	return s.selectAll(ctx, tx, &got, s.sb.Select("id").From("members").Where(sq.Eq{"id": id}).Suffix("FOR UPDATE"))
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	count(ctx)
	s.wrote(ctx)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return unavailable(ctx, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return unavailable(ctx, err)
	}
	count(ctx)
	return unavailable(ctx, tx.Commit())
}

// Now returns the store's clock reading, for timestamps it writes.
func (s *Store) Now() time.Time { return s.now() }

// in matches col against a list of IDs. PostgreSQL gets the list as one
// array parameter, so that every length shares one prepared statement and
// its plan; SQLite gets a parameter per ID.
func (s *Store) in(col string, ids []int64) sq.Sqlizer {
	if s.dialect == Postgres {
		return sq.Expr(col+" = ANY(?)", pq.Array(ids))
	}
	return sq.Eq{col: ids}
}
