package store

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// isMVPExpr filters members holding an active award.
const isMVPExpr = "EXISTS (SELECT 1 FROM awards ma WHERE ma.member_id = m.id AND ma.status = 'ACTIVE')"

// isMVPColumn says whether a selected member holds an active award. It is
// a scalar subquery, not EXISTS: PostgreSQL plans an EXISTS in the select
// list as a hash of every active award's member, built for each statement
// whatever the page's size, while this runs one index probe per row of the
// page (bench/README.md, "Targets").
const isMVPColumn = "(SELECT 1 FROM awards ma WHERE ma.member_id = m.id AND ma.status = 'ACTIVE' LIMIT 1) IS NOT NULL"

var memberColumns = []string{
	"m.id", "m.handle", "m.name", "m.email", "m.country", "m.city", "m.bio",
	"m.employer", "m.is_employee", "m.created_at", "m.updated_at", isMVPColumn + " AS is_mvp",
}

// memberRow is a member in a page of one of many parents.
type memberRow struct {
	mvpgraph.Member
	ParentID int64 `db:"parent_id"`
	RN       int64 `db:"rn"`
}

func memberOf(row any) *mvpgraph.Member {
	switch r := row.(type) {
	case *mvpgraph.Member:
		return r
	case *memberRow:
		return &r.Member
	}
	panic(fmt.Sprintf("memberOf(%T)", row))
}

var memberID = sortKey{column: column{expr: "m.id", kind: kindInt}, value: func(r any) any { return memberOf(r).ID }}

var memberOrder = orderFields{
	"HANDLE":     {column: column{expr: "m.handle"}, value: func(r any) any { return memberOf(r).Handle }},
	"NAME":       {column: column{expr: "m.name"}, value: func(r any) any { return memberOf(r).Name }},
	"COUNTRY":    {column: column{expr: "m.country"}, value: func(r any) any { return memberOf(r).Country }},
	"CITY":       {column: column{expr: "m.city", nullable: true}, value: func(r any) any { return memberOf(r).City }},
	"EMPLOYER":   {column: column{expr: "m.employer", nullable: true}, value: func(r any) any { return memberOf(r).Employer }},
	"CREATED_AT": {column: column{expr: "m.created_at", kind: kindTime}, value: func(r any) any { return memberOf(r).CreatedAt }},
	"UPDATED_AT": {column: column{expr: "m.updated_at", kind: kindTime}, value: func(r any) any { return memberOf(r).UpdatedAt }},
}

// memberWhere compiles a member filter.
func (s *Store) memberWhere(w *mvpgraph.MemberWhere, field string, depth int) (sq.Sqlizer, error) {
	if depth == 0 {
		if err := mvpgraph.CheckFilter(field, w); err != nil {
			return nil, err
		}
	}
	f := &filter{s: s}
	if w == nil {
		return f.result(), nil
	}
	if err := f.id(field+".id", "m.id", "Member", w.ID); err != nil {
		return nil, err
	}
	f.text("m.handle", w.Handle)
	f.text("m.name", w.Name)
	f.text("m.email", w.Email)
	f.text("m.country", w.Country)
	f.text("m.city", w.City)
	f.text("m.bio", w.Bio)
	f.text("m.employer", w.Employer)
	f.bool("m.is_employee", w.IsEmployee)
	f.bool(isMVPExpr, w.IsMvp)
	if err := combine(f, field, depth, w.And, w.Or, w.Not, s.memberWhere); err != nil {
		return nil, err
	}
	return f.result(), f.err
}

// MemberQuery selects a list of members.
type MemberQuery struct {
	Where    *mvpgraph.MemberWhere
	OrderBy  []*mvpgraph.OrderBy
	Page     PageArgs
	MVPsOnly bool // only members holding an active award
}

func (s *Store) memberBase(q MemberQuery) (sq.SelectBuilder, error) {
	cond, err := checked(s.memberWhere(q.Where, "where", 0))
	if err != nil {
		return sq.SelectBuilder{}, err
	}
	b := s.sb.Select().From("members m").Where(cond)
	if q.MVPsOnly {
		b = b.Where(isMVPExpr)
	}
	return b, nil
}

// ListMembers returns a page of members.
func (s *Store) ListMembers(ctx context.Context, q MemberQuery) (Page[mvpgraph.Member], error) {
	o, err := memberOrder.build(q.OrderBy, memberID)
	if err != nil {
		return Page[mvpgraph.Member]{}, err
	}
	b, err := s.memberBase(q)
	if err != nil {
		return Page[mvpgraph.Member]{}, err
	}
	p, err := listPage[mvpgraph.Member](ctx, s, b.Columns(memberColumns...), o, q.Page)
	return p, mapError("list members", err)
}

// CountMembers counts the members a query selects, ignoring its page.
func (s *Store) CountMembers(ctx context.Context, q MemberQuery) (int, error) {
	var n int
	if q.MVPsOnly && q.Where == nil {
		// Every MVP: the count the awards' triggers keep.
		err := s.get(ctx, s.db, &n, s.sb.Select("mvps").From("program_counts").Where(sq.Eq{"id": 1}))
		return n, mapError("count members", err)
	}
	b, err := s.memberBase(q)
	if err != nil {
		return 0, err
	}
	err = s.get(ctx, s.db, &n, b.Columns("COUNT(*)"))
	return n, mapError("count members", err)
}

// MVPParent names the parents whose MVPs are listed together.
type MVPParent int

// The parents of MVP lists.
const (
	ExpertiseMVPs MVPParent = iota // MVPs with an active award in the expertise
	LeadMVPs                       // MVPs the lead looks after, by the lead rule
)

// parentColumn is the parent's ID in the rows parentJoin makes.
func parentColumn(parent MVPParent) string {
	if parent == ExpertiseMVPs {
		return "p.expertise_id"
	}
	return "p.lead_id"
}

// parentJoin joins each member to the parents among ids it belongs to, as
// alias p.
func (s *Store) parentJoin(b sq.SelectBuilder, parent MVPParent, ids []int64) sq.SelectBuilder {
	switch parent {
	case ExpertiseMVPs:
		ph, args := s.inArgs(ids)
		return b.JoinClause(sq.Expr("JOIN awards p ON p.member_id = m.id AND p.status = 'ACTIVE' AND p.expertise_id IN ("+ph+")", args...))
	default:
		ph, args := s.inArgs(ids)
		return b.JoinClause(sq.Expr("JOIN ("+leadRule(true, ph)+") p ON p.member_id = m.id", append(args, args...)...))
	}
}

// leadRule is the lead rule (mvpgraph.LeadOfAward) for a set of members
// at once: the SQL of (member_id, lead_id) pairs, US-based MVPs with the US
// leads of their active awards' expertises, others with the international
// lead of their country. Its one placeholder list, ph, bound twice (once
// per branch), narrows it to the leads (byLeads) or the members given, so
// that each branch reads only what it needs.
func leadRule(byLeads bool, ph string) string {
	usFilter, intlFilter := "a.member_id IN ("+ph+")", "im.id IN ("+ph+")"
	if byLeads {
		usFilter, intlFilter = "le.lead_id IN ("+ph+")", "lc.lead_id IN ("+ph+")"
	}
	return `SELECT a.member_id, le.lead_id
	FROM awards a
	JOIN members um ON um.id = a.member_id
	JOIN lead_expertises le ON ` + usLeadOn("a", "um") + `
	WHERE a.status = 'ACTIVE' AND ` + usFilter + `
	UNION
	SELECT im.id, lc.lead_id
	FROM members im
	JOIN lead_countries lc ON ` + intlLeadOn("im") + `
	WHERE ` + intlFilter + ` AND EXISTS (SELECT 1 FROM awards ia WHERE ia.member_id = im.id AND ia.status = 'ACTIVE')`
}

// usLeadOn joins an award (alias a) of a member (alias m) to the US lead
// (alias le, of lead_expertises) who owns its expertise, when the member
// is US-based: the lead rule's first half.
func usLeadOn(a, m string) string {
	return "le.expertise_id = " + a + ".expertise_id AND " + m + ".country = 'US'"
}

// intlLeadOn joins a member (alias m) based outside the US to the
// international lead (alias lc, of lead_countries) who owns its country:
// the lead rule's second half.
func intlLeadOn(m string) string {
	return "lc.country = " + m + ".country AND " + m + ".country <> 'US'"
}

// MVPsOf returns one page of MVPs for each parent among ids.
func (s *Store) MVPsOf(ctx context.Context, parent MVPParent, ids []int64, q MemberQuery) (map[int64]Page[mvpgraph.Member], error) {
	o, err := memberOrder.build(q.OrderBy, memberID)
	if err != nil {
		return nil, err
	}
	b, err := s.memberBase(q)
	if err != nil {
		return nil, err
	}
	b = s.parentJoin(b.Columns(memberColumns...).Column(parentColumn(parent)+" AS parent_id"), parent, ids)
	rows, err := listPages(ctx, s, b, parentColumn(parent), func(r *memberRow) int64 { return r.ParentID }, o, q.Page)
	if err != nil {
		return nil, mapError("list MVPs", err)
	}
	out := make(map[int64]Page[mvpgraph.Member], len(rows))
	for id, p := range rows {
		items := make([]mvpgraph.Member, len(p.Items))
		for i, r := range p.Items {
			items[i] = r.Member
		}
		out[id] = Page[mvpgraph.Member]{Items: items, Cursors: p.Cursors, HasNext: p.HasNext, HasPrevious: p.HasPrevious}
	}
	return out, nil
}

// CountMVPsOf counts the MVPs of each parent among ids that a query selects.
func (s *Store) CountMVPsOf(ctx context.Context, parent MVPParent, ids []int64, q MemberQuery) (map[int64]int, error) {
	b, err := s.memberBase(q)
	if err != nil {
		return nil, err
	}
	b = s.parentJoin(b.Columns(parentColumn(parent)+" AS parent_id", "COUNT(*) AS n"), parent, ids).GroupBy(parentColumn(parent))
	var rows []struct {
		ParentID int64 `db:"parent_id"`
		N        int   `db:"n"`
	}
	if err := s.selectAll(ctx, s.db, &rows, b); err != nil {
		return nil, mapError("count MVPs", err)
	}
	out := make(map[int64]int, len(ids))
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, nil
}

// MembersByIDs returns the members with the given IDs, in no set order.
func (s *Store) MembersByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Member, error) {
	var out []mvpgraph.Member
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(memberColumns...).From("members m").Where(s.in("m.id", ids)))
	return out, mapError("get members", err)
}

func (s *Store) memberByID(ctx context.Context, q queryer, id int64, field string) (mvpgraph.Member, error) {
	var m mvpgraph.Member
	err := s.get(ctx, q, &m, s.sb.Select(memberColumns...).From("members m").Where(sq.Eq{"m.id": id}))
	if err != nil {
		if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
			return m, notFound("member", field)
		}
		return m, mapError("get member", err)
	}
	return m, nil
}

// MemberByID returns one member.
func (s *Store) MemberByID(ctx context.Context, id int64) (mvpgraph.Member, error) {
	return s.memberByID(ctx, s.db, id, "id")
}

// MemberByHandle returns the member with a handle, matched case-insensitively.
func (s *Store) MemberByHandle(ctx context.Context, handle string) (mvpgraph.Member, error) {
	h, err := mvpgraph.NormalizeHandle("handle", handle)
	if err != nil {
		return mvpgraph.Member{}, err
	}
	var m mvpgraph.Member
	err = s.get(ctx, s.db, &m, s.sb.Select(memberColumns...).From("members m").Where(sq.Eq{"m.handle": h}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return m, &mvpgraph.Error{Code: mvpgraph.ENOTFOUND, Field: "handle", Message: fmt.Sprintf("no member has the handle %q.", h)}
	}
	return m, mapError("get member", err)
}

// CreateMember validates m, stores it, and fills in its ID and timestamps.
func (s *Store) CreateMember(ctx context.Context, m *mvpgraph.Member) error {
	if err := m.Normalize(); err != nil {
		return err
	}
	m.IsMVP = false // a new member holds no award yet
	m.CreatedAt = s.now()
	m.UpdatedAt = m.CreatedAt
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := s.insertMember(ctx, tx, m)
		m.ID = id
		return err
	})
	return mapError("create member", err)
}

// insertMember stores a new member, and counts it in the program summary.
func (s *Store) insertMember(ctx context.Context, tx queryer, m *mvpgraph.Member) (int64, error) {
	id, err := s.insertID(ctx, tx, s.sb.Insert("members").
		Columns("handle", "name", "email", "country", "city", "bio", "employer", "is_employee", "created_at", "updated_at").
		Values(m.Handle, m.Name, m.Email, m.Country, m.City, m.Bio, m.Employer, m.IsEmployee, m.CreatedAt, m.UpdatedAt))
	if err != nil {
		return 0, err
	}
	return id, s.settleSummary(ctx, tx, summaryMark{ids: []int64{id}})
}

// UpdateMember applies u to a member. Making an MVP an employee retires the
// MVP's active awards in the same transaction.
func (s *Store) UpdateMember(ctx context.Context, id int64, u mvpgraph.MemberUpdate, actor mvpgraph.Principal) (mvpgraph.Member, error) {
	var out mvpgraph.Member
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockMember(ctx, tx, id); err != nil {
			return err
		}
		old, err := s.memberByID(ctx, tx, id, "id")
		if err != nil {
			return err
		}
		// The member's country, and the awards employment retires, move
		// its counts in the program summary.
		mark, err := s.markSummary(ctx, tx, id)
		if err != nil {
			return err
		}
		m, err := u.Apply(old)
		if err != nil {
			return err
		}
		m.UpdatedAt = s.now()
		awards, err := s.awardsOf(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		for _, a := range mvpgraph.AwardsRetiredOnEmployment(old.IsEmployee, m.IsEmployee, awards[id]) {
			if _, err := s.exec(ctx, tx, s.sb.Update("awards").Set("status", a.Status).Set("updated_at", m.UpdatedAt).Where(sq.Eq{"id": a.ID})); err != nil {
				return err
			}
			if err := s.recordAwardEvent(ctx, tx, a, mvpgraph.AwardRetire, actor, m.UpdatedAt); err != nil {
				return err
			}
		}
		if _, err := s.exec(ctx, tx, s.sb.Update("members").SetMap(map[string]any{
			"handle": m.Handle, "name": m.Name, "email": m.Email, "country": m.Country, "city": m.City,
			"bio": m.Bio, "employer": m.Employer, "is_employee": m.IsEmployee, "updated_at": m.UpdatedAt,
		}).Where(sq.Eq{"id": id})); err != nil {
			return err
		}
		if err := s.settleSummary(ctx, tx, mark); err != nil {
			return err
		}
		out, err = s.memberByID(ctx, tx, id, "id")
		return err
	})
	return out, mapError("update member", err)
}
