package store

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var platformColumns = []string{"platform", "quota_limit", "quota_remaining", "quota_reset", "late_grants", "paused_until", "last_run_at", "last_error", "probe_until", "unmetered"}

// unknownWindowWait is how long a request waits when the allowance is spent
// but the API never said when it comes back.
const unknownWindowWait = time.Second

// probeLease is how long the probe, the one request sent before a platform
// has said its allowance, may be in flight before it is given up for lost
// (its process may have died) and another may go: longer than any call
// takes.
const probeLease = time.Minute

// probeWait is how long a request waits for the probe's answer before
// asking again.
const probeWait = 200 * time.Millisecond

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

// windowGuard is how close to a window's reset a request may be sent and
// still be sure to reach the API inside the window. Requests granted later
// may land in either window, so they count against both.
const windowGuard = 250 * time.Millisecond

// Grant is a number of requests taken from a platform's allowance.
type Grant struct {
	// N is how many requests may be sent.
	N int
	// Until is when they must have been sent; zero when they may go any
	// time (they count against the next window already). Requests left at
	// Until are dropped and taken anew.
	Until time.Time
	// Wait, when N is 0, is how long to wait before asking again.
	Wait time.Duration
	// Probe: the one request that may go while nothing is known of the
	// allowance. Its answer is to be saved at once (SaveQuota), or, when it
	// says nothing of the allowance, reported (EndProbe).
	Probe bool
}

// AcquireRequests takes up to want requests of a platform's allowance, as
// every worker process shares it. It grants all of them when nothing limits,
// fewer when the allowance the API last reported runs short, and none, with
// how long to wait, when the platform is paused or the allowance is spent
// until its reset. While nothing is known of the allowance, all processes
// together have one request in flight, the probe, whose answer tells the
// rest; a platform that answers without saying any allowance is not
// limited. Taking before sending means that processes together never send
// more than the API allows.
func (s *Store) AcquireRequests(ctx context.Context, p mvpgraph.Platform, want int) (Grant, error) {
	var g Grant
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		st, err := s.platformState(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if st.PausedUntil != nil && st.PausedUntil.After(now) {
			g.Wait = st.PausedUntil.Sub(now)
			return nil
		}
		up := s.sb.Update("platform_states").Set("last_run_at", now).Set("updated_at", now).Where(sq.Eq{"platform": p})
		if st.QuotaRemaining == nil {
			if st.Unmetered {
				g.N = want
				_, err = s.exec(ctx, tx, up)
				return err
			}
			return s.probe(ctx, tx, up, st, now, &g)
		}
		remaining, reset, late := *st.QuotaRemaining, st.QuotaReset, st.LateGrants
		if reset != nil && !reset.After(now) {
			// The window the API spoke of is over: a fresh allowance, less
			// what was granted too close to the old reset to be sure it
			// landed there. The next answer tells the new reset.
			reset = nil
			late = 0
			up = up.Set("quota_reset", nil).Set("late_grants", 0)
			if st.QuotaLimit == nil {
				// No limit was ever said: nothing is known of the new
				// window, so probe again.
				st.LateGrants, st.ProbeUntil = 0, nil
				return s.probe(ctx, tx, s.sb.Update("platform_states").Set("last_run_at", now).Set("updated_at", now).
					Set("quota_reset", nil).Set("quota_remaining", nil).Where(sq.Eq{"platform": p}), st, now, &g)
			}
			remaining = *st.QuotaLimit - st.LateGrants
		}
		switch {
		case reset != nil && now.After(reset.Add(-windowGuard)) && st.QuotaLimit != nil:
			// Too close to the reset to know which window the request lands
			// in: it takes from both.
			g.N = min(want, remaining, *st.QuotaLimit-late)
			if g.N > 0 {
				up = up.Set("quota_remaining", remaining-g.N).Set("late_grants", late+g.N)
			} else {
				g.Wait = reset.Sub(now)
			}
		default:
			g.N = min(want, remaining)
			if g.N > 0 {
				up = up.Set("quota_remaining", remaining-g.N)
				if reset != nil {
					g.Until = reset.Add(-windowGuard)
				}
			} else if reset != nil {
				g.Wait = reset.Sub(now)
			} else {
				g.Wait = unknownWindowWait
			}
		}
		if g.N <= 0 {
			g.N = 0
			return nil
		}
		_, err = s.exec(ctx, tx, up)
		return err
	})
	return g, mapError("acquire requests", err)
}

// probe grants the one request that may be in flight while nothing is
// known of the allowance, or says how long to wait for its answer. Probes
// count until the first answer, which may not include those given up for
// lost.
func (s *Store) probe(ctx context.Context, tx queryer, up sq.UpdateBuilder, st mvpgraph.PlatformState, now time.Time, g *Grant) error {
	if st.ProbeUntil != nil && st.ProbeUntil.After(now) {
		g.Wait = min(st.ProbeUntil.Sub(now), probeWait)
		return nil
	}
	g.N, g.Probe = 1, true
	_, err := s.exec(ctx, tx, up.Set("late_grants", st.LateGrants+1).Set("probe_until", now.Add(probeLease)))
	return err
}

// EndProbe reports that the probe ended without the API saying anything of
// the allowance: answered (the platform is then taken as not limited), or
// failed, when another request may probe.
func (s *Store) EndProbe(ctx context.Context, p mvpgraph.Platform, answered bool) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		st, err := s.platformState(ctx, tx, p, now)
		if err != nil {
			return err
		}
		up := s.sb.Update("platform_states").Set("probe_until", nil).Set("updated_at", now).Where(sq.Eq{"platform": p})
		if answered && st.QuotaRemaining == nil {
			up = up.Set("unmetered", true).Set("late_grants", 0)
		}
		_, err = s.exec(ctx, tx, up)
		return err
	})
	return mapError("end probe", err)
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
		// While the window is the one the store counts in (or the store has
		// just rolled over and not yet heard the new reset), the lower count
		// stands: requests of other workers may still be in flight.
		remaining := q.Remaining
		reset := q.Reset.UTC().Truncate(time.Microsecond)
		if !q.Reset.IsZero() && (!reset.After(now) || (st.QuotaReset != nil && reset.Before(*st.QuotaReset))) {
			// An answer from a window that is over by now says nothing of
			// the current one; a probe's ends the probe all the same.
			if st.ProbeUntil == nil {
				return nil
			}
			_, err := s.exec(ctx, tx, s.sb.Update("platform_states").Set("probe_until", nil).Set("updated_at", now).Where(sq.Eq{"platform": p}))
			return err
		}
		current := st.QuotaReset == nil || q.Reset.IsZero() || st.QuotaReset.Equal(reset)
		up := s.sb.Update("platform_states").Set("updated_at", now).Set("probe_until", nil).Set("unmetered", false).Where(sq.Eq{"platform": p})
		switch {
		case st.QuotaRemaining == nil:
			// The first answer, the probe's, counts the probe itself; probes
			// given up for lost before it may not be in it.
			remaining = max(0, remaining-max(st.LateGrants-1, 0))
			up = up.Set("late_grants", 0)
		case current && *st.QuotaRemaining < remaining:
			remaining = *st.QuotaRemaining
		case !current && st.QuotaReset.Before(reset):
			// The answer comes from a window the store has not rolled into
			// yet: the requests granted near the old reset count here, and
			// some may not have landed.
			remaining = max(0, remaining-st.LateGrants)
			up = up.Set("late_grants", 0)
		}
		up = up.Set("quota_remaining", remaining)
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
