package store

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var platformColumns = []string{"platform", "quota_limit", "quota_remaining", "quota_reset", "paused_until", "last_run_at", "last_error"}

// unknownWindowWait is how long a request waits when the allowance is spent
// but the API never said when it comes back.
const unknownWindowWait = time.Second

func (s *Store) platformState(ctx context.Context, tx queryer, p mvpgraph.Platform, now time.Time) (mvpgraph.PlatformState, error) {
	if _, err := s.exec(ctx, tx, s.sb.Insert("platform_states").Columns("platform", "updated_at").Values(p, now).
		Suffix("ON CONFLICT (platform) DO NOTHING")); err != nil {
		return mvpgraph.PlatformState{}, err
	}
	b := s.sb.Select(platformColumns...).From("platform_states").Where(sq.Eq{"platform": p})
	if s.dialect == Postgres {
		b = b.Suffix("FOR UPDATE")
	}
	var st mvpgraph.PlatformState
	err := s.get(ctx, tx, &st, b)
	return st, err
}

// AcquireRequest takes cost units of a platform's allowance for one request,
// as every worker process shares it: it returns 0 when the request may go
// now, or how long to wait when the platform is paused or the allowance the
// API last reported is spent until its reset. Taking before sending means
// that processes together never send more than the API allows.
func (s *Store) AcquireRequest(ctx context.Context, p mvpgraph.Platform, cost int) (time.Duration, error) {
	var wait time.Duration
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		st, err := s.platformState(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if st.PausedUntil != nil && st.PausedUntil.After(now) {
			wait = st.PausedUntil.Sub(now)
			return nil
		}
		up := s.sb.Update("platform_states").Set("last_run_at", now).Set("updated_at", now).Where(sq.Eq{"platform": p})
		if st.QuotaRemaining != nil {
			remaining, reset := *st.QuotaRemaining, st.QuotaReset
			if reset != nil && !reset.After(now) {
				// The window the API spoke of is over: a fresh allowance,
				// whose reset the next answer will tell.
				reset = nil
				if st.QuotaLimit != nil {
					remaining = *st.QuotaLimit
				}
				up = up.Set("quota_reset", nil)
			}
			if remaining < cost {
				if reset != nil {
					wait = reset.Sub(now)
				} else {
					wait = unknownWindowWait
				}
				return nil
			}
			up = up.Set("quota_remaining", remaining-cost)
		}
		_, err = s.exec(ctx, tx, up)
		return err
	})
	return wait, mapError("acquire request", err)
}

// SaveQuota records what an API said of the allowance. While the window is
// the same, the lower of its count and the local one stands, since
// requests of other processes may be in flight.
func (s *Store) SaveQuota(ctx context.Context, p mvpgraph.Platform, q *mvpgraph.Quota) error {
	if q == nil {
		return nil
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		st, err := s.platformState(ctx, tx, p, now)
		if err != nil {
			return err
		}
		remaining := q.Remaining
		sameWindow := st.QuotaReset != nil && !q.Reset.IsZero() && st.QuotaReset.Equal(q.Reset.UTC().Truncate(time.Microsecond))
		if sameWindow && st.QuotaRemaining != nil && *st.QuotaRemaining < remaining {
			remaining = *st.QuotaRemaining
		}
		up := s.sb.Update("platform_states").Set("quota_remaining", remaining).Set("updated_at", now).Where(sq.Eq{"platform": p})
		if q.Limit > 0 {
			up = up.Set("quota_limit", q.Limit)
		}
		if !q.Reset.IsZero() {
			up = up.Set("quota_reset", q.Reset.UTC().Truncate(time.Microsecond))
		}
		_, err = s.exec(ctx, tx, up)
		return err
	})
	return mapError("save quota", err)
}

// PausePlatform stops requests to a platform until until (a later pause
// stands), recording why.
func (s *Store) PausePlatform(ctx context.Context, p mvpgraph.Platform, until time.Time, reason string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		st, err := s.platformState(ctx, tx, p, now)
		if err != nil {
			return err
		}
		until = until.UTC().Truncate(time.Microsecond)
		if st.PausedUntil != nil && st.PausedUntil.After(until) {
			until = *st.PausedUntil
		}
		_, err = s.exec(ctx, tx, s.sb.Update("platform_states").Set("paused_until", until).
			Set("last_error", reason).Set("updated_at", now).Where(sq.Eq{"platform": p}))
		return err
	})
	return mapError("pause platform", err)
}

// RecordPlatformError records the last failure of a platform as a whole,
// such as refused credentials; an empty message clears it.
func (s *Store) RecordPlatformError(ctx context.Context, p mvpgraph.Platform, msg string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		if _, err := s.platformState(ctx, tx, p, now); err != nil {
			return err
		}
		var v any = msg
		if msg == "" {
			v = nil
		}
		_, err := s.exec(ctx, tx, s.sb.Update("platform_states").Set("last_error", v).Set("updated_at", now).Where(sq.Eq{"platform": p}))
		return err
	})
	return mapError("record platform error", err)
}

// PlatformStates returns what is known of each platform that was ever used.
func (s *Store) PlatformStates(ctx context.Context) (map[mvpgraph.Platform]mvpgraph.PlatformState, error) {
	var rows []mvpgraph.PlatformState
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select(platformColumns...).From("platform_states")); err != nil {
		return nil, mapError("platform states", err)
	}
	out := make(map[mvpgraph.Platform]mvpgraph.PlatformState, len(rows))
	for _, r := range rows {
		out[r.Platform] = r
	}
	return out, nil
}

// AccountCount is how many accounts a platform has, and how many are due.
type AccountCount struct {
	Platform mvpgraph.Platform `db:"platform"`
	Accounts int               `db:"accounts"`
	Due      int               `db:"due"`
}

// AccountCounts counts each platform's accounts and those due by its sync
// interval.
func (s *Store) AccountCounts(ctx context.Context, intervals map[mvpgraph.Platform]time.Duration) (map[mvpgraph.Platform]AccountCount, error) {
	now := s.now()
	due := sq.Case()
	for p, iv := range intervals {
		due = due.When(sq.And{sq.Eq{"platform": p}, sq.Or{sq.Eq{"last_synced_at": nil}, sq.Lt{"last_synced_at": now.Add(-iv)}}}, "1")
	}
	due = due.Else("0")
	dueSQL, dueArgs, err := due.ToSql()
	if err != nil {
		return nil, err
	}
	var rows []AccountCount
	err = s.selectAll(ctx, s.db, &rows, s.sb.Select("platform", "COUNT(*) AS accounts").
		Column(sq.Expr("SUM(CASE WHEN status = 'FROZEN' THEN 0 ELSE "+dueSQL+" END) AS due", dueArgs...)).
		From("social_accounts").GroupBy("platform"))
	if err != nil {
		return nil, mapError("count accounts", err)
	}
	out := make(map[mvpgraph.Platform]AccountCount, len(rows))
	for _, r := range rows {
		out[r.Platform] = r
	}
	return out, nil
}
