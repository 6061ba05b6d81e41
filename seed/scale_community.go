package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// A Scale program's community: scaleSpacesPer spaces for each expertise,
// whose activity falls off with their rank (a few hold most of it), and
// about ten items of activity per member over the year up to
// ScaleHistoryEnd. A member who contributes does so in one to three of the
// spaces of the member's main expertise; for every ten members, three
// people the program does not know contribute too. The activity is drawn
// from its own random source, so the members, awards and reach are those
// of the same program without it.
const (
	scaleSpacesPer   = 20
	scaleActivity    = 8 // items per contributor, on average
	scaleStrangers   = 3 // per ten members
	scaleActivityDay = 365
)

type communityGen struct {
	r            *rand.Rand
	end          time.Time
	spaces       [][]int64 // per expertise (index ID-1), its spaces by rank
	kinds        map[int64][]mvpgraph.ActivityKind
	weights      []float64 // by rank within an expertise
	contributors int64
	activities   int64
	strangers    int64
	b            struct {
		contributors []store.LoadContributor
		activities   []store.LoadActivity
	}
}

// newCommunityGen adds the spaces to p and returns the generator of their
// activity.
func newCommunityGen(p *store.Program, randSeed uint64) *communityGen {
	end, err := time.Parse(time.DateOnly, ScaleHistoryEnd)
	if err != nil {
		panic(err) // a constant
	}
	c := &communityGen{
		r:       rand.New(rand.NewPCG(randSeed, 0x636f6d6d)),
		end:     end.Add(24 * time.Hour),
		kinds:   map[int64][]mvpgraph.ActivityKind{},
		weights: zipf(scaleSpacesPer, 1.1),
	}
	for ei, e := range expertises {
		var ids []int64
		for k := range scaleSpacesPer {
			kind := demoSpaceKinds[(k+ei)%len(demoSpaceKinds)]
			id := int64(len(p.Spaces) + 1)
			url := "https://community.example.org/s/" + strconv.FormatInt(id, 10)
			p.Spaces = append(p.Spaces, mvpgraph.CommunitySpace{ID: id, Name: fmt.Sprintf("%s %s %d", e.name, kind.suffix, k+1), Kind: kind.kind, URL: &url})
			p.SpaceExpertises = append(p.SpaceExpertises, store.SpaceExpertise{SpaceID: id, ExpertiseID: int64(ei + 1)})
			c.kinds[id] = kind.items
			ids = append(ids, id)
		}
		c.spaces = append(c.spaces, ids)
	}
	return c
}

func (c *communityGen) reset() {
	c.b.contributors, c.b.activities = c.b.contributors[:0], c.b.activities[:0]
}

// member adds the activity of a member whose main expertise is expertise.
func (c *communityGen) member(id int64, handle, name string, expertise int64) {
	n := int(math.Round(c.r.ExpFloat64() * scaleActivity))
	c.contribute(expertise, handle, name, &id, n)
	// Three strangers for every ten members, about as busy.
	if c.r.IntN(10) < scaleStrangers {
		c.strangers++
		h := "user" + strconv.FormatInt(c.strangers, 10)
		c.contribute(int64(c.r.IntN(len(expertises))+1), h, "User "+strconv.FormatInt(c.strangers, 10), nil, int(math.Round(c.r.ExpFloat64()*scaleActivity)))
	}
}

// contribute spreads n items of one contributor over one to three spaces
// of an expertise.
func (c *communityGen) contribute(expertise int64, handle, name string, member *int64, n int) {
	if n == 0 {
		return
	}
	spaces := c.spaces[expertise-1]
	type place struct{ space, contributor int64 }
	var in []place
	places := 1 + c.r.IntN(3)
	for range n {
		var p place
		if len(in) < places {
			p.space = spaces[pickWeighted(c.r, c.weights)]
			for _, q := range in {
				if q.space == p.space {
					p = q
				}
			}
		} else {
			p = in[c.r.IntN(len(in))]
		}
		if p.contributor == 0 {
			c.contributors++
			p.contributor = c.contributors
			in = append(in, p)
			c.b.contributors = append(c.b.contributors, store.LoadContributor{ID: p.contributor, SpaceID: p.space, Handle: handle, Name: name, MemberID: member})
		}
		space, cid := p.space, p.contributor
		c.activities++
		kinds := c.kinds[space]
		score := math.Round(c.r.ExpFloat64() * 3)
		at := c.end.Add(-time.Duration(c.r.Float64() * float64(scaleActivityDay*24*time.Hour))).Truncate(time.Second)
		c.b.activities = append(c.b.activities, store.LoadActivity{
			ID: c.activities, SpaceID: space, ContributorID: cid, ExternalID: strconv.FormatInt(c.activities, 10),
			Kind: kinds[c.r.IntN(len(kinds))], OccurredAt: at, Score: &score,
		})
	}
}
