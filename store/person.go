package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// peopleLock is the PostgreSQL advisory lock every change of who is whom
// takes for its transaction, so that two imports placing identities, or a
// merge beside an import, queue rather than deadlock. SQLite transactions
// are already exclusive.
const peopleLock = 0x6d7670_7065_6f70 // "mvp" "peop"

// raw is a statement written whole, its ? placeholders numbered for
// PostgreSQL.
func (s *Store) raw(query string, args ...any) sq.Sqlizer {
	if s.dialect == Postgres {
		if q, err := sq.Dollar.ReplacePlaceholders(query); err == nil {
			query = q
		}
	}
	return sq.Expr(query, args...)
}

func (s *Store) lockPeople(ctx context.Context, tx queryer) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := s.exec(ctx, tx, s.raw("SELECT pg_advisory_xact_lock(?)", int64(peopleLock)))
	return err
}

var personColumns = []string{"p.id", "p.name", "p.member_id", "p.merged_into", "p.created_at"}

// PeopleByIDs returns the people with the given IDs, merged ones included.
func (s *Store) PeopleByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Person, error) {
	var out []mvpgraph.Person
	err := s.selectAll(ctx, s.db, &out, s.personSelect().Where(s.in("p.id", ids)))
	return out, mapError("get people", err)
}

// personSelect reads people with their member's name as theirs.
func (s *Store) personSelect() sq.SelectBuilder {
	return s.sb.Select("p.id", "COALESCE(m.name, p.name) AS name", "p.member_id", "p.merged_into", "p.created_at").
		From("people p").LeftJoin("members m ON m.id = p.member_id")
}

// identityColumns read an identity, with the member whose social account
// it is, if any.
var identityColumns = []string{"c.id", "c.person_id", "c.space_id", "sp.name AS space_name", "COALESCE(sp.site, '') AS site", "c.handle", "c.name",
	"c.member_id", "c.account", "c.profile_url", "sa.member_id AS linked_member_id", "sa.id AS linked_account_id"}

func (s *Store) identitySelect() sq.SelectBuilder {
	return s.sb.Select(identityColumns...).From("contributors c").
		Join("community_spaces sp ON sp.id = c.space_id").
		LeftJoin("social_accounts sa ON sa.platform = sp.platform AND sa.handle = c.account")
}

// IdentitiesOf returns the identities of the given people, by person, in
// the order they were first seen.
func (s *Store) IdentitiesOf(ctx context.Context, personIDs []int64) (map[int64][]mvpgraph.Identity, error) {
	var rows []mvpgraph.Identity
	if err := s.selectAll(ctx, s.db, &rows, s.identitySelect().Where(s.in("c.person_id", personIDs)).OrderBy("c.person_id", "c.id")); err != nil {
		return nil, mapError("get identities", err)
	}
	out := map[int64][]mvpgraph.Identity{}
	for _, r := range rows {
		out[r.PersonID] = append(out[r.PersonID], r)
	}
	return out, nil
}

// IdentitiesByIDs returns the identities with the given IDs.
func (s *Store) IdentitiesByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Identity, error) {
	var out []mvpgraph.Identity
	err := s.selectAll(ctx, s.db, &out, s.identitySelect().Where(s.in("c.id", ids)))
	return out, mapError("get identities", err)
}

// PeopleChanges returns the changes that moved identities into or out of
// a person, newest first.
func (s *Store) PeopleChanges(ctx context.Context, personID int64) ([]mvpgraph.PeopleChange, error) {
	var out []mvpgraph.PeopleChange
	err := s.selectAll(ctx, s.db, &out, s.sb.Select("x.id", "x.kind", "x.person_id", "x.reason", "x.undoes", "x.undone_by", "x.actor_name", "x.actor_token_id", "x.at").
		From("people_changes x").
		Where(sq.Or{sq.Eq{"x.person_id": personID}, sq.Expr("x.id IN (SELECT change_id FROM people_change_moves WHERE from_person_id = ? OR to_person_id = ?)", personID, personID)}).
		OrderBy("x.id DESC").Limit(100))
	return out, mapError("get people changes", err)
}

// PeopleChangeMoves returns the identities each change moved.
func (s *Store) PeopleChangeMoves(ctx context.Context, changeIDs []int64) (map[int64][]mvpgraph.PeopleMove, error) {
	var rows []mvpgraph.PeopleMove
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select("change_id", "contributor_id", "from_person_id", "to_person_id").
		From("people_change_moves").Where(s.in("change_id", changeIDs)).OrderBy("change_id", "contributor_id")); err != nil {
		return nil, mapError("get people changes", err)
	}
	out := map[int64][]mvpgraph.PeopleMove{}
	for _, r := range rows {
		out[r.ChangeID] = append(out[r.ChangeID], r)
	}
	return out, nil
}

// settleSites records the site and platform of spaces that have none yet
// (see mvpgraph.SpaceSite).
func (s *Store) settleSites(ctx context.Context, tx queryer) error {
	var spaces []mvpgraph.CommunitySpace
	if err := s.selectAll(ctx, tx, &spaces, s.sb.Select("id", "name", "kind", "url", "created_at", "feed_url", "stack_exchange_tag", "ingested_until").
		From("community_spaces").Where("site IS NULL")); err != nil {
		return err
	}
	for _, sp := range spaces {
		site, platform := mvpgraph.SpaceSite(sp)
		if _, err := s.exec(ctx, tx, s.sb.Update("community_spaces").Set("site", site).Set("platform", platform).Where(sq.Eq{"id": sp.ID})); err != nil {
			return err
		}
	}
	return nil
}

// placeBatch is how many identities one statement places.
const placeBatch = 500

// placePeople gives every identity without a person a person of its own,
// records the keys it is matched on, and then joins the people the rules
// say are certainly one (joinCertain). Imports and program loads call it
// in their transaction, after adding contributors.
func (s *Store) placePeople(ctx context.Context, tx queryer, actor mvpgraph.Principal) error {
	if err := s.lockPeople(ctx, tx); err != nil {
		return err
	}
	if err := s.settleSites(ctx, tx); err != nil {
		return err
	}
	var fresh []unplaced
	if err := s.selectAll(ctx, tx, &fresh, s.sb.Select("c.id", "c.handle", "c.name", "COALESCE(sp.site, '') AS site", "sp.platform", "c.name_key").
		From("contributors c").Join("community_spaces sp ON sp.id = c.space_id").Where("c.person_id IS NULL")); err != nil {
		return err
	}
	if len(fresh) == 0 {
		// Nothing new, but a linked account or a member may join people.
		return s.joinCertain(ctx, tx, actor, func(int64) bool { return false })
	}
	// A member's identities are one person: the member's person, or one
	// made for the first of them. Every other identity gets a person of
	// its own, and joinCertain joins what the other rules say is one.
	for _, stmt := range []sq.Sqlizer{
		s.raw("UPDATE contributors SET person_id = p.id FROM people p WHERE p.member_id = contributors.member_id AND contributors.person_id IS NULL"),
		s.raw("INSERT INTO people (name, member_id, founder_id, created_at) SELECT c.name, c.member_id, c.id, ? FROM contributors c "+
			"LEFT JOIN (SELECT MIN(id) AS id FROM contributors WHERE person_id IS NULL AND member_id IS NOT NULL GROUP BY member_id) f ON f.id = c.id "+
			"WHERE c.person_id IS NULL AND (c.member_id IS NULL OR f.id IS NOT NULL) ORDER BY c.id", s.now()),
		s.raw("UPDATE contributors SET person_id = p.id FROM people p WHERE p.founder_id = contributors.id AND contributors.person_id IS NULL"),
		s.raw("UPDATE contributors SET person_id = p.id FROM people p WHERE p.member_id = contributors.member_id AND contributors.person_id IS NULL"),
	} {
		if _, err := s.exec(ctx, tx, stmt); err != nil {
			return err
		}
	}
	// The keys the rules and the suggestions match on, as mvpgraph reads
	// them, where they were not recorded with the identity.
	unkeyed := slices.DeleteFunc(slices.Clone(fresh), func(c unplaced) bool { return c.NameKey != nil })
	for start := 0; start < len(unkeyed); start += placeBatch {
		part := unkeyed[start:min(start+placeBatch, len(unkeyed))]
		values, args := make([]string, len(part)), make([]any, 0, 4*len(part))
		for i, c := range part {
			var platform *mvpgraph.Platform
			if c.Platform != nil {
				p := mvpgraph.Platform(*c.Platform)
				platform = &p
			}
			account, nameKey, handleKey := mvpgraph.IdentityKeys(c.Site, platform, c.Handle, c.Name)
			values[i] = "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))"
			args = append(args, c.ID, account, nameKey, handleKey)
		}
		if _, err := s.exec(ctx, tx, s.raw("UPDATE contributors SET account = v.column2, name_key = v.column3, handle_key = v.column4 "+
			"FROM (VALUES "+strings.Join(values, ", ")+") AS v WHERE contributors.id = v.column1", args...)); err != nil {
			return err
		}
	}
	var placed []int64
	founders := make([]int64, len(fresh))
	for i, c := range fresh {
		founders[i] = c.ID
	}
	if err := s.selectAll(ctx, tx, &placed, s.sb.Select("p.id").From("people p").Where(s.in("p.founder_id", founders))); err != nil {
		return err
	}
	made := make(map[int64]bool, len(placed))
	for _, id := range placed {
		made[id] = true
	}
	return s.joinCertain(ctx, tx, actor, func(id int64) bool { return made[id] })
}

// unplaced is an identity without a person yet.
type unplaced struct {
	ID       int64   `db:"id"`
	Handle   string  `db:"handle"`
	Name     string  `db:"name"`
	Site     string  `db:"site"`
	Platform *string `db:"platform"`
	NameKey  *string `db:"name_key"`
}

// certainKeys are the keys the rules join people by: kind M for a member
// an identity is linked to, L for a member whose social account an
// identity is, A for an account on a site; and each person's recorded
// member, as M.
const certainKeys = `SELECT c.person_id, 'M' AS kind, CAST(c.member_id AS TEXT) AS v FROM contributors c WHERE c.member_id IS NOT NULL AND c.person_id IS NOT NULL
UNION SELECT c.person_id, 'L', CAST(sa.member_id AS TEXT) FROM contributors c JOIN community_spaces sp ON sp.id = c.space_id
  JOIN social_accounts sa ON sa.platform = sp.platform AND sa.handle = c.account WHERE c.person_id IS NOT NULL
UNION SELECT c.person_id, 'A', sp.site || ' ' || COALESCE(c.account, lower(c.handle)) FROM contributors c JOIN community_spaces sp ON sp.id = c.space_id
  WHERE sp.site <> '' AND c.person_id IS NOT NULL
UNION SELECT p.id, 'M', CAST(p.member_id AS TEXT) FROM people p WHERE p.member_id IS NOT NULL AND p.merged_into IS NULL`

type certainKey struct {
	PersonID int64  `db:"person_id"`
	Kind     string `db:"kind"`
	V        string `db:"v"`
}

// group is the key's class: members (M and L) or accounts (A).
func (k certainKey) group() string {
	if k.Kind == "A" {
		return "A " + k.V
	}
	return "M " + k.V
}

func (k certainKey) reason() string {
	switch k.Kind {
	case "A":
		return mvpgraph.JoinSameAccount
	case "L":
		return mvpgraph.JoinLinkedAccount
	}
	return mvpgraph.JoinSameMember
}

// unionFind joins people into the groups their keys make, never two
// members in one: keys that would join two members' people are left
// unjoined (the data then says two members are one, which the rules do
// not decide).
type unionFind struct {
	parent map[int64]int64
	member map[int64]int64 // a root's member
	reason map[int64]string
}

func newUnionFind() *unionFind {
	return &unionFind{parent: map[int64]int64{}, member: map[int64]int64{}, reason: map[int64]string{}}
}

func (u *unionFind) find(x int64) int64 {
	if _, ok := u.parent[x]; !ok {
		u.parent[x] = x
	}
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) setMember(x, m int64) {
	r := u.find(x)
	if _, ok := u.member[r]; !ok {
		u.member[r] = m
	}
}

func (u *unionFind) union(a, b int64, reason string) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	ma, okA := u.member[ra]
	mb, okB := u.member[rb]
	if okA && okB && ma != mb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
		ma, okA = mb, okB
	}
	u.parent[rb] = ra
	if !okA {
		if m, ok := u.member[rb]; ok {
			u.member[ra] = m
		}
	}
	if u.reason[ra] == "" {
		u.reason[ra] = reason
	}
}

// groups returns the groups of more than one, each sorted.
func (u *unionFind) groups() map[int64][]int64 {
	out := map[int64][]int64{}
	for x := range u.parent {
		r := u.find(x)
		out[r] = append(out[r], x)
	}
	for r, g := range out {
		if len(g) < 2 {
			delete(out, r)
			continue
		}
		slices.Sort(g)
	}
	return out
}

// joinCertain joins the people the rules say are one, and records each
// person's member. fresh tells the people made by this placement: a join
// of two people or more that were there before is recorded as a change.
func (s *Store) joinCertain(ctx context.Context, tx queryer, actor mvpgraph.Principal, fresh func(int64) bool) error {
	var keys []certainKey
	if err := s.selectAll(ctx, tx, &keys, s.raw(`WITH k AS (`+certainKeys+`),
g AS (SELECT person_id, kind, v, CASE kind WHEN 'A' THEN 'A' ELSE 'M' END AS grp FROM k)
SELECT g.person_id, g.kind, g.v FROM g JOIN people p ON p.id = g.person_id
WHERE (g.grp, g.v) IN (SELECT grp, v FROM g GROUP BY grp, v HAVING COUNT(DISTINCT person_id) > 1)
   OR (g.grp = 'M' AND (p.member_id IS NULL OR CAST(p.member_id AS TEXT) <> g.v))`)); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	u := newUnionFind()
	// Members first, so that a union never joins two members.
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Kind == "M" && keys[j].Kind != "M" })
	for _, k := range keys {
		u.find(k.PersonID)
		if k.Kind != "A" {
			m, err := strconv.ParseInt(k.V, 10, 64)
			if err != nil {
				return err
			}
			if cur, ok := u.member[u.find(k.PersonID)]; !ok || cur == m {
				u.setMember(k.PersonID, m)
			}
		}
	}
	first := map[string]int64{}
	for _, k := range keys {
		if p, ok := first[k.group()]; ok {
			u.union(p, k.PersonID, k.reason())
		} else {
			first[k.group()] = k.PersonID
		}
	}
	// The people each group's others join: the one holding the member, or
	// the oldest.
	var people []mvpgraph.Person
	all := make([]int64, 0, len(u.parent))
	for x := range u.parent {
		all = append(all, x)
	}
	if err := s.selectAll(ctx, tx, &people, s.sb.Select(personColumns...).From("people p").Where(s.in("p.id", all))); err != nil {
		return err
	}
	holder := map[int64]int64{} // member → the person recorded with it
	for _, p := range people {
		if p.MemberID != nil {
			holder[*p.MemberID] = p.ID
		}
	}
	groups := u.groups()
	final := map[int64]int64{} // a group's root → the person its identities are with
	for root, g := range groups {
		final[root] = g[0]
		if m, ok := u.member[root]; ok {
			if h, ok := holder[m]; ok && slices.Contains(g, h) {
				final[root] = h
			}
		}
	}
	moves := map[int64]int64{}
	for root, g := range groups {
		into := final[root]
		for _, x := range g {
			if x != into {
				moves[x] = into
			}
		}
		// A join of people that were there before is recorded; a new
		// identity joining its person is an arrival, not a change.
		old := 0
		for _, x := range g {
			if !fresh(x) {
				old++
			}
		}
		if old < 2 {
			continue
		}
		var moved []mvpgraph.PeopleMove
		others := slices.DeleteFunc(slices.Clone(g), func(x int64) bool { return x == into })
		if err := s.selectAll(ctx, tx, &moved, s.sb.Select("id AS contributor_id", "person_id AS from_person_id").
			From("contributors").Where(s.in("person_id", others))); err != nil {
			return err
		}
		if _, err := s.recordPeopleChange(ctx, tx, mvpgraph.PeopleJoin, into, u.reason[root], nil, actor, moved, into); err != nil {
			return err
		}
	}
	if err := s.movePeople(ctx, tx, moves, actor, "joined by the rules with another person already nominated"); err != nil {
		return err
	}
	// Each person's member.
	members := map[int64]int64{}
	for root, m := range u.member {
		if u.find(root) != root {
			continue
		}
		person, ok := final[root]
		if !ok {
			person = root
		}
		if holder[m] != person {
			members[person] = m
		}
	}
	return s.setMembers(ctx, tx, members)
}

// setPersonMember records m as person's member (see setMembers).
func (s *Store) setPersonMember(ctx context.Context, tx queryer, person, m int64) error {
	return s.setMembers(ctx, tx, map[int64]int64{person: m})
}

// movePeople moves every identity of each person in into's keys to the
// person it maps to, marks those merged into it, and carries their
// nominations along; of two open nominations for one expertise, the later
// is withdrawn with note. It runs a few statements per placeBatch people,
// however many there are.
func (s *Store) movePeople(ctx context.Context, tx queryer, into map[int64]int64, actor mvpgraph.Principal, note string) error {
	if len(into) == 0 {
		return nil
	}
	pairs := make([][2]int64, 0, len(into))
	others := make([]int64, 0, len(into))
	for from, to := range into {
		pairs = append(pairs, [2]int64{from, to})
		others = append(others, from)
	}
	slices.SortFunc(pairs, func(a, b [2]int64) int { return int(a[0] - b[0]) })
	for _, stmt := range []string{
		"UPDATE contributors SET person_id = v.column2 FROM (VALUES %s) AS v WHERE contributors.person_id = v.column1",
		"UPDATE people SET merged_into = v.column2, member_id = NULL FROM (VALUES %s) AS v WHERE people.id = v.column1",
		"UPDATE people SET merged_into = v.column2 FROM (VALUES %s) AS v WHERE people.merged_into = v.column1",
	} {
		if err := s.updateFromPairs(ctx, tx, stmt, pairs); err != nil {
			return err
		}
	}
	var held []mvpgraph.Nomination
	for start := 0; start < len(others); start += placeBatch {
		var part []mvpgraph.Nomination
		if err := s.selectAll(ctx, tx, &part, s.sb.Select(nominationColumns...).From("nominations n").
			Where(s.in("n.person_id", others[start:min(start+placeBatch, len(others))])).OrderBy("n.id")); err != nil {
			return err
		}
		held = append(held, part...)
	}
	for _, n := range held {
		to := into[n.PersonID]
		if n.Status.Open() {
			var clash []int64
			if err := s.selectAll(ctx, tx, &clash, s.sb.Select("id").From("nominations").
				Where(sq.Eq{"person_id": to, "expertise_id": n.ExpertiseID, "status": []string{"NOMINATED", "UNDER_REVIEW"}})); err != nil {
				return err
			}
			if len(clash) > 0 {
				if err := s.setNominationStatus(ctx, tx, &n, mvpgraph.NominationWithdrawn, &note, actor); err != nil {
					return err
				}
			}
		}
		if _, err := s.exec(ctx, tx, s.sb.Update("nominations").Set("person_id", to).Where(sq.Eq{"id": n.ID})); err != nil {
			return err
		}
	}
	return nil
}

// updateFromPairs runs stmt, an UPDATE ... FROM (VALUES %s) AS v, over
// pairs of IDs (v.column1, v.column2), placeBatch pairs a statement.
func (s *Store) updateFromPairs(ctx context.Context, tx queryer, stmt string, pairs [][2]int64) error {
	for start := 0; start < len(pairs); start += placeBatch {
		part := pairs[start:min(start+placeBatch, len(pairs))]
		values, args := make([]string, len(part)), make([]any, 0, 2*len(part))
		for i, p := range part {
			values[i] = "(CAST(? AS BIGINT), CAST(? AS BIGINT))"
			args = append(args, p[0], p[1])
		}
		if _, err := s.exec(ctx, tx, s.raw(fmt.Sprintf(stmt, strings.Join(values, ", ")), args...)); err != nil {
			return err
		}
	}
	return nil
}

// setMembers records each person's member (person → member), taking each
// member from any person that held it before: the unique index allows
// one.
func (s *Store) setMembers(ctx context.Context, tx queryer, members map[int64]int64) error {
	if len(members) == 0 {
		return nil
	}
	pairs := make([][2]int64, 0, len(members))
	ms := make([]int64, 0, len(members))
	for p, m := range members {
		pairs = append(pairs, [2]int64{p, m})
		ms = append(ms, m)
	}
	slices.SortFunc(pairs, func(a, b [2]int64) int { return int(a[0] - b[0]) })
	for start := 0; start < len(ms); start += placeBatch {
		if _, err := s.exec(ctx, tx, s.sb.Update("people").Set("member_id", nil).Where(s.in("member_id", ms[start:min(start+placeBatch, len(ms))]))); err != nil {
			return err
		}
	}
	return s.updateFromPairs(ctx, tx, "UPDATE people SET member_id = v.column2 FROM (VALUES %s) AS v WHERE people.id = v.column1", pairs)
}

func (s *Store) recordPeopleChange(ctx context.Context, tx queryer, kind mvpgraph.PeopleChangeKind, person int64, reason string, undoes *int64,
	actor mvpgraph.Principal, moves []mvpgraph.PeopleMove, to int64) (mvpgraph.PeopleChange, error) {
	name, token := actorOf(actor)
	c := mvpgraph.PeopleChange{Kind: kind, PersonID: person, Undoes: undoes, ActorName: name, At: s.now()}
	if reason != "" {
		c.Reason = &reason
	}
	if actor.TokenID != 0 {
		c.ActorTokenID = &actor.TokenID
	}
	var err error
	if c.ID, err = s.insertID(ctx, tx, s.sb.Insert("people_changes").
		Columns("kind", "person_id", "reason", "undoes", "actor_name", "actor_token_id", "at").
		Values(c.Kind, c.PersonID, c.Reason, c.Undoes, c.ActorName, token, c.At)); err != nil {
		return c, err
	}
	for start := 0; start < len(moves); start += placeBatch {
		b := s.sb.Insert("people_change_moves").Columns("change_id", "contributor_id", "from_person_id", "to_person_id")
		for _, m := range moves[start:min(start+placeBatch, len(moves))] {
			if to != 0 {
				m.ToPersonID = to
			}
			b = b.Values(c.ID, m.IdentityID, m.FromPersonID, m.ToPersonID)
		}
		if _, err := s.exec(ctx, tx, b); err != nil {
			return c, err
		}
	}
	return c, nil
}

// livePeople reads and locks people for a change, each of which must exist
// and not have been merged into another.
func (s *Store) livePeople(ctx context.Context, tx queryer, ids []int64, field string) ([]mvpgraph.Person, error) {
	var got []mvpgraph.Person
	if err := s.selectAll(ctx, tx, &got, s.personSelect().Where(s.in("p.id", ids))); err != nil {
		return nil, err
	}
	byID := map[int64]mvpgraph.Person{}
	for _, p := range got {
		byID[p.ID] = p
	}
	out := make([]mvpgraph.Person, len(ids))
	for i, id := range ids {
		p, ok := byID[id]
		switch {
		case !ok:
			return nil, notFound("person", field)
		case p.MergedInto != nil:
			return nil, mvpgraph.Errorf(mvpgraph.ECONFLICT, "%s (person %d) was merged into person %d; act on that person.", p.Name, p.ID, *p.MergedInto)
		}
		out[i] = p
	}
	return out, nil
}

// MergePeople makes people one (see mvpgraph.CheckMerge): the others'
// identities and nominations join the person holding a member, or else the
// first given, which it returns with the recorded change.
func (s *Store) MergePeople(ctx context.Context, ids []int64, actor mvpgraph.Principal) (mvpgraph.Person, mvpgraph.PeopleChange, error) {
	var into mvpgraph.Person
	var change mvpgraph.PeopleChange
	if len(ids) > 50 {
		return into, change, mvpgraph.Invalidf("personIds", "a merge takes at most 50 people; %d given.", len(ids))
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return into, change, mvpgraph.Invalidf("personIds", "person %d is given twice; a person cannot be merged with itself.", id)
		}
		seen[id] = true
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockPeople(ctx, tx); err != nil {
			return err
		}
		people, err := s.livePeople(ctx, tx, ids, "personIds")
		if err != nil {
			return err
		}
		if into, err = mvpgraph.CheckMerge(people); err != nil {
			return err
		}
		others := slices.DeleteFunc(slices.Clone(ids), func(x int64) bool { return x == into.ID })
		var clash []struct {
			Expertise string `db:"expertise"`
		}
		if err := s.selectAll(ctx, tx, &clash, s.sb.Select("e.name AS expertise").From("nominations n").Join("expertises e ON e.id = n.expertise_id").
			Where(s.in("n.person_id", ids)).Where("n.status IN ('NOMINATED', 'UNDER_REVIEW')").
			GroupBy("e.name").Having("COUNT(*) > 1")); err != nil {
			return err
		}
		if len(clash) > 0 {
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "more than one of these people has an open nomination for %s; withdraw all but one first.", clash[0].Expertise)
		}
		var moved []mvpgraph.PeopleMove
		if err := s.selectAll(ctx, tx, &moved, s.sb.Select("id AS contributor_id", "person_id AS from_person_id").
			From("contributors").Where(s.in("person_id", others))); err != nil {
			return err
		}
		moves := map[int64]int64{}
		for _, o := range others {
			moves[o] = into.ID
		}
		if err := s.movePeople(ctx, tx, moves, actor, ""); err != nil {
			return err
		}
		if into.MemberID == nil {
			for _, p := range people {
				if p.MemberID != nil {
					into.MemberID = p.MemberID
				}
			}
		}
		if change, err = s.recordPeopleChange(ctx, tx, mvpgraph.PeopleMerge, into.ID, "", nil, actor, moved, into.ID); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, s.sb.Delete("person_suggestion_dismissals").Where(sq.Or{s.in("person_a", others), s.in("person_b", others)}))
		return err
	})
	return into, change, mapError("merge people", err)
}

// component is the identities of one person certainly one with the given
// identity: those the rules join to it, transitively.
func component(ids []mvpgraph.Identity, start int64) []mvpgraph.Identity {
	u := newUnionFind()
	first := map[string]int64{}
	for _, id := range ids {
		u.find(id.ID)
		for _, key := range identityKeys(id) {
			if f, ok := first[key]; ok {
				u.union(f, id.ID, "")
			} else {
				first[key] = id.ID
			}
		}
	}
	root := u.find(start)
	var out []mvpgraph.Identity
	for _, id := range ids {
		if u.find(id.ID) == root {
			out = append(out, id)
		}
	}
	return out
}

func identityKeys(id mvpgraph.Identity) []string {
	var keys []string
	if id.MemberID != nil {
		keys = append(keys, fmt.Sprintf("M %d", *id.MemberID))
	}
	if id.LinkedMemberID != nil {
		keys = append(keys, fmt.Sprintf("M %d", *id.LinkedMemberID))
	}
	if id.Site != "" {
		a := strings.ToLower(id.Handle)
		if id.Account != nil {
			a = *id.Account
		}
		keys = append(keys, "A "+id.Site+" "+a)
	}
	return keys
}

// memberOfIdentities is the member identities are linked to, if any.
func memberOfIdentities(ids []mvpgraph.Identity) *int64 {
	for _, id := range ids {
		if id.MemberID != nil {
			return id.MemberID
		}
		if id.LinkedMemberID != nil {
			return id.LinkedMemberID
		}
	}
	return nil
}

// SplitIdentity takes an identity out of its person into a person of its
// own, with the identities certainly one with it (see mvpgraph.Person).
// It returns the new person, the one left, and the recorded change.
func (s *Store) SplitIdentity(ctx context.Context, identityID int64, actor mvpgraph.Principal) (out, left mvpgraph.Person, change mvpgraph.PeopleChange, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockPeople(ctx, tx); err != nil {
			return err
		}
		var one []mvpgraph.Identity
		if err := s.selectAll(ctx, tx, &one, s.identitySelect().Where(sq.Eq{"c.id": identityID})); err != nil {
			return err
		}
		if len(one) == 0 || one[0].PersonID == 0 {
			return notFound("identity", "identityId")
		}
		var all []mvpgraph.Identity
		if err := s.selectAll(ctx, tx, &all, s.identitySelect().Where(sq.Eq{"c.person_id": one[0].PersonID}).OrderBy("c.id")); err != nil {
			return err
		}
		part := component(all, identityID)
		if len(part) == len(all) {
			if len(all) == 1 {
				return mvpgraph.Invalidf("identityId", "%s in %s is the person's only identity; there is nothing to split.", one[0].Handle, one[0].SpaceName)
			}
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "every identity of this person is certainly one with %s in %s (the same member, or one account on one site); a split would part one person.", one[0].Handle, one[0].SpaceName)
		}
		people, err := s.livePeople(ctx, tx, []int64{one[0].PersonID}, "identityId")
		if err != nil {
			return err
		}
		left = people[0]
		member := memberOfIdentities(part)
		if member != nil {
			if _, err := s.exec(ctx, tx, s.sb.Update("people").Set("member_id", nil).Where(sq.Eq{"id": left.ID})); err != nil {
				return err
			}
			left.MemberID = nil
		}
		out = mvpgraph.Person{Name: one[0].Name, MemberID: member, CreatedAt: s.now()}
		if out.ID, err = s.insertID(ctx, tx, s.sb.Insert("people").Columns("name", "member_id", "created_at").Values(out.Name, out.MemberID, out.CreatedAt)); err != nil {
			return err
		}
		moved := make([]mvpgraph.PeopleMove, len(part))
		ids := make([]int64, len(part))
		for i, id := range part {
			moved[i] = mvpgraph.PeopleMove{IdentityID: id.ID, FromPersonID: left.ID}
			ids[i] = id.ID
		}
		if _, err := s.exec(ctx, tx, s.sb.Update("contributors").Set("person_id", out.ID).Where(s.in("id", ids))); err != nil {
			return err
		}
		change, err = s.recordPeopleChange(ctx, tx, mvpgraph.PeopleSplit, out.ID, "", nil, actor, moved, out.ID)
		return err
	})
	return out, left, change, mapError("split identity", err)
}

// UndoPeopleChange undoes a merge or a split: each identity it moved that
// is still where it left it goes back to the person it came from (or the
// person that one has since been merged into). Nominations stay with the
// person that holds them. The rules' joins cannot be undone: they join
// only what is certainly one person.
func (s *Store) UndoPeopleChange(ctx context.Context, changeID int64, actor mvpgraph.Principal) (mvpgraph.PeopleChange, error) {
	var undo mvpgraph.PeopleChange
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockPeople(ctx, tx); err != nil {
			return err
		}
		var c mvpgraph.PeopleChange
		err := s.get(ctx, tx, &c, s.sb.Select("id", "kind", "person_id", "reason", "undoes", "undone_by", "actor_name", "actor_token_id", "at").
			From("people_changes").Where(sq.Eq{"id": changeID}))
		if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
			return notFound("people change", "changeId")
		} else if err != nil {
			return err
		}
		switch {
		case c.Kind == mvpgraph.PeopleJoin:
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "change %d is a join the rules made (%s): its identities are certainly one person.", c.ID, deref(c.Reason))
		case c.Kind == mvpgraph.PeopleUndo:
			return mvpgraph.Invalidf("changeId", "change %d is an undo; to go back, merge or split again.", c.ID)
		case c.UndoneBy != nil:
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "change %d was undone already, by change %d.", c.ID, *c.UndoneBy)
		}
		var moves []mvpgraph.PeopleMove
		if err := s.selectAll(ctx, tx, &moves, s.sb.Select("m.change_id", "m.contributor_id", "m.from_person_id", "m.to_person_id").
			From("people_change_moves m").Join("contributors c ON c.id = m.contributor_id AND c.person_id = m.to_person_id").
			Where(sq.Eq{"m.change_id": c.ID})); err != nil {
			return err
		}
		back := map[int64][]int64{} // person to return to → identities
		var touched []int64
		for _, m := range moves {
			to, err := s.liveRoot(ctx, tx, m.FromPersonID, m.ToPersonID)
			if err != nil {
				return err
			}
			back[to] = append(back[to], m.IdentityID)
			touched = append(touched, to, m.ToPersonID)
		}
		if len(back) == 0 {
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "the identities change %d moved have all moved on since; there is nothing to undo.", c.ID)
		}
		var reversed []mvpgraph.PeopleMove
		for to, ids := range back {
			if _, err := s.exec(ctx, tx, s.sb.Update("contributors").Set("person_id", to).Where(s.in("id", ids))); err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, s.sb.Update("people").Set("merged_into", nil).Where(sq.Eq{"id": to})); err != nil {
				return err
			}
			for _, m := range moves {
				if slices.Contains(ids, m.IdentityID) {
					reversed = append(reversed, mvpgraph.PeopleMove{IdentityID: m.IdentityID, FromPersonID: m.ToPersonID, ToPersonID: to})
				}
			}
		}
		if err := s.settleMembers(ctx, tx, touched); err != nil {
			return err
		}
		if undo, err = s.recordPeopleChange(ctx, tx, mvpgraph.PeopleUndo, c.PersonID, "", &c.ID, actor, reversed, 0); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, s.sb.Update("people_changes").Set("undone_by", undo.ID).Where(sq.Eq{"id": c.ID}))
		return err
	})
	return undo, mapError("undo people change", err)
}

// liveRoot is the person an identity moved away from person from returns
// to: from itself, or the person it has since been merged into, unless
// that is where the identity is now (undoing a merge revives from).
func (s *Store) liveRoot(ctx context.Context, tx queryer, from, now int64) (int64, error) {
	for range 100 {
		var p mvpgraph.Person
		if err := s.get(ctx, tx, &p, s.sb.Select(personColumns...).From("people p").Where(sq.Eq{"p.id": from})); err != nil {
			return 0, err
		}
		if p.MergedInto == nil || *p.MergedInto == now {
			return from, nil
		}
		from = *p.MergedInto
	}
	return from, nil
}

// settleMembers records each person's member from its identities, after
// identities moved between them.
func (s *Store) settleMembers(ctx context.Context, tx queryer, people []int64) error {
	var all []mvpgraph.Identity
	if err := s.selectAll(ctx, tx, &all, s.identitySelect().Where(s.in("c.person_id", people))); err != nil {
		return err
	}
	by := map[int64][]mvpgraph.Identity{}
	for _, id := range all {
		by[id.PersonID] = append(by[id.PersonID], id)
	}
	if _, err := s.exec(ctx, tx, s.sb.Update("people").Set("member_id", nil).Where(s.in("id", people))); err != nil {
		return err
	}
	for _, p := range people {
		if m := memberOfIdentities(by[p]); m != nil {
			if err := s.setPersonMember(ctx, tx, p, *m); err != nil {
				return err
			}
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Suggestion is a pair of people who may be one, with why and how likely.
type Suggestion struct {
	A, B       int64
	Reasons    []mvpgraph.SuggestionReason
	Confidence float64
}

// SuggestionQuery selects merge suggestions.
type SuggestionQuery struct {
	ExpertiseID   *int64 // only people with an identity in its spaces
	MinConfidence float64
	Limit         int
}

// suggestionGroup bounds how many people may share a name or a handle for
// it to suggest pairs: past that, it is a common name, not a clue.
const suggestionGroup = 8

// MergeSuggestions returns pairs of people likely one, most likely first
// (see mvpgraph.SuggestionConfidence): the same full name, alike handles,
// or the same profile page, in different spaces. Pairs someone dismissed, and pairs linked
// to two members, are left out.
func (s *Store) MergeSuggestions(ctx context.Context, q SuggestionQuery) ([]Suggestion, error) {
	keyed := func(col, kind string) sq.SelectBuilder {
		b := s.sb.Select("c.person_id", "'"+kind+"' AS kind", "c."+col+" AS v").From("contributors c").
			Where(sq.Expr("c."+col+" IN (SELECT "+col+" FROM contributors WHERE "+col+" <> '' GROUP BY "+col+" HAVING COUNT(DISTINCT person_id) BETWEEN 2 AND ?)", suggestionGroup))
		if q.ExpertiseID != nil {
			b = b.Where(sq.Expr("c.person_id IN (SELECT c2.person_id FROM contributors c2 JOIN space_expertises se ON se.space_id = c2.space_id WHERE se.expertise_id = ?)", *q.ExpertiseID))
		}
		return b
	}
	var rows []struct {
		PersonID int64  `db:"person_id"`
		Kind     string `db:"kind"`
		V        string `db:"v"`
		MemberID *int64 `db:"member_id"`
	}
	union := keyed("name_key", "N").SuffixExpr(sq.ConcatExpr("UNION ", keyed("handle_key", "H").PlaceholderFormat(sq.Question),
		" UNION ", keyed("profile_key", "U").PlaceholderFormat(sq.Question)))
	withMember := s.sb.Select("k.person_id", "k.kind", "k.v", "p.member_id").FromSelect(union, "k").Join("people p ON p.id = k.person_id")
	if err := s.selectAll(ctx, s.db, &rows, withMember); err != nil {
		return nil, mapError("merge suggestions", err)
	}
	groups := map[string][]int64{}
	member := map[int64]*int64{}
	for _, r := range rows {
		k := r.Kind + " " + r.V
		if !slices.Contains(groups[k], r.PersonID) {
			groups[k] = append(groups[k], r.PersonID)
		}
		member[r.PersonID] = r.MemberID
	}
	type pair struct{ a, b int64 }
	found := map[pair]*Suggestion{}
	size := map[pair]int{}
	for k, g := range groups {
		reason := map[byte]mvpgraph.SuggestionReason{'N': mvpgraph.SameName, 'H': mvpgraph.SimilarHandle, 'U': mvpgraph.SharedProfile}[k[0]]
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				p := pair{min(g[i], g[j]), max(g[i], g[j])}
				if ma, mb := member[p.a], member[p.b]; ma != nil && mb != nil {
					continue
				}
				sg := found[p]
				if sg == nil {
					sg = &Suggestion{A: p.a, B: p.b}
					found[p] = sg
				}
				if !slices.Contains(sg.Reasons, reason) {
					sg.Reasons = append(sg.Reasons, reason)
				}
				size[p] = max(size[p], len(g))
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	var dismissed []struct {
		A int64 `db:"person_a"`
		B int64 `db:"person_b"`
	}
	if err := s.selectAll(ctx, s.db, &dismissed, s.sb.Select("person_a", "person_b").From("person_suggestion_dismissals")); err != nil {
		return nil, mapError("merge suggestions", err)
	}
	for _, d := range dismissed {
		delete(found, pair{d.A, d.B})
	}
	out := make([]Suggestion, 0, len(found))
	for p, sg := range found {
		slices.Sort(sg.Reasons)
		sg.Confidence = mvpgraph.SuggestionConfidence(sg.Reasons, size[p])
		if sg.Confidence >= q.MinConfidence {
			out = append(out, *sg)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Confidence != out[j].Confidence {
			return out[i].Confidence > out[j].Confidence
		}
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// DismissSuggestion records that two people are not one, so that they are
// no longer suggested.
func (s *Store) DismissSuggestion(ctx context.Context, a, b int64, actor mvpgraph.Principal) error {
	if a == b {
		return mvpgraph.Invalidf("personIds", "a suggestion pairs two people; person %d is given twice.", a)
	}
	a, b = min(a, b), max(a, b)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.livePeople(ctx, tx, []int64{a, b}, "personIds"); err != nil {
			return err
		}
		name, token := actorOf(actor)
		_, err := s.exec(ctx, tx, s.sb.Insert("person_suggestion_dismissals").Columns("person_a", "person_b", "actor_name", "actor_token_id", "at").
			Values(a, b, name, token, s.now()).Suffix("ON CONFLICT (person_a, person_b) DO NOTHING"))
		return err
	})
	return mapError("dismiss suggestion", err)
}

// PersonOfMember returns the person a member is, ENOTFOUND when the
// member has been seen in no space.
func (s *Store) PersonOfMember(ctx context.Context, memberID int64) (int64, error) {
	var id int64
	err := s.get(ctx, s.db, &id, s.sb.Select("id").From("people").Where(sq.Eq{"member_id": memberID}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return 0, notFound("person", "memberId")
	}
	return id, mapError("person of member", err)
}
