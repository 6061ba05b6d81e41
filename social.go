package mvpgraph

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SocialAccount is a member's account on a platform, and how its sync goes.
type SocialAccount struct {
	ID           int64         `db:"id"`
	MemberID     int64         `db:"member_id"`
	Platform     Platform      `db:"platform"`
	Handle       string        `db:"handle"` // normalised; see NormalizeAccount
	URL          string        `db:"url"`
	Status       AccountStatus `db:"status"`
	LastSyncedAt *time.Time    `db:"last_synced_at"`
	LastError    *string       `db:"last_error"`
	Failures     int           `db:"failures"` // consecutive failed syncs
	CreatedAt    time.Time     `db:"created_at"`
	// ClaimedUntil is set while a sync round holds the account, and cleared
	// when the sync is recorded.
	ClaimedUntil *time.Time `db:"claimed_until"`

	// Reach is the newest reading; empty until the first sync.
	Reach
}

// Snapshot is an account's reach on one day. A day has at most one: a
// repeated sync replaces it.
type Snapshot struct {
	AccountID  int64     `db:"account_id"`
	Day        string    `db:"day"` // YYYY-MM-DD, UTC
	CapturedAt time.Time `db:"captured_at"`
	Reach
}

// PlatformState is what a platform's API last said, shared by every worker.
type PlatformState struct {
	Platform       Platform   `db:"platform"`
	QuotaLimit     *int       `db:"quota_limit"`
	QuotaRemaining *int       `db:"quota_remaining"`
	QuotaReset     *time.Time `db:"quota_reset"`
	LateGrants     int        `db:"late_grants"` // granted near the reset, counted against the next window
	PausedUntil    *time.Time `db:"paused_until"`
	LastRunAt      *time.Time `db:"last_run_at"`
	LastError      *string    `db:"last_error"`
	// ProbeUntil is set while the one request allowed before the platform
	// has said its allowance is in flight.
	ProbeUntil *time.Time `db:"probe_until"`
	// Unmetered: the platform answered without saying any allowance.
	Unmetered bool `db:"unmetered"`
}

// MaxFailures is how many syncs in a row may fail before an account is
// marked ERROR. It is still retried on later rounds.
const MaxFailures = 3

// Staleness says how old an account's data is against its sync interval.
type Staleness struct {
	Age      *time.Duration // since the last sync; nil when never synced
	Interval time.Duration
	Stale    bool // never synced, or older than twice the interval
}

// StalenessOf returns how stale an account synced at last is, at now.
// Data is stale once it is more than twice its interval old: one missed
// round is normal, two are not.
func StalenessOf(last *time.Time, interval time.Duration, now time.Time) Staleness {
	s := Staleness{Interval: interval, Stale: true}
	if last != nil {
		age := now.Sub(*last)
		s.Age = &age
		s.Stale = age > 2*interval
	}
	return s
}

var (
	twitterName   = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)
	youtubeID     = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	youtubeHandle = regexp.MustCompile(`^[A-Za-z0-9._-]{3,30}$`)
	githubLogin   = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
	mastodonUser  = regexp.MustCompile(`^[A-Za-z0-9_]{1,30}$`)
	facebookName  = regexp.MustCompile(`^[A-Za-z0-9.]{5,50}$`)
	numericID     = regexp.MustCompile(`^[0-9]{1,20}$`)
	hostname      = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	stackSite     = regexp.MustCompile(`^[a-z][a-z0-9.]{1,40}$`)
	// A handle is a domain name (the AT Protocol's handle syntax): labels
	// of letters, digits and inner hyphens, the last not starting with a
	// digit; a did:plc is 24 base32 characters.
	blueskyHandle = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	didPLC        = regexp.MustCompile(`^did:plc:[a-z2-7]{24}$`)
)

// blueskyReservedTLDs are the top-level domains the AT Protocol forbids in
// handles.
var blueskyReservedTLDs = map[string]bool{"alt": true, "arpa": true, "example": true, "internal": true, "invalid": true, "local": true, "localhost": true, "onion": true}

// Paths of the platforms' own pages, which look like profile names.
var reservedNames = map[Platform]map[string]bool{
	Twitter:  setOf("home", "i", "intent", "search", "share", "hashtag", "settings", "explore", "notifications", "messages", "login", "signup", "tos", "privacy"),
	GitHub:   setOf("about", "settings", "orgs", "organizations", "marketplace", "explore", "topics", "login", "join", "features", "pricing", "sponsors", "notifications", "new"),
	Facebook: setOf("pages", "groups", "events", "watch", "marketplace", "login", "help", "settings", "profile.php"),
}

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Stack Exchange sites whose own domain is not <site>.stackexchange.com,
// with the name the API calls them.
var stackSites = map[string]string{
	"stackoverflow.com":      "stackoverflow",
	"superuser.com":          "superuser",
	"serverfault.com":        "serverfault",
	"askubuntu.com":          "askubuntu",
	"stackapps.com":          "stackapps",
	"mathoverflow.net":       "mathoverflow.net",
	"meta.stackoverflow.com": "meta.stackoverflow",
	"meta.superuser.com":     "meta.superuser",
	"meta.serverfault.com":   "meta.serverfault",
	"meta.askubuntu.com":     "meta.askubuntu",
}

// stackSiteDomain returns the domain of a Stack Exchange site by its API
// name.
func stackSiteDomain(site string) string {
	for domain, s := range stackSites {
		if s == site {
			return domain
		}
	}
	return site + ".stackexchange.com"
}

// NormalizeAccount turns what a person pastes for an account into the
// platform's handle, as stored and sent to the platform's API, and the
// account's public URL. It accepts handles ("@name", "name") and profile
// URLs, with or without a scheme, "www." or trailing parts such as
// "?lang=en"; what it cannot read is EINVALID on field "handle", with the
// forms it takes.
//
// Handles: TWITTER and GITHUB the lower-case name; YOUTUBE a channel ID
// ("UC...", as is) or "@handle" (lower-case); MASTODON "user@instance";
// BLUESKY the lower-case handle ("name.bsky.social", or a domain of the
// person's own) or the account's DID ("did:plc:...", "did:web:..."); FACEBOOK the lower-case page name or numeric ID; STACK_EXCHANGE
// "site:userID", such as "stackoverflow:22656"; BLOG the feed's URL.
func NormalizeAccount(p Platform, input string) (handle, profileURL string, err error) {
	in := strings.TrimSpace(input)
	if in == "" || len(in) > 2048 || strings.ContainsAny(in, " \t\r\n") {
		return "", "", badAccount(p, input)
	}
	switch p {
	case Twitter:
		return normalizeTwitter(in)
	case YouTube:
		return normalizeYouTube(in)
	case GitHub:
		return normalizeGitHub(in)
	case Mastodon:
		return normalizeMastodon(in)
	case Bluesky:
		return normalizeBluesky(in)
	case Facebook:
		return normalizeFacebook(in)
	case StackExchange:
		return normalizeStackExchange(in)
	case Blog:
		return normalizeBlog(in)
	}
	return "", "", Invalidf("platform", "%q is not a platform mvpgraph knows.", p)
}

var accountForms = map[Platform]string{
	Twitter:       "@name, name, or https://x.com/name",
	YouTube:       "@handle, a channel ID (UC...), https://www.youtube.com/@handle or https://www.youtube.com/channel/UC...",
	GitHub:        "name or https://github.com/name",
	Mastodon:      "@name@instance.social, name@instance.social or https://instance.social/@name",
	Bluesky:       "@name.bsky.social, a domain handle such as @name.dev, https://bsky.app/profile/name.bsky.social, or the account's DID (did:plc:...)",
	Facebook:      "the page name, its numeric ID, or https://www.facebook.com/name",
	StackExchange: "a profile URL such as https://stackoverflow.com/users/22656/name, or site:userID such as stackoverflow:22656",
	Blog:          "the feed's URL, such as https://example.com/feed.xml",
}

func badAccount(p Platform, input string) error {
	forms := accountForms[p]
	if forms == "" {
		return Invalidf("platform", "%q is not a platform mvpgraph knows.", p)
	}
	if len(input) > 80 {
		input = input[:80] + "..."
	}
	return Invalidf("handle", "%q is not a %s account; give %s.", input, p, forms)
}

// profile splits a pasted value into the host (lower-case, without "www."
// or "m.") and path segments, when it is a URL of one of hosts; ok is false
// when it is not a URL of theirs.
func profile(in string, hosts ...string) (host string, segs []string, query url.Values, ok bool) {
	raw := in
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", nil, nil, false
	}
	host = strings.ToLower(u.Hostname())
	for _, prefix := range []string{"www.", "m.", "mobile."} {
		host = strings.TrimPrefix(host, prefix)
	}
	matched := len(hosts) == 0
	for _, h := range hosts {
		if host == h {
			matched = true
		}
	}
	if !matched {
		return "", nil, nil, false
	}
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return host, segs, u.Query(), true
}

func normalizeTwitter(in string) (string, string, error) {
	name := strings.TrimPrefix(in, "@")
	if _, segs, _, ok := profile(in, "x.com", "twitter.com"); ok {
		if len(segs) == 0 {
			return "", "", badAccount(Twitter, in)
		}
		name = strings.TrimPrefix(segs[0], "@")
	}
	n := strings.ToLower(name)
	if !twitterName.MatchString(name) || reservedNames[Twitter][n] {
		return "", "", badAccount(Twitter, in)
	}
	return n, "https://x.com/" + n, nil
}

func normalizeYouTube(in string) (string, string, error) {
	id := in
	if _, segs, _, ok := profile(in, "youtube.com"); ok {
		switch {
		case len(segs) >= 1 && strings.HasPrefix(segs[0], "@"):
			id = segs[0]
		case len(segs) >= 2 && segs[0] == "channel":
			id = segs[1]
		default:
			return "", "", badAccount(YouTube, in)
		}
	}
	switch {
	case youtubeID.MatchString(id):
		return id, "https://www.youtube.com/channel/" + id, nil
	case strings.HasPrefix(id, "@") && youtubeHandle.MatchString(id[1:]):
		h := strings.ToLower(id)
		return h, "https://www.youtube.com/" + h, nil
	}
	return "", "", badAccount(YouTube, in)
}

func normalizeGitHub(in string) (string, string, error) {
	name := strings.TrimPrefix(in, "@")
	if _, segs, _, ok := profile(in, "github.com"); ok {
		if len(segs) == 0 {
			return "", "", badAccount(GitHub, in)
		}
		name = segs[0]
	}
	n := strings.ToLower(name)
	if !githubLogin.MatchString(name) || reservedNames[GitHub][n] {
		return "", "", badAccount(GitHub, in)
	}
	return n, "https://github.com/" + n, nil
}

func normalizeMastodon(in string) (string, string, error) {
	var user, host string
	if strings.Contains(in, "/") {
		h, segs, _, ok := profile(in)
		if !ok {
			return "", "", badAccount(Mastodon, in)
		}
		switch {
		case len(segs) >= 1 && strings.HasPrefix(segs[0], "@"):
			user = segs[0][1:]
		case len(segs) >= 2 && segs[0] == "users":
			user = segs[1]
		default:
			return "", "", badAccount(Mastodon, in)
		}
		host = h
		// A remote account seen through another instance: @user@home.
		if u, home, ok := strings.Cut(user, "@"); ok {
			user, host = u, strings.ToLower(home)
		}
	} else {
		var ok bool
		user, host, ok = strings.Cut(strings.TrimPrefix(in, "@"), "@")
		if !ok {
			return "", "", badAccount(Mastodon, in)
		}
		host = strings.ToLower(host)
	}
	if !mastodonUser.MatchString(user) || !hostname.MatchString(host) {
		return "", "", badAccount(Mastodon, in)
	}
	user = strings.ToLower(user)
	return user + "@" + host, "https://" + host + "/@" + user, nil
}

func normalizeBluesky(in string) (string, string, error) {
	actor := strings.TrimPrefix(in, "@")
	switch {
	case strings.HasPrefix(strings.ToLower(in), "at://"):
		// An AT URI names its repository first: at://name.bsky.social/...
		actor, _, _ = strings.Cut(in[len("at://"):], "/")
	case strings.Contains(in, "/"):
		_, segs, _, ok := profile(in, "bsky.app")
		if !ok || len(segs) < 2 || segs[0] != "profile" {
			return "", "", badAccount(Bluesky, in)
		}
		actor = segs[1]
	}
	actor = strings.TrimPrefix(actor, "@")
	if strings.HasPrefix(actor, "did:") {
		switch {
		case didPLC.MatchString(actor):
		case strings.HasPrefix(actor, "did:web:") && hostname.MatchString(actor[len("did:web:"):]):
		default:
			return "", "", badAccount(Bluesky, in)
		}
		return actor, "https://bsky.app/profile/" + actor, nil
	}
	h := strings.ToLower(actor)
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if len(h) > 253 || !blueskyHandle.MatchString(h) || blueskyReservedTLDs[tld] {
		return "", "", badAccount(Bluesky, in)
	}
	return h, "https://bsky.app/profile/" + h, nil
}

func normalizeFacebook(in string) (string, string, error) {
	name := strings.TrimPrefix(in, "@")
	if _, segs, q, ok := profile(in, "facebook.com", "fb.com"); ok {
		switch {
		case len(segs) == 1 && segs[0] == "profile.php" && numericID.MatchString(q.Get("id")):
			name = q.Get("id")
		case len(segs) >= 2 && segs[0] == "pages" && numericID.MatchString(segs[len(segs)-1]):
			name = segs[len(segs)-1]
		case len(segs) >= 1:
			name = segs[0]
		default:
			return "", "", badAccount(Facebook, in)
		}
	}
	n := strings.ToLower(name)
	if !(numericID.MatchString(n) || facebookName.MatchString(n)) || reservedNames[Facebook][n] {
		return "", "", badAccount(Facebook, in)
	}
	return n, "https://www.facebook.com/" + n, nil
}

func normalizeStackExchange(in string) (string, string, error) {
	var site, id string
	if s, i, ok := strings.Cut(in, ":"); ok && !strings.Contains(in, "/") {
		site, id = strings.ToLower(s), i
	} else {
		host, segs, _, ok := profile(in)
		if !ok || len(segs) < 2 || segs[0] != "users" {
			return "", "", badAccount(StackExchange, in)
		}
		if s, known := stackSites[host]; known {
			site = s
		} else if sub, ok := strings.CutSuffix(host, ".stackexchange.com"); ok && sub != "" && !strings.Contains(sub, ".") {
			site = sub
		} else {
			return "", "", badAccount(StackExchange, in)
		}
		id = segs[1]
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || !stackSite.MatchString(site) {
		return "", "", badAccount(StackExchange, in)
	}
	handle := site + ":" + strconv.FormatInt(n, 10)
	return handle, "https://" + stackSiteDomain(site) + "/users/" + strconv.FormatInt(n, 10), nil
}

func normalizeBlog(in string) (string, string, error) {
	raw := in
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Hostname() == "" {
		return "", "", badAccount(Blog, in)
	}
	host := strings.ToLower(u.Hostname())
	if net.ParseIP(host) == nil && !hostname.MatchString(host) && host != "localhost" {
		return "", "", badAccount(Blog, in)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", badAccount(Blog, in)
		}
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = host
	u.Fragment = ""
	u.RawFragment = ""
	s := u.String()
	return s, s, nil
}

// ReachWeights weigh each platform's term of the reach score.
type ReachWeights map[Platform]float64

// DefaultReachWeights weigh a follower where it is hardest to earn: a
// GitHub follower counts three Twitter followers, a YouTube subscriber two;
// a Facebook fan counts half, a Stack Exchange reputation point a
// twentieth; a blog post of the last 90 days counts 50.
var DefaultReachWeights = ReachWeights{
	Twitter:       1,
	YouTube:       2,
	GitHub:        3,
	Mastodon:      1.5,
	Bluesky:       1.5,
	Facebook:      0.5,
	StackExchange: 0.05,
	Blog:          50,
}

// ParseReachWeights reads weights such as "TWITTER=1,GITHUB=2.5" over the
// defaults.
func ParseReachWeights(s string) (ReachWeights, error) {
	return parseWeights(s, DefaultReachWeights, Platform.Valid, "PLATFORM=WEIGHT with a known platform", "GITHUB=2.5")
}

// parseWeights reads "KEY=WEIGHT,..." over defaults; valid says which keys
// exist.
func parseWeights[K ~string](s string, defaults map[K]float64, valid func(K) bool, form, example string) (map[K]float64, error) {
	w := make(map[K]float64, len(defaults))
	for k, v := range defaults {
		w[k] = v
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		name, value, ok := strings.Cut(part, "=")
		k := K(strings.ToUpper(strings.TrimSpace(name)))
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || !valid(k) || err != nil || f < 0 {
			return nil, Invalidf("weights", "%q is not %s and a weight of 0 or more, such as %s.", part, form, example)
		}
		w[k] = f
	}
	return w, nil
}

// ScorePart is one platform's term of a reach score.
type ScorePart struct {
	Platform Platform
	Value    int64 // followers, or for a blog its posts of the last 90 days
	Weight   float64
	Points   float64
}

// PlatformTotal is a member's reach on one platform.
type PlatformTotal struct {
	Platform  Platform
	Accounts  int
	Followers int64
}

// ScoreReach sums a member's accounts per platform and scores them: the
// score is the sum over platforms of value times weight, where the value is
// the followers (a blog's: its posts of the last 90 days). Accounts that
// were never read count nothing. It returns the total followers, the
// totals and the score's terms by platform in platform order, and the
// score.
func ScoreReach(accounts []SocialAccount, w ReachWeights) (total int64, byPlatform []PlatformTotal, parts []ScorePart, score float64) {
	for _, p := range Platforms {
		t := PlatformTotal{Platform: p}
		var value int64
		for _, a := range accounts {
			if a.Platform != p {
				continue
			}
			t.Accounts++
			if a.Followers != nil {
				t.Followers += *a.Followers
			}
			if p == Blog && a.Posts != nil {
				value += *a.Posts
			}
		}
		if t.Accounts == 0 {
			continue
		}
		if p != Blog {
			value = t.Followers
		}
		total += t.Followers
		byPlatform = append(byPlatform, t)
		part := ScorePart{Platform: p, Value: value, Weight: w[p], Points: float64(value) * w[p]}
		parts = append(parts, part)
		score += part.Points
	}
	return total, byPlatform, parts, score
}

// HistoryInterval is the spacing of a reach history.
type HistoryInterval string

// History intervals.
const (
	ByDay   HistoryInterval = "DAY"
	ByWeek  HistoryInterval = "WEEK"
	ByMonth HistoryInterval = "MONTH"
)

// Valid reports whether i is a known interval.
func (i HistoryInterval) Valid() bool { return i == ByDay || i == ByWeek || i == ByMonth }

// Thin keeps, of snapshots sorted by day, the last of each period: every
// one by DAY, the last of each ISO week (Monday to Sunday) by WEEK, the last
// of each calendar month by MONTH.
func Thin(snaps []Snapshot, by HistoryInterval) []Snapshot {
	if by == ByDay || by == "" {
		return snaps
	}
	period := func(day string) string {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return day
		}
		if by == ByMonth {
			return day[:7]
		}
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	var out []Snapshot
	for i, s := range snaps {
		if i+1 < len(snaps) && period(snaps[i+1].Day) == period(s.Day) {
			continue
		}
		out = append(out, s)
	}
	return out
}
