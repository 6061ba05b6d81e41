// Package seed fills a store with a program: Demo with a small, fixed
// program to explore the API with, Scale with a synthetic one of any size
// for benchmarks. Both load through Load in one transaction, checked by
// the program's rules.
package seed

import (
	"context"
	"strconv"
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// DemoHistoryEnd is the last day of the demo's history, YYYY-MM-DD, for a
// demo loaded at now: the day before.
func DemoHistoryEnd(now time.Time) string {
	return now.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

// DemoYear is the current award year of the demo: its awards are active,
// earlier years' are alumni. It is fixed, not read from the clock, so the
// demo is the same whenever it is loaded.
const DemoYear = 2026

// Handles of demo members that tests and the docs rely on.
const (
	// DemoUSMVP is Ada Whitman of Seattle, US: an MVP in Dynamics CRM since
	// 2016, so her lead is DynamicsLead.
	DemoUSMVP = "ada.dynamics"
	// DemoCanadianMVP is Jean Tremblay of Montréal, CA: an MVP in Windows
	// Server - Terminal Services since 2018, so his lead is CanadaLead.
	DemoCanadianMVP = "jean.tremblay"
	// DemoTwoExpertiseMVP is Kenji Sato of Tokyo, JP: an MVP in C# since 2017
	// and in Visual Studio since 2021.
	DemoTwoExpertiseMVP = "kenji.sato"
	// DemoAlumnus is Lena Vogel of Berlin, DE: an Excel MVP from 2012 to
	// 2020, now an alumna with no active award.
	DemoAlumnus = "lena.vogel"
	// DemoEmployee is Omar Haddad of Redmond, US: an Exchange Server MVP from
	// 2019 who joined the vendor in 2026, so that award was retired.
	DemoEmployee = "omar.haddad"
)

// The demo's social presence: about three in five MVPs, and a few other
// members, have one to three accounts on the platforms, each with a daily
// reach history of DemoHistoryDays days up to and including the day before
// it is loaded (DemoHistoryEnd), so that it looks as alive on any day as on
// the first; the same program, dated from that day. Followers
// are heavy-tailed, most in the hundreds to low thousands and a few in the
// tens of thousands; most accounts grow slowly, some stay flat and a few
// decline. A few accounts are NOT_FOUND or SUSPENDED: their history stops
// a week or more before its end. Accounts of the members named above:
const (
	DemoHistoryDays = 120

	// DemoUSMVPTwitter and DemoUSMVPGitHub are DemoUSMVP's accounts, about
	// 4,200 and 310 followers, both growing.
	DemoUSMVPTwitter = "ada_dynamics"
	DemoUSMVPGitHub  = "ada-dynamics"
	// DemoCanadianMVPYouTube and DemoCanadianMVPBlog are DemoCanadianMVP's
	// channel, about 2,600 subscribers, and his blog's feed.
	DemoCanadianMVPYouTube = "@jeantremblay"
	DemoCanadianMVPBlog    = "https://jeantremblay.example.com/feed.xml"
	// DemoTwoExpertiseMVP has a GitHub account, "kenji-sato", a Stack
	// Overflow profile, "stackoverflow:1184213", a Mastodon account,
	// "kenji@mstdn.jp", and a Bluesky account on his own domain,
	// "kenji.dev"; DemoAlumnus a blog,
	// "https://lenavogel.example.org/feed.xml", and a Twitter account,
	// "lenavogel", now NOT_FOUND; DemoEmployee has none.
)

// knownAccount is a known member's account, written out by hand.
type knownAccount struct {
	platform  mvpgraph.Platform
	handle    string
	status    mvpgraph.AccountStatus
	followers float64 // about where they end
	rate      float64 // daily growth of their logarithm
}

var knownAccounts = map[string][]knownAccount{
	DemoUSMVP: {
		{mvpgraph.Twitter, DemoUSMVPTwitter, mvpgraph.AccountActive, 4200, 0.0012},
		{mvpgraph.GitHub, DemoUSMVPGitHub, mvpgraph.AccountActive, 310, 0.0008},
	},
	DemoCanadianMVP: {
		{mvpgraph.YouTube, DemoCanadianMVPYouTube, mvpgraph.AccountActive, 2600, 0.002},
		{mvpgraph.Blog, DemoCanadianMVPBlog, mvpgraph.AccountActive, 0, 0},
	},
	DemoTwoExpertiseMVP: {
		{mvpgraph.GitHub, "kenji-sato", mvpgraph.AccountActive, 1900, 0.0015},
		{mvpgraph.Mastodon, "kenji@mstdn.jp", mvpgraph.AccountActive, 640, 0.003},
		{mvpgraph.Bluesky, "kenji.dev", mvpgraph.AccountActive, 2300, 0.004},
		{mvpgraph.StackExchange, "stackoverflow:1184213", mvpgraph.AccountActive, 48_000, 0.0006},
	},
	DemoAlumnus: {
		{mvpgraph.Twitter, "lenavogel", mvpgraph.AccountNotFound, 1100, 0},
		{mvpgraph.Blog, "https://lenavogel.example.org/feed.xml", mvpgraph.AccountActive, 0, 0},
	},
}

const (
	demoMembers   = 600
	demoCountries = 40 // the heaviest countries of the catalogue, the US first
	demoFirstYear = 2010
)

// knownMember is a demo member written out by hand.
type knownMember struct {
	handle, name, country, city, employer, bio string
	employee                                   bool
	awards                                     []knownRun
}

// knownRun is a run of yearly awards in one expertise, the last with status
// last and the others ended.
type knownRun struct {
	expertise string
	from, to  int
	last      mvpgraph.AwardStatus
}

var knownMembers = []knownMember{
	{DemoUSMVP, "Ada Whitman", "US", "Seattle", "Northwind Traders",
		"Dynamics CRM architect; runs the Seattle Dynamics user group and answers CRM questions in the forums.", false,
		[]knownRun{{"Dynamics CRM", 2016, DemoYear, mvpgraph.AwardActive}}},
	{DemoCanadianMVP, "Jean Tremblay", "CA", "Montréal", "Contoso",
		"Remote desktop specialist who blogs in French and English about Terminal Services deployments.", false,
		[]knownRun{{"Windows Server - Terminal Services", 2018, DemoYear, mvpgraph.AwardActive}}},
	{DemoTwoExpertiseMVP, "Kenji Sato", "JP", "Tokyo", "Fabrikam",
		"Translates C# and Visual Studio documentation and organises the Tokyo .NET study group.", false,
		[]knownRun{{"C#", 2017, DemoYear, mvpgraph.AwardActive}, {"Visual Studio", 2021, DemoYear, mvpgraph.AwardActive}}},
	{DemoAlumnus, "Lena Vogel", "DE", "Berlin", "Litware",
		"Excel trainer and author of a long-running spreadsheet blog.", false,
		[]knownRun{{"Excel", 2012, 2020, mvpgraph.AwardAlumni}}},
	{DemoEmployee, "Omar Haddad", "US", "Redmond", vendor,
		"Former Exchange Server MVP, now on the vendor's messaging team.", true,
		[]knownRun{{"Exchange Server", 2019, DemoYear, mvpgraph.AwardRetired}}},
}

// Demo loads the demo program into an empty database: the product teams,
// 40 expertises in 10 award categories, 12 US leads (DynamicsLead owns the
// six Dynamics expertises, Windows SDK and the four Windows Server
// expertises; every expertise has one US lead), an international lead for
// each region of the 40 countries members live in (CanadaLead owns CA), and
// 600 members: the US the largest group, about two in three MVPs with
// awards for DemoYear and years of history, alumni, candidates without
// awards, some MVPs in two expertises, and 20 vendor employees, none with
// an active award. About three in five MVPs have social accounts with a
// daily reach history of DemoHistoryDays days up to DemoHistoryEnd. The
// Demo* constants name members and accounts to rely on.
//
// A database that already holds any part of a program is left alone, and
// Demo reports false: calling it on every start is harmless, and a second
// process loading at the same time waits for the first and then finds the
// demo there.
func Demo(ctx context.Context, s *store.Store) (loaded bool, err error) {
	last := DemoHistoryEnd(s.Now())
	p := demoProgram(last)
	r, end, err := demoCommunity(p, last)
	if err != nil {
		return false, err
	}
	err = Load(ctx, s, p)
	if mvpgraph.ErrorCode(err) == mvpgraph.EINVALID && mvpgraph.ErrorField(err) == store.NotEmptyField {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := demoEscalations(ctx, s, p, end, r); err != nil {
		return true, err
	}
	return true, demoPeople(ctx, s, end)
}

// demoProgram builds the demo: the same program every time.
func demoProgram(last string) *store.Program {
	cs := countries[:demoCountries]
	p := catalogue(cs)
	g := newGenerator(DemoYear, demoMembers, DemoYear, demoFirstYear, cs)
	expertiseID := map[string]int64{}
	for i, e := range expertises {
		expertiseID[e.name] = int64(i + 1)
	}
	taken := map[string]bool{}
	sg := newSocialGen(DemoYear, 0x736f6369616c, last, DemoHistoryDays, true)
	var soc social
	for _, accounts := range knownAccounts {
		for _, a := range accounts {
			sg.take(a.platform, a.handle)
		}
	}
	for _, k := range knownMembers {
		id := int64(len(p.Members) + 1)
		m := mvpgraph.Member{ID: id, Handle: k.handle, Name: k.name, Country: k.country, IsEmployee: k.employee}
		email := k.handle + "@example.com"
		m.Email, m.City, m.Bio, m.Employer = &email, &k.city, &k.bio, &k.employer
		p.Members = append(p.Members, m)
		taken[k.handle] = true
		for _, r := range k.awards {
			p.Awards = g.span(p.Awards, id, expertiseID[r.expertise], r.from, r.to, r.last)
		}
		for _, a := range knownAccounts[k.handle] {
			sg.add(&soc, id, a.platform, a.handle, a.status, shape{followers: a.followers, rate: a.rate, noise: 0.0015})
		}
	}
	mvps := 0
	for i := 0; len(p.Members) < demoMembers; i++ {
		id := int64(len(p.Members) + 1)
		c := &cs[i%len(cs)] // every demo country has members...
		if i >= len(cs) {
			c = g.country() // ...and most follow the program's spread
		}
		first, last := g.name(c)
		base := handleBase(first, last)
		handle := base
		for n := 2; taken[handle]; n++ {
			handle = base + strconv.Itoa(n)
		}
		taken[handle] = true
		r := roleEmployee
		if i%30 != 29 {
			switch x := g.r.Float64(); {
			case x < 0.68:
				r = roleMVP
			case x < 0.88:
				r = roleAlumnus
			default:
				r = roleCandidate
			}
		}
		primary := g.expertise()
		if r == roleMVP { // in turn, so that every expertise has MVPs
			primary = int64(mvps%len(expertises) + 1)
			mvps++
		}
		p.Members = append(p.Members, g.member(id, c, first, last, handle, r == roleEmployee, primary))
		p.Awards = g.awards(p.Awards, id, r, primary)
		sg.member(&soc, id, first, last, demoAccounts(sg, r), 0)
	}
	p.SocialAccounts, p.Snapshots = soc.accounts, soc.snapshots
	return p
}

// demoAccounts picks how many accounts a demo member in role r has: about
// three in five MVPs have one to three, a few others one or two.
func demoAccounts(sg *socialGen, r role) int {
	share := 0.15
	if r == roleMVP {
		share = 0.6
	}
	if sg.r.Float64() >= share {
		return 0
	}
	switch x := sg.r.IntN(20); {
	case x < 9:
		return 1
	case x < 16:
		return 2
	}
	if r == roleMVP {
		return 3
	}
	return 2
}
