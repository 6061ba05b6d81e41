package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"

	"github.com/lib/pq"
	"modernc.org/sqlite"

	"mvpgraph"
)

// connectionLost reports whether err says that the database could not be
// reached or that the connection broke: the database restarted, failed
// over, or cut the session, or the network between dropped it. The
// statement may not have run; on another connection it may well succeed.
func connectionLost(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"53300": // too_many_connections
			return true
		}
		return pe.Code.Class() == "08" // connection_exception
	}
	return false
}

// SQLite's primary result codes for a database another connection holds.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// busy reports whether err is SQLite giving up on a lock another
// connection held past the busy timeout.
func busy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff // the primary code of an extended one
		return c == sqliteBusy || c == sqliteLocked
	}
	return false
}

// unavailable marks err, a database that cannot answer now, as
// EUNAVAILABLE, keeping the driver's error for the log; it returns other
// errors as they are. A request that ran out of time stays a timeout.
func unavailable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var me *mvpgraph.Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case connectionLost(err):
		return fmt.Errorf("%w: %w", mvpgraph.Errorf(mvpgraph.EUNAVAILABLE, "The database could not be reached; try again in a few seconds."), err)
	case busy(err):
		return fmt.Errorf("%w: %w", mvpgraph.Errorf(mvpgraph.EUNAVAILABLE, "The database is busy with other changes; try again in a few seconds."), err)
	}
	return err
}

// isRead reports whether query only reads. A statement that starts with
// SELECT changes nothing; one that starts with WITH may, through its
// common table expressions, so it is not taken for a read.
func isRead(query string) bool {
	query = strings.TrimSpace(query)
	return len(query) >= 6 && strings.EqualFold(query[:6], "SELECT")
}

// run runs a statement through do. A read outside a transaction whose
// connection was lost runs again: database/sql retries only a connection
// the driver found bad before sending, not one cut while the answer was on
// its way. Whatever cut it (a restart, a failover, a network fault) may
// have cut the pool's idle connections too, and the next try takes one of
// them; a connection lost is dropped from the pool, so the read runs at
// most once more per idle connection and once on a new one. dest, a
// pointer to a slice or a value, is emptied before each, since a lost
// attempt may have scanned part of the answer into it. What still fails
// for want of a database is EUNAVAILABLE.
func (s *Store) run(ctx context.Context, q queryer, query string, dest any, do func() error) error {
	count(ctx)
	err := do()
	if err == nil || q != queryer(s.db) || !isRead(query) {
		return unavailable(ctx, err)
	}
	for tries := s.db.Stats().Idle + 1; tries > 0 && connectionLost(err) && ctx.Err() == nil; tries-- {
		v := reflect.ValueOf(dest).Elem()
		v.Set(reflect.Zero(v.Type()))
		count(ctx)
		err = do()
	}
	return unavailable(ctx, err)
}
