package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// The demo's community: a handful of expertises are discussed in spaces of
// every kind, with activity over DemoActivityDays days up to
// DemoHistoryEnd. Activity is concentrated the way it is in real
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

var demoSpaceKinds = []struct {
	kind   mvpgraph.SpaceKind
	suffix string
	items  []mvpgraph.ActivityKind
}{
	{"FORUM", "Forum", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "ANSWER", "POST"}},
	{"QNA", "Q&A", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "ANSWER", "ANSWER"}},
	{"USER_GROUP", "User Group", []mvpgraph.ActivityKind{"TALK", "EVENT", "POST"}},
	{"BLOG", "Blog", []mvpgraph.ActivityKind{"ARTICLE"}},
	{"VIDEO", "Videos", []mvpgraph.ActivityKind{"VIDEO"}},
	{"NEWSGROUP", "Newsgroup", []mvpgraph.ActivityKind{"QUESTION", "ANSWER", "POST"}},
	{"SOCIAL", "Community", []mvpgraph.ActivityKind{"POST", "POST", "QUESTION"}},
	{"EVENT", "Conference", []mvpgraph.ActivityKind{"TALK", "EVENT"}},
}

// demoCommunity adds the demo's spaces and their activity to p, which
// holds the demo's members and awards, for Load to store with them. It
// returns the random source, for demoEscalations to go on with, and the
// end of the demo's period.
func demoCommunity(p *store.Program) (*rand.Rand, time.Time, error) {
	r := rand.New(rand.NewPCG(0x636f6d6d, 0x756e6974))
	end, err := time.Parse(time.DateOnly, DemoHistoryEnd)
	if err != nil {
		return nil, end, err
	}
	end = end.Add(20 * time.Hour)
	expertiseID := map[string]int64{}
	for _, e := range p.Expertises {
		expertiseID[e.Name] = e.ID
	}
	handle, nameOf, memberID := map[int64]string{}, map[string]string{}, map[string]int64{}
	for _, m := range p.Members {
		handle[m.ID], nameOf[m.Handle], memberID[m.Handle] = m.Handle, m.Name, m.ID
	}
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
		type person struct{ handle, name, member string }
		var people []person
		for _, h := range holders[eid] {
			people = append(people, person{h, "", h})
		}
		for i := 0; i < 40 && len(others) > 0; i++ {
			h := others[r.IntN(len(others))]
			people = append(people, person{h, "", h})
		}
		for i := 0; i < 120; i++ {
			h := fmt.Sprintf("%s-fan%d", slug(x.name), i+1)
			people = append(people, person{h, fmt.Sprintf("%s fan %d", x.name, i+1), ""})
		}
		r.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
		for i := range people {
			if people[i].name == "" {
				people[i].name = nameOf[people[i].member]
			}
		}

		spaceWeights := zipf(x.spaces, 1.15)
		for si := 0; si < x.spaces; si++ {
			k := demoSpaceKinds[(si+len(x.name))%len(demoSpaceKinds)]
			name := fmt.Sprintf("%s %s", x.name, k.suffix)
			if si >= len(demoSpaceKinds) {
				name = fmt.Sprintf("%s %s %d", x.name, k.suffix, si/len(demoSpaceKinds)+1)
			}
			url := "https://community.example.org/" + slug(name)
			space := int64(len(p.Spaces) + 1)
			p.Spaces = append(p.Spaces, mvpgraph.CommunitySpace{ID: space, Name: name, Kind: k.kind, URL: &url})
			p.SpaceExpertises = append(p.SpaceExpertises, store.SpaceExpertise{SpaceID: space, ExpertiseID: eid})
			contributorOf := map[string]int64{} // handle → contributor in this space
			items := int(math.Round(float64(x.items) * spaceWeights[si]))
			// A space grows or shrinks over the period: its activity leans
			// towards the end or the start.
			lean := r.Float64()*1.6 - 0.8
			contributors := zipf(min(len(people), 15+r.IntN(60)), 1.0)
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
				cid := contributorOf[who.handle]
				if cid == 0 {
					cid = int64(len(p.Contributors) + 1)
					contributorOf[who.handle] = cid
					c := store.LoadContributor{ID: cid, SpaceID: space, Handle: who.handle, Name: who.name}
					if id, ok := memberID[who.member]; ok {
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
			if _, err := at(6+j*r.IntN(30)+r.IntN(40)).ChangeEscalation(ctx, e.ID, m, office); err != nil {
				return fmt.Errorf("demo escalation %d: %s: %w", i+1, m.Action, err)
			}
		}
	}
	return nil
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
