package mvpgraph

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A person is the identities (contributors: a handle in a space) that are
// one human. The rules join identities that are certainly one person:
//
//   - identities linked to the same member;
//   - the same account on the same site (a Stack Exchange user ID across
//     tags, one GitHub login across repositories' spaces, one forum's boards);
//   - a handle that is one of a member's linked social accounts on the
//     platform the site is.
//
// Everything else is a suggestion (see Suggest) that a person confirms with
// a merge. A merge, a split and the rules' joins are recorded as
// PeopleChanges, and a merge or a split can be undone.

// Person is one human seen in community spaces.
type Person struct {
	ID         int64     `db:"id"`
	Name       string    `db:"name"`
	MemberID   *int64    `db:"member_id"`
	MergedInto *int64    `db:"merged_into"`
	CreatedAt  time.Time `db:"created_at"`
}

// Identity is a person's handle in one space.
type Identity struct {
	ID        int64   `db:"id"`
	PersonID  int64   `db:"person_id"`
	SpaceID   int64   `db:"space_id"`
	SpaceName string  `db:"space_name"`
	Site      string  `db:"site"`
	Handle    string  `db:"handle"`
	Name      string  `db:"name"`
	MemberID  *int64  `db:"member_id"`
	Account   *string `db:"account"`
	// ProfileURL is the profile page the space gave, when it gave one.
	ProfileURL *string `db:"profile_url"`
	// LinkedMemberID and LinkedAccountID are the member whose social
	// account the identity is, and the account, when it is one.
	LinkedMemberID  *int64 `db:"linked_member_id"`
	LinkedAccountID *int64 `db:"linked_account_id"`
}

// PeopleChangeKind is what changed who is whom.
type PeopleChangeKind string

// Kinds of people changes.
const (
	PeopleMerge PeopleChangeKind = "MERGE" // someone merged people
	PeopleSplit PeopleChangeKind = "SPLIT" // someone took identities out into a person of their own
	PeopleUndo  PeopleChangeKind = "UNDO"  // someone undid a merge or a split
	PeopleJoin  PeopleChangeKind = "JOIN"  // the rules joined people certainly one
)

// PeopleChange records one change of who is whom: what, the person it left
// the identities with, who made it and when.
type PeopleChange struct {
	ID           int64            `db:"id"`
	Kind         PeopleChangeKind `db:"kind"`
	PersonID     int64            `db:"person_id"`
	Reason       *string          `db:"reason"`
	Undoes       *int64           `db:"undoes"`
	UndoneBy     *int64           `db:"undone_by"`
	ActorName    string           `db:"actor_name"`
	ActorTokenID *int64           `db:"actor_token_id"`
	At           time.Time        `db:"at"`
}

// PeopleMove is one identity moved by a change.
type PeopleMove struct {
	ChangeID     int64 `db:"change_id"`
	IdentityID   int64 `db:"contributor_id"`
	FromPersonID int64 `db:"from_person_id"`
	ToPersonID   int64 `db:"to_person_id"`
}

// Reasons the rules join identities.
const (
	JoinSameMember    = "SAME_MEMBER"    // linked to one member
	JoinSameAccount   = "SAME_ACCOUNT"   // one account on one site
	JoinLinkedAccount = "LINKED_ACCOUNT" // a member's linked social account
)

// SpaceSite returns the site a space is on, the key its accounts are known
// by, and the social platform the site is, if any. A Stack Exchange tag's
// site is the Stack Exchange site; otherwise the host of the space's
// address, without "www."; "" when the space has neither, and is then a
// site of its own.
func SpaceSite(sp CommunitySpace) (site string, platform *Platform) {
	if sp.StackExchangeTag != nil {
		s, _, _ := strings.Cut(*sp.StackExchangeTag, ":")
		p := StackExchange
		return s, &p
	}
	if sp.URL == nil {
		return "", nil
	}
	u, err := url.Parse(strings.TrimSpace(*sp.URL))
	if err != nil || u.Hostname() == "" {
		return "", nil
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if s, ok := stackSites[host]; ok {
		p := StackExchange
		return s, &p
	}
	if s, ok := strings.CutSuffix(host, ".stackexchange.com"); ok && s != "" && !strings.Contains(s, ".") {
		p := StackExchange
		return s, &p
	}
	var p Platform
	switch host {
	case "github.com":
		p = GitHub
	case "twitter.com", "x.com":
		p, host = Twitter, "x.com"
	case "bsky.app":
		p = Bluesky
	case "youtube.com", "m.youtube.com":
		p, host = YouTube, "youtube.com"
	case "facebook.com", "m.facebook.com":
		p, host = Facebook, "facebook.com"
	default:
		return host, nil
	}
	return host, &p
}

// IdentityKeys returns what an identity is matched on: its handle as an
// account of the platform its space's site is (nil when the site is no
// platform or the handle no account there), and its name and handle folded
// for comparison (see NameKey and HandleKey).
func IdentityKeys(site string, platform *Platform, handle, name string) (account *string, nameKey, handleKey string) {
	if platform != nil {
		h := strings.TrimSpace(handle)
		if *platform == StackExchange && !strings.Contains(h, ":") && !strings.Contains(h, "/") {
			h = site + ":" + h
		}
		if a, _, err := NormalizeAccount(*platform, h); err == nil {
			account = &a
		}
	}
	return account, NameKey(name), HandleKey(handle)
}

// NameKey folds a display name for comparison: letters and digits only,
// without accents, lower-cased, words separated by one space. A name of
// one word is too common to suggest anyone by: its key is "".
func NameKey(name string) string {
	words := strings.FieldsFunc(fold(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) < 2 {
		return ""
	}
	return strings.Join(words, " ")
}

// HandleKey folds a handle for comparison: its letters and digits, without
// accents, lower-cased; "" when fewer than four are left, too short to
// suggest anyone by, or only digits: a user ID (a Stack Exchange
// "site:userID" among them) says nothing across sites.
func HandleKey(handle string) string {
	if stackHandle.MatchString(handle) {
		return ""
	}
	var b strings.Builder
	for _, r := range fold(handle) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	key := b.String()
	if len(key) < 4 || strings.Trim(key, "0123456789") == "" {
		return ""
	}
	return key
}

var stackHandle = regexp.MustCompile(`^[a-z.]+:[0-9]+$`)

// MaxProfileURL bounds a contributor's profile address, in characters.
const MaxProfileURL = 2048

// ProfileKey folds the address of a contributor's profile page for
// comparison: host without "www." and path, lower-cased, without scheme,
// query, fragment or trailing slash; a Stack Exchange user page
// (/users/ID/name) keeps its ID alone, since the name part changes with
// the display name. It is "" for what is no http or https address with a
// host, and for a host's home page, which names no one.
func ProfileKey(profile string) string {
	u, err := url.Parse(strings.TrimSpace(profile))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	path := strings.ToLower(strings.TrimRight(u.EscapedPath(), "/"))
	if m := stackUserPage.FindStringSubmatch(path); m != nil {
		path = m[1]
	}
	if path == "" {
		return ""
	}
	return host + path
}

// ProfileURL is a profile page's address as a space gave it, if it is one
// ProfileKey reads and within MaxProfileURL characters, or else "": what a
// space's ingestion records, so that a bad address costs the profile, not
// the item.
func ProfileURL(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxProfileURL || ProfileKey(s) == "" {
		return ""
	}
	return s
}

var stackUserPage = regexp.MustCompile(`^(/users/[0-9]+)(/.*)?$`)

// fold lower-cases s and takes the accents off its letters.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SuggestionReason is why two people may be one.
type SuggestionReason string

// Suggestion reasons, strongest first.
const (
	SameName      SuggestionReason = "SAME_NAME"      // the same full name in different spaces
	SimilarHandle SuggestionReason = "SIMILAR_HANDLE" // handles alike once case and punctuation are set aside
	SharedProfile SuggestionReason = "SHARED_PROFILE" // the same profile page given by each (see ProfileKey)
)

// SuggestionConfidence is how likely two people are one, 0 to 1, from the
// reasons they match by: a shared full name 0.6, alike handles 0.5, both
// 0.9; a shared profile page 0.8 alone and 0.95 with either of the others;
// a little less when many people share the name, handle or page (n is the
// most people sharing one of them, at least 2).
func SuggestionConfidence(reasons []SuggestionReason, n int) float64 {
	var name, handle, profile bool
	for _, r := range reasons {
		name = name || r == SameName
		handle = handle || r == SimilarHandle
		profile = profile || r == SharedProfile
	}
	c := 0.0
	switch {
	case profile && (name || handle):
		c = 0.95
	case profile:
		c = 0.8
	case name && handle:
		c = 0.9
	case name:
		c = 0.6
	case handle:
		c = 0.5
	}
	if n > 2 {
		c *= 2 / float64(n)
	}
	return c
}

// CheckMerge applies the rules of a merge to the people to merge: at least
// two, each once, and at most one member among them. It returns the person
// the others join: the member's, or else the first given.
func CheckMerge(people []Person) (Person, error) {
	if len(people) < 2 {
		return Person{}, Invalidf("personIds", "a merge takes two people or more; %d given.", len(people))
	}
	seen := map[int64]bool{}
	into := people[0]
	for _, p := range people {
		if seen[p.ID] {
			return Person{}, Invalidf("personIds", "person %d is given twice; a person cannot be merged with itself.", p.ID)
		}
		seen[p.ID] = true
		if p.MemberID == nil {
			continue
		}
		if into.MemberID != nil && *into.MemberID != *p.MemberID {
			return Person{}, Errorf(ECONFLICT, "%s and %s are different members of the program; people linked to two members cannot be one.", into.Name, p.Name)
		}
		into = p
	}
	return into, nil
}

// HandleFromName makes a member handle from a display name: its words,
// folded (see NameKey), joined by dashes, at most 30 characters; "member"
// when nothing is left.
func HandleFromName(name string) string {
	words := strings.FieldsFunc(fold(name), func(r rune) bool { return r > unicode.MaxASCII || (!unicode.IsLetter(r) && !unicode.IsDigit(r)) })
	h := ""
	for _, w := range words {
		if len(h)+len(w)+1 > 30 {
			break
		}
		if h != "" {
			h += "-"
		}
		h += w
	}
	if h == "" {
		return "member"
	}
	return h
}
