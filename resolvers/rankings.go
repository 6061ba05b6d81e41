package resolvers

import (
	"context"

	"mvpgraph/store"
)

// ranking is a whole reach ranking, kept for Resolver.RankingTTL so that
// the pages of one ranking, and the callers asking for it at the same time,
// share one computation. Ranking members by growth reads two snapshots of
// every account ranked: at 100,000 members that is seconds of the
// database's time, while the readings it ranks change once a day.
type ranking struct {
	rows  []store.LeaderRow // cut at rankingLimit
	total int               // members ranked
}

// rankingLimit bounds a ranking kept whole: the deepest page a cursor may
// reach, and the largest page.
const rankingLimit = maxLeaderboardOffset + 100 + 1

// rank returns the page of q's ranking from offset q.Offset, q.Limit rows,
// and the ranking's length when it is known whole.
func (r *Resolver) rank(ctx context.Context, q store.LeaderboardQuery) (rows []store.LeaderRow, total int, known bool, err error) {
	if r.RankingTTL <= 0 {
		rows, err = r.Store.Leaderboard(ctx, q)
		return rows, 0, false, err
	}
	whole := q
	whole.Offset, whole.Limit = 0, rankingLimit
	got, err := r.rankings.get(ctx, r.RankingTTL, whole, func(c context.Context) (ranking, error) {
		rows, err := r.Store.Leaderboard(c, whole)
		if err != nil {
			return ranking{}, err
		}
		g := ranking{rows: rows, total: len(rows)}
		if len(rows) == rankingLimit {
			if g.total, err = r.Store.CountLeaderboard(c, whole); err != nil {
				return ranking{}, err
			}
		}
		return g, nil
	})
	if err != nil {
		return nil, 0, false, err
	}
	start := min(q.Offset, len(got.rows))
	end := min(start+q.Limit, len(got.rows))
	return got.rows[start:end], got.total, true, nil
}
