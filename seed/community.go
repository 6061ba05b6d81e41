package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// The demo's community: a handful of expertises are discussed in spaces of
// every kind, with activity over DemoActivityDays days up to
// the demo's last day. Activity is concentrated the way it is in real
// communities: a few spaces hold most of it (Zipf-like shares), and within
// a space a few contributors write most of it. Contributors are the
// expertise's MVPs, other members (award candidates among them) and
// people the program does not know.
const DemoActivityDays = 180

// demoSpaceExpertises are the expertises with community spaces, and how
// many spaces each has.
var demoSpaceExpertises = []struct {
	name   string
	spaces int
	items  int // activity items over the period
}{
	{"Dynamics CRM", 24, 2400},
	{"C#", 18, 1800},
	{"Excel", 14, 900},
	{"Windows Server - Terminal Services", 10, 500},
	{"Power BI", 12, 700},
}

// demoSpaceKinds are the kinds of the demo's spaces, each on its own
// site: the spaces of one kind share it, as one forum's boards or Stack
// Overflow's tags do, so a handle there is one account across them.
var demoSpaceKinds = []struct {
	kind   mvpgraph.SpaceKind
	suffix string
	site   string // the spaces' addresses start so
	items  []mvpgraph.ActivityKind
}{
	{"FORUM", "Forum", "https://community.example.org/forums/", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "ANSWER", "POST"}},
	{"QNA", "Q&A", "https://stackoverflow.com/questions/tagged/", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "ANSWER", "ANSWER"}},
	{"USER_GROUP", "User Group", "https://www.meetup.com/", []mvpgraph.ActivityKind{"TALK", "EVENT", "POST"}},
	{"BLOG", "Blog", "https://blogs.example.org/", []mvpgraph.ActivityKind{"ARTICLE"}},
	{"VIDEO", "Videos", "https://www.youtube.com/@", []mvpgraph.ActivityKind{"VIDEO"}},
	{"NEWSGROUP", "Newsgroup", "https://groups.example.org/g/", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "POST"}},
	{"SOCIAL", "Community", "https://github.com/", []mvpgraph.ActivityKind{"POST", "QUESTION", "ANSWER", "ANSWER"}},
	{"EVENT", "Conference", "https://events.example.org/", []mvpgraph.ActivityKind{"TALK", "EVENT"}},
}

// demoPerson is someone active in the demo's spaces, under a handle of
// their own on each site.
type demoPerson struct {
	first, last string
	member      string // the member's handle, if a member
	stack       string // the Stack Overflow account, site:userID
	github      string // the GitHub login
}

// identity is the handle and the name a person goes by in a space of a
// kind, and whether the space knows them as the member they are: forums,
// user groups and conferences ask members to link their profiles; on Stack
// Overflow and GitHub a member is known by a linked social account, if at
// all; blogs, videos and newsgroups know nobody, and only a shared name or
// a handle alike, or a profile page, suggests who someone is. The profile
// page is the one the space shows: a Stack Overflow user page, a GitHub
// profile, and on a blog, for one author in three, the author's Stack
// Overflow page.
func (d demoPerson) identity(kind mvpgraph.SpaceKind) (handle, name string, linked bool, profile string) {
	name = d.first + " " + d.last
	f, l := alnum(d.first), alnum(d.last)
	stackPage := "https://stackoverflow.com/users/" + strings.TrimPrefix(d.stack, "stackoverflow:")
	switch kind {
	case "FORUM":
		return handleBase(d.first, d.last), name, true, ""
	case "USER_GROUP", "EVENT":
		return name, name, true, ""
	case "QNA":
		return d.stack, d.first + " " + string([]rune(d.last)[:1]) + ".", false, stackPage + "/" + slug(d.first+" "+d.last)
	case "SOCIAL":
		return d.github, name, false, "https://github.com/" + d.github
	case "BLOG":
		if id, _ := strconv.Atoi(strings.TrimPrefix(d.stack, "stackoverflow:")); id%3 == 0 {
			profile = stackPage
		}
		return slug(d.first) + "-" + slug(d.last), name, false, profile
	case "VIDEO":
		return "@" + f + l, name, false, ""
	}
	return f + l[:1], d.first + " " + string([]rune(d.last)[:1]) + ".", false, ""
}

// answerDemoQuestions makes a space's answers reply to its questions, in
// time order: each answer to the oldest question of the last ten days
// still without one, or else to one of the last few asked; on a Q&A site
// two first answers in five are accepted. In a neglected space most
// answers are only posts, and questions wait.
func answerDemoQuestions(r *rand.Rand, items []store.LoadActivity, qna, neglected bool) {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return items[order[a]].OccurredAt.Before(items[order[b]].OccurredAt) })
	var open, recent []int // questions without an answer; the last asked
	answered := map[int]bool{}
	for _, i := range order {
		it := &items[i]
		switch it.Kind {
		case "QUESTION":
			open = append(open, i)
			recent = append(recent, i)
			if len(recent) > 5 {
				recent = recent[1:]
			}
		case "ANSWER":
			if neglected && r.Float64() < 0.85 {
				it.Kind = "POST"
				continue
			}
			for len(open) > 0 && it.OccurredAt.Sub(items[open[0]].OccurredAt) > 10*24*time.Hour {
				open = open[1:]
			}
			q := -1
			if len(open) > 0 {
				q, open = open[0], open[1:]
			} else if len(recent) > 0 {
				q = recent[r.IntN(len(recent))]
			}
			if q < 0 {
				it.Kind = "POST"
				continue
			}
			ref := items[q].ExternalID
			it.InReplyTo = &ref
			it.Accepted = qna && !answered[q] && r.Float64() < 0.4
			answered[q] = true
		}
	}
}

// demoLocales are the naming traditions of strangers, in a fixed order.
var demoLocales = []string{"en", "en", "de", "fr", "es", "sea", "ar", "he", "tr", "africa", "el"}

// stranger is someone the program does not know.
func stranger(r *rand.Rand) demoPerson {
	l := locales[pick(r, demoLocales)]
	d := demoPerson{first: pick(r, l.first), last: pick(r, l.last)}
	d.stack = "stackoverflow:" + strconv.Itoa(1_000_000+r.IntN(9_000_000))
	d.github = strings.TrimRight(cut(pick(r, []string{alnum(d.first) + alnum(d.last), alnum(d.first)[:1] + alnum(d.last), alnum(d.first) + "-" + alnum(d.last)}), 39), "-")
	return d
}

// demoActive is each member as someone active in spaces: the member's own
// GitHub and Stack Overflow accounts where the member has them.
func demoActive(p *store.Program, r *rand.Rand) map[string]demoPerson {
	handleOf := map[int64]string{}
	out := map[string]demoPerson{}
	for _, m := range p.Members {
		first, last, _ := strings.Cut(m.Name, " ")
		if last == "" {
			last = first
		}
		handleOf[m.ID] = m.Handle
		out[m.Handle] = demoPerson{first: first, last: last, member: m.Handle,
			stack:  "stackoverflow:" + strconv.Itoa(1_000_000+r.IntN(9_000_000)),
			github: strings.TrimRight(cut(alnum(first)+"-"+alnum(last)+"-dev", 39), "-")}
	}
	for _, a := range p.SocialAccounts {
		d := out[handleOf[a.MemberID]]
		switch {
		case a.Platform == mvpgraph.GitHub:
			d.github = a.Handle
		case a.Platform == mvpgraph.StackExchange && strings.HasPrefix(a.Handle, "stackoverflow:"):
			d.stack = a.Handle
		}
		out[handleOf[a.MemberID]] = d
	}
	return out
}

// demoCommunity adds the demo's spaces and their activity to p, which
// holds the demo's members and awards, for Load to store with them. It
// returns the random source, for demoEscalations to go on with, and the
// end of the demo's period.
func demoCommunity(p *store.Program, last string) (*rand.Rand, time.Time, error) {
	r := rand.New(rand.NewPCG(0x636f6d6d, 0x756e6974))
	end, err := time.Parse(time.DateOnly, last)
	if err != nil {
		return nil, end, err
	}
	end = end.Add(20 * time.Hour)
	expertiseID := map[string]int64{}
	for _, e := range p.Expertises {
		expertiseID[e.Name] = e.ID
	}
	handle, memberID := map[int64]string{}, map[string]int64{}
	for _, m := range p.Members {
		handle[m.ID], memberID[m.Handle] = m.Handle, m.ID
	}
	known := demoActive(p, r)
	// The members holding (or having held) an award of each expertise, and
	// the members without an active award anywhere: candidates.
	holders := map[int64][]string{}
	active := map[int64]bool{}
	for _, a := range p.Awards {
		if a.Status == mvpgraph.AwardActive {
			holders[a.ExpertiseID] = append(holders[a.ExpertiseID], handle[a.MemberID])
			active[a.MemberID] = true
		}
	}
	var others []string
	for _, m := range p.Members {
		if !active[m.ID] && !m.IsEmployee {
			others = append(others, m.Handle)
		}
	}

	for _, x := range demoSpaceExpertises {
		eid := expertiseID[x.name]
		if eid == 0 {
			return nil, end, fmt.Errorf("demo community: no expertise %q", x.name)
		}
		// The expertise's contributors: its MVPs, a few dozen other members,
		// and people the program does not know, heavy users first.
		var people []demoPerson
		for _, h := range holders[eid] {
			people = append(people, known[h])
		}
		for i := 0; i < 40 && len(others) > 0; i++ {
			people = append(people, known[others[r.IntN(len(others))]])
		}
		for i := 0; i < 120; i++ {
			people = append(people, stranger(r))
		}
		r.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })

		spaceWeights := zipf(x.spaces, 1.15)
		waiting := false // whether the expertise's neglected space is made
		for si := 0; si < x.spaces; si++ {
			k := demoSpaceKinds[(si+len(x.name))%len(demoSpaceKinds)]
			name := fmt.Sprintf("%s %s", x.name, k.suffix)
			if si >= len(demoSpaceKinds) {
				name = fmt.Sprintf("%s %s %d", x.name, k.suffix, si/len(demoSpaceKinds)+1)
			}
			url := k.site + slug(name)
			space := int64(len(p.Spaces) + 1)
			p.Spaces = append(p.Spaces, mvpgraph.CommunitySpace{ID: space, Name: name, Kind: k.kind, URL: &url})
			p.SpaceExpertises = append(p.SpaceExpertises, store.SpaceExpertise{SpaceID: space, ExpertiseID: eid})
			contributorOf := map[string]int64{} // handle → contributor in this space
			items := int(math.Round(float64(x.items) * spaceWeights[si]))
			// A space grows or shrinks over the period: its activity leans
			// towards the end or the start.
			lean := r.Float64()*1.6 - 0.8
			contributors := zipf(min(len(people), 15+r.IntN(60)), 1.0)
			first := len(p.Activities)
			for i := 0; i < items; i++ {
				who := people[pickWeighted(r, contributors)]
				t := r.Float64()
				if lean > 0 {
					t = math.Pow(t, 1/(1+lean))
				} else {
					t = 1 - math.Pow(1-t, 1/(1-lean))
				}
				at := end.Add(-time.Duration(t * float64(DemoActivityDays*24*time.Hour))).Truncate(time.Minute)
				kind := k.items[r.IntN(len(k.items))]
				score := math.Round(r.ExpFloat64() * 4)
				handle, shown, linked, profile := who.identity(k.kind)
				cid := contributorOf[handle]
				if cid == 0 {
					cid = int64(len(p.Contributors) + 1)
					contributorOf[handle] = cid
					c := store.LoadContributor{ID: cid, SpaceID: space, Handle: handle, Name: shown}
					if profile != "" {
						c.ProfileURL = &profile
					}
					if id, ok := memberID[who.member]; ok && linked {
						c.MemberID = &id
					}
					p.Contributors = append(p.Contributors, c)
				}
				itemURL := fmt.Sprintf("%s/%d", url, i+1)
				title := fmt.Sprintf("%s about %s #%d", strings.ToLower(string(kind)), x.name, i+1)
				p.Activities = append(p.Activities, store.LoadActivity{
					ID: int64(len(p.Activities) + 1), SpaceID: space, ContributorID: cid,
					ExternalID: strconv.Itoa(i + 1), Kind: kind, OccurredAt: at.UTC(),
					URL: &itemURL, Title: &title, Score: &score,
				})
			}
			// The expertise's newsgroup is where questions wait.
			answerDemoQuestions(r, p.Activities[first:], k.kind == "QNA", k.kind == "NEWSGROUP" && !waiting)
			waiting = waiting || k.kind == "NEWSGROUP"
		}
	}
	return r, end, nil
}

// demoEscalations raises questions of MVPs over the last weeks of the
// demo, and moves them along: some escalated to the product team, some
// answered, some closed, and some left waiting past the target.
func demoEscalations(ctx context.Context, s *store.Store, p *store.Program, end time.Time, r *rand.Rand) error {
	contactOf := map[int64]int64{} // product team → its first contact
	for _, c := range p.Contacts {
		if contactOf[c.ProductTeamID] == 0 {
			contactOf[c.ProductTeamID] = c.ID
		}
	}
	teamOf := map[int64]int64{}
	for _, e := range p.Expertises {
		if e.ProductTeamID != nil {
			teamOf[e.ID] = *e.ProductTeamID
		}
	}
	var awards []mvpgraph.Award
	for _, a := range p.Awards {
		if a.Status == mvpgraph.AwardActive {
			awards = append(awards, a)
		}
	}
	topics := []string{"Licensing of the %s preview", "Breaking change in the %s update", "Documentation gap in %s", "Performance regression in %s", "Roadmap question on %s"}
	expertiseName := map[int64]string{}
	for _, e := range p.Expertises {
		expertiseName[e.ID] = e.Name
	}
	office := mvpgraph.Principal{Name: "program office", Role: mvpgraph.RoleAdmin}
	const n = 36
	for i := 0; i < n; i++ {
		a := awards[(i*37)%len(awards)]
		raised := end.Add(-time.Duration(i) * 17 * time.Hour)
		at := func(h int) *store.Store {
			t := raised.Add(time.Duration(h) * time.Hour)
			return s.WithClock(func() time.Time { return t })
		}
		e := mvpgraph.Escalation{
			MemberID:    a.MemberID,
			ExpertiseID: a.ExpertiseID,
			Title:       fmt.Sprintf(topics[i%len(topics)], expertiseName[a.ExpertiseID]),
			Body:        "Customers ask about this in the community spaces; what can MVPs tell them?",
		}
		if err := at(0).RaiseEscalation(ctx, &e, office); err != nil {
			return fmt.Errorf("demo escalation %d: %w", i+1, err)
		}
		var moves []store.EscalationChange
		switch i % 6 {
		case 1, 4: // with the product team
			if c := contactOf[teamOf[a.ExpertiseID]]; c != 0 {
				moves = append(moves, store.EscalationChange{Action: mvpgraph.ActionEscalate, ContactID: c})
			}
		case 2:
			moves = append(moves, store.EscalationChange{Action: mvpgraph.ActionAnswer, Answer: "Fixed in the next update; the workaround is in the release notes."})
		case 3:
			moves = append(moves,
				store.EscalationChange{Action: mvpgraph.ActionAnswer, Answer: "It is on the roadmap for next year."},
				store.EscalationChange{Action: mvpgraph.ActionClose})
		}
		for j, m := range moves {
			h := 6 + j*r.IntN(30) + r.IntN(40)
			// A move that would come after the load has not happened yet:
			// the newest questions are still fresh.
			if raised.Add(time.Duration(h) * time.Hour).After(s.Now()) {
				break
			}
			if _, err := at(h).ChangeEscalation(ctx, e.ID, m, office); err != nil {
				return fmt.Errorf("demo escalation %d: %s: %w", i+1, m.Action, err)
			}
		}
	}
	return nil
}

// demoSuggestionsLeft is how many of the likeliest merge suggestions the
// demo leaves for an admin to confirm.
const demoSuggestionsLeft = 4

// demoPeople confirms the likeliest merge suggestions and dismisses one,
// as the program office would, and nominates some of the top candidates
// of Dynamics CRM and C#, moved along over the demo's last weeks: two
// waiting, one under review, one declined and one withdrawn. The rest of
// the suggestions wait for an admin.
func demoPeople(ctx context.Context, s *store.Store, end time.Time) error {
	office := mvpgraph.Principal{Name: "program office", Role: mvpgraph.RoleAdmin}
	at := func(days int) *store.Store {
		t := end.AddDate(0, 0, -days)
		return s.WithClock(func() time.Time { return t })
	}
	sure, err := s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.9, Limit: 100})
	if err != nil {
		return err
	}
	for i, sg := range sure[:max(0, len(sure)-demoSuggestionsLeft)] {
		if _, _, err := at(30-i%20).MergePeople(ctx, []int64{sg.A, sg.B}, office); err != nil {
			return fmt.Errorf("demo people: merge: %w", err)
		}
	}
	maybe, err := s.MergeSuggestions(ctx, store.SuggestionQuery{MinConfidence: 0.5, Limit: 100})
	if err != nil {
		return err
	}
	if len(maybe) > 0 {
		last := maybe[len(maybe)-1]
		if err := at(20).DismissSuggestion(ctx, last.A, last.B, office); err != nil {
			return fmt.Errorf("demo people: dismiss: %w", err)
		}
	}
	ids := map[string]int64{}
	list, err := s.ListExpertises(ctx, nil, nil, store.PageArgs{First: ptr(100)})
	if err != nil {
		return err
	}
	for _, e := range list.Items {
		ids[e.Name] = e.ID
	}
	moves := [][]mvpgraph.NominationStatus{
		nil, nil,
		{mvpgraph.NominationUnderReview},
		{mvpgraph.NominationUnderReview, mvpgraph.NominationDeclined},
		{mvpgraph.NominationWithdrawn},
	}
	for _, name := range []string{"Dynamics CRM", "C#"} {
		cands, err := s.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: ids[name], From: end.AddDate(0, 0, -DemoActivityDays), To: end.AddDate(0, 0, 1),
			Weights: mvpgraph.DefaultKindWeights, Limit: 12})
		if err != nil {
			return err
		}
		for i, mv := range moves {
			c := cands[2+2*i] // the very top is left for a lead to nominate
			in := store.NominationInput{PersonID: c.PersonID, ExpertiseID: ids[name], Reason: fmt.Sprintf("Helps in %d spaces of %s; %d items in the last half year.", len(c.BySpace), name, sum(c.ByKind))}
			if c.MemberID == nil {
				in.Country = ptr("US")
			}
			n, err := at(40-3*i).Nominate(ctx, in, office)
			if err != nil {
				return fmt.Errorf("demo nomination of %s: %w", c.Name, err)
			}
			for j, to := range mv {
				if _, err := at(30-3*i-5*j).MoveNomination(ctx, n.ID, store.NominationMove{Status: to}, office); err != nil {
					return fmt.Errorf("demo nomination of %s: %s: %w", c.Name, to, err)
				}
			}
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func sum(counts map[mvpgraph.ActivityKind]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// zipf returns n weights, summing to 1, falling as 1/rank^s.
func zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// pickWeighted draws an index by the weights.
func pickWeighted(r *rand.Rand, w []float64) int {
	x := r.Float64()
	for i, p := range w {
		if x < p {
			return i
		}
		x -= p
	}
	return len(w) - 1
}
