package mvpgraph_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"mvpgraph"
)

func TestSpaceSite(t *testing.T) {
	t.Parallel()
	p := func(s string) *string { return &s }
	for _, tc := range []struct {
		space    mvpgraph.CommunitySpace
		site     string
		platform mvpgraph.Platform
	}{
		{mvpgraph.CommunitySpace{StackExchangeTag: p("stackoverflow:dynamics-crm")}, "stackoverflow", mvpgraph.StackExchange},
		{mvpgraph.CommunitySpace{URL: p("https://stackoverflow.com/questions/tagged/excel")}, "stackoverflow", mvpgraph.StackExchange},
		{mvpgraph.CommunitySpace{URL: p("https://sharepoint.stackexchange.com/questions")}, "sharepoint", mvpgraph.StackExchange},
		{mvpgraph.CommunitySpace{URL: p("https://github.com/dotnet/runtime/discussions")}, "github.com", mvpgraph.GitHub},
		{mvpgraph.CommunitySpace{URL: p("https://twitter.com/i/communities/1")}, "x.com", mvpgraph.Twitter},
		{mvpgraph.CommunitySpace{URL: p("https://www.youtube.com/@dotnet")}, "youtube.com", mvpgraph.YouTube},
		{mvpgraph.CommunitySpace{URL: p("https://WWW.Community.Example.org/forums/crm")}, "community.example.org", ""},
		{mvpgraph.CommunitySpace{}, "", ""},
	} {
		site, platform := mvpgraph.SpaceSite(tc.space)
		require.Equal(t, tc.site, site)
		if tc.platform == "" {
			require.Nil(t, platform, site)
		} else {
			require.Equal(t, tc.platform, *platform, site)
		}
	}
}

func TestIdentityKeys(t *testing.T) {
	t.Parallel()
	gh := mvpgraph.GitHub
	account, name, handle := mvpgraph.IdentityKeys("github.com", &gh, "GinaGreen", "Gina  Green")
	require.Equal(t, "ginagreen", *account)
	require.Equal(t, "gina green", name)
	require.Equal(t, "ginagreen", handle)
	se := mvpgraph.StackExchange
	account, _, handle = mvpgraph.IdentityKeys("stackoverflow", &se, "4242", "Gina G.")
	require.Equal(t, "stackoverflow:4242", *account, "a bare user ID is an account of the site")
	require.Equal(t, "", handle, "a Stack Exchange ID says nothing across sites")
	require.Equal(t, "chantal cote", mvpgraph.NameKey("Chantal Côté"))
	require.Equal(t, "", mvpgraph.NameKey("Bob"), "one word is too common a name")
	require.Equal(t, "", mvpgraph.HandleKey("a.b"), "too short to suggest anyone by")
	require.Equal(t, "hal-hill", mvpgraph.HandleFromName("Hal Hill"))
	require.Equal(t, "member", mvpgraph.HandleFromName("李"))
}

// FuzzIdentityKeys: whatever a space calls someone, the keys are folded
// letters and digits, and a made handle is a valid member handle.
func FuzzIdentityKeys(f *testing.F) {
	for _, s := range []string{"Gina Green", "gina_g", "Élodie  Bernard", "stackoverflow:4242", "@yonatan.mizrahi", "  ", "Ωμέγα Ψ", "a\x00b c"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, handle, name string) {
		gh := mvpgraph.GitHub
		_, nameKey, handleKey := mvpgraph.IdentityKeys("github.com", &gh, handle, name)
		for _, r := range handleKey {
			require.True(t, unicode.IsLetter(r) || unicode.IsDigit(r), "%q", handleKey)
		}
		require.Equal(t, nameKey, strings.Join(strings.Fields(nameKey), " "), "one space between words")
		require.Equal(t, strings.ToLower(nameKey), nameKey)
		made, err := mvpgraph.NormalizeHandle("handle", mvpgraph.HandleFromName(name))
		require.NoError(t, err, "a handle made from %q", name)
		require.NotEmpty(t, made)
	})
}

func TestNominationMoves(t *testing.T) {
	t.Parallel()
	require.NoError(t, mvpgraph.MoveNomination(mvpgraph.NominationNominated, mvpgraph.NominationUnderReview))
	require.NoError(t, mvpgraph.MoveNomination(mvpgraph.NominationUnderReview, mvpgraph.NominationAwarded))
	err := mvpgraph.MoveNomination(mvpgraph.NominationNominated, mvpgraph.NominationAwarded)
	require.Equal(t, mvpgraph.EINVALID, mvpgraph.ErrorCode(err))
	require.Contains(t, mvpgraph.ErrorMessage(err), "UNDER_REVIEW")
	err = mvpgraph.MoveNomination(mvpgraph.NominationAwarded, mvpgraph.NominationWithdrawn)
	require.Contains(t, mvpgraph.ErrorMessage(err), "has ended")
	require.InDelta(t, 0.9, mvpgraph.SuggestionConfidence([]mvpgraph.SuggestionReason{mvpgraph.SameName, mvpgraph.SimilarHandle}, 2), 1e-9)
	require.InDelta(t, 0.3, mvpgraph.SuggestionConfidence([]mvpgraph.SuggestionReason{mvpgraph.SameName}, 4), 1e-9, "a name four people share")
	require.InDelta(t, 0.8, mvpgraph.SuggestionConfidence([]mvpgraph.SuggestionReason{mvpgraph.SharedProfile}, 2), 1e-9)
	require.InDelta(t, 0.95, mvpgraph.SuggestionConfidence([]mvpgraph.SuggestionReason{mvpgraph.SimilarHandle, mvpgraph.SharedProfile}, 2), 1e-9)
}

func TestProfileKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://stackoverflow.com/users/4711/ann-co":   "stackoverflow.com/users/4711",
		"http://www.StackOverflow.com/users/4711/":      "stackoverflow.com/users/4711",
		"https://stackoverflow.com/users/4711?tab=top":  "stackoverflow.com/users/4711",
		"https://github.com/GinaGreen/":                 "github.com/ginagreen",
		"https://GitHub.com/ginagreen#repos":            "github.com/ginagreen",
		" https://blogs.example.org/crm/about ":         "blogs.example.org/crm/about",
		"https://github.com/":                           "",
		"https://github.com":                            "",
		"mailto:gina@example.org":                       "",
		"javascript:alert(1)":                           "",
		"stackoverflow.com/users/4711":                  "",
		"https:///users/4711":                           "",
		"https://blogs.example.org/users/12ab/someone/": "blogs.example.org/users/12ab/someone",
	} {
		require.Equal(t, want, mvpgraph.ProfileKey(in), in)
	}
	require.Empty(t, mvpgraph.ProfileURL("https://example.org/"+strings.Repeat("a", mvpgraph.MaxProfileURL)), "too long")
	require.Equal(t, "https://github.com/ann", mvpgraph.ProfileURL(" https://github.com/ann "))
}

// FuzzProfileKey: a key is lower-case, has no scheme, query, fragment or
// trailing slash, and is the same for the address with another case or a
// slash more.
func FuzzProfileKey(f *testing.F) {
	for _, s := range []string{"https://stackoverflow.com/users/4711/ann-co", "http://www.GitHub.com/Gina/", "https://x/?a#b", "https://ex.org/%2F/", "mailto:a@b", "https://[::1]/p", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := mvpgraph.ProfileKey(s)
		if k == "" {
			return
		}
		require.Equal(t, strings.ToLower(k), k)
		require.False(t, strings.HasSuffix(k, "/"), "%q", k)
		u, err := url.Parse(strings.TrimSpace(s))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(k, strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")+"/"), "%q is the host and a path", k)
		require.NotContains(t, k, "?")
		require.Equal(t, k, mvpgraph.ProfileKey(strings.ToUpper(s[:5])+s[5:]), "the scheme's case")
		if !strings.ContainsAny(s, "?#") {
			require.Equal(t, k, mvpgraph.ProfileKey(strings.TrimSpace(s)+"/"), "a trailing slash")
		}
	})
}
