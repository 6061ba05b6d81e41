package store

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
)

// PreparedLimit is how many statements a store keeps prepared.
const PreparedLimit = preparedLimit

// OneConnection makes the store use a single database connection, so that
// what the database holds for its session is the store's whole state.
func (s *Store) OneConnection() { s.db.SetMaxOpenConns(1) }

// KeepPrepared makes the store keep at most n statements prepared.
func (s *Store) KeepPrepared(n int) {
	s.prepared.close()
	s.prepared = newPrepared(s.db, n)
}

// PreparedKept returns how many statements the store keeps prepared.
func (s *Store) PreparedKept() int {
	s.prepared.mu.Lock()
	defer s.prepared.mu.Unlock()
	return s.prepared.cache.Len()
}

// AddShape runs a read of its own text for each k: arg + k.
func (s *Store) AddShape(ctx context.Context, k int, arg int64) (int64, error) {
	var out int64
	err := s.get(ctx, s.db, &out, s.sb.Select().Column(fmt.Sprintf("CAST(? AS bigint) + %d", k), arg))
	return out, err
}

// CountServerPrepared reads how many prepared statements the PostgreSQL
// session holds (with OneConnection, the store's only session).
func (s *Store) CountServerPrepared(ctx context.Context, n *int) error {
	return s.db.GetContext(ctx, n, "SELECT count(*) FROM pg_prepared_statements")
}

// SetActivityScoreForTest stores score on an activity as it is, past any
// check, as data stored before the check would be.
func SetActivityScoreForTest(ctx context.Context, s *Store, spaceID int64, externalID string, score float64) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE activities SET score = ? WHERE space_id = ? AND external_id = ?"), score, spaceID, externalID)
	return err
}

// MigrateDownTo reverts the migrations above version.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.migrator()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	s.history.mu.Lock()
	s.history.months, s.history.moved = nil, false
	s.history.mu.Unlock()
	return err
}

// SlowRead runs a read that takes the given seconds on PostgreSQL and
// answers 1.
func (s *Store) SlowRead(ctx context.Context, seconds float64) (int64, error) {
	var out int64
	err := s.get(ctx, s.db, &out, s.sb.Select().Column(sq.Expr("(SELECT 1 FROM pg_sleep(?))", seconds)))
	return out, err
}

// OpenConnections returns how many connections the store's pool holds.
func (s *Store) OpenConnections() int { return s.db.Stats().OpenConnections }

// PauseReplay pauses a replica's replay of the primary's WAL; ResumeReplay
// resumes it. Run on a store of the replica.
func (s *Store) PauseReplay(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "SELECT pg_wal_replay_pause()")
	return err
}

// ResumeReplay resumes a replica's replay.
func (s *Store) ResumeReplay(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "SELECT pg_wal_replay_resume()")
	return err
}

// ExecForTest runs a statement as it is, with ? placeholders, to put the
// database in a state an earlier version or another program left.
func (s *Store) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(query), args...)
	return err
}

// GetForTest reads one row of a statement as it is, with ? placeholders.
func (s *Store) GetForTest(ctx context.Context, dest any, query string, args ...any) error {
	return s.db.QueryRowxContext(ctx, s.db.Rebind(query), args...).Scan(dest)
}

// SelectForTest reads the rows of a statement as it is.
func (s *Store) SelectForTest(ctx context.Context, dest any, query string, args ...any) error {
	return s.db.SelectContext(ctx, dest, s.db.Rebind(query), args...)
}
