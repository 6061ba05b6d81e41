package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestRankingsKept: a ranking is computed once per RankingTTL and its
// pages served from it; a new reading shows once the TTL has passed.
func TestRankingsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const ttl = 300 * time.Millisecond
		c := newAPIOn(t, &resolvers.Resolver{Store: s, RankingTTL: ttl}, io.Discard).c

		followers := map[string]int64{"ann": 10, "bob": 5, "cat": 1}
		accounts := map[string]int64{}
		for _, h := range []string{"ann", "bob", "cat"} {
			m := mvpgraph.Member{Handle: h, Name: h, Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, h)
			require.NoError(t, err)
			accounts[h] = acc.ID
		}
		record := func(h string, n int64) {
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: accounts[h], Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &n}}}}))
		}
		for h, n := range followers {
			record(h, n)
		}
		type board struct {
			ReachLeaderboard struct {
				TotalCount int
				PageInfo   struct{ EndCursor string }
				Edges      []struct {
					Node struct {
						Rank   int
						Member struct{ Handle string }
					}
				}
			}
		}
		order := func(after string) (b board) {
			q := `query ($after: String) { reachLeaderboard(where: {isMvp: false}, first: 2, after: $after) {
				  totalCount pageInfo { endCursor } edges { node { rank member { handle } } } } }`
			var vars []client.Option
			if after != "" {
				vars = append(vars, client.Var("after", after))
			}
			require.NoError(t, c.Post(q, &b, vars...))
			return b
		}
		handles := func(b board) (out []string) {
			for _, e := range b.ReachLeaderboard.Edges {
				out = append(out, e.Node.Member.Handle)
			}
			return out
		}
		first := order("")
		require.Equal(t, []string{"ann", "bob"}, handles(first))
		require.Equal(t, 3, first.ReachLeaderboard.TotalCount)

		record("cat", 100)
		second := order(first.ReachLeaderboard.PageInfo.EndCursor)
		require.Equal(t, []string{"cat"}, handles(second), "the next page of the same ranking, as it was")
		require.Equal(t, 3, second.ReachLeaderboard.Edges[0].Node.Rank)

		time.Sleep(ttl + 100*time.Millisecond)
		// Past its TTL, the kept ranking is still given while it is ranked
		// afresh for the callers after.
		require.Equal(t, []string{"ann", "bob"}, handles(order("")), "the kept ranking, while a new one is made")
		require.Eventually(t, func() bool { return slices.Equal([]string{"cat", "ann"}, handles(order(""))) }, 5*time.Second, 20*time.Millisecond,
			"ranked afresh once the TTL has passed")
	})
}

// TestAnalyticsKept: programStats is answered from memory for AnalyticsTTL
// per question, afresh once it has passed, and always afresh at zero.
func TestAnalyticsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const ttl = 300 * time.Millisecond
		kept := newAPIOn(t, &resolvers.Resolver{Store: s, AnalyticsTTL: ttl}, io.Discard).c
		afresh := newAPIOn(t, &resolvers.Resolver{Store: s}, io.Discard).c
		add := func(h, country string) {
			m := mvpgraph.Member{Handle: h, Name: h, Country: country}
			require.NoError(t, s.CreateMember(ctx, &m))
		}
		members := func(c *client.Client, q string) (n int) {
			var out struct{ ProgramStats []struct{ Members int } }
			require.NoError(t, c.Post(q, &out))
			for _, g := range out.ProgramStats {
				n += g.Members
			}
			return n
		}
		const all, us = `{ programStats { members } }`, `{ programStats(where: {country: {_eq: "US"}}) { members } }`
		add("ann", "US")
		require.Equal(t, 1, members(kept, all))
		add("bob", "US")
		require.Equal(t, 1, members(kept, all), "the kept answer, within its time")
		require.Equal(t, 2, members(kept, us), "another question is answered afresh")
		require.Equal(t, 2, members(afresh, all), "with no time to keep, every answer is fresh")
		time.Sleep(ttl + 100*time.Millisecond)
		require.Equal(t, 1, members(kept, all), "the kept answer, while a new one is computed")
		require.Eventually(t, func() bool { return members(kept, all) == 2 }, 5*time.Second, 20*time.Millisecond,
			"answered afresh once the time has passed")
	})
}

// TestLeaderboardStatements: a page of a reach ranking with its members,
// their awards with expertise, their accounts and their leads runs as many
// SQL statements for 60 entries as for 10, with or without the ranking
// kept, and every entry has what was asked. The loaders' batch window is
// cut to a microsecond, as a busy server's goroutines may outlast it: the
// page loads what it shows up front, not through loaders that happen to
// gather every key in time.
func TestLeaderboardStatements(t *testing.T) {
	t.Cleanup(resolvers.SetLoaderWait(time.Microsecond))
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := mvpgraph.Expertise{Name: "Azure", Category: "Cloud"}
		require.NoError(t, s.CreateExpertise(ctx, &e))
		lead := mvpgraph.Lead{Name: "Uma", Email: "uma@vendor.example", Kind: mvpgraph.LeadUS}
		require.NoError(t, s.CreateLead(ctx, &lead))
		_, err := s.AssignExpertise(ctx, lead.ID, e.ID, false)
		require.NoError(t, err)
		for i := range 60 {
			m := mvpgraph.Member{Handle: fmt.Sprintf("m%03d", i), Name: "M", Country: "US"}
			require.NoError(t, s.CreateMember(ctx, &m))
			acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, m.Handle)
			require.NoError(t, err)
			followers := int64(1000 - i)
			require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: acc.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &followers}}}}))
			_, err = s.AwardMember(ctx, m.ID, e.ID, 2026, mvpgraph.Principal{Name: "test"})
			require.NoError(t, err)
		}

		type board struct {
			ReachLeaderboard struct {
				Edges []struct {
					Node struct {
						Rank   int
						Member struct {
							Handle string
							Awards []struct {
								Year      int
								Expertise struct{ Name string }
							}
							SocialAccounts []struct{ Platform string }
							Leads          []struct{ Name string }
						}
					}
				}
			}
		}
		for _, ttl := range []time.Duration{0, time.Minute} {
			a := newAPIOn(t, &resolvers.Resolver{Store: s, RankingTTL: ttl}, io.Discard)
			// The token's first use is recorded, and a kept ranking
			// computed; later requests only read them.
			var warm struct{ Members struct{ TotalCount int } }
			a.do(&warm, `{ members { totalCount } reachLeaderboard(first: 1) { edges { cursor } } }`)
			statements := map[int]int64{}
			for _, n := range []int{10, 60} {
				reqCtx := store.WithStatementCounter(context.Background())
				var out board
				a.do(&out, fmt.Sprintf(`{ reachLeaderboard(first: %d) { edges { node { rank member {
					handle awards { year expertise { name } } socialAccounts { platform } leads { name } } } } } }`, n), withContext(reqCtx))
				require.Len(t, out.ReachLeaderboard.Edges, n)
				for i, edge := range out.ReachLeaderboard.Edges {
					require.Equal(t, i+1, edge.Node.Rank)
					require.Equal(t, fmt.Sprintf("m%03d", i), edge.Node.Member.Handle, "ranked by followers")
					require.Len(t, edge.Node.Member.Awards, 1)
					require.Equal(t, "Azure", edge.Node.Member.Awards[0].Expertise.Name)
					require.Len(t, edge.Node.Member.SocialAccounts, 1)
					require.Equal(t, []struct{ Name string }{{"Uma"}}, edge.Node.Member.Leads)
				}
				statements[n] = store.StatementCount(reqCtx)
			}
			require.Positive(t, statements[10])
			require.Equal(t, statements[10], statements[60], "SQL statements for 10 and for 60 entries, ranking kept %v", ttl)
		}
	})
}

// TestRankingOutlastsARequest: a whole-program ranking that takes longer
// than its first caller may wait (a large program on a cold cache) fails
// that caller with TIMEOUT when its time is up, and is still computed and
// kept: the callers after it read it without ranking again.
func TestRankingOutlastsARequest(t *testing.T) {
	s, lock := lockable(t)
	ctx := context.Background()
	for i, h := range []string{"ann", "bob"} {
		m := mvpgraph.Member{Handle: h, Name: h, Country: "US"}
		require.NoError(t, s.CreateMember(ctx, &m))
		acc, err := s.LinkSocialAccount(ctx, m.ID, mvpgraph.GitHub, h)
		require.NoError(t, err)
		n := int64(10 - i)
		require.NoError(t, s.RecordSync(ctx, []store.Outcome{{AccountID: acc.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: &n}}}}))
	}
	a := newAPIOn(t, &resolvers.Resolver{Store: s, RankingTTL: time.Minute}, io.Discard)
	var warm struct{ Viewer struct{ Name string } }
	a.do(&warm, `{ viewer { name } }`) // the token's first use is recorded

	// The ranking waits for the accounts table, held by another session.
	tx := lock("social_accounts")
	const q = `{ reachLeaderboard(where: {isMvp: false}, first: 2) { edges { node { rank followers } } } }`
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	a.fail("TIMEOUT", "", q, withContext(short))
	require.Less(t, time.Since(start), 5*time.Second, "the caller waits no longer than its own time")
	require.NoError(t, tx.Rollback())

	// The ranking goes on without its caller and is kept: once done, a
	// request runs the token's statement and no other.
	require.Eventually(t, func() bool {
		counted := store.WithStatementCounter(ctx)
		r := a.raw(q, withContext(counted))
		return len(r.Errors) == 0 && store.StatementCount(counted) == 1 &&
			string(r.Data) == `{"reachLeaderboard":{"edges":[{"node":{"followers":10,"rank":1}},{"node":{"followers":9,"rank":2}}]}}`
	}, 10*time.Second, 50*time.Millisecond)
}

// TestProgramStatsSource: the answer says in its extensions, per field,
// whether a summary (the program summary, the spaces' months) or the base
// tables answered, and both answer the same counts.
func TestProgramStatsSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		buildProgram(a)
		r := a.raw(`{ byCountry: programStats(groupBy: [COUNTRY, CATEGORY], where: {country: {_neq: "DE"}}) { country category members mvps awards }
  byName: programStats(groupBy: [COUNTRY, CATEGORY], where: {_and: [{country: {_neq: "DE"}}, {name: {_ilike: "%"}}]}) { country category members mvps awards }
  byYear: programStats(groupBy: [YEAR]) { year members }
  months: activityStats(groupBy: [SPACE, MONTH]) { count }
  days: activityStats(groupBy: [SPACE, DAY]) { count }
  kinds: activityStats(groupBy: [KIND]) { count } }`)
		require.Empty(t, r.Errors)
		require.Equal(t, map[string]any{"byCountry": "program_summary", "byName": "base tables", "byYear": "base tables"}, r.Extensions["programStats"])
		require.Equal(t, map[string]any{"months": "activity_months", "days": "activity_days", "kinds": "base tables"}, r.Extensions["activityStats"])
		var got struct{ ByCountry, ByName []map[string]any }
		require.NoError(t, json.Unmarshal(r.Data, &got))
		require.NotEmpty(t, got.ByCountry)
		require.Equal(t, got.ByName, got.ByCountry, "every name matches: the same groups and counts")
	})
}
