package resolvers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/vikstrous/dataloadgen"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// Sync is what the API asks of the workers: queue a sync now, and say how
// each platform is set up. jobs.Runner implements it.
type Sync interface {
	Refresh(ctx context.Context, accountIDs []int64) (int, error)
	Enabled(p mvpgraph.Platform) bool
	Interval(p mvpgraph.Platform) time.Duration
}

// noSync stands in when the server runs without the workers' client.
type noSync struct{}

func (noSync) Refresh(context.Context, []int64) (int, error) {
	return 0, mvpgraph.Errorf(mvpgraph.EINTERNAL, "this server cannot queue syncs")
}
func (noSync) Enabled(mvpgraph.Platform) bool           { return false }
func (noSync) Interval(mvpgraph.Platform) time.Duration { return 24 * time.Hour }

func (r *Resolver) sync() Sync {
	if r.Sync == nil {
		return noSync{}
	}
	return r.Sync
}

func (r *Resolver) weights() mvpgraph.ReachWeights {
	if r.Weights == nil {
		return mvpgraph.DefaultReachWeights
	}
	return r.Weights
}

// Limits of reach arguments.
const (
	maxGrowthDays  = 3660
	maxHistoryDays = 3660
)

// sinceDay is the first day of a growth window of days days.
func (r *Resolver) sinceDay(field string, days *int) (string, error) {
	n := 30
	if days != nil {
		n = *days
	}
	if n < 1 || n > maxGrowthDays {
		return "", mvpgraph.Invalidf(field, "days must be between 1 and %d; got %d.", maxGrowthDays, n)
	}
	return store.Day(r.Store.Now().AddDate(0, 0, -n)), nil
}

// memberReach builds a member's reach from the member's accounts.
func (r *Resolver) memberReach(accounts []mvpgraph.SocialAccount) *model.MemberReach {
	total, byPlatform, parts, score := mvpgraph.ScoreReach(accounts, r.weights())
	out := &model.MemberReach{Total: total, Score: score, ByPlatform: []*model.PlatformReach{}, ScoreParts: []*model.ReachScorePart{}}
	for _, t := range byPlatform {
		out.ByPlatform = append(out.ByPlatform, &model.PlatformReach{Platform: t.Platform, Accounts: t.Accounts, Followers: t.Followers})
	}
	for _, p := range parts {
		out.ScoreParts = append(out.ScoreParts, &model.ReachScorePart{Platform: p.Platform, Value: p.Value, Weight: p.Weight, Points: p.Points})
	}
	for _, a := range accounts {
		out.AccountIDs = append(out.AccountIDs, a.ID)
	}
	return out
}

// leadReachOf returns the loader of lead reach summaries since a day.
func (l *Loaders) leadReachOf(since string) *dataloadgen.Loader[int64, store.LeadReach] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.leadReach[since]; ok {
		return ld
	}
	ld := newLoader(orEmpty(func(ctx context.Context, ids []int64) (map[int64]store.LeadReach, error) {
		return l.store.LeadsReach(ctx, ids, since)
	}))
	l.leadReach[since] = ld
	return ld
}

// historyWindow is the first and last day of the history the arguments
// ask for: by default the 90 days up to now.
func (r *Resolver) historyWindow(k model.HistoryArgs) (start, end time.Time, err error) {
	end = r.Store.Now()
	if k.HasTo {
		end = k.To
	}
	start = end.AddDate(0, 0, -90)
	if k.HasFrom {
		start = k.From
	}
	// Days are stored as dates, which PostgreSQL keeps from year 1 on; a
	// year past 9999 would not read as YYYY-MM-DD.
	for _, b := range []struct {
		field string
		t     time.Time
	}{{"from", start}, {"to", end}} {
		if y := b.t.UTC().Year(); y < 1 || y > 9999 {
			return start, end, mvpgraph.Invalidf(b.field, "%s is in the year %d; a history covers the years 1 to 9999.", b.field, y)
		}
	}
	if start.After(end) {
		return start, end, mvpgraph.Invalidf("from", "from (%s) is after to (%s).", start.Format(time.DateOnly), end.Format(time.DateOnly))
	}
	if end.Sub(start) > maxHistoryDays*24*time.Hour {
		return start, end, mvpgraph.Invalidf("from", "a history spans at most %d days; ask for a shorter window or a coarser interval.", maxHistoryDays)
	}
	return start, end, nil
}

// staleness answers SocialAccount.staleness.
func (r *Resolver) staleness(a *mvpgraph.SocialAccount) *model.Staleness {
	st := mvpgraph.StalenessOf(a.LastSyncedAt, r.sync().Interval(a.Platform), r.Store.Now())
	out := &model.Staleness{IntervalSeconds: int64(st.Interval / time.Second), Stale: st.Stale}
	if st.Age != nil {
		secs := int64(*st.Age / time.Second)
		out.AgeSeconds = &secs
	}
	return out
}

// maxLeaderboardOffset bounds how deep a ranking pages; rankings are
// computed whole, so deep offsets cost as much as the whole ranking.
const maxLeaderboardOffset = 10000

// leaderboard answers Query.reachLeaderboard. Its cursors are positions in
// the ranking.
func (r *Resolver) leaderboard(ctx context.Context, where *model.LeaderboardWhere, order *model.LeaderboardOrder, days, first *int, after *string) (*model.LeaderboardConnection, error) {
	size, _, err := store.PageArgs{First: first}.Size()
	if err != nil {
		return nil, err
	}
	offset := 0
	if after != nil {
		b, derr := base64.RawURLEncoding.DecodeString(*after)
		n, perr := strconv.Atoi(string(b))
		if derr != nil || perr != nil || n < 1 || n > maxLeaderboardOffset {
			return nil, mvpgraph.Invalidf("after", "%q is not a cursor of this ranking.", *after)
		}
		offset = n
	}
	q := store.LeaderboardQuery{Offset: offset, Limit: size + 1, ByGrowth: order != nil && *order == model.LeaderboardOrderGrowth}
	if q.SinceDay, err = r.sinceDay("days", days); err != nil {
		return nil, err
	}
	if where != nil {
		q.Country, q.Platform, q.IsMVP = where.Country, where.Platform, where.IsMvp
		if where.ExpertiseID != nil {
			id, err := mvpgraph.ParseID("where.expertiseId", typeExpertise, *where.ExpertiseID)
			if err != nil {
				return nil, err
			}
			q.ExpertiseID = &id
		}
		if where.LeadID != nil {
			id, err := mvpgraph.ParseID("where.leadId", typeLead, *where.LeadID)
			if err != nil {
				return nil, err
			}
			q.LeadID = &id
		}
	} else {
		mvps := true
		q.IsMVP = &mvps
	}
	rows, total, known, err := r.rank(ctx, q)
	if err != nil {
		return nil, err
	}
	more := len(rows) > size
	if more {
		rows = rows[:size]
	}
	// The ranked members, and what the query asks of them, in one batch.
	var members map[int64]*model.Member
	if sel := selected(ctx, "edges", "node", "member"); len(sel) > 0 && len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i, row := range rows {
			ids[i] = row.MemberID
		}
		if members, err = r.pageOf(ctx).membersByID(ctx, sel, ids, nil); err != nil {
			return nil, err
		}
	}
	count := func(ctx context.Context) (int, error) { return r.Store.CountLeaderboard(ctx, q) }
	if known {
		count = func(context.Context) (int, error) { return total, nil }
	}
	c := &model.LeaderboardConnection{Edges: []*model.LeaderboardEdge{}, Count: count}
	cursors := make([]string, len(rows))
	for i, row := range rows {
		rank := offset + i + 1
		cursors[i] = base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprint(rank)))
		c.Edges = append(c.Edges, &model.LeaderboardEdge{Cursor: cursors[i], Node: &model.LeaderboardEntry{Rank: rank, MemberID: row.MemberID, Member: members[row.MemberID], Followers: row.Followers, Growth: row.Growth}})
	}
	c.PageInfo = model.NewPageInfo(cursors, more, offset > 0)
	return c, nil
}

// integrations answers Query.integrations.
func (r *Resolver) integrations(ctx context.Context) ([]*model.Integration, error) {
	intervals := map[mvpgraph.Platform]time.Duration{}
	for _, p := range mvpgraph.Platforms {
		intervals[p] = r.sync().Interval(p)
	}
	counts, err := r.Store.AccountCounts(ctx, intervals)
	if err != nil {
		return nil, err
	}
	states, err := r.Store.PlatformStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Integration, 0, len(mvpgraph.Platforms))
	for _, p := range mvpgraph.Platforms {
		st := states[p]
		out = append(out, &model.Integration{
			Platform: p, Enabled: r.sync().Enabled(p), IntervalSeconds: int64(intervals[p] / time.Second),
			Accounts: counts[p].Accounts, Due: counts[p].Due, LastRunAt: st.LastRunAt,
			QuotaLimit: st.QuotaLimit, QuotaRemaining: st.QuotaRemaining, QuotaReset: st.QuotaReset,
			PausedUntil: st.PausedUntil, LastError: st.LastError,
		})
	}
	return out, nil
}

// seconds returns a duration in whole seconds, or nil.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}
