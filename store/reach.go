package store

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

// growthJoin joins each account a to its snapshot b on the growth
// window's first day (bound to its placeholder). A ranking of many
// accounts reads that day's snapshots as one slice: a daily sync writes
// them together, and on PostgreSQL a BRIN index on the day of the month's
// partition finds them.
const growthJoin = "reach_snapshots b ON b.account_id = a.id AND b.day = ?"

// growthExpr is an account's change in followers since its first snapshot
// on or after the window's first day (bound to both its placeholders): the
// newest reading minus that day's (b), or, for an account without one (its
// sync missed the day, or it was linked later), minus its first snapshot
// after; 0 without either. An account whose newest snapshot is no later
// than the window's first day (its sync stopped before the window) has
// none after, and is not searched for one.
const growthExpr = `COALESCE(a.followers - CASE WHEN b.account_id IS NOT NULL THEN b.followers
	WHEN a.last_snapshot_day <= ? THEN NULL ELSE
	(SELECT g.followers FROM reach_snapshots g WHERE g.account_id = a.id AND g.day > ? ORDER BY g.day LIMIT 1) END, 0)`

// growthOf is an expression over growthExpr, written with %s where it
// goes (such as "SUM(%s) AS growth"), with the window's first day bound to
// both its placeholders.
func growthOf(format, sinceDay string) sq.Sqlizer {
	return sq.Expr(fmt.Sprintf(format, growthExpr), sinceDay, sinceDay)
}

// FollowerGrowth returns each account's change in followers since the first
// snapshot on or after day sinceDay (YYYY-MM-DD).
func (s *Store) FollowerGrowth(ctx context.Context, accountIDs []int64, sinceDay string) (map[int64]int64, error) {
	var rows []struct {
		ID     int64 `db:"id"`
		Growth int64 `db:"growth"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("a.id").Column(growthOf("%s AS growth", sinceDay)).
		From("social_accounts a").LeftJoin(growthJoin, sinceDay).Where(s.in("a.id", accountIDs)))
	if err != nil {
		return nil, mapError("follower growth", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Growth
	}
	return out, nil
}

// LeaderboardQuery selects and orders a reach ranking.
type LeaderboardQuery struct {
	ExpertiseID *int64             // members with an active award in it
	Country     *string            // ISO code
	LeadID      *int64             // the lead's MVPs by the lead rule
	Platform    *mvpgraph.Platform // count only accounts on it
	IsMVP       *bool              // holding an active award, or not
	ByGrowth    bool               // order by growth instead of followers
	SinceDay    string             // start of the growth window
	Offset      int
	Limit       int
}

// LeaderRow is a member's place in a ranking.
type LeaderRow struct {
	MemberID  int64 `db:"member_id"`
	Followers int64 `db:"followers"`
	Growth    int64 `db:"growth"`
}

func (s *Store) leaderboardBase(q LeaderboardQuery) (sq.SelectBuilder, error) {
	b := s.sb.Select().From("members m").Join("social_accounts a ON a.member_id = m.id")
	if q.Platform != nil {
		b = b.Where(sq.Eq{"a.platform": *q.Platform})
	}
	if q.Country != nil {
		c, err := mvpgraph.NormalizeCountry("where.country", *q.Country)
		if err != nil {
			return b, err
		}
		b = b.Where(sq.Eq{"m.country": c})
	}
	if q.IsMVP != nil {
		if *q.IsMVP {
			b = b.Where(isMVPExpr)
		} else {
			b = b.Where("NOT " + isMVPExpr)
		}
	}
	if q.ExpertiseID != nil {
		b = b.Where(sq.Expr("EXISTS (SELECT 1 FROM awards ea WHERE ea.member_id = m.id AND ea.status = 'ACTIVE' AND ea.expertise_id = ?)", *q.ExpertiseID))
	}
	if q.LeadID != nil {
		ph, args := s.inArgs([]int64{*q.LeadID})
		b = b.Where(sq.Expr("m.id IN (SELECT lr.member_id FROM ("+leadRule(true, ph)+") lr)", append(args, args...)...))
	}
	return b, nil
}

// Leaderboard returns one page of members ranked by the sum of their
// accounts' followers, or of their growth, with the member ID breaking ties.
func (s *Store) Leaderboard(ctx context.Context, q LeaderboardQuery) ([]LeaderRow, error) {
	b, err := s.leaderboardBase(q)
	if err != nil {
		return nil, err
	}
	order := "followers DESC"
	if q.ByGrowth {
		order = "growth DESC"
	}
	b = b.Column("m.id AS member_id").Column("COALESCE(SUM(a.followers), 0) AS followers").
		Column(growthOf("SUM(%s) AS growth", q.SinceDay)).LeftJoin(growthJoin, q.SinceDay).
		GroupBy("m.id").OrderBy(order, "m.id").Offset(uint64(q.Offset)).Limit(uint64(q.Limit))
	var rows []LeaderRow
	err = s.selectAll(ctx, s.db, &rows, b)
	return rows, mapError("reach leaderboard", err)
}

// CountLeaderboard counts the members a ranking holds.
func (s *Store) CountLeaderboard(ctx context.Context, q LeaderboardQuery) (int, error) {
	b, err := s.leaderboardBase(q)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.get(ctx, s.db, &n, b.Column("COUNT(DISTINCT m.id)"))
	return n, mapError("count leaderboard", err)
}

// LeadReach is the social reach of a lead's MVPs.
type LeadReach struct {
	MVPs       int
	Accounts   int
	Followers  int64
	Growth     int64
	ByPlatform []mvpgraph.PlatformTotal
}

// LeadsReach returns the reach of each lead's MVPs, by the lead rule, with
// growth since day sinceDay.
func (s *Store) LeadsReach(ctx context.Context, leadIDs []int64, sinceDay string) (map[int64]LeadReach, error) {
	// The rule's IN lists sit in the FROM clause, which squirrel takes as
	// plain text; their values are bound through the next clause that holds
	// no placeholder of its own: a WHERE, or the join after the FROM.
	ph, args := s.inArgs(leadIDs)
	rule := "(" + leadRule(true, ph) + ") lr"
	both := append(append([]any{}, args...), args...)
	var mvps []struct {
		LeadID int64 `db:"lead_id"`
		N      int   `db:"n"`
	}
	if err := s.selectAll(ctx, s.db, &mvps, s.sb.Select("lr.lead_id", "COUNT(DISTINCT lr.member_id) AS n").
		From(rule).Where(sq.Expr("1 = 1", both...)).GroupBy("lr.lead_id")); err != nil {
		return nil, mapError("lead reach", err)
	}
	var rows []struct {
		LeadID    int64             `db:"lead_id"`
		Platform  mvpgraph.Platform `db:"platform"`
		Accounts  int               `db:"accounts"`
		Followers int64             `db:"followers"`
		Growth    int64             `db:"growth"`
	}
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select("lr.lead_id", "a.platform", "COUNT(*) AS accounts", "COALESCE(SUM(a.followers), 0) AS followers").
		Column(growthOf("SUM(%s) AS growth", sinceDay)).
		From(rule).Join("social_accounts a ON a.member_id = lr.member_id", both...).LeftJoin(growthJoin, sinceDay).
		GroupBy("lr.lead_id", "a.platform")); err != nil {
		return nil, mapError("lead reach", err)
	}
	out := make(map[int64]LeadReach, len(leadIDs))
	for _, m := range mvps {
		r := out[m.LeadID]
		r.MVPs = m.N
		out[m.LeadID] = r
	}
	for _, p := range mvpgraph.Platforms {
		for _, row := range rows {
			if row.Platform != p {
				continue
			}
			r := out[row.LeadID]
			r.Accounts += row.Accounts
			r.Followers += row.Followers
			r.Growth += row.Growth
			r.ByPlatform = append(r.ByPlatform, mvpgraph.PlatformTotal{Platform: p, Accounts: row.Accounts, Followers: row.Followers})
			out[row.LeadID] = r
		}
	}
	return out, nil
}
