package seed

import (
	"context"
	"strconv"

	"mvpgraph"
	"mvpgraph/store"
)

// The award years of a Scale program: ScaleYear's awards are active.
const (
	ScaleFirstYear = 2019
	ScaleYear      = 2026
)

// scaleBatch is how many members Scale generates and hands to the store at
// a time, which bounds its memory whatever the size of the program.
const scaleBatch = 10_000

// Scale loads a synthetic program of n members into an empty database:
// the catalogue of Demo (40 expertises, 12 US leads), members spread over
// about 90 countries as the real program is (the US largest, then India,
// the UK, Germany, Brazil, Japan, Canada...), an international lead for
// each of 20 regions owning every non-US country, and award histories over
// ScaleFirstYear..ScaleYear: about 40% of members are MVPs with an active
// ScaleYear award, about 30% alumni, 1% vendor employees (never with an
// active award), the rest candidates without awards.
//
// The same n and randSeed always give the same program. Members are made
// and stored in batches within one transaction, so memory stays small
// even for millions of members. A database that holds anything already is
// refused with EINVALID.
func Scale(ctx context.Context, s *store.Store, n int, randSeed int64) error {
	if n < 0 {
		return mvpgraph.Invalidf("n", "the number of members must not be negative; got %d.", n)
	}
	p := catalogue(countries)
	g := newGenerator(uint64(randSeed), 0x6d7670, ScaleYear, ScaleFirstYear, countries)
	p.More = func(yield func(store.MemberBatch) bool) {
		members := make([]mvpgraph.Member, 0, min(n, scaleBatch))
		var awards []mvpgraph.Award
		for start := 1; start <= n; start += scaleBatch {
			members, awards = members[:0], awards[:0]
			for id := int64(start); id < int64(min(start+scaleBatch, n+1)); id++ {
				c := g.country()
				first, last := g.name(c)
				// The ID makes the handle unique without remembering the
				// handles already given.
				handle := handleBase(first, last) + "." + strconv.FormatInt(id, 10)
				r := roleCandidate
				switch x := g.r.Float64(); {
				case x < 0.01:
					r = roleEmployee
				case x < 0.41:
					r = roleMVP
				case x < 0.71:
					r = roleAlumnus
				}
				primary := g.expertise()
				members = append(members, g.member(id, c, first, last, handle, r == roleEmployee, primary))
				awards = g.awards(awards, id, r, primary)
			}
			if !yield(store.MemberBatch{Members: members, Awards: awards}) {
				return
			}
		}
	}
	return s.Load(ctx, p)
}
