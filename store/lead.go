package store

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var leadColumns = []string{"l.id", "l.name", "l.email", "l.kind", "l.created_at"}

func leadOf(row any) *mvpgraph.Lead { return row.(*mvpgraph.Lead) }

var leadID = sortKey{column: column{expr: "l.id", kind: kindInt}, value: func(r any) any { return leadOf(r).ID }}

var leadOrder = orderFields{
	"NAME": {column: column{expr: "l.name"}, value: func(r any) any { return leadOf(r).Name }},
	"KIND": {column: column{expr: "l.kind"}, value: func(r any) any { return string(leadOf(r).Kind) }},
}

func (s *Store) leadWhere(w *mvpgraph.LeadWhere, field string, depth int) (sq.Sqlizer, error) {
	if depth == 0 {
		if err := mvpgraph.CheckFilter(field, w); err != nil {
			return nil, err
		}
	}
	f := &filter{s: s}
	if w == nil {
		return f.result(), nil
	}
	if err := f.id(field+".id", "l.id", "Lead", w.ID); err != nil {
		return nil, err
	}
	f.text("l.name", w.Name)
	f.text("l.email", w.Email)
	f.text("l.kind", w.Kind)
	if err := combine(f, field, depth, w.And, w.Or, w.Not, s.leadWhere); err != nil {
		return nil, err
	}
	return f.result(), f.err
}

// ListLeads returns a page of leads.
func (s *Store) ListLeads(ctx context.Context, where *mvpgraph.LeadWhere, orderBy []*mvpgraph.OrderBy, p PageArgs) (Page[mvpgraph.Lead], error) {
	o, err := leadOrder.build(orderBy, leadID)
	if err != nil {
		return Page[mvpgraph.Lead]{}, err
	}
	cond, err := checked(s.leadWhere(where, "where", 0))
	if err != nil {
		return Page[mvpgraph.Lead]{}, err
	}
	page, err := listPage[mvpgraph.Lead](ctx, s, s.sb.Select(leadColumns...).From("leads l").Where(cond), o, p)
	return page, mapError("list leads", err)
}

// CountLeads counts the leads a filter selects.
func (s *Store) CountLeads(ctx context.Context, where *mvpgraph.LeadWhere) (int, error) {
	cond, err := checked(s.leadWhere(where, "where", 0))
	if err != nil {
		return 0, err
	}
	var n int
	err = s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From("leads l").Where(cond))
	return n, mapError("count leads", err)
}

// LeadsByIDs returns the leads with the given IDs, in no set order.
func (s *Store) LeadsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Lead, error) {
	var out []mvpgraph.Lead
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(leadColumns...).From("leads l").Where(s.in("l.id", ids)))
	return out, mapError("get leads", err)
}

func (s *Store) leadByID(ctx context.Context, q queryer, id int64, field string) (mvpgraph.Lead, error) {
	var l mvpgraph.Lead
	err := s.get(ctx, q, &l, s.sb.Select(leadColumns...).From("leads l").Where(sq.Eq{"l.id": id}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return l, notFound("lead", field)
	}
	return l, mapError("get lead", err)
}

// USLeadsOfExpertises returns the US lead of each expertise that has one.
func (s *Store) USLeadsOfExpertises(ctx context.Context, expertiseIDs []int64) (map[int64]mvpgraph.Lead, error) {
	var rows []struct {
		mvpgraph.Lead
		ExpertiseID int64 `db:"expertise_id"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(leadColumns...).Column("le.expertise_id").From("leads l").
		Join("lead_expertises le ON le.lead_id = l.id").Where(s.in("le.expertise_id", expertiseIDs)))
	if err != nil {
		return nil, mapError("get US leads", err)
	}
	out := make(map[int64]mvpgraph.Lead, len(rows))
	for _, r := range rows {
		out[r.ExpertiseID] = r.Lead
	}
	return out, nil
}

// CountriesOfLeads returns the countries each international lead owns,
// sorted.
func (s *Store) CountriesOfLeads(ctx context.Context, leadIDs []int64) (map[int64][]string, error) {
	var rows []struct {
		LeadID  int64  `db:"lead_id"`
		Country string `db:"country"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("lead_id", "country").From("lead_countries").
		Where(s.in("lead_id", leadIDs)).OrderBy("country"))
	if err != nil {
		return nil, mapError("list countries", err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.LeadID] = append(out[r.LeadID], r.Country)
	}
	return out, nil
}

// LeadsOfMembers returns each member's leads by the lead rule (see
// leadRule), in one statement for all members.
func (s *Store) LeadsOfMembers(ctx context.Context, memberIDs []int64) (map[int64][]mvpgraph.Lead, error) {
	ph, args := s.inArgs(memberIDs)
	rule := leadRule(false, ph)
	var rows []struct {
		mvpgraph.Lead
		MemberID int64 `db:"member_id"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(leadColumns...).Column("r.member_id").From("leads l").
		JoinClause(sq.Expr("JOIN ("+rule+") r ON r.lead_id = l.id", append(args, args...)...)).
		OrderBy("r.member_id", "l.id"))
	if err != nil {
		return nil, mapError("derive leads", err)
	}
	out := map[int64][]mvpgraph.Lead{}
	for _, r := range rows {
		out[r.MemberID] = append(out[r.MemberID], r.Lead)
	}
	return out, nil
}

// CreateLead validates l and stores it.
func (s *Store) CreateLead(ctx context.Context, l *mvpgraph.Lead) error {
	if err := l.Normalize(); err != nil {
		return err
	}
	l.CreatedAt = s.now()
	id, err := s.insertID(ctx, s.db, s.sb.Insert("leads").Columns("name", "email", "kind", "created_at").
		Values(l.Name, l.Email, l.Kind, l.CreatedAt))
	l.ID = id
	return mapError("create lead", err)
}

// AssignExpertise makes a US lead the owner of an expertise. An expertise
// owned by another lead moves only with reassign.
func (s *Store) AssignExpertise(ctx context.Context, leadID, expertiseID int64, reassign bool) (mvpgraph.Lead, error) {
	var l mvpgraph.Lead
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if l, err = s.leadByID(ctx, tx, leadID, "leadId"); err != nil {
			return err
		}
		e, err := s.expertiseByID(ctx, tx, expertiseID, "expertiseId")
		if err != nil {
			return err
		}
		var owners []int64
		if err := s.selectAll(ctx, tx, &owners, s.sb.Select("lead_id").From("lead_expertises").Where(sq.Eq{"expertise_id": expertiseID})); err != nil {
			return err
		}
		owner := int64(0)
		if len(owners) > 0 {
			owner = owners[0]
		}
		if err := mvpgraph.CheckExpertiseAssignment(l, e.Name, owner, reassign); err != nil {
			return err
		}
		switch {
		case owner == l.ID:
			return nil
		case owner != 0:
			_, err = s.exec(ctx, tx, s.sb.Update("lead_expertises").Set("lead_id", l.ID).Where(sq.Eq{"expertise_id": expertiseID}))
		default:
			_, err = s.exec(ctx, tx, s.sb.Insert("lead_expertises").Columns("expertise_id", "lead_id").Values(expertiseID, l.ID))
		}
		return err
	})
	return l, mapError("assign expertise", err)
}

// AssignCountry makes an international lead the owner of a country. A
// country owned by another lead moves only with reassign.
func (s *Store) AssignCountry(ctx context.Context, leadID int64, country string, reassign bool) (mvpgraph.Lead, error) {
	var l mvpgraph.Lead
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := mvpgraph.NormalizeCountry("country", country)
		if err != nil {
			return err
		}
		if l, err = s.leadByID(ctx, tx, leadID, "leadId"); err != nil {
			return err
		}
		var owners []int64
		if err := s.selectAll(ctx, tx, &owners, s.sb.Select("lead_id").From("lead_countries").Where(sq.Eq{"country": c})); err != nil {
			return err
		}
		owner := int64(0)
		if len(owners) > 0 {
			owner = owners[0]
		}
		if err := mvpgraph.CheckCountryAssignment(l, c, owner, reassign); err != nil {
			return err
		}
		switch {
		case owner == l.ID:
			return nil
		case owner != 0:
			_, err = s.exec(ctx, tx, s.sb.Update("lead_countries").Set("lead_id", l.ID).Where(sq.Eq{"country": c}))
		default:
			_, err = s.exec(ctx, tx, s.sb.Insert("lead_countries").Columns("country", "lead_id").Values(c, l.ID))
		}
		return err
	})
	return l, mapError("assign country", err)
}
