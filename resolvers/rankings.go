package resolvers

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"mvpgraph/store"
)

// rankings keeps whole reach rankings for Resolver.RankingTTL, so that the
// pages of one ranking, and the callers asking for it at the same time,
// share one computation. Ranking members by growth reads two snapshots of
// every account ranked: at 100,000 members that is seconds of the
// database's time, while the readings it ranks change once a day.
type rankings struct {
	once   sync.Once
	flight singleflight.Group
	cache  *lru.Cache[string, ranking]
}

type ranking struct {
	rows  []store.LeaderRow // cut at rankingLimit
	total int               // members ranked
	at    time.Time
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
	rk := &r.rankings
	rk.once.Do(func() { rk.cache, _ = lru.New[string, ranking](64) })
	whole := q
	whole.Offset, whole.Limit = 0, rankingLimit
	k, err := json.Marshal(whole)
	if err != nil {
		return nil, 0, false, err
	}
	key := string(k)
	got, ok := rk.cache.Get(key)
	if !ok || time.Since(got.at) > r.RankingTTL {
		// Computed apart from the caller's request, so that one caller
		// leaving does not fail the others waiting for the same ranking.
		v, err, _ := rk.flight.Do(key, func() (any, error) {
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestBudget)
			defer cancel()
			rows, err := r.Store.Leaderboard(c, whole)
			if err != nil {
				return ranking{}, err
			}
			g := ranking{rows: rows, total: len(rows), at: time.Now()}
			if len(rows) == rankingLimit {
				if g.total, err = r.Store.CountLeaderboard(c, whole); err != nil {
					return ranking{}, err
				}
			}
			rk.cache.Add(key, g)
			return g, nil
		})
		if err != nil {
			return nil, 0, false, err
		}
		got = v.(ranking)
	}
	start := min(q.Offset, len(got.rows))
	end := min(start+q.Limit, len(got.rows))
	return got.rows[start:end], got.total, true, nil
}

// requestBudget bounds one ranking's computation.
const requestBudget = 30 * time.Second
