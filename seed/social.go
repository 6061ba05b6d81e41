package seed

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
)

// Social presence: members' accounts on the platforms and a daily history
// of their reach, drawn from a random stream of their own so that adding
// them leaves the members and awards of a seed as they were. Each account's
// history has a stream of its own too, so that the accounts do not depend
// on how long it is.

// socialGen makes accounts and their daily snapshots.
type socialGen struct {
	r      *rand.Rand // the accounts
	hr     *rand.Rand // an account's history, from hpcg seeded with hseed and the account's ID
	hpcg   *rand.PCG
	hseed  uint64
	days   []string    // the history's days, oldest first, as stored
	starts []time.Time // midnight UTC of each day
	next   int64       // the next account ID
	taken  map[string]bool
	vals   arena
}

// newSocialGen makes accounts whose history runs over the days days up to
// and including end (YYYY-MM-DD). With remember, it remembers the handles
// given and makes each unique with a counter; without, callers make them
// unique with a tag (see handle).
func newSocialGen(seed1, seed2 uint64, end string, days int, remember bool) *socialGen {
	last, err := time.Parse(time.DateOnly, end)
	if err != nil {
		panic("seed: bad history end " + end) // a constant of this package
	}
	s := &socialGen{r: rand.New(rand.NewPCG(seed1, seed2)), hpcg: rand.NewPCG(0, 0), hseed: seed1 ^ seed2<<1, next: 1}
	s.hr = rand.New(s.hpcg)
	for i := days - 1; i >= 0; i-- {
		d := last.AddDate(0, 0, -i)
		s.starts = append(s.starts, d)
		s.days = append(s.days, d.Format(time.DateOnly))
	}
	if remember {
		s.taken = map[string]bool{}
	}
	return s
}

// social is a batch's accounts and snapshots.
type social struct {
	accounts  []mvpgraph.SocialAccount
	snapshots []mvpgraph.Snapshot
}

func (b *social) reset() {
	b.accounts, b.snapshots = b.accounts[:0], b.snapshots[:0]
}

// arena hands out the pointers of snapshots' readings from a few large
// slices instead of one allocation each: a big Scale makes millions.
type arena struct {
	ints   []int64
	floats []float64
	times  []time.Time
}

const arenaChunk = 1 << 16

func (a *arena) int(v int64) *int64 {
	if len(a.ints) == cap(a.ints) {
		a.ints = make([]int64, 0, max(arenaChunk, 2*cap(a.ints)))
	}
	a.ints = append(a.ints, v)
	return &a.ints[len(a.ints)-1]
}

func (a *arena) float(v float64) *float64 {
	if len(a.floats) == cap(a.floats) {
		a.floats = make([]float64, 0, max(arenaChunk, 2*cap(a.floats)))
	}
	a.floats = append(a.floats, v)
	return &a.floats[len(a.floats)-1]
}

func (a *arena) time(v time.Time) *time.Time {
	if len(a.times) == cap(a.times) {
		a.times = make([]time.Time, 0, max(arenaChunk, 2*cap(a.times)))
	}
	a.times = append(a.times, v)
	return &a.times[len(a.times)-1]
}

// reset lets the arena's newest slices be written over, once the store is
// done with what points into them.
func (a *arena) reset() {
	a.ints, a.floats, a.times = a.ints[:0], a.floats[:0], a.times[:0]
}

// same returns prev when it holds v, else a new pointer to v: a value that
// did not change from one day to the next shares its pointer.
func (a *arena) same(prev *int64, v int64) *int64 {
	if prev != nil && *prev == v {
		return prev
	}
	return a.int(v)
}

// model is how a platform's accounts look: what it reports and how large.
type model struct {
	followers   bool    // reports followers (subscribers, fans, reputation)
	median      float64 // median followers at the end of the history
	sigma       float64 // log-normal spread of followers
	following   float64 // median accounts followed, 0 when not reported
	posts       float64 // median posts (tweets, videos, repositories, answers, statuses)
	postRate    float64 // most new posts a day
	views       bool    // reports total views
	engagement  bool    // reports an engagement figure (a Facebook page's likes)
	lastPost    bool    // reports when the last post was
	recentPosts bool    // posts counts the last 90 days only (a feed)
	slow        bool    // grows at a quarter of the pace of others (reputation)
}

var models = map[mvpgraph.Platform]model{
	mvpgraph.Twitter:       {followers: true, median: 900, sigma: 1.35, following: 400, posts: 4000, postRate: 6, lastPost: true},
	mvpgraph.YouTube:       {followers: true, median: 1200, sigma: 1.45, posts: 80, postRate: 0.3, views: true},
	mvpgraph.GitHub:        {followers: true, median: 150, sigma: 1.1, following: 40, posts: 45, postRate: 0.06},
	mvpgraph.Mastodon:      {followers: true, median: 350, sigma: 1.1, following: 250, posts: 1500, postRate: 4, lastPost: true},
	mvpgraph.Bluesky:       {followers: true, median: 500, sigma: 1.2, following: 300, posts: 1200, postRate: 3},
	mvpgraph.Facebook:      {followers: true, median: 1500, sigma: 1.2, engagement: true},
	mvpgraph.StackExchange: {followers: true, median: 3000, sigma: 1.3, posts: 350, postRate: 1.5, slow: true},
	mvpgraph.Blog:          {postRate: 0.3, lastPost: true, recentPosts: true},
}

// platformWeights say how common an account on each platform is.
var platformWeights = []struct {
	p mvpgraph.Platform
	w int
}{
	{mvpgraph.Twitter, 28}, {mvpgraph.GitHub, 22}, {mvpgraph.YouTube, 12}, {mvpgraph.Blog, 12},
	{mvpgraph.StackExchange, 10}, {mvpgraph.Mastodon, 9}, {mvpgraph.Facebook, 7},
}

// platforms picks n distinct platforms by weight, in platform order.
func (s *socialGen) platforms(n int) []mvpgraph.Platform {
	var picked [8]bool
	total := 0
	for _, x := range platformWeights {
		total += x.w
	}
	for k := 0; k < n && k < len(platformWeights); k++ {
		x := s.r.IntN(total)
		for i, pw := range platformWeights {
			if picked[i] {
				continue
			}
			if x < pw.w {
				picked[i] = true
				total -= pw.w
				break
			}
			x -= pw.w
		}
	}
	var out []mvpgraph.Platform
	for _, p := range mvpgraph.Platforms {
		for i, pw := range platformWeights {
			if pw.p == p && picked[i] {
				out = append(out, p)
			}
		}
	}
	return out
}

// shape is how an account's followers run over the history.
type shape struct {
	followers float64 // about where they end
	rate      float64 // daily growth of their logarithm: 0.002 is about +27% over 120 days
	noise     float64 // daily spread of that growth
}

// shape picks a random account's size and trend: most grow slowly, a few
// fast, some stay flat and some decline.
func (s *socialGen) shape(p mvpgraph.Platform) shape {
	m := models[p]
	sh := shape{followers: m.median * math.Exp(m.sigma*s.r.NormFloat64()), noise: 0.0015}
	switch x := s.r.Float64(); {
	case x < 0.62:
		sh.rate = 0.0003 + 0.0027*s.r.Float64()
	case x < 0.67:
		sh.rate = 0.004 + 0.008*s.r.Float64()
	case x < 0.87:
		sh.noise = 0.0004
	default:
		sh.rate = -0.0003 - 0.0022*s.r.Float64()
		if m.slow { // reputation hardly falls
			sh.rate, sh.noise = 0, 0.0004
		}
	}
	if m.slow {
		sh.rate /= 4
	}
	return sh
}

// status picks a random account's status: a few were not found or
// suspended on a recent sync.
func (s *socialGen) status() mvpgraph.AccountStatus {
	switch x := s.r.IntN(100); {
	case x < 3:
		return mvpgraph.AccountNotFound
	case x < 5:
		return mvpgraph.AccountSuspended
	}
	return mvpgraph.AccountActive
}

// add appends an account of member on p with its history. An ACTIVE
// account was read every day of the history; any other was read until some
// days before its end, when the platform stopped answering for it, and was
// last checked on the last day.
func (s *socialGen) add(dst *social, member int64, p mvpgraph.Platform, handle string, status mvpgraph.AccountStatus, sh shape) {
	id := s.next
	s.next++
	a := mvpgraph.SocialAccount{ID: id, MemberID: member, Platform: p, Handle: handle, Status: status}
	s.hpcg.Seed(s.hseed, uint64(id))
	n := len(s.days)
	if status != mvpgraph.AccountActive && n > 0 {
		n -= 7 + s.hr.IntN(max(1, n/2))
		checked := s.capture(len(s.days) - 1)
		a.LastSyncedAt = &checked
	}
	dst.accounts = append(dst.accounts, a)
	s.history(dst, id, p, max(n, 0), sh)
}

// capture returns when day i's snapshot was taken: early in the UTC morning.
func (s *socialGen) capture(i int) time.Time {
	return s.starts[i].Add(2*time.Hour + time.Duration(s.hr.IntN(4*3600))*time.Second)
}

// history appends an account's snapshots for the first n days.
func (s *socialGen) history(dst *social, account int64, p mvpgraph.Platform, n int, sh shape) {
	if n == 0 {
		return
	}
	m := models[p]
	total := len(s.days)
	x := sh.followers * math.Exp(-sh.rate*float64(total-1))
	following := math.Round(m.following * math.Exp(0.8*s.hr.NormFloat64()))
	posts := math.Round(m.posts * math.Exp(0.9*s.hr.NormFloat64()))
	postRate := m.postRate * s.hr.Float64()
	var views, viewRate, likes float64
	if m.views {
		views = math.Round(sh.followers * (50 + 200*s.hr.Float64()))
		viewRate = 0.5 + 3.5*s.hr.Float64()
	}
	if m.engagement {
		likes = 0.7 + 0.5*s.hr.Float64()
	}
	var lastPost time.Time
	var recent []int // days (relative to the first) of a feed's posts of the last 90 days
	if m.recentPosts {
		for d := -90; d < 0; d++ {
			if s.hr.Float64() < postRate {
				recent = append(recent, d)
			}
		}
		if len(recent) > 0 {
			lastPost = s.starts[0].AddDate(0, 0, recent[len(recent)-1]).Add(time.Duration(8+s.hr.IntN(12)) * time.Hour)
		}
	} else if m.lastPost {
		lastPost = s.starts[0].Add(-time.Duration(1+s.hr.IntN(72)) * time.Hour)
	}
	var prev mvpgraph.Reach
	for i := range n {
		at := s.capture(i)
		x *= math.Exp(sh.rate + sh.noise*s.hr.NormFloat64())
		var r mvpgraph.Reach
		if m.followers {
			r.Followers = s.vals.same(prev.Followers, int64(math.Round(x)))
		}
		if m.following > 0 {
			if s.hr.IntN(10) == 0 {
				following = max(0, following+float64(s.hr.IntN(5)-1))
			}
			r.Following = s.vals.same(prev.Following, int64(following))
		}
		newPosts := poisson(s.hr, postRate)
		if m.recentPosts {
			for len(recent) > 0 && recent[0] <= i-90 {
				recent = recent[1:]
			}
			for range newPosts {
				recent = append(recent, i)
			}
			r.Posts = s.vals.same(prev.Posts, int64(len(recent)))
		} else if m.posts > 0 {
			posts += float64(newPosts)
			r.Posts = s.vals.same(prev.Posts, int64(posts))
		}
		if newPosts > 0 {
			lastPost = at.Add(-time.Duration(1+s.hr.IntN(20*60)) * time.Minute)
		}
		if m.lastPost && !lastPost.IsZero() {
			if prev.LastPostAt != nil && prev.LastPostAt.Equal(lastPost) {
				r.LastPostAt = prev.LastPostAt
			} else {
				r.LastPostAt = s.vals.time(lastPost)
			}
		}
		if m.views {
			views += math.Round(x * viewRate * (0.5 + s.hr.Float64()))
			r.Views = s.vals.int(int64(views))
		}
		if m.engagement {
			r.Engagement = s.vals.float(math.Round(x * likes))
		}
		dst.snapshots = append(dst.snapshots, mvpgraph.Snapshot{AccountID: account, Day: s.days[i], CapturedAt: at, Reach: r})
		prev = r
	}
}

// poisson draws how many events of a daily rate lambda (at most a few)
// happen in a day.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	limit, k, p := math.Exp(-lambda), 0, r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}

// Handles.

// mastodonInstances are where generated Mastodon accounts live.
var mastodonInstances = []string{"mastodon.social", "fosstodon.org", "hachyderm.io", "techhub.social", "mstdn.jp", "mas.to", "infosec.exchange", "dotnet.social"}

// stackSites are the Stack Exchange sites of generated accounts, Stack
// Overflow the most common.
var stackSites = []string{"stackoverflow", "stackoverflow", "stackoverflow", "stackoverflow", "superuser", "serverfault", "askubuntu", "dba", "sharepoint", "security"}

// blogDomains are the domains of generated blogs, reserved for examples so
// that no feed of someone real is read.
var blogDomains = []string{"example.com", "example.org", "example.net"}

// alnum spells a name part in lower-case ASCII letters and digits only.
func alnum(s string) string {
	a := strings.ReplaceAll(slug(s), "-", "")
	if a == "" {
		return "mvp"
	}
	return a
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

const alphabet64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// handle makes a handle on p in its normalised form for a member called
// first last. With a tag (the Scale member's ID) the handle carries it, so
// that handles are unique without remembering them: the tag follows the
// last separator, which the rest never holds. Without, the handle is what
// the name suggests, numbered when already given.
func (s *socialGen) handle(p mvpgraph.Platform, first, last string, tag int64) string {
	f, l := alnum(first), alnum(last)
	if tag > 0 {
		t := strconv.FormatInt(tag, 10)
		switch p {
		case mvpgraph.Twitter:
			t = strconv.FormatInt(tag, 36)
			return cut(pick(s.r, []string{f + l, f[:1] + l, l + f[:1]}), 15-1-len(t)) + "_" + t
		case mvpgraph.YouTube:
			if s.r.IntN(3) == 0 {
				return s.channelID(tag)
			}
			return "@" + cut(f+l, 30-1-len(t)) + "." + t
		case mvpgraph.GitHub:
			return cut(pick(s.r, []string{f + l, f[:1] + l, l}), 39-1-len(t)) + "-" + t
		case mvpgraph.Mastodon:
			return cut(f+l, 30-1-len(t)) + "_" + t + "@" + pick(s.r, mastodonInstances)
		case mvpgraph.Facebook:
			if s.r.IntN(4) == 0 {
				return "1000" + strconv.FormatInt(1e11+tag, 10)
			}
			return cut(f+l, 50-1-len(t)) + "." + t
		case mvpgraph.StackExchange:
			return pick(s.r, stackSites) + ":" + strconv.FormatInt(100_000+tag*10+int64(s.r.IntN(10)), 10)
		case mvpgraph.Blog:
			return "https://" + cut(f+l, 63-1-len(t)) + "-" + t + "." + pick(s.r, blogDomains) + pick(s.r, feedPaths)
		}
		panic("seed: no handles for " + string(p))
	}
	var h string
	switch p {
	case mvpgraph.Twitter:
		h = cut(pick(s.r, []string{f + "_" + l, f + l, f[:1] + l, f + "_" + l[:1], l + "_dev", f + "codes"}), 15)
	case mvpgraph.YouTube:
		if s.r.IntN(3) == 0 {
			h = s.channelID(0)
		} else {
			h = "@" + cut(pick(s.r, []string{f + l, f + "." + l, f + l + "tech", f + "-" + l}), 30)
		}
	case mvpgraph.GitHub:
		h = strings.TrimRight(cut(pick(s.r, []string{f + "-" + l, f + l, f[:1] + l, l + f[:1], f + "-" + l + "-dev"}), 39), "-")
	case mvpgraph.Mastodon:
		h = cut(pick(s.r, []string{f, f + l, f + "_" + l, f[:1] + l}), 30) + "@" + pick(s.r, mastodonInstances)
	case mvpgraph.Facebook:
		switch s.r.IntN(4) {
		case 0:
			h = "1000" + strconv.FormatInt(1e11+s.r.Int64N(9e11), 10)
		case 1:
			h = cut(f+l+"official", 50)
		default:
			h = cut(pick(s.r, []string{f + "." + l, f + l, f + "." + l + ".mvp"}), 50)
		}
		if len(h) < 5 {
			h += ".page"
		}
	case mvpgraph.StackExchange:
		h = pick(s.r, stackSites) + ":" + strconv.Itoa(10_000+s.r.IntN(9_990_000))
	case mvpgraph.Blog:
		h = pick(s.r, []string{
			"https://" + f + l + "." + pick(s.r, blogDomains) + pick(s.r, feedPaths),
			"https://" + f + "-" + l + "." + pick(s.r, blogDomains) + pick(s.r, feedPaths),
			"https://blog." + pick(s.r, blogDomains) + "/" + f + "-" + l + pick(s.r, feedPaths),
		})
	default:
		panic("seed: no handles for " + string(p))
	}
	return s.unique(p, h)
}

// feedPaths are where generated blogs keep their feeds.
var feedPaths = []string{"/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed/"}

// unique numbers a handle already given on p: name2, name3...
func (s *socialGen) unique(p mvpgraph.Platform, h string) string {
	c := h
	for n := 2; s.taken[string(p)+" "+c]; n++ {
		num := strconv.Itoa(n)
		switch p {
		case mvpgraph.Mastodon:
			user, host, _ := strings.Cut(h, "@")
			c = cut(user, 30-len(num)) + num + "@" + host
		case mvpgraph.StackExchange:
			c = strings.Replace(h, ":", ":"+num, 1)
		case mvpgraph.Blog:
			c = strings.Replace(h, ".", num+".", 1) // in the host's first label
		default:
			c = cut(h, maxHandle(p, h)-len(num)) + num
		}
	}
	if s.taken != nil {
		s.taken[string(p)+" "+c] = true
	}
	return c
}

// maxHandle is the longest a handle like h may be on Twitter, YouTube,
// GitHub or Facebook.
func maxHandle(p mvpgraph.Platform, h string) int {
	switch p {
	case mvpgraph.Twitter:
		return 15
	case mvpgraph.YouTube:
		if strings.HasPrefix(h, "@") {
			return 31
		}
		return 24 // a channel ID
	case mvpgraph.GitHub:
		return 39
	}
	return 50
}

// channelID makes a YouTube channel ID, UC and 22 characters; with a tag,
// the last eight spell it, so that it is unique.
func (s *socialGen) channelID(tag int64) string {
	var b [24]byte
	b[0], b[1] = 'U', 'C'
	for i := 2; i < len(b); i++ {
		b[i] = alphabet64[s.r.IntN(64)]
	}
	if tag > 0 {
		for i := len(b) - 1; i >= len(b)-8; i-- {
			b[i] = alphabet64[tag%64]
			tag /= 64
		}
	}
	return string(b[:])
}

// take records a handle given by hand, so that no generated one repeats
// it.
func (s *socialGen) take(p mvpgraph.Platform, h string) string {
	if s.taken != nil {
		s.taken[string(p)+" "+h] = true
	}
	return h
}

// member appends n accounts of a member called first last, on distinct
// platforms, with their history; tag is as for handle.
func (s *socialGen) member(dst *social, member int64, first, last string, n int, tag int64) {
	if n == 0 {
		return
	}
	for _, p := range s.platforms(n) {
		s.add(dst, member, p, s.handle(p, first, last, tag), s.status(), s.shape(p))
	}
}
