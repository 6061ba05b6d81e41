package resolvers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	httpapi "mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/jobs"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// newReachAPI serves the API as a replica without platform credentials,
// with a real job queue that only queues, while a worker elsewhere syncs
// every platform but GitHub.
func newReachAPI(t *testing.T, d store.Dialect) *api {
	ctx := context.Background()
	u := storetest.URL(t, d)
	s, err := store.Open(ctx, u, store.WithClock(storetest.Clock))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	served := map[mvpgraph.Platform]store.Service{}
	for _, p := range mvpgraph.Platforms {
		if p != mvpgraph.GitHub {
			served[p] = store.Service{Interval: jobs.DefaultInterval, BatchSize: 100}
		}
	}
	require.NoError(t, s.Heartbeat(ctx, "worker-elsewhere", served, time.Hour))
	runner, err := jobs.New(ctx, s, u, jobs.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(func() { runner.Stop(ctx) })
	opts := httpapi.DefaultOptions()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(&resolvers.Resolver{Store: s, Sync: runner})), opts)))
	return &api{t: t, c: client.New(h, bearer(t, s, mvpgraph.APIToken{Name: "test admin", Role: mvpgraph.RoleAdmin})), h: h, s: s}
}

func TestSocialReach(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			a := newReachAPI(t, d)
			ctx := context.Background()
			ids := buildProgram(a)
			before := snapshot(a)

			link := func(member, platform, handle string) string {
				return a.id(fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: %s, handle: %q}) { socialAccount { id } } }`, member, platform, handle), "linkSocialAccount", "socialAccount", "id")
			}
			var linked struct {
				LinkSocialAccount struct {
					SocialAccount struct{ Handle, URL, Status, Platform string }
				}
			}
			a.do(&linked, fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: TWITTER, handle: "https://twitter.com/Ada_Dev?lang=en"}) { socialAccount { handle url status platform } } }`, ids["ada"]))
			require.Equal(t, "ada_dev", linked.LinkSocialAccount.SocialAccount.Handle)
			require.Equal(t, "https://x.com/ada_dev", linked.LinkSocialAccount.SocialAccount.URL)
			require.Equal(t, "ACTIVE", linked.LinkSocialAccount.SocialAccount.Status)

			a.fail("CONFLICT", "", fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: TWITTER, handle: "@ada_dev"}) { socialAccount { id } } }`, ids["jean"]))
			e := a.fail("BAD_USER_INPUT", "handle", fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: YOUTUBE, handle: "youtube.com/user/legacy"}) { socialAccount { id } } }`, ids["ada"]))
			require.Contains(t, e.Message, "youtube.com/@handle")
			a.fail("NOT_FOUND", "memberId", fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: TWITTER, handle: "x"}) { socialAccount { id } } }`, mvpgraph.GlobalID("Member", 99999)))

			// GitHub is switched off: its accounts are frozen from the start.
			gh := link(ids["ada"], "GITHUB", "github.com/ada-dev/")
			yt := link(ids["ada"], "YOUTUBE", "youtube.com/@AdaDev")
			blog := link(ids["jean"], "BLOG", "https://jean.example.com/feed")
			accountID := func(gid string) int64 {
				id, err := mvpgraph.ParseID("id", "SocialAccount", gid)
				require.NoError(t, err)
				return id
			}
			f := func(n int64) *int64 { return &n }
			require.NoError(t, a.s.RecordSync(ctx, []store.Outcome{
				{AccountID: accountID(yt), Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Followers: f(1000), Views: f(5_000_000_000), Posts: f(40)}}},
				{AccountID: accountID(blog), Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{Posts: f(6)}}},
			}))

			var profile struct {
				Member struct {
					SocialAccounts []struct {
						Platform, Status, Handle string
						Followers, Views         *int64
						Staleness                struct {
							AgeSeconds      *int64
							IntervalSeconds int64
							Stale           bool
						}
						History []struct {
							Date      string
							Followers *int64
						}
					}
					Reach struct {
						Total      int64
						Growth     int64
						Score      float64
						ByPlatform []struct {
							Platform  string
							Followers int64
						}
						ScoreParts []struct {
							Platform string
							Value    int64
							Weight   float64
							Points   float64
						}
					}
				}
			}
			a.do(&profile, `{ member(handle: "ada") {
				socialAccounts { platform status handle followers views staleness { ageSeconds intervalSeconds stale } history(interval: WEEK) { date followers } }
				reach { total growth(days: 30) score byPlatform { platform followers } scoreParts { platform value weight points } } } }`)
			accounts := profile.Member.SocialAccounts
			require.Len(t, accounts, 3)
			byPlatform := map[string]int{}
			for i, acc := range accounts {
				byPlatform[acc.Platform] = i
			}
			require.Equal(t, "FROZEN", accounts[byPlatform["GITHUB"]].Status, "a switched-off platform's account is frozen")
			ytAcc := accounts[byPlatform["YOUTUBE"]]
			require.Equal(t, "@adadev", ytAcc.Handle)
			require.EqualValues(t, 5_000_000_000, *ytAcc.Views, "counts beyond 32 bits")
			require.False(t, ytAcc.Staleness.Stale)
			require.NotNil(t, ytAcc.Staleness.AgeSeconds)
			require.EqualValues(t, 86400, ytAcc.Staleness.IntervalSeconds)
			require.Len(t, ytAcc.History, 1)
			require.Equal(t, store.Day(storetest.Clock()), ytAcc.History[0].Date)
			twAcc := accounts[byPlatform["TWITTER"]]
			require.True(t, twAcc.Staleness.Stale, "never synced")
			require.Nil(t, twAcc.Staleness.AgeSeconds)
			require.Empty(t, twAcc.History)
			for _, bad := range []struct{ field, args, says string }{
				{"from", `from: "0000-06-01T00:00:00Z", to: "0000-07-01T00:00:00Z"`, "years 1 to 9999"},
				{"to", `from: "2026-05-01T00:00:00Z", to: "yesterday"`, "RFC 3339"},
				{"to", `from: "9999-12-01T00:00:00Z", to: "10000-01-02T00:00:00Z"`, "RFC 3339"},
			} {
				e := a.fail("BAD_USER_INPUT", bad.field, `{ member(handle: "ada") { socialAccounts { history(`+bad.args+`) { date } } } }`)
				require.Contains(t, e.Message, bad.says)
			}

			reach := profile.Member.Reach
			require.EqualValues(t, 1000, reach.Total)
			require.Zero(t, reach.Growth)
			require.InDelta(t, 2000.0, reach.Score, 0.001, "1,000 YouTube subscribers at weight 2")
			require.Len(t, reach.ScoreParts, 3)
			for _, p := range reach.ScoreParts {
				require.InDelta(t, float64(p.Value)*p.Weight, p.Points, 0.001)
			}

			var board struct {
				ReachLeaderboard struct {
					TotalCount int
					Edges      []struct {
						Cursor string
						Node   struct {
							Rank      int
							Followers int64
							Member    struct{ Handle string }
						}
					}
				}
			}
			a.do(&board, `{ reachLeaderboard(first: 1) { totalCount edges { cursor node { rank followers member { handle } } } } }`)
			require.Equal(t, 2, board.ReachLeaderboard.TotalCount, "MVPs with accounts")
			require.Equal(t, "ada", board.ReachLeaderboard.Edges[0].Node.Member.Handle)
			require.Equal(t, 1, board.ReachLeaderboard.Edges[0].Node.Rank)
			a.do(&board, fmt.Sprintf(`{ reachLeaderboard(first: 5, after: %q, orderBy: GROWTH) { totalCount edges { cursor node { rank followers member { handle } } } } }`, board.ReachLeaderboard.Edges[0].Cursor))
			require.Equal(t, "jean", board.ReachLeaderboard.Edges[0].Node.Member.Handle)
			require.Equal(t, 2, board.ReachLeaderboard.Edges[0].Node.Rank)
			a.do(&board, fmt.Sprintf(`{ reachLeaderboard(where: {leadId: %q, platform: YOUTUBE}) { totalCount edges { node { followers member { handle } } } } }`, ids["uma"]))
			require.Equal(t, 1, board.ReachLeaderboard.TotalCount)
			a.fail("BAD_USER_INPUT", "after", `{ reachLeaderboard(after: "zzz") { totalCount } }`)
			a.fail("BAD_USER_INPUT", "days", `{ reachLeaderboard(days: 0) { totalCount } }`)
			a.fail("BAD_USER_INPUT", "where.country", `{ reachLeaderboard(where: {country: "Narnia"}) { totalCount } }`)

			var lead struct {
				Node struct {
					ReachSummary struct {
						Mvps, Accounts int
						Followers      int64
					}
				}
			}
			a.do(&lead, fmt.Sprintf(`{ node(id: %q) { ... on Lead { reachSummary { mvps accounts followers } } } }`, ids["uma"]))
			require.Equal(t, 1, lead.Node.ReachSummary.Mvps)
			require.Equal(t, 3, lead.Node.ReachSummary.Accounts)
			require.EqualValues(t, 1000, lead.Node.ReachSummary.Followers)

			var refreshed struct {
				RefreshSocialAccount struct{ Queued bool }
			}
			a.do(&refreshed, fmt.Sprintf(`mutation { refreshSocialAccount(input: {id: %q}) { queued } }`, yt))
			require.True(t, refreshed.RefreshSocialAccount.Queued)
			a.do(&refreshed, fmt.Sprintf(`mutation { refreshSocialAccount(input: {id: %q}) { queued } }`, yt))
			require.False(t, refreshed.RefreshSocialAccount.Queued, "a sync is already under way")
			a.do(&refreshed, fmt.Sprintf(`mutation { refreshSocialAccount(input: {id: %q}) { queued } }`, gh))
			require.False(t, refreshed.RefreshSocialAccount.Queued, "a frozen account does not sync")
			var member struct {
				RefreshMember struct{ Queued int }
			}
			a.do(&member, fmt.Sprintf(`mutation { refreshMember(input: {id: %q}) { queued } }`, ids["ada"]))
			require.Equal(t, 1, member.RefreshMember.Queued, "the Twitter account; YouTube is already queued, GitHub frozen")
			a.fail("NOT_FOUND", "id", fmt.Sprintf(`mutation { refreshSocialAccount(input: {id: %q}) { queued } }`, mvpgraph.GlobalID("SocialAccount", 9999)))

			var integ struct {
				Integrations []struct {
					Platform        string
					Enabled         bool
					Accounts, Due   int
					IntervalSeconds int64
				}
			}
			a.do(&integ, `{ integrations { platform enabled accounts due intervalSeconds } }`)
			require.Len(t, integ.Integrations, len(mvpgraph.Platforms), "every platform, Bluesky among them")
			for _, i := range integ.Integrations {
				switch i.Platform {
				case "GITHUB":
					require.False(t, i.Enabled)
					require.Equal(t, 1, i.Accounts)
					require.Zero(t, i.Due, "frozen accounts are never due")
				case "TWITTER":
					require.True(t, i.Enabled)
					require.Equal(t, 1, i.Due)
				case "YOUTUBE":
					require.Zero(t, i.Due)
				}
			}

			var unlinked struct {
				UnlinkSocialAccount struct{ SocialAccount struct{ Handle string } }
			}
			a.do(&unlinked, fmt.Sprintf(`mutation { unlinkSocialAccount(input: {id: %q}) { socialAccount { handle } } }`, blog))
			require.Equal(t, "https://jean.example.com/feed", unlinked.UnlinkSocialAccount.SocialAccount.Handle)
			a.fail("NOT_FOUND", "", fmt.Sprintf(`mutation { unlinkSocialAccount(input: {id: %q}) { socialAccount { handle } } }`, blog))

			require.Equal(t, before, snapshot(a), "the program itself is untouched")
		})
	}
}
