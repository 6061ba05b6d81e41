package resolvers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// TestReplicaWithoutCredentials: an API replica started without platform
// credentials says what the syncing processes record, and linking an
// account through it freezes nothing but the new account of a platform
// nobody syncs.
func TestReplicaWithoutCredentials(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a := newReachAPI(t, d) // a worker elsewhere serves all but GitHub
			// Another worker syncs Twitter more often.
			require.NoError(t, a.s.Heartbeat(ctx, "twitter-worker", map[mvpgraph.Platform]store.Service{
				mvpgraph.Twitter: {Interval: 6 * time.Hour, BatchSize: 100},
			}, time.Hour))
			ids := buildProgram(a)
			member, err := mvpgraph.ParseID("id", "Member", ids["ada"])
			require.NoError(t, err)
			// Accounts linked before, one of them found gone.
			tw, err := a.s.LinkSocialAccount(ctx, member, mvpgraph.Twitter, "ada_old")
			require.NoError(t, err)
			gh, err := a.s.LinkSocialAccount(ctx, member, mvpgraph.GitHub, "ada-old")
			require.NoError(t, err)
			gone, err := a.s.LinkSocialAccount(ctx, member, mvpgraph.GitHub, "ada-gone")
			require.NoError(t, err)
			require.NoError(t, a.s.RecordSync(ctx, []store.Outcome{{AccountID: gone.ID, Lookup: mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}}}))

			link := func(platform, handle string) string {
				var out struct {
					LinkSocialAccount struct{ SocialAccount struct{ Status string } }
				}
				a.do(&out, fmt.Sprintf(`mutation { linkSocialAccount(input: {memberId: %q, platform: %s, handle: %q}) { socialAccount { status } } }`, ids["ada"], platform, handle))
				return out.LinkSocialAccount.SocialAccount.Status
			}
			require.Equal(t, "ACTIVE", link("TWITTER", "ada_new"), "a worker elsewhere syncs Twitter")
			require.Equal(t, "FROZEN", link("GITHUB", "ada-new"), "nobody syncs GitHub")
			accounts, err := a.s.SocialAccountsByIDs(ctx, []int64{tw.ID, gh.ID, gone.ID})
			require.NoError(t, err)
			require.Equal(t, mvpgraph.AccountActive, accounts[0].Status)
			require.Equal(t, mvpgraph.AccountActive, accounts[1].Status, "the replica does not freeze the platform; the syncing processes do")
			require.Equal(t, mvpgraph.AccountNotFound, accounts[2].Status)

			var integ struct {
				Integrations []struct {
					Platform        string
					Enabled         bool
					IntervalSeconds int64
				}
			}
			a.do(&integ, `{ integrations { platform enabled intervalSeconds } }`)
			for _, i := range integ.Integrations {
				switch i.Platform {
				case "TWITTER":
					require.True(t, i.Enabled)
					require.EqualValues(t, 6*3600, i.IntervalSeconds, "the shortest interval a live worker syncs at")
				case "GITHUB":
					require.False(t, i.Enabled)
				default:
					require.True(t, i.Enabled, i.Platform)
				}
			}
			var profile struct {
				Member struct {
					SocialAccounts []struct {
						Platform  string
						Staleness struct{ IntervalSeconds int64 }
					}
				}
			}
			a.do(&profile, `{ member(handle: "ada") { socialAccounts { platform staleness { intervalSeconds } } } }`)
			for _, acc := range profile.Member.SocialAccounts {
				if acc.Platform == "TWITTER" {
					require.EqualValues(t, 6*3600, acc.Staleness.IntervalSeconds)
				}
			}
		})
	}
}
