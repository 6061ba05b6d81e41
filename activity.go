package mvpgraph

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// SpaceKind is what a community space is.
type SpaceKind string

// Space kinds.
var SpaceKinds = []SpaceKind{"USER_GROUP", "FORUM", "NEWSGROUP", "QNA", "BLOG", "VIDEO", "SOCIAL", "EVENT"}

// ActivityKind is what a contribution is.
type ActivityKind string

// Activity kinds.
var ActivityKinds = []ActivityKind{"ANSWER", "QUESTION", "ARTICLE", "POST", "TALK", "VIDEO", "EVENT"}

// Valid reports whether k is one of ActivityKinds.
func (k ActivityKind) Valid() bool { return validKind(k, ActivityKinds) }

func validKind[K ~string](k K, kinds []K) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// CommunitySpace is a place where an expertise is discussed.
type CommunitySpace struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Kind      SpaceKind `db:"kind"`
	URL       *string   `db:"url"`
	CreatedAt time.Time `db:"created_at"`
	// FeedURL, when set, is read on a schedule for the space's activity.
	FeedURL *string `db:"feed_url"`
	// StackExchangeTag, site:tag, names Stack Exchange questions and
	// answers read on a schedule for the space's activity.
	StackExchangeTag *string    `db:"stack_exchange_tag"`
	IngestedUntil    *time.Time `db:"ingested_until"`
}

var stackExchangeTag = regexp.MustCompile(`^[a-z][a-z0-9.]{1,40}:[a-z0-9.#+-]{1,35}$`)

// Normalize validates s in place.
func (s *CommunitySpace) Normalize() error {
	var err error
	if s.Name, err = normalizeName("name", s.Name, 200); err != nil {
		return err
	}
	s.Kind = SpaceKind(strings.ToUpper(strings.TrimSpace(string(s.Kind))))
	if !validKind(s.Kind, SpaceKinds) {
		return Invalidf("kind", "space kind %q is not one of %v.", s.Kind, SpaceKinds)
	}
	if s.URL, err = normalizeOptional("url", s.URL, 2048); err != nil {
		return err
	}
	if s.FeedURL != nil && strings.TrimSpace(*s.FeedURL) != "" {
		u, _, err := NormalizeAccount(Blog, *s.FeedURL)
		if err != nil {
			return Invalidf("feedUrl", "%q is not a feed URL; give the absolute http(s) address of the RSS or Atom feed.", *s.FeedURL)
		}
		s.FeedURL = &u
	} else {
		s.FeedURL = nil
	}
	if s.StackExchangeTag != nil && strings.TrimSpace(*s.StackExchangeTag) != "" {
		t := strings.ToLower(strings.TrimSpace(*s.StackExchangeTag))
		if !stackExchangeTag.MatchString(t) {
			return Invalidf("stackExchangeTag", "%q is not site:tag, such as stackoverflow:dynamics-crm.", *s.StackExchangeTag)
		}
		s.StackExchangeTag = &t
	} else {
		s.StackExchangeTag = nil
	}
	return nil
}

// ActivityRow is one contribution to import.
type ActivityRow struct {
	Line              int // where it came from, for error reports
	Space             string
	ExternalID        string
	Kind              ActivityKind
	OccurredAt        time.Time
	ContributorHandle string
	ContributorName   string
	// ContributorURL is the contributor's profile page, when the space
	// gives one: two identities giving the same page are suggested as one
	// person (mvpgraph.ProfileKey).
	ContributorURL string
	MemberHandle   string // the member the contributor is, when known
	URL            string
	Title          string
	Score          *float64
	// InReplyTo is the external ID of the question, in the same space, an
	// answer replies to; Accepted marks an answer the asker accepted.
	InReplyTo string
	Accepted  bool
}

// RowError is a row an import could not take, and why.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// MaxActivityScore bounds the size of a space's own score of a
// contribution (votes, views): far above any real one, and small enough
// that sums and averages over millions of rows stay exact enough and finite.
const MaxActivityScore = 1e9

// Check validates an activity row, from an import file or a space's feed,
// saying which field is wrong: text that is valid UTF-8 within its length
// in characters (identifiers 200, title 1,000, URLs 2,048), URLs over http
// or https, and a score that is a finite number within MaxActivityScore.
// The importer reports a row that fails with its line, and imports the
// others.
func (r *ActivityRow) Check() error {
	for _, f := range []struct {
		name  string
		value string
		max   int
	}{
		{"space", r.Space, 200}, {"external_id", r.ExternalID, 200}, {"contributor_handle", r.ContributorHandle, 200},
		{"contributor_name", r.ContributorName, 200}, {"member_handle", r.MemberHandle, 200}, {"title", r.Title, 1000}, {"url", r.URL, 2048},
		{"in_reply_to", r.InReplyTo, 200}, {"contributor_url", r.ContributorURL, MaxProfileURL},
	} {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%s is not valid UTF-8 text; save the file as UTF-8", f.name)
		}
		if strings.ContainsRune(f.value, 0) {
			return fmt.Errorf("%s contains a NUL character", f.name)
		}
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return fmt.Errorf("%s is %d characters long; at most %d", f.name, n, f.max)
		}
	}
	switch {
	case r.Kind == "QUESTION" && r.InReplyTo != "":
		return fmt.Errorf("in_reply_to names what an answer replies to; a question replies to nothing")
	case r.Kind == "QUESTION" && r.Accepted:
		return fmt.Errorf("accepted marks an answer the asker accepted; a question cannot be accepted")
	case r.Accepted && r.InReplyTo == "":
		return fmt.Errorf("accepted needs in_reply_to: the question the accepted answer replies to")
	case r.InReplyTo != "" && r.InReplyTo == r.ExternalID:
		return fmt.Errorf("in_reply_to is the row's own external_id; an item cannot reply to itself")
	}
	for _, f := range [][2]string{{"url", r.URL}, {"contributor_url", r.ContributorURL}} {
		if f[1] == "" {
			continue
		}
		u, err := url.Parse(f[1])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q is not an http or https address", f[0], f[1])
		}
	}
	if r.Score != nil {
		if v := *r.Score; math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > MaxActivityScore {
			return fmt.Errorf("score %v is not a number between -%g and %g", v, float64(MaxActivityScore), float64(MaxActivityScore))
		}
	}
	return nil
}

// CutText shortens s to at most n characters, on a character boundary;
// text that is not valid UTF-8 has its invalid bytes replaced first.
func CutText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// Concentration says how few spaces hold most of the activity: how many of
// the largest spaces hold half of it and four fifths of it, the share of
// the five largest, and the Herfindahl-Hirschman index (the sum of squared
// percentage shares, 0 to 10,000).
type Concentration struct {
	SpacesFor50 int
	SpacesFor80 int
	Top5Share   float64
	HHI         float64
}

// Concentrate computes the concentration of activity counts (one per
// space, in any order).
func Concentrate(counts []int) Concentration {
	sorted := append([]int(nil), counts...)
	sort.Sort(sort.Reverse(sort.IntSlice(sorted)))
	total := 0
	for _, c := range sorted {
		total += c
	}
	var out Concentration
	if total == 0 {
		return out
	}
	cum := 0
	for i, c := range sorted {
		share := float64(c) / float64(total)
		out.HHI += share * share * 10000
		cum += c
		if i < 5 {
			out.Top5Share += share
		}
		if out.SpacesFor50 == 0 && 2*cum >= total {
			out.SpacesFor50 = i + 1
		}
		if out.SpacesFor80 == 0 && 5*cum >= 4*total {
			out.SpacesFor80 = i + 1
		}
	}
	return out
}

// SpaceCount is a space's activity in a period and the period before it.
type SpaceCount struct {
	SpaceID      int64     `db:"space_id"`
	Name         string    `db:"name"`
	Kind         SpaceKind `db:"kind"`
	Count        int       `db:"count"`
	Previous     int       `db:"previous"`
	Contributors int       `db:"contributors"`
}

// SpaceTrend is a space's place in a ranking by activity.
type SpaceTrend struct {
	SpaceCount
	Share           float64  // of all the activity in the period
	CumulativeShare float64  // of this space and those ranked above it
	Growth          *float64 // against the previous period, as a fraction; nil when it had none
}

// RankSpaces ranks spaces by activity (ties by name) and computes each
// one's share, cumulative share and growth, and the concentration.
func RankSpaces(counts []SpaceCount) ([]SpaceTrend, Concentration) {
	sorted := append([]SpaceCount(nil), counts...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Count != sorted[j].Count {
			return sorted[i].Count > sorted[j].Count
		}
		return sorted[i].Name < sorted[j].Name
	})
	total := 0
	plain := make([]int, len(sorted))
	for i, c := range sorted {
		total += c.Count
		plain[i] = c.Count
	}
	out := make([]SpaceTrend, len(sorted))
	cum := 0
	for i, c := range sorted {
		t := SpaceTrend{SpaceCount: c}
		cum += c.Count
		if total > 0 {
			t.Share = float64(c.Count) / float64(total)
			t.CumulativeShare = float64(cum) / float64(total)
		}
		if c.Previous > 0 {
			g := float64(c.Count-c.Previous) / float64(c.Previous)
			t.Growth = &g
		}
		out[i] = t
	}
	return out, Concentrate(plain)
}

// Bucket is the activity of one week (from its Monday) or month.
type Bucket struct {
	Start string // YYYY-MM-DD
	Count int
}

// BucketDays sums daily counts (by YYYY-MM-DD) into the weeks or months
// from from to to, empty ones included.
func BucketDays(days map[string]int, from, to time.Time, byMonth bool) []Bucket {
	start := func(t time.Time) time.Time {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if byMonth {
			return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
		return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	}
	next := func(t time.Time) time.Time {
		if byMonth {
			return t.AddDate(0, 1, 0)
		}
		return t.AddDate(0, 0, 7)
	}
	var out []Bucket
	index := map[string]int{}
	for b := start(from.UTC()); b.Before(to); b = next(b) {
		index[b.Format(time.DateOnly)] = len(out)
		out = append(out, Bucket{Start: b.Format(time.DateOnly)})
	}
	for day, n := range days {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			continue
		}
		if i, ok := index[start(t).Format(time.DateOnly)]; ok {
			out[i].Count += n
		}
	}
	return out
}

// KindWeights weigh each kind of activity in award candidates' scores.
type KindWeights map[ActivityKind]float64

// DefaultKindWeights favour what helps others most: a talk or an article
// counts five answers' worth of work, a video four, an answer two; a post,
// an event or a question one.
var DefaultKindWeights = KindWeights{"ANSWER": 2, "ARTICLE": 5, "TALK": 5, "VIDEO": 4, "POST": 1, "EVENT": 1, "QUESTION": 1}

// ParseKindWeights reads weights such as "ANSWER=3,TALK=8" over the
// defaults.
func ParseKindWeights(s string) (KindWeights, error) {
	return parseWeights(s, DefaultKindWeights, func(k ActivityKind) bool { return validKind(k, ActivityKinds) }, "KIND=WEIGHT with a known kind", "ANSWER=3")
}

// ItemPoints is what one contribution adds to a candidate's score: its
// kind's weight, raised by the space's own measure of it (votes, views)
// at a tenth of a weight per point.
func ItemPoints(w KindWeights, kind ActivityKind, score *float64) float64 {
	p := w[kind]
	if score != nil && *score > 0 {
		p *= 1 + *score/10
	}
	return p
}

// Contributor is someone seen in a community space, by the handle used
// there, and the member it is when known.
type Contributor struct {
	ID       int64  `db:"contributor_id"`
	Name     string `db:"contributor_name"`
	Handle   string `db:"contributor_handle"`
	MemberID *int64 `db:"member_id"`
}

// Activity is one contribution in a community space, with its
// contributor.
type Activity struct {
	ID         int64        `db:"id"`
	SpaceID    int64        `db:"space_id"`
	ExternalID string       `db:"external_id"`
	Kind       ActivityKind `db:"kind"`
	OccurredAt time.Time    `db:"occurred_at"`
	URL        *string      `db:"url"`
	Title      *string      `db:"title"`
	Score      *float64     `db:"score"`
	// ImportedBy names who imported it: a token's name, or the feed or tag
	// it was read from; nil for activity loaded with a program.
	ImportedBy *string `db:"imported_by"`
	Contributor
}

// ActivityGroup is one group of activity statistics: its key (the
// dimensions grouped by; nil where not grouped by) and counts.
type ActivityGroup struct {
	// Needs is how the group's questions were answered, when asked for.
	Needs        *NeedsMet `db:"-"`
	SpaceID      *int64    `db:"space_id"`
	Kind         *string   `db:"kind"`
	Month        *string   `db:"month"`
	Day          *string   `db:"day"`
	ExpertiseID  *int64    `db:"expertise_id"`
	Count        int       `db:"n"`
	Contributors int       `db:"contributors"`
	ScoreSum     *float64  `db:"score_sum"`
	ScoreAvg     *float64  `db:"score_avg"`
	ScoreMin     *float64  `db:"score_min"`
	ScoreMax     *float64  `db:"score_max"`
}

// CandidateItem is one contribution of an award candidate's.
type CandidateItem struct {
	ID         int64        `db:"id"`
	Space      string       `db:"space"`
	Kind       ActivityKind `db:"kind"`
	OccurredAt time.Time    `db:"occurred_at"`
	Title      *string      `db:"title"`
	URL        *string      `db:"url"`
	Score      *float64     `db:"score"`
}

// DefaultFirstAnswerWeight is the points a first answer to a question
// adds to an award candidate's score, beside the answer's own.
const DefaultFirstAnswerWeight = 3.0

// DefaultUnansweredAfter is how long a question may wait for an answer
// before it counts as unanswered.
const DefaultUnansweredAfter = 48 * time.Hour

// NeedsMet says how a group of questions was answered: CHAOSS's response
// rate and time to first response. A question is answered by an ANSWER
// that replies to it; Median and P90 are the nearest-rank 50th and 90th
// percentiles of the seconds from a question to its first answer (never
// below zero), over the questions answered; Unanswered counts those still
// without an answer past the threshold.
type NeedsMet struct {
	Questions  int      `db:"questions"`
	Answered   int      `db:"answered"`
	Accepted   int      `db:"accepted"`
	Unanswered int      `db:"unanswered"`
	Median     *float64 `db:"median"`
	P90        *float64 `db:"p90"`
}

// AnsweredShare is the share of the questions answered; nil for none.
func (n NeedsMet) AnsweredShare() *float64 { return share(n.Answered, n.Questions) }

// AcceptedShare is the share with an accepted answer; nil for none.
func (n NeedsMet) AcceptedShare() *float64 { return share(n.Accepted, n.Questions) }

// MedianFirstAnswerSeconds is Median in whole seconds.
func (n NeedsMet) MedianFirstAnswerSeconds() *int64 { return wholeSeconds(n.Median) }

// P90FirstAnswerSeconds is P90 in whole seconds.
func (n NeedsMet) P90FirstAnswerSeconds() *int64 { return wholeSeconds(n.P90) }

func share(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	v := float64(part) / float64(whole)
	return &v
}

func wholeSeconds(v *float64) *int64 {
	if v == nil {
		return nil
	}
	s := int64(math.Round(*v))
	return &s
}
