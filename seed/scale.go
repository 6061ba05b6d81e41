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
// a time, which bounds its memory whatever the size of the program; with a
// long history a batch holds fewer members, so that it holds at most about
// scaleSnapshots snapshots (about 150 MB). The store writes each batch's
// snapshots a day at a time, so fewer, larger batches load a year's history
// with fewer statements.
const (
	scaleBatch     = 10_000
	scaleSnapshots = 1_000_000
)

// The reach history of a Scale program ends on ScaleHistoryEnd, a fixed
// day, and by default goes back ScaleHistoryDays days.
const (
	ScaleHistoryEnd  = "2026-11-20"
	ScaleHistoryDays = 30
)

// Scale loads a synthetic program of n members into an empty database:
// the catalogue of Demo (40 expertises, 12 US leads), members spread over
// about 90 countries as the real program is (the US largest, then India,
// the UK, Germany, Brazil, Japan, Canada...), an international lead for
// each of 20 regions owning every non-US country, and award histories over
// ScaleFirstYear..ScaleYear: about 40% of members are MVPs with an active
// ScaleYear award, about 30% alumni, 1% vendor employees (never with an
// active award), the rest candidates without awards. Members have social
// accounts with ScaleHistoryDays days of daily snapshots: see
// ScaleWithHistory.
//
// The same n and randSeed always give the same program. Members are made
// and stored in batches within one transaction, so memory stays small
// even for millions of members. A database that holds anything already is
// refused with EINVALID.
func Scale(ctx context.Context, s *store.Store, n int, randSeed int64) error {
	return ScaleWithHistory(ctx, s, n, randSeed, ScaleHistoryDays)
}

// ScaleWithHistory loads the program of Scale with days days of reach
// history up to ScaleHistoryEnd. Members have about 1.3 social accounts on
// average: an MVP about 2, an alumnus 1, a candidate fewer; on distinct
// platforms, with handles that carry the member's ID, so that they are
// unique. About 95% of accounts are ACTIVE with a snapshot on each day;
// the others, NOT_FOUND or SUSPENDED, stop a week or more before the end.
// With days 0 the accounts have never been synced.
//
// Snapshots are about 1.3 × n × days rows: 30 days of 100,000 members are
// about 4 million, a year of 1,000,000 members nearly 500 million, which is
// more than a test should load; Scale's 30 days are a default, not a
// judgement of what a benchmark needs. The members and awards do not
// depend on days, and the same arguments always give the same program.
func ScaleWithHistory(ctx context.Context, s *store.Store, n int, randSeed int64, days int) error {
	if n < 0 {
		return mvpgraph.Invalidf("n", "the number of members must not be negative; got %d.", n)
	}
	if days < 0 {
		return mvpgraph.Invalidf("days", "the days of history must not be negative; got %d.", days)
	}
	p := catalogue(countries)
	g := newGenerator(uint64(randSeed), 0x6d7670, ScaleYear, ScaleFirstYear, countries)
	sg := newSocialGen(uint64(randSeed), 0x736f6369616c, ScaleHistoryEnd, days, false)
	cg := newCommunityGen(p, uint64(randSeed))
	per := scaleBatch
	if days > 0 {
		per = max(100, min(scaleBatch, scaleSnapshots/(2*days)))
	}
	p.More = func(yield func(store.MemberBatch) bool) {
		members := make([]mvpgraph.Member, 0, min(n, per))
		var awards []mvpgraph.Award
		var soc social
		for start := 1; start <= n; start += per {
			members, awards = members[:0], awards[:0]
			soc.reset()
			sg.vals.reset()
			cg.reset()
			for id := int64(start); id < int64(min(start+per, n+1)); id++ {
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
				sg.member(&soc, id, first, last, scaleAccounts(sg, r), id)
				if r != roleEmployee {
					cg.member(id, handle, first+" "+last, primary)
				}
			}
			if !yield(store.MemberBatch{Members: members, Awards: awards, SocialAccounts: soc.accounts, Snapshots: soc.snapshots,
				Contributors: cg.b.contributors, Activities: cg.b.activities}) {
				return
			}
		}
	}
	return Load(ctx, s, p)
}

// scaleAccounts picks how many accounts a Scale member in role r has: on
// average about 2.1 for an MVP, 1 for an alumnus, 0.8 for an employee and
// 0.6 for a candidate.
func scaleAccounts(sg *socialGen, r role) int {
	x := sg.r.IntN(100)
	var cum []int // the chances of 0, 1, 2... accounts, summed
	switch r {
	case roleMVP:
		cum = []int{5, 30, 65, 90, 100}
	case roleAlumnus:
		cum = []int{35, 70, 95, 100}
	case roleEmployee:
		cum = []int{40, 80, 100}
	default:
		cum = []int{55, 85, 100}
	}
	for k, c := range cum {
		if x < c {
			return k
		}
	}
	return 0
}
