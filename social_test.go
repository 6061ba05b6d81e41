package mvpgraph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
)

func TestNormalizeAccount(t *testing.T) {
	for _, tc := range []struct {
		platform    mvpgraph.Platform
		in          string
		handle, url string
	}{
		{mvpgraph.Twitter, "@Name_1", "name_1", "https://x.com/name_1"},
		{mvpgraph.Twitter, "name_1", "name_1", "https://x.com/name_1"},
		{mvpgraph.Twitter, "https://x.com/Name_1", "name_1", "https://x.com/name_1"},
		{mvpgraph.Twitter, "twitter.com/name_1?lang=en", "name_1", "https://x.com/name_1"},
		{mvpgraph.Twitter, "https://mobile.twitter.com/name_1/status/123", "name_1", "https://x.com/name_1"},
		{mvpgraph.Twitter, " http://www.twitter.com/name_1/ ", "name_1", "https://x.com/name_1"},
		{mvpgraph.YouTube, "youtube.com/@Some.Channel", "@some.channel", "https://www.youtube.com/@some.channel"},
		{mvpgraph.YouTube, "@some.channel", "@some.channel", "https://www.youtube.com/@some.channel"},
		{mvpgraph.YouTube, "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", "UC_x5XG1OV2P6uZZ5FSM9Ttw", "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw"},
		{mvpgraph.YouTube, "UC_x5XG1OV2P6uZZ5FSM9Ttw", "UC_x5XG1OV2P6uZZ5FSM9Ttw", "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw"},
		{mvpgraph.YouTube, "https://m.youtube.com/@some.channel/videos", "@some.channel", "https://www.youtube.com/@some.channel"},
		{mvpgraph.Mastodon, "https://mastodon.social/@Name", "name@mastodon.social", "https://mastodon.social/@name"},
		{mvpgraph.Mastodon, "@name@Fosstodon.org", "name@fosstodon.org", "https://fosstodon.org/@name"},
		{mvpgraph.Mastodon, "name@fosstodon.org", "name@fosstodon.org", "https://fosstodon.org/@name"},
		{mvpgraph.Mastodon, "https://mastodon.social/@name@hachyderm.io", "name@hachyderm.io", "https://hachyderm.io/@name"},
		{mvpgraph.Mastodon, "https://hachyderm.io/users/name", "name@hachyderm.io", "https://hachyderm.io/@name"},
		{mvpgraph.Bluesky, "@Name.bsky.social", "name.bsky.social", "https://bsky.app/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "name.bsky.social", "name.bsky.social", "https://bsky.app/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "https://bsky.app/profile/Name.bsky.social", "name.bsky.social", "https://bsky.app/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "bsky.app/profile/name.bsky.social/post/3kxyz", "name.bsky.social", "https://bsky.app/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "https://bsky.app/profile/@name.bsky.social?ref=bio", "name.bsky.social", "https://bsky.app/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "@jay.dev", "jay.dev", "https://bsky.app/profile/jay.dev"},
		{mvpgraph.Bluesky, "Ann-Lee.Example-Corp.co.uk", "ann-lee.example-corp.co.uk", "https://bsky.app/profile/ann-lee.example-corp.co.uk"},
		{mvpgraph.Bluesky, "did:plc:z72i7hdynmk6r22z27h6tvur", "did:plc:z72i7hdynmk6r22z27h6tvur", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur"},
		{mvpgraph.Bluesky, "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur", "did:plc:z72i7hdynmk6r22z27h6tvur", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur"},
		{mvpgraph.Bluesky, "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3k", "did:plc:z72i7hdynmk6r22z27h6tvur", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur"},
		{mvpgraph.Bluesky, "did:web:jay.example.org", "did:web:jay.example.org", "https://bsky.app/profile/did:web:jay.example.org"},
		{mvpgraph.GitHub, "github.com/Name-1/", "name-1", "https://github.com/name-1"},
		{mvpgraph.GitHub, "https://github.com/name-1/some-repo", "name-1", "https://github.com/name-1"},
		{mvpgraph.GitHub, "@name-1", "name-1", "https://github.com/name-1"},
		{mvpgraph.Facebook, "https://www.facebook.com/Contoso.Page/", "contoso.page", "https://www.facebook.com/contoso.page"},
		{mvpgraph.Facebook, "https://www.facebook.com/profile.php?id=100064", "100064", "https://www.facebook.com/100064"},
		{mvpgraph.Facebook, "fb.com/contosopage", "contosopage", "https://www.facebook.com/contosopage"},
		{mvpgraph.StackExchange, "https://stackoverflow.com/users/22656/jon-skeet", "stackoverflow:22656", "https://stackoverflow.com/users/22656"},
		{mvpgraph.StackExchange, "superuser.com/users/123", "superuser:123", "https://superuser.com/users/123"},
		{mvpgraph.StackExchange, "https://dba.stackexchange.com/users/42/someone", "dba:42", "https://dba.stackexchange.com/users/42"},
		{mvpgraph.StackExchange, "stackoverflow:22656", "stackoverflow:22656", "https://stackoverflow.com/users/22656"},
		{mvpgraph.Blog, "https://Example.com/feed.xml", "https://example.com/feed.xml", "https://example.com/feed.xml"},
		{mvpgraph.Blog, "example.com/Blog/Atom?x=1#top", "https://example.com/Blog/Atom?x=1", "https://example.com/Blog/Atom?x=1"},
		{mvpgraph.Blog, "http://127.0.0.1:8080/rss", "http://127.0.0.1:8080/rss", "http://127.0.0.1:8080/rss"},
	} {
		handle, url, err := mvpgraph.NormalizeAccount(tc.platform, tc.in)
		require.NoError(t, err, "%s %q", tc.platform, tc.in)
		require.Equal(t, tc.handle, handle, "%s %q", tc.platform, tc.in)
		require.Equal(t, tc.url, url, "%s %q", tc.platform, tc.in)
	}
}

func TestNormalizeAccountRejects(t *testing.T) {
	for _, tc := range []struct {
		platform mvpgraph.Platform
		in       string
	}{
		{mvpgraph.Twitter, ""},
		{mvpgraph.Twitter, "has space"},
		{mvpgraph.Twitter, "waytoolongforatwittername"},
		{mvpgraph.Twitter, "https://x.com/"},
		{mvpgraph.Twitter, "https://x.com/home"},
		{mvpgraph.Twitter, "https://facebook.com/name"},
		{mvpgraph.YouTube, "youtube.com/user/legacy"},
		{mvpgraph.YouTube, "UCtooshort"},
		{mvpgraph.YouTube, "plainname"},
		{mvpgraph.Mastodon, "name"},
		{mvpgraph.Mastodon, "name@"},
		{mvpgraph.Mastodon, "https://mastodon.social/about"},
		{mvpgraph.Bluesky, "name"},
		{mvpgraph.Bluesky, "@name"},
		{mvpgraph.Bluesky, "name.bsky.social."},
		{mvpgraph.Bluesky, "-name.bsky.social"},
		{mvpgraph.Bluesky, "name.123"},
		{mvpgraph.Bluesky, "name.local"},
		{mvpgraph.Bluesky, "name.example"},
		{mvpgraph.Bluesky, "under_score.bsky.social"},
		{mvpgraph.Bluesky, "https://bsky.app/search?q=name"},
		{mvpgraph.Bluesky, "https://bsky.app/profile"},
		{mvpgraph.Bluesky, "https://x.com/profile/name.bsky.social"},
		{mvpgraph.Bluesky, "did:plc:tooshort"},
		{mvpgraph.Bluesky, "did:plc:Z72I7HDYNMK6R22Z27H6TVUR"},
		{mvpgraph.Bluesky, "did:key:z6Mkabc"},
		{mvpgraph.GitHub, "-leading"},
		{mvpgraph.GitHub, "double--hyphen"},
		{mvpgraph.GitHub, "github.com/settings"},
		{mvpgraph.Facebook, "abc"},
		{mvpgraph.StackExchange, "22656"},
		{mvpgraph.StackExchange, "https://stackoverflow.com/questions/1"},
		{mvpgraph.StackExchange, "https://example.com/users/1"},
		{mvpgraph.Blog, "ftp://example.com/feed"},
		{mvpgraph.Blog, "https://user:pw@example.com/feed"},
		{mvpgraph.Blog, "https://no_dots/feed"},
		{"MYSPACE", "name"},
	} {
		_, _, err := mvpgraph.NormalizeAccount(tc.platform, tc.in)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), "%s %q", tc.platform, tc.in)
		if tc.platform.Valid() {
			require.Equal(t, "handle", mvpgraph.ErrorField(err))
		}
	}
}

// FuzzNormalizeAccount checks, for any input, that the normaliser does not
// panic and that what it accepts is a fixed point: the handle and the URL
// it returns normalise to the same handle again.
func FuzzNormalizeAccount(f *testing.F) {
	for _, s := range []string{"@name", "https://x.com/name", "twitter.com/name?lang=en", "youtube.com/@name",
		"youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", "https://mastodon.social/@name", "github.com/name/",
		"stackoverflow.com/users/1/x", "https://example.com/feed", "name@host.social", "fb.com/profile.php?id=12345",
		"@name.bsky.social", "https://bsky.app/profile/name.bsky.social", "did:plc:z72i7hdynmk6r22z27h6tvur", "at://did:web:jay.example.org/x", "jay.dev"} {
		for i := range mvpgraph.Platforms {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, i int, in string) {
		p := mvpgraph.Platforms[(i%len(mvpgraph.Platforms)+len(mvpgraph.Platforms))%len(mvpgraph.Platforms)]
		handle, url, err := mvpgraph.NormalizeAccount(p, in)
		if err != nil {
			require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
			return
		}
		require.NotEmpty(t, handle)
		require.False(t, strings.ContainsAny(handle, " \t\r\n"))
		again, url2, err := mvpgraph.NormalizeAccount(p, handle)
		require.NoError(t, err, "handle %q of %q", handle, in)
		require.Equal(t, handle, again)
		require.Equal(t, url, url2)
		fromURL, _, err := mvpgraph.NormalizeAccount(p, url)
		require.NoError(t, err, "url %q of %q", url, in)
		require.Equal(t, handle, fromURL)
	})
}

func TestStaleness(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	require.True(t, mvpgraph.StalenessOf(nil, day, now).Stale, "never synced")
	fresh := now.Add(-30 * time.Hour)
	require.False(t, mvpgraph.StalenessOf(&fresh, day, now).Stale, "one missed round is normal")
	old := now.Add(-49 * time.Hour)
	s := mvpgraph.StalenessOf(&old, day, now)
	require.True(t, s.Stale)
	require.Equal(t, 49*time.Hour, *s.Age)
}

func TestScoreReach(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	accounts := []mvpgraph.SocialAccount{
		{Platform: mvpgraph.GitHub, Reach: mvpgraph.Reach{Followers: n(100)}},
		{Platform: mvpgraph.Twitter, Reach: mvpgraph.Reach{Followers: n(1000)}},
		{Platform: mvpgraph.Twitter, Reach: mvpgraph.Reach{Followers: n(500)}},
		{Platform: mvpgraph.Blog, Reach: mvpgraph.Reach{Posts: n(4)}},
		{Platform: mvpgraph.YouTube}, // never read
	}
	w := mvpgraph.ReachWeights{mvpgraph.Twitter: 1, mvpgraph.GitHub: 3, mvpgraph.Blog: 50, mvpgraph.YouTube: 2}
	total, byPlatform, parts, score := mvpgraph.ScoreReach(accounts, w)
	require.EqualValues(t, 1600, total)
	require.Equal(t, []mvpgraph.PlatformTotal{
		{Platform: mvpgraph.Twitter, Accounts: 2, Followers: 1500},
		{Platform: mvpgraph.YouTube, Accounts: 1},
		{Platform: mvpgraph.GitHub, Accounts: 1, Followers: 100},
		{Platform: mvpgraph.Blog, Accounts: 1},
	}, byPlatform)
	require.Equal(t, []mvpgraph.ScorePart{
		{Platform: mvpgraph.Twitter, Value: 1500, Weight: 1, Points: 1500},
		{Platform: mvpgraph.YouTube, Value: 0, Weight: 2, Points: 0},
		{Platform: mvpgraph.GitHub, Value: 100, Weight: 3, Points: 300},
		{Platform: mvpgraph.Blog, Value: 4, Weight: 50, Points: 200},
	}, parts)
	require.InDelta(t, 2000, score, 1e-9)

	total, byPlatform, parts, score = mvpgraph.ScoreReach(nil, w)
	require.Zero(t, total)
	require.Empty(t, byPlatform)
	require.Empty(t, parts)
	require.Zero(t, score)
}

func TestParseReachWeights(t *testing.T) {
	w, err := mvpgraph.ParseReachWeights("github=2.5, TWITTER=0")
	require.NoError(t, err)
	require.Equal(t, 2.5, w[mvpgraph.GitHub])
	require.Equal(t, 0.0, w[mvpgraph.Twitter])
	require.Equal(t, mvpgraph.DefaultReachWeights[mvpgraph.YouTube], w[mvpgraph.YouTube], "the others keep their defaults")
	for _, bad := range []string{"MYSPACE=1", "GITHUB", "GITHUB=-1", "GITHUB=lots"} {
		_, err := mvpgraph.ParseReachWeights(bad)
		require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err), bad)
	}
}

func TestThin(t *testing.T) {
	var snaps []mvpgraph.Snapshot
	start := time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC) // a Thursday
	for i := range 14 {
		snaps = append(snaps, mvpgraph.Snapshot{Day: start.AddDate(0, 0, i).Format(time.DateOnly)})
	}
	days := func(s []mvpgraph.Snapshot) []string {
		var out []string
		for _, x := range s {
			out = append(out, x.Day)
		}
		return out
	}
	require.Len(t, mvpgraph.Thin(snaps, mvpgraph.ByDay), 14)
	require.Equal(t, []string{"2026-06-28", "2026-07-05", "2026-07-08"}, days(mvpgraph.Thin(snaps, mvpgraph.ByWeek)), "the last of each Monday-to-Sunday week")
	require.Equal(t, []string{"2026-06-30", "2026-07-08"}, days(mvpgraph.Thin(snaps, mvpgraph.ByMonth)))
	require.Empty(t, mvpgraph.Thin(nil, mvpgraph.ByWeek))
}
