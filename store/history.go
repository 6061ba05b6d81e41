package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"mvpgraph"
)

// Reach history on PostgreSQL is partitioned by month (migration 00021):
// reach_snapshots is the parent of a table per month, named by
// historyPartition, and of reach_snapshots_default, which takes a row of a
// month that has no table yet until one is made. A database that held
// snapshots before that migration keeps them in the unpartitioned table
// until MoveHistory has moved them to the partitioned one, reach_history
// meanwhile. SQLite keeps one table; retention applies to both.

// historyDefault is the partition of rows whose month has no table.
const historyDefault = "reach_snapshots_default"

// historyPartition names the table of month's snapshots.
func historyPartition(month time.Time) string {
	return fmt.Sprintf("reach_snapshots_y%04dm%02d", month.Year(), int(month.Month()))
}

// partitionMonth reads the month back from a partition's name.
func partitionMonth(name string) (time.Time, bool) {
	var y, m int
	if _, err := fmt.Sscanf(name, "reach_snapshots_y%04dm%02d", &y, &m); err != nil || m < 1 || m > 12 {
		return time.Time{}, false
	}
	month := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return month, historyPartition(month) == name
}

// monthOf returns the first day of t's month in UTC.
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// historyState is what a store has learnt of its history's tables.
type historyState struct {
	mu     sync.Mutex
	months map[string]bool // partitions known to exist
	moved  bool            // the move to the partitioned table is done
}

func (h *historyState) known(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.months[name]
}

func (h *historyState) mark(names []string, exist bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.months == nil {
		h.months = map[string]bool{}
	}
	for _, n := range names {
		if exist {
			h.months[n] = true
		} else {
			delete(h.months, n)
		}
	}
}

// historyParent returns the partitioned table the months belong to:
// reach_snapshots, or reach_history while a move is under way.
func (s *Store) historyParent(ctx context.Context, q queryer) (string, error) {
	s.history.mu.Lock()
	moved := s.history.moved
	s.history.mu.Unlock()
	if moved {
		return "reach_snapshots", nil
	}
	var done bool
	if err := q.GetContext(ctx, &done, "SELECT finished_at IS NOT NULL FROM history_move"); err != nil {
		return "", fmt.Errorf("read the history move: %w", err)
	}
	if !done {
		return "reach_history", nil
	}
	s.history.mu.Lock()
	s.history.moved = true
	s.history.mu.Unlock()
	return "reach_snapshots", nil
}

// HistoryMovePending reports whether snapshots stored before reach history
// was partitioned are still to be moved (always false on SQLite).
func (s *Store) HistoryMovePending(ctx context.Context) (bool, error) {
	if s.dialect != Postgres {
		return false, nil
	}
	parent, err := s.historyParent(ctx, s.db)
	return parent != "reach_snapshots", err
}

// ensureMonths makes the partitions of months that do not exist yet, in
// tx, moving into each the rows of its month that wait in the default
// partition. It returns the partitions made, known to exist once tx
// commits. Concurrent callers take turns on an advisory lock.
func (s *Store) ensureMonths(ctx context.Context, tx *sqlx.Tx, months []time.Time) ([]string, error) {
	if s.dialect != Postgres {
		return nil, nil
	}
	var want []time.Time
	for _, m := range months {
		if !s.history.known(historyPartition(m)) {
			want = append(want, monthOf(m))
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	parent, err := s.historyParent(ctx, tx)
	if err != nil {
		return nil, err
	}
	count(ctx)
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reach history partitions'))"); err != nil {
		return nil, err
	}
	var made, found []string
	for _, m := range want {
		name := historyPartition(m)
		var exists bool
		count(ctx)
		if err := tx.GetContext(ctx, &exists, "SELECT to_regclass($1) IS NOT NULL", name); err != nil {
			return nil, err
		}
		if exists {
			found = append(found, name)
			continue
		}
		from, to := m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly)
		for _, q := range []string{
			"CREATE TABLE " + name + " (LIKE " + parent + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
			"WITH waiting AS (DELETE FROM " + historyDefault + " WHERE day >= '" + from + "' AND day < '" + to + "' RETURNING *) INSERT INTO " + name + " SELECT * FROM waiting",
			"ALTER TABLE " + parent + " ATTACH PARTITION " + name + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')",
		} {
			count(ctx)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("make the history partition %s: %w", name, err)
			}
		}
		made = append(made, name)
	}
	s.history.mark(found, true)
	return made, nil
}

// historyAhead are the months whose partitions are kept ready: the last
// one, this one and the next two.
func (s *Store) historyAhead() []time.Time {
	m := monthOf(s.now())
	return []time.Time{m.AddDate(0, -1, 0), m, m.AddDate(0, 1, 0), m.AddDate(0, 2, 0)}
}

// prepareMonths makes the partitions of months in a transaction of its own.
func (s *Store) prepareMonths(ctx context.Context, months []time.Time) error {
	if s.dialect != Postgres {
		return nil
	}
	var made []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		made, err = s.ensureMonths(ctx, tx, months)
		return err
	})
	if err == nil {
		s.history.mark(made, true)
	}
	return err
}

// moveAtOnce is the most snapshots Migrate moves to the partitioned table
// itself; a larger history is moved by MoveHistory, in the background of a
// worker or by the migrate command.
var moveAtOnce int64 = 100_000

// moveSmallHistory moves a history of at most moveAtOnce snapshots, and so
// finishes the move at once on a new or small database.
func (s *Store) moveSmallHistory(ctx context.Context) error {
	pending, err := s.HistoryMovePending(ctx)
	if err != nil {
		return err
	}
	if !pending {
		return s.prepareMonths(ctx, s.historyAhead())
	}
	var n int64
	if err := s.db.GetContext(ctx, &n, "SELECT count(*) FROM (SELECT 1 FROM reach_snapshots LIMIT $1) r", moveAtOnce+1); err != nil {
		return err
	}
	if n > moveAtOnce {
		return nil
	}
	_, err = s.MoveHistory(ctx, MoveBatch, nil)
	return err
}

// MoveBatch is how many snapshots each of MoveHistory's transactions moves
// by default: a few tenths of a second of work.
const MoveBatch = 10_000

// swapWait bounds how long the move's last transaction waits for the old
// table's lock, which queues every reader behind it while it waits; on
// timeout it is tried again later.
const swapWait = "3s"

// MoveHistory moves the snapshots of the unpartitioned reach_snapshots to
// the partitioned table in transactions of batch rows each, in key order,
// recording after each where it got to; a move stopped by ctx, or by a
// crash, resumes there. Reads keep using the old table, to which every
// write goes too, until the end, when one short transaction drops it and
// gives the new table its name. progress, when not nil, hears the rows
// moved so far after each batch. It returns whether the move is done: not
// when another process is moving, or the old table was too busy to drop.
func (s *Store) MoveHistory(ctx context.Context, batch int, progress func(moved int64)) (bool, error) {
	if pending, err := s.HistoryMovePending(ctx); err != nil || !pending {
		return err == nil, err
	}
	if batch < 1 {
		return false, mvpgraph.Invalidf("batch", "a move's batch must hold at least one row; got %d.", batch)
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var mine bool
	const key = "hashtext(current_schema() || '.reach history move')"
	if err := conn.GetContext(ctx, &mine, "SELECT pg_try_advisory_lock("+key+")"); err != nil {
		return false, err
	}
	if !mine {
		return false, nil
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")") }()
	if err := s.prepareMonths(ctx, s.historyAhead()); err != nil {
		return false, err
	}
	for {
		var at struct {
			Account int64
			Moved   int64
			Done    bool
		}
		// Read as text, a day of '-infinity' (before the first row) comes
		// back to the statements as it went out.
		var day string
		if err := conn.QueryRowxContext(ctx, "SELECT after_account, after_day::text, moved, finished_at IS NOT NULL FROM history_move").
			Scan(&at.Account, &day, &at.Moved, &at.Done); err != nil {
			return false, err
		}
		if at.Done {
			return true, nil
		}
		const next = "SELECT * FROM reach_snapshots WHERE (account_id, day) > ($1, $2::date) ORDER BY account_id, day LIMIT $3"
		var months []time.Time
		if err := conn.SelectContext(ctx, &months, "SELECT DISTINCT date_trunc('month', day)::date FROM ("+next+") b", at.Account, day, batch); err != nil {
			return false, err
		}
		if len(months) == 0 {
			done, err := s.finishMove(ctx, at.Account, day)
			if err == nil && done {
				s.history.mu.Lock()
				s.history.moved = true
				s.history.mu.Unlock()
			}
			return done, err
		}
		if err := s.prepareMonths(ctx, months); err != nil {
			return false, err
		}
		var moved int64
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			// FOR SHARE holds the batch's rows against a change until it
			// commits; the change then reaches the new table through the
			// trigger, after the batch's copy, which therefore never
			// outlives it. A row the trigger copied first stays.
			var last struct {
				N       int64          `db:"n"`
				Account sql.NullInt64  `db:"account_id"`
				Day     sql.NullString `db:"day"`
			}
			if err := tx.GetContext(ctx, &last, `WITH b AS (`+next+` FOR SHARE),
				copied AS (INSERT INTO reach_history SELECT * FROM b ON CONFLICT (account_id, day) DO NOTHING)
				SELECT (SELECT count(*) FROM b) AS n, l.account_id, l.day::text AS day
				FROM (SELECT 1) one LEFT JOIN (SELECT account_id, day FROM b ORDER BY account_id DESC, day DESC LIMIT 1) l ON true`,
				at.Account, day, batch); err != nil {
				return err
			}
			if last.N == 0 {
				return nil
			}
			moved = at.Moved + last.N
			_, err := tx.ExecContext(ctx, "UPDATE history_move SET after_account = $1, after_day = $2::date, moved = $3", last.Account.Int64, last.Day.String, moved)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("move reach history: %w", err)
		}
		if progress != nil && moved > 0 {
			progress(moved)
		}
	}
}

// finishMove drops the old table and names the partitioned one in its
// place, in one transaction that waits at most swapWait for the old
// table; it reports false when it gave up waiting.
func (s *Store) finishMove(ctx context.Context, afterAccount int64, afterDay string) (bool, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			"SET LOCAL lock_timeout = '" + swapWait + "'",
			"LOCK TABLE reach_snapshots IN ACCESS EXCLUSIVE MODE",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		// Rows written past the last batch since it ran are in the new
		// table through the trigger; copying them again changes nothing,
		// and makes the swap safe whatever happened meanwhile.
		if _, err := tx.ExecContext(ctx, "INSERT INTO reach_history SELECT * FROM reach_snapshots WHERE (account_id, day) > ($1, $2::date) ON CONFLICT (account_id, day) DO NOTHING", afterAccount, afterDay); err != nil {
			return err
		}
		for _, q := range []string{
			"DROP TABLE reach_snapshots",
			"DROP FUNCTION reach_history_mirror()",
			"ALTER TABLE reach_history RENAME TO reach_snapshots",
			"ALTER INDEX reach_history_pkey RENAME TO reach_snapshots_pkey",
			"ALTER TABLE reach_snapshots RENAME CONSTRAINT reach_history_account_id_fkey TO reach_snapshots_account_id_fkey",
			"UPDATE history_move SET finished_at = now()",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("finish moving reach history: %w", err)
	}
	return true, nil
}

// HistoryKeep says how much reach history to keep: every day of the last
// Daily months; then, to Total months back, the first snapshot of each
// week (from Monday) of each account; nothing older. Months count back
// from the current one, which is always kept whole: Daily 13 keeps this
// month and the 13 before it. Daily 0 keeps all; Total 0 with Daily set
// keeps the weekly snapshots for ever.
type HistoryKeep struct {
	Daily int
	Total int
}

// KeepAll is the default: every snapshot kept.
var KeepAll = HistoryKeep{}

// All reports whether k keeps every snapshot.
func (k HistoryKeep) All() bool { return k.Daily == 0 }

func (k HistoryKeep) String() string {
	switch {
	case k.All():
		return "all"
	case k.Total == 0:
		return strconv.Itoa(k.Daily) + "mo,all"
	case k.Total == k.Daily:
		return strconv.Itoa(k.Daily) + "mo"
	}
	return strconv.Itoa(k.Daily) + "mo," + strconv.Itoa(k.Total) + "mo"
}

// ParseHistoryKeep reads a retention setting: "all"; a length, such as
// "24mo" or "2y", to keep every snapshot of that many months and drop
// older ones; or two, such as "13mo,5y", every snapshot of the first
// length and a snapshot a week to the second, or "13mo,all" a snapshot a
// week of all older months.
func ParseHistoryKeep(field, v string) (HistoryKeep, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || v == "all" {
		return KeepAll, nil
	}
	bad := func(why string) (HistoryKeep, error) {
		return KeepAll, mvpgraph.Invalidf(field, "%q %s; use all, a length such as 24mo or 2y (every snapshot for that long, nothing older), or two such as 13mo,5y (every snapshot for the first, one a week to the second; all for ever).", v, why)
	}
	daily, weekly, two := strings.Cut(v, ",")
	months := func(s string) (int, bool) {
		s = strings.TrimSpace(s)
		unit := 1
		switch {
		case strings.HasSuffix(s, "mo"):
			s = strings.TrimSuffix(s, "mo")
		case strings.HasSuffix(s, "y"):
			s, unit = strings.TrimSuffix(s, "y"), 12
		default:
			return 0, false
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1200 {
			return 0, false
		}
		return n * unit, true
	}
	d, ok := months(daily)
	if !ok {
		return bad("does not start with a length of 1 to 1200 months in mo or y")
	}
	k := HistoryKeep{Daily: d, Total: d}
	if !two {
		return k, nil
	}
	if strings.TrimSpace(weekly) == "all" {
		k.Total = 0
		return k, nil
	}
	if k.Total, ok = months(weekly); !ok {
		return bad("has a second part that is neither all nor a length of 1 to 1200 months in mo or y")
	}
	if k.Total < k.Daily {
		return bad("keeps less in all than day by day: the second length must not be shorter than the first")
	}
	return k, nil
}

// HistoryKept is what KeepHistory did.
type HistoryKept struct {
	Dropped []string // months dropped whole, YYYY-MM
	Thinned []string // months thinned to a snapshot a week, YYYY-MM
	Deleted int64    // snapshots deleted other than by dropping a month
}

// KeepHistory makes the coming months' partitions, and applies keep:
// drops the months past its end (on PostgreSQL, their tables) and thins
// those past its daily part, once each. It does nothing to the history
// while a move is under way.
func (s *Store) KeepHistory(ctx context.Context, keep HistoryKeep) (HistoryKept, error) {
	var out HistoryKept
	if s.dialect == Postgres {
		if pending, err := s.HistoryMovePending(ctx); err != nil || pending {
			return out, err
		}
		// The coming months, and those of rows waiting in the default
		// partition (written for a month no one had made ready).
		var waiting []time.Time
		if err := s.db.SelectContext(ctx, &waiting, "SELECT DISTINCT date_trunc('month', day)::date FROM "+historyDefault); err != nil {
			return out, mapError("read the default history partition", err)
		}
		if err := s.prepareMonths(ctx, append(s.historyAhead(), waiting...)); err != nil {
			return out, mapError("make history partitions", err)
		}
	}
	if keep.All() {
		return out, nil
	}
	now := monthOf(s.now())
	dailyFrom := now.AddDate(0, -keep.Daily, 0)
	var keepFrom time.Time // zero: weekly for ever
	if keep.Total > 0 {
		keepFrom = now.AddDate(0, -keep.Total, 0)
	}
	if !keepFrom.IsZero() {
		if err := s.dropBefore(ctx, keepFrom, &out); err != nil {
			return out, mapError("drop old history", err)
		}
	}
	if err := s.thinBefore(ctx, keepFrom, dailyFrom, &out); err != nil {
		return out, mapError("thin old history", err)
	}
	return out, nil
}

// dropBefore deletes the snapshots of months before from: on PostgreSQL
// by dropping their partitions, the default partition's rows by delete.
func (s *Store) dropBefore(ctx context.Context, from time.Time, out *HistoryKept) error {
	day := from.Format(time.DateOnly)
	if s.dialect != Postgres {
		res, err := s.exec(ctx, s.db, s.sb.Delete("reach_snapshots").Where(sq.Lt{"day": day}))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		out.Deleted += n
		_, err = s.exec(ctx, s.db, s.sb.Delete("history_thinned").Where(sq.Lt{"month": day}))
		return err
	}
	months, err := s.historyMonths(ctx)
	if err != nil {
		return err
	}
	for _, m := range months {
		if !m.Before(from) {
			break
		}
		name := historyPartition(m)
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			for _, q := range []string{"SET LOCAL lock_timeout = '" + swapWait + "'", "DROP TABLE " + name} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "DELETE FROM history_thinned WHERE month = $1", m)
			return err
		})
		if err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		s.history.mark([]string{name}, false)
		out.Dropped = append(out.Dropped, m.Format("2006-01"))
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM "+historyDefault+" WHERE day < $1", day)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	out.Deleted += n
	return nil
}

// historyMonths returns the months of reach_snapshots' partitions on
// PostgreSQL, oldest first.
func (s *Store) historyMonths(ctx context.Context) ([]time.Time, error) {
	var names []string
	if err := s.db.SelectContext(ctx, &names, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'reach_snapshots'::regclass`); err != nil {
		return nil, err
	}
	var months []time.Time
	for _, name := range names {
		if m, ok := partitionMonth(name); ok {
			months = append(months, m)
		}
	}
	slices.SortFunc(months, time.Time.Compare)
	return months, nil
}

// firstHistoryMonth returns the month of the oldest snapshot kept: on
// PostgreSQL the oldest partition's, from the catalogue instead of a scan
// of every snapshot (KeepHistory has first moved the rows waiting in the
// default partition to theirs); on SQLite, from the snapshots.
func (s *Store) firstHistoryMonth(ctx context.Context) (time.Time, bool, error) {
	if s.dialect == Postgres {
		months, err := s.historyMonths(ctx)
		if err != nil || len(months) == 0 {
			return time.Time{}, false, err
		}
		return months[0], true, nil
	}
	var first sql.NullString
	if err := s.get(ctx, s.db, &first, s.sb.Select("MIN(day)").From("reach_snapshots")); err != nil || !first.Valid {
		return time.Time{}, false, err
	}
	start, err := time.Parse(time.DateOnly, first.String)
	return monthOf(start), err == nil, err
}

// thinBefore keeps, in each month from keepFrom (zero: the first) up to
// dailyFrom not thinned yet, only the first snapshot of each account's
// week, one month a transaction.
func (s *Store) thinBefore(ctx context.Context, keepFrom, dailyFrom time.Time, out *HistoryKept) error {
	start, ok, err := s.firstHistoryMonth(ctx)
	if err != nil || !ok {
		return err
	}
	if start.Before(keepFrom) {
		start = keepFrom
	}
	var done []string
	if err := s.selectAll(ctx, s.db, &done, s.sb.Select(s.monthText("month")).From("history_thinned")); err != nil {
		return err
	}
	sort.Strings(done)
	weekStart := "date_trunc('week', s.day)::date"
	if s.dialect != Postgres {
		weekStart = "date(s.day, '-6 days', 'weekday 1')"
	}
	for m := start; m.Before(dailyFrom); m = m.AddDate(0, 1, 0) {
		label := m.Format("2006-01")
		if i := sort.SearchStrings(done, label); i < len(done) && done[i] == label {
			continue
		}
		from, to := m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly)
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			res, err := s.exec(ctx, tx, s.sb.Delete("reach_snapshots AS s").
				Where(sq.GtOrEq{"s.day": from}).Where(sq.Lt{"s.day": to}).
				Where("EXISTS (SELECT 1 FROM reach_snapshots t WHERE t.account_id = s.account_id AND t.day >= "+weekStart+" AND t.day < s.day)"))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			out.Deleted += n
			_, err = s.exec(ctx, tx, s.sb.Insert("history_thinned").Columns("month", "thinned_at").Values(from, s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("thin %s: %w", label, err)
		}
		out.Thinned = append(out.Thinned, label)
	}
	return nil
}

// monthText reads a DATE column of a month's first day as YYYY-MM.
func (s *Store) monthText(col string) string {
	if s.dialect == Postgres {
		return "to_char(" + col + ", 'YYYY-MM')"
	}
	return "substr(" + col + ", 1, 7)"
}
