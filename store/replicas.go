package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"mvpgraph"
)

// Read replicas take the reads of API requests off the primary: a
// request's context marked with PreferReplica reads from a replica that
// is up and within the lag bound; writes, transactions, the workers' reads
// and a caller's reads for a while after their own write go to the
// primary, so that nobody misses their own change. A replica that lags
// past the bound or fails is left out until a check finds it well again;
// with none left, reads go to the primary.

// ReplicaOptions configure read replicas.
type ReplicaOptions struct {
	// MaxLag is how far behind the primary a replica may be and still
	// serve reads.
	MaxLag time.Duration
	// CheckEvery is how often each replica's state and lag are read.
	CheckEvery time.Duration
}

// DefaultReplicaOptions bound the lag at 5 s, checked every second.
var DefaultReplicaOptions = ReplicaOptions{MaxLag: 5 * time.Second, CheckEvery: time.Second}

// ReplicaState is what the last check found of a replica.
type ReplicaState struct {
	// Name is the replica's host, port and database, without credentials.
	Name string
	// Up says it serves reads: it answered, is a replica, and is within
	// the lag bound.
	Up bool
	// Lag is how far behind the primary it was; 0 when caught up.
	Lag time.Duration
	// Problem says why it is left out, when it is.
	Problem   string
	CheckedAt time.Time
}

type replica struct {
	name     string
	db       *sqlx.DB
	prepared *prepared
	state    atomic.Pointer[ReplicaState]
	// caughtUp is when a check last found it had replayed all the
	// primary had written; only the checks touch it.
	caughtUp time.Time
}

type replicaSet struct {
	primary *sqlx.DB
	list    []*replica
	opts    ReplicaOptions
	next    atomic.Uint64
	stop    context.CancelFunc
	done    chan struct{}

	mu     sync.Mutex
	wrote  map[string]time.Time // caller → their last write
	pruned time.Time
}

// preferReplicaKey marks a context whose reads may go to a replica.
type preferReplicaKey struct{}

// PreferReplica marks ctx as a request whose reads may be served by a
// read replica: the API's requests. Unmarked contexts (the workers, the
// command line) read from the primary.
func PreferReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, preferReplicaKey{}, true)
}

// onPrimary makes ctx read from the primary, whatever it preferred.
func onPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, preferReplicaKey{}, false)
}

// UseReplicas connects to the read replicas at urls (PostgreSQL only),
// checks them once, and keeps checking them until Close. A replica that
// cannot be reached now is left out until it can.
func (s *Store) UseReplicas(ctx context.Context, urls []string, opts ReplicaOptions) error {
	if len(urls) == 0 {
		return nil
	}
	if s.dialect != Postgres {
		return mvpgraph.Errorf(mvpgraph.EINVALID, "read replicas are PostgreSQL's; the database is %s. Unset MVPGRAPH_READ_DATABASE_URL.", s.dialect)
	}
	if opts.MaxLag <= 0 {
		opts.MaxLag = DefaultReplicaOptions.MaxLag
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = DefaultReplicaOptions.CheckEvery
	}
	rs := &replicaSet{primary: s.db, opts: opts, wrote: map[string]time.Time{}, done: make(chan struct{})}
	for _, raw := range urls {
		d, dsn, err := ParseURL(strings.TrimSpace(raw))
		if err != nil {
			rs.close()
			return err
		}
		if d != Postgres {
			rs.close()
			return mvpgraph.Errorf(mvpgraph.EINVALID, "a read replica is a PostgreSQL database (postgres://...); %s is not.", replicaName(raw))
		}
		db, err := openPostgres(dsn)
		if err != nil {
			rs.close()
			return fmt.Errorf("open read replica %s: %w", replicaName(raw), err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		r := &replica{name: replicaName(raw), db: db, prepared: newPrepared(db, preparedLimit)}
		r.state.Store(&ReplicaState{Name: r.name, Problem: "not checked yet"})
		rs.list = append(rs.list, r)
	}
	rs.check(ctx)
	checkCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rs.stop = cancel
	go rs.keepChecking(checkCtx)
	s.replicas = rs
	return nil
}

// ReplicaStates returns what the last checks found of each read replica,
// in the order configured; none without replicas.
func (s *Store) ReplicaStates() []ReplicaState {
	if s.replicas == nil {
		return nil
	}
	out := make([]ReplicaState, len(s.replicas.list))
	for i, r := range s.replicas.list {
		out[i] = *r.state.Load()
	}
	return out
}

// replicaName is a database URL's host, port and database, without its
// credentials or parameters.
func replicaName(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "a malformed URL"
	}
	return u.Host + u.Path
}

func (rs *replicaSet) keepChecking(ctx context.Context) {
	defer close(rs.done)
	t := time.NewTicker(rs.opts.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rs.check(ctx)
		}
	}
}

// check reads each replica's state: that it is in recovery, and how far
// its replay is behind the primary's WAL position read just before. A
// replica that has replayed up to that position is caught up, whatever
// the time of its last replayed transaction (an idle primary sends none).
// One behind lags by the time since the last transaction it replayed, or
// since a check last found it caught up, whichever is shorter: what it
// lacks was written after then.
func (rs *replicaSet) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, max(rs.opts.CheckEvery, 2*time.Second))
	defer cancel()
	var lsn string
	primaryErr := rs.primary.GetContext(cctx, &lsn, "SELECT pg_current_wal_lsn()::text")
	for _, r := range rs.list {
		st := &ReplicaState{Name: r.name, CheckedAt: time.Now()}
		var row struct {
			Recovering bool     `db:"recovering"`
			CaughtUp   *bool    `db:"caught_up"`
			Behind     *float64 `db:"behind"`
		}
		var err error
		if primaryErr != nil {
			err = rs.replicaOnly(cctx, r, &row)
		} else {
			err = r.db.GetContext(cctx, &row, `SELECT pg_is_in_recovery() AS recovering,
  pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up,
  EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS behind`, lsn)
		}
		switch {
		case err != nil:
			st.Problem = "unreachable: " + redactError(err)
		case !row.Recovering:
			st.Problem = "not a replica: it is not in recovery (promoted, or a primary)"
		case row.CaughtUp != nil && *row.CaughtUp:
			st.Up = true
			r.caughtUp = st.CheckedAt
		case row.Behind == nil && r.caughtUp.IsZero():
			st.Problem = "has replayed nothing yet"
		default:
			st.Lag = st.CheckedAt.Sub(r.caughtUp)
			if row.Behind != nil && (r.caughtUp.IsZero() || time.Duration(*row.Behind*float64(time.Second)) < st.Lag) {
				st.Lag = time.Duration(max(*row.Behind, 0) * float64(time.Second))
			}
			st.Up = st.Lag <= rs.opts.MaxLag
			if !st.Up {
				st.Problem = fmt.Sprintf("lags %s behind the primary, past the bound of %s", st.Lag.Round(time.Millisecond), rs.opts.MaxLag)
			}
		}
		r.state.Store(st)
	}
}

// replicaOnly reads a replica's state when the primary cannot say its
// position: its lag is then the time since its last replayed transaction.
func (rs *replicaSet) replicaOnly(ctx context.Context, r *replica, row any) error {
	return r.db.GetContext(ctx, row, `SELECT pg_is_in_recovery() AS recovering, NULL::bool AS caught_up,
  EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS behind`)
}

// redactError keeps a connection error's message without the URL.
func redactError(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		msg = msg[:i] + "..."
	}
	return msg
}

// ownWritesFor is how long a caller's reads go to the primary after their
// write: long enough for any replica within the bound, checked as often
// as it is, to have replayed it.
func (rs *replicaSet) ownWritesFor() time.Duration { return rs.opts.MaxLag + 2*rs.opts.CheckEvery }

// callerKey names who wrote: the token, or the name acted as.
func callerKey(ctx context.Context) string {
	p := mvpgraph.PrincipalFrom(ctx)
	switch {
	case p.TokenID != 0:
		return fmt.Sprintf("token %d", p.TokenID)
	case p.Name != "":
		return "name " + p.Name
	}
	return ""
}

// wrote records that the caller of ctx has written.
func (rs *replicaSet) wroteNow(ctx context.Context) {
	key := callerKey(ctx)
	if key == "" {
		return
	}
	now := time.Now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.wrote[key] = now
	if now.Sub(rs.pruned) > time.Minute {
		for k, at := range rs.wrote {
			if now.Sub(at) > rs.ownWritesFor() {
				delete(rs.wrote, k)
			}
		}
		rs.pruned = now
	}
}

// pick returns the replica to read from for ctx, or nil for the primary:
// replicas that are up in turn, for a context marked PreferReplica whose
// caller has not written lately.
func (rs *replicaSet) pick(ctx context.Context) *replica {
	if ok, _ := ctx.Value(preferReplicaKey{}).(bool); !ok {
		return nil
	}
	if key := callerKey(ctx); key != "" {
		rs.mu.Lock()
		at, ok := rs.wrote[key]
		rs.mu.Unlock()
		if ok && time.Since(at) < rs.ownWritesFor() {
			return nil
		}
	}
	n := len(rs.list)
	start := int(rs.next.Add(1))
	for i := range n {
		r := rs.list[(start+i)%n]
		if r.state.Load().Up {
			return r
		}
	}
	return nil
}

// leftOut takes a replica out of reads until the next check finds it up.
func (r *replica) leftOut(err error) {
	r.state.Store(&ReplicaState{Name: r.name, Problem: "failed a read: " + redactError(err), CheckedAt: time.Now()})
}

func (rs *replicaSet) close() {
	if rs.stop != nil {
		rs.stop()
		<-rs.done
	}
	for _, r := range rs.list {
		r.prepared.close()
		_ = r.db.Close()
	}
}

// fromReplica reports whether a failed read on a replica should be asked
// of the primary instead: the replica is gone, or cancelled the read for
// a conflict with its recovery.
func fromReplica(err error) bool {
	if connectionLost(err) {
		return true
	}
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code.Class() == "57")
}
