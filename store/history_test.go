package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/seed"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// historySum is what a move must keep: the rows, their sums, and a digest
// of every value of every row.
const historySum = `SELECT count(*) || ' rows, followers ' || coalesce(sum(followers), 0) || ', posts ' || coalesce(sum(posts), 0) || ', ' ||
	md5(coalesce(string_agg(account_id || '/' || day || '/' || coalesce(followers::text, '-') || '/' || coalesce(posts::text, '-') || '/' || captured_at,
	',' ORDER BY account_id, day), '')) FROM reach_snapshots`

// TestHistoryMoveResumes moves three years of daily snapshots of 100
// accounts, kept as the unpartitioned table of a database from before
// partitioning, to the table partitioned by month: stopped after three
// batches, written to meanwhile, and resumed, the rows are the same rows
// before and after.
func TestHistoryMoveResumes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.New(t, store.Postgres)
	p := newProgram(t, s)
	require.NoError(t, s.MigrateDownTo(ctx, 20))
	var partitioned bool
	isPartitioned := func() bool {
		require.NoError(t, s.GetForTest(ctx, &partitioned, "SELECT relkind = 'p' FROM pg_class WHERE oid = 'reach_snapshots'::regclass"))
		return partitioned
	}
	require.False(t, isPartitioned())
	require.NoError(t, s.ExecForTest(ctx, `INSERT INTO social_accounts (member_id, platform, handle, url, created_at)
		SELECT ?, 'GITHUB', 'gh' || g, 'https://github.com/gh' || g, now() FROM generate_series(1, 100) g`, p.us1.ID))
	// 2023-07-01 to 2026-06-30: 1,096 days of 100 accounts, more than
	// Migrate moves itself. A third of the accounts report no posts.
	require.NoError(t, s.ExecForTest(ctx, `INSERT INTO reach_snapshots (account_id, day, captured_at, followers, posts)
		SELECT a.id, d::date, d + interval '3 hours', a.id * 1000 + (d::date - date '2023-07-01'),
		       CASE WHEN a.id % 3 <> 0 THEN (d::date - date '2023-07-01') / 7 END
		FROM social_accounts a, generate_series(timestamptz '2023-07-01', timestamptz '2026-06-30', interval '1 day') d`))
	var before string
	require.NoError(t, s.GetForTest(ctx, &before, historySum))
	require.True(t, strings.HasPrefix(before, "109600 rows"), before)

	_, err := s.Migrate(ctx)
	require.NoError(t, err)
	pending, err := s.HistoryMovePending(ctx)
	require.NoError(t, err)
	require.True(t, pending, "109,600 snapshots are left for MoveHistory")

	stop, cancel := context.WithCancel(ctx)
	var seen []int64
	done, err := s.MoveHistory(stop, 2000, func(moved int64) {
		seen = append(seen, moved)
		if len(seen) == 3 {
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, done)
	require.Equal(t, []int64{2000, 4000, 6000}, seen)
	var moved int64
	require.NoError(t, s.GetForTest(ctx, &moved, "SELECT moved FROM history_move"))
	require.EqualValues(t, 6000, moved, "the stop lost no committed batch")
	require.False(t, isPartitioned(), "reads use the old table until the move ends")

	// Writes during the move: a new day, the same day again, a
	// correction of a moved row, and an account unlinked with its history.
	var first, last int64
	require.NoError(t, s.GetForTest(ctx, &first, "SELECT min(id) FROM social_accounts"))
	require.NoError(t, s.GetForTest(ctx, &last, "SELECT max(id) FROM social_accounts"))
	for _, f := range []int64{5, 7} {
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: first, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}}}))
	}
	require.NoError(t, s.ExecForTest(ctx, "UPDATE reach_snapshots SET followers = -1 WHERE account_id = ? AND day = '2024-02-29'", first))
	_, err = s.UnlinkSocialAccount(ctx, last)
	require.NoError(t, err)
	snaps, err := s.SnapshotsOf(ctx, []int64{first}, "2026-06-30", "2026-07-01")
	require.NoError(t, err)
	require.Len(t, snaps[first], 2, "the old table still answers, with the new day")
	require.NoError(t, s.GetForTest(ctx, &before, historySum))
	require.True(t, strings.HasPrefix(before, fmt.Sprint(109600-1096+1, " rows")), before)

	done, err = s.MoveHistory(ctx, 5000, nil)
	require.NoError(t, err)
	require.True(t, done)
	require.True(t, isPartitioned())
	var after string
	require.NoError(t, s.GetForTest(ctx, &after, historySum))
	require.Equal(t, before, after)
	pending, err = s.HistoryMovePending(ctx)
	require.NoError(t, err)
	require.False(t, pending)

	// A table for each month from 2023-07 to 2026-07 and the two after the
	// clock's, and the default, which holds nothing.
	var parts []string
	require.NoError(t, s.SelectForTest(ctx, &parts, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'reach_snapshots'::regclass ORDER BY 1`))
	require.Len(t, parts, 37+2+1)
	require.Equal(t, "reach_snapshots_default", parts[0])
	require.Equal(t, "reach_snapshots_y2023m07", parts[1])
	require.Equal(t, "reach_snapshots_y2026m09", parts[len(parts)-1])
	var waiting int
	require.NoError(t, s.GetForTest(ctx, &waiting, "SELECT count(*) FROM reach_snapshots_default"))
	require.Zero(t, waiting)

	// Writes go on into the partitioned table, and the history reads as
	// before.
	f := int64(9)
	require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: first, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}}}))
	snaps, err = s.SnapshotsOf(ctx, []int64{first}, "2024-02-28", "2026-07-01")
	require.NoError(t, err)
	require.Len(t, snaps[first], 855)
	require.EqualValues(t, -1, *snaps[first][1].Followers)
	require.EqualValues(t, 9, *snaps[first][len(snaps[first])-1].Followers)
	growth, err := s.FollowerGrowth(ctx, []int64{first}, "2026-06-30")
	require.NoError(t, err)
	require.EqualValues(t, 9-(first*1000+1095), growth[first])

	// Down: the partitioned history goes back to one table, its rows the
	// same.
	require.NoError(t, s.GetForTest(ctx, &before, historySum))
	require.NoError(t, s.MigrateDownTo(ctx, 20))
	require.False(t, isPartitioned())
	require.NoError(t, s.GetForTest(ctx, &after, historySum))
	require.Equal(t, before, after)
}

// TestHistoryPartitionLater stores a snapshot of a month that has no
// partition yet: it waits in the default partition, and moves to its
// month's when that is made.
func TestHistoryPartitionLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.New(t, store.Postgres)
	p := newProgram(t, s)
	a, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, "later")
	require.NoError(t, err)
	f := int64(3)
	later := s.WithClock(func() time.Time { return time.Date(2027, 3, 2, 4, 0, 0, 0, time.UTC) })
	require.NoError(t, later.RecordSync(ctx, []store.Outcome{{AccountID: a.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}}}))
	var waiting int
	require.NoError(t, s.GetForTest(ctx, &waiting, "SELECT count(*) FROM reach_snapshots_default"))
	require.Equal(t, 1, waiting)
	_, err = later.KeepHistory(ctx, store.KeepAll)
	require.NoError(t, err)
	require.NoError(t, s.GetForTest(ctx, &waiting, "SELECT count(*) FROM reach_snapshots_default"))
	require.Zero(t, waiting)
	var inMonth int
	require.NoError(t, s.GetForTest(ctx, &inMonth, "SELECT count(*) FROM reach_snapshots_y2027m03"))
	require.Equal(t, 1, inMonth)
	snaps, err := s.SnapshotsOf(ctx, []int64{a.ID}, "2027-03-01", "2027-03-31")
	require.NoError(t, err)
	require.Len(t, snaps[a.ID], 1)
}

// TestHistoryKeep applies a retention of every day for 6 months and a day
// a week to 12, in July 2026, to a year and a half of two accounts' days,
// one of which missed a Monday.
func TestHistoryKeep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newProgram(t, s)
		a1, err := s.LinkSocialAccount(ctx, p.us1.ID, mvpgraph.GitHub, "keep1")
		require.NoError(t, err)
		a2, err := s.LinkSocialAccount(ctx, p.us2.ID, mvpgraph.GitHub, "keep2")
		require.NoError(t, err)
		start, end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		missed := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC) // a Monday
		var rows []string
		var args []any
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			for _, a := range []int64{a1.ID, a2.ID} {
				if a == a2.ID && d.Equal(missed) {
					continue
				}
				rows = append(rows, "(?, ?, ?, ?)")
				args = append(args, a, store.Day(d), d.Add(3*time.Hour), a*10000+int64(d.Sub(start).Hours()/24))
			}
		}
		require.NoError(t, s.ExecForTest(ctx, "INSERT INTO reach_snapshots (account_id, day, captured_at, followers) VALUES "+strings.Join(rows, ", "), args...))

		keep, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", "6mo,1y")
		require.NoError(t, err)
		out, err := s.KeepHistory(ctx, keep)
		require.NoError(t, err)
		require.Equal(t, []string{"2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"}, out.Thinned)
		if s.Dialect() == store.Postgres {
			require.Equal(t, []string{"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"}, out.Dropped)
		} else {
			require.Empty(t, out.Dropped)
		}

		// What is left: from 2026-01-01 every day; from 2025-07-01 the
		// first of each week (2025-07-01 a Tuesday, its Monday dropped;
		// the second account's week of 2025-09-01 from the Tuesday).
		snaps, err := s.SnapshotsOf(ctx, []int64{a1.ID, a2.ID}, "2000-01-01", "2100-01-01")
		require.NoError(t, err)
		for _, a := range []int64{a1.ID, a2.ID} {
			var want, got []string
			for d := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC); !d.After(end); d = d.AddDate(0, 0, 1) {
				daily := !d.Before(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
				first := d.Weekday() == time.Monday || d.Day() == 1 && d.Month() == time.July && d.Year() == 2025
				if a == a2.ID && d.Equal(missed) {
					continue
				}
				if a == a2.ID && d.Equal(missed.AddDate(0, 0, 1)) {
					first = true
				}
				if daily || first {
					want = append(want, store.Day(d))
				}
			}
			for _, x := range snaps[a] {
				got = append(got, x.Day)
			}
			require.Equal(t, want, got, "account %d", a)
		}

		// Growth from a day thinned away counts from the first kept after.
		require.NoError(t, s.ExecForTest(ctx, "UPDATE social_accounts SET followers = ? WHERE id = ?", a1.ID*10000+1000, a1.ID))
		growth, err := s.FollowerGrowth(ctx, []int64{a1.ID}, "2025-09-03")
		require.NoError(t, err)
		monday := int64(time.Date(2025, 9, 8, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
		require.Equal(t, 1000-monday, growth[a1.ID])

		// Once done, done: a second pass has nothing to do.
		out, err = s.KeepHistory(ctx, keep)
		require.NoError(t, err)
		require.Equal(t, store.HistoryKept{}, out)
	})
}

func TestParseHistoryKeep(t *testing.T) {
	for in, want := range map[string]store.HistoryKeep{
		"": store.KeepAll, "all": store.KeepAll, " ALL ": store.KeepAll,
		"24mo": {Daily: 24, Total: 24}, "2y": {Daily: 24, Total: 24},
		"13mo,5y": {Daily: 13, Total: 60}, "13mo,all": {Daily: 13}, "1y,12mo": {Daily: 12, Total: 12},
	} {
		got, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
		again, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", got.String())
		require.NoError(t, err)
		require.Equal(t, got, again, "String reads back")
	}
	for _, in := range []string{"24", "24m", "0mo", "-1y", "13mo,6mo", "13mo,", "forever", "1201mo", "all,13mo"} {
		_, err := store.ParseHistoryKeep("MVPGRAPH_HISTORY_KEEP", in)
		require.Error(t, err, in)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), in)
		require.Contains(t, mvpgraph.ErrorMessage(err), "13mo,5y", in)
	}
}

// TestSessionsWithoutJIT: the store's PostgreSQL sessions compile no
// statement to machine code, unless the URL asks for it.
func TestSessionsWithoutJIT(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var jit string
	s := storetest.New(t, store.Postgres)
	require.NoError(t, s.GetForTest(ctx, &jit, "SHOW jit"))
	require.Equal(t, "off", jit)
	asked, err := store.Open(ctx, storetest.URL(t, store.Postgres)+"&jit=on")
	require.NoError(t, err)
	defer asked.Close()
	require.NoError(t, asked.GetForTest(ctx, &jit, "SHOW jit"))
	require.Equal(t, "on", jit)
}

// TestLoadedHistory loads three batches of accounts with six weeks of daily
// snapshots over two months whose partitions the store made before the
// load; some accounts stopped being synced in the first month, one missed
// the window's first day, one has none. Each
// account knows its newest snapshot's day, after the load, after a sync and
// after migrating from before the day was kept; growth since a day is the
// same as computed from the snapshots; on PostgreSQL each month's rows lie
// in the order of their days, with the month's keys and indexes built.
func TestLoadedHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := time.Date(storetest.Year, 6, 10, 0, 0, 0, 0, time.UTC)
		const perBatch, batches, days = 40, 3, 42
		p := &store.Program{More: func(yield func(store.MemberBatch) bool) {
			for k := range batches {
				var b store.MemberBatch
				for i := range perBatch {
					id := int64(k*perBatch + i + 1)
					b.Members = append(b.Members, mvpgraph.Member{ID: id, Handle: fmt.Sprintf("m%d", id), Name: fmt.Sprintf("M %d", id), Country: "US"})
					b.SocialAccounts = append(b.SocialAccounts, mvpgraph.SocialAccount{ID: id, MemberID: id, Platform: mvpgraph.GitHub, Handle: fmt.Sprintf("m%d", id), Status: mvpgraph.AccountActive})
					n := days
					switch {
					case id%7 == 0:
						n = 12 // stopped in June
					case id == 5:
						n = 0 // never synced
					}
					for d := range n {
						if id == 9 && d == 30 {
							continue // missed the window's first day
						}
						f := id*1000 + int64(d*d)
						b.Snapshots = append(b.Snapshots, mvpgraph.Snapshot{AccountID: id, CapturedAt: first.AddDate(0, 0, d).Add(3 * time.Hour), Reach: mvpgraph.Reach{Followers: &f}})
					}
				}
				if !yield(b) {
					return
				}
			}
		}}
		require.NoError(t, seed.Load(ctx, s, p))

		// Every account's newest day is its snapshots' latest, or none.
		lastDaysRight := func(when string) {
			t.Helper()
			var wrong, known int
			require.NoError(t, s.GetForTest(ctx, &wrong, `SELECT count(*) FROM social_accounts a WHERE
				(a.last_snapshot_day IS NULL) <> NOT EXISTS (SELECT 1 FROM reach_snapshots r WHERE r.account_id = a.id)
				OR a.last_snapshot_day <> (SELECT max(r.day) FROM reach_snapshots r WHERE r.account_id = a.id)`))
			require.Zero(t, wrong, "accounts whose newest snapshot day is wrong, %s", when)
			require.NoError(t, s.GetForTest(ctx, &known, "SELECT count(*) FROM social_accounts WHERE last_snapshot_day IS NOT NULL"))
			require.Equal(t, perBatch*batches-1, known, when)
		}
		lastDaysRight("after the load")

		// Growth since the window's first day (July 10, day 30), from
		// the snapshots: the stopped accounts have none since and grew 0,
		// account 9 counts from its next day, account 5 has no history.
		since := first.AddDate(0, 0, 30).Format(time.DateOnly)
		ids := make([]int64, perBatch*batches)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		growth, err := s.FollowerGrowth(ctx, ids, since)
		require.NoError(t, err)
		for _, id := range ids {
			want := int64((days-1)*(days-1) - 30*30)
			switch {
			case id%7 == 0 || id == 5:
				want = 0
			case id == 9:
				want = int64((days-1)*(days-1) - 31*31)
			}
			require.Equal(t, want, growth[id], "account %d", id)
		}
		rows, err := s.Leaderboard(ctx, store.LeaderboardQuery{ByGrowth: true, SinceDay: since, Limit: 3})
		require.NoError(t, err)
		require.Equal(t, growth[rows[0].MemberID], rows[0].Growth)
		require.Equal(t, int64((days-1)*(days-1)-30*30), rows[0].Growth)

		if s.Dialect() == store.Postgres {
			for _, month := range []string{fmt.Sprintf("reach_snapshots_y%dm06", storetest.Year), fmt.Sprintf("reach_snapshots_y%dm07", storetest.Year)} {
				var back, indexes int
				require.NoError(t, s.GetForTest(ctx, &back, "SELECT count(*) FROM (SELECT day < lag(day) OVER (ORDER BY ctid) AS back FROM "+month+") x WHERE back"))
				require.Zero(t, back, "rows of %s out of day order", month)
				require.NoError(t, s.GetForTest(ctx, &indexes, "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?", month))
				require.Equal(t, 2, indexes, "the key and the BRIN index on %s", month)
			}
		}

		// A sync on a loaded day replaces that day's snapshot and moves
		// the newest day on; so does one on a later day; one on an earlier
		// day (a clock gone back) does not move it back.
		for _, at := range []time.Time{first.AddDate(0, 0, days-1).Add(9 * time.Hour), first.AddDate(0, 0, days+3).Add(9 * time.Hour),
			first.AddDate(0, 0, days-5).Add(9 * time.Hour)} {
			f := int64(1)
			require.NoError(t, s.WithClock(func() time.Time { return at }).RecordSync(ctx, []store.Outcome{
				{AccountID: 1, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}},
				{AccountID: 7, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &f}}},
			}))
			lastDaysRight("after a sync on " + at.Format(time.DateOnly))
		}
		var n int
		require.NoError(t, s.GetForTest(ctx, &n, "SELECT count(*) FROM reach_snapshots WHERE account_id = 1"))
		require.Equal(t, days+1, n)

		// A database from before the newest day was kept gets it.
		before := map[store.Dialect]int64{store.Postgres: 22, store.SQLite: 20}[s.Dialect()]
		require.NoError(t, s.MigrateDownTo(ctx, before))
		_, err = s.Migrate(ctx)
		require.NoError(t, err)
		lastDaysRight("after migrating")
	})
}
