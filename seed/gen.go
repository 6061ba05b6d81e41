package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"mvpgraph"
)

// role is what a generated member is to the program.
type role int

const (
	roleCandidate role = iota // no award yet
	roleMVP                   // an active award for the current year
	roleAlumnus               // only awards of earlier years
	roleEmployee              // works for the vendor: never an active award
)

// generator makes members and their award histories from one random
// stream, so that the same seed always gives the same program.
type generator struct {
	r         *rand.Rand
	year      int // the current award year: its awards are active
	first     int // the first award year of the history
	countries []countryDef
	cum       []int // cumulative weights of countries
	nextAward int64
}

func newGenerator(seed1, seed2 uint64, year, first int, cs []countryDef) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed1, seed2)), year: year, first: first, countries: cs, nextAward: 1}
	total := 0
	for _, c := range cs {
		total += c.weight
		g.cum = append(g.cum, total)
	}
	return g
}

// country picks a country by weight.
func (g *generator) country() *countryDef {
	i, _ := slices.BinarySearch(g.cum, g.r.IntN(g.cum[len(g.cum)-1])+1)
	return &g.countries[i]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// name picks a first and last name from one of c's locales.
func (g *generator) name(c *countryDef) (first, last string) {
	l := locales[pick(g.r, c.locales)]
	return pick(g.r, l.first), pick(g.r, l.last)
}

// expertise picks an expertise ID.
func (g *generator) expertise() int64 { return int64(g.r.IntN(len(expertises)) + 1) }

// member fills in a member's profile around its name and handle; the
// expertise colours the bio.
func (g *generator) member(id int64, c *countryDef, first, last, handle string, employee bool, expertise int64) mvpgraph.Member {
	m := mvpgraph.Member{ID: id, Handle: handle, Name: first + " " + last, Country: c.code, IsEmployee: employee}
	city := pick(g.r, c.cities)
	m.City = &city
	if g.r.IntN(20) > 0 {
		e := handle + "@" + pick(g.r, mailDomains)
		m.Email = &e
	}
	if g.r.IntN(8) > 0 {
		b := fmt.Sprintf(pick(g.r, bios), expertises[expertise-1].name, city, 2+g.r.IntN(20))
		m.Bio = &b
	}
	switch {
	case employee:
		v := vendor
		m.Employer = &v
	case g.r.IntN(7) > 0:
		e := pick(g.r, employers)
		m.Employer = &e
	}
	return m
}

// mailDomains are the members' mail domains, reserved for examples so that
// no generated address reaches anyone.
var mailDomains = []string{"example.com", "example.org", "example.net"}

// award appends an award with the next award ID.
func (g *generator) award(dst []mvpgraph.Award, member, expertise int64, year int, status mvpgraph.AwardStatus) []mvpgraph.Award {
	dst = append(dst, mvpgraph.Award{ID: g.nextAward, MemberID: member, ExpertiseID: expertise, Year: year, Status: status})
	g.nextAward++
	return dst
}

// span appends a run of yearly awards from..to: the years before the last
// ended (ALUMNI), the last one with status last.
func (g *generator) span(dst []mvpgraph.Award, member, expertise int64, from, to int, last mvpgraph.AwardStatus) []mvpgraph.Award {
	for y := from; y < to; y++ {
		dst = g.award(dst, member, expertise, y, mvpgraph.AwardAlumni)
	}
	return g.award(dst, member, expertise, to, last)
}

// since picks the first year of an award run that lasts until end: often
// recent, sometimes as far back as the history goes.
func (g *generator) since(end int) int {
	if end <= g.first {
		return g.first
	}
	if g.r.IntN(2) == 0 {
		return max(g.first, end-g.r.IntN(3))
	}
	return end - g.r.IntN(end-g.first+1)
}

// awards appends the award history of a member in role r whose first
// expertise is primary.
func (g *generator) awards(dst []mvpgraph.Award, member int64, r role, primary int64) []mvpgraph.Award {
	switch r {
	case roleMVP:
		start := g.since(g.year)
		dst = g.span(dst, member, primary, start, g.year, mvpgraph.AwardActive)
		if g.r.IntN(7) == 0 { // a second expertise, taken up later
			n := int64(len(expertises))
			second := (primary-1+1+int64(g.r.IntN(int(n)-1)))%n + 1
			dst = g.span(dst, member, second, start+g.r.IntN(g.year-start+1), g.year, mvpgraph.AwardActive)
		}
	case roleAlumnus:
		end := g.year - 1 - g.r.IntN(g.year-g.first)
		dst = g.span(dst, member, primary, g.since(end), end, mvpgraph.AwardAlumni)
	case roleEmployee:
		if g.r.IntN(3) == 0 { // a former MVP, retired on joining the vendor
			end := g.year - g.r.IntN(3)
			dst = g.span(dst, member, primary, g.since(end), end, mvpgraph.AwardRetired)
		}
	}
	return dst
}

// handleBase is the handle a name suggests, first.last, cut to leave room
// for a suffix that makes it unique.
func handleBase(first, last string) string {
	h := slug(first) + "." + slug(last)
	if len(h) > 30 {
		h = strings.TrimRight(h[:30], ".-")
	}
	return h
}
