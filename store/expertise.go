package store

import (
	"context"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

var expertiseColumns = []string{"e.id", "e.name", "e.category", "e.product_team_id", "e.created_at"}

func expertiseOf(row any) *mvpgraph.Expertise { return row.(*mvpgraph.Expertise) }

var expertiseID = sortKey{column: column{expr: "e.id", kind: kindInt}, value: func(r any) any { return expertiseOf(r).ID }}

var expertiseOrder = orderFields{
	"NAME":     {column: column{expr: "e.name"}, value: func(r any) any { return expertiseOf(r).Name }},
	"CATEGORY": {column: column{expr: "e.category"}, value: func(r any) any { return expertiseOf(r).Category }},
}

func (s *Store) expertiseWhere(w *mvpgraph.ExpertiseWhere, field string, depth int) (sq.Sqlizer, error) {
	if depth == 0 {
		if err := mvpgraph.CheckFilter(field, w); err != nil {
			return nil, err
		}
	}
	f := &filter{s: s}
	if w == nil {
		return f.result(), nil
	}
	if err := f.id(field+".id", "e.id", "Expertise", w.ID); err != nil {
		return nil, err
	}
	f.text("e.name", w.Name)
	f.text("e.category", w.Category)
	if err := combine(f, field, depth, w.And, w.Or, w.Not, s.expertiseWhere); err != nil {
		return nil, err
	}
	return f.result(), f.err
}

// ListExpertises returns a page of expertises.
func (s *Store) ListExpertises(ctx context.Context, where *mvpgraph.ExpertiseWhere, orderBy []*mvpgraph.OrderBy, p PageArgs) (Page[mvpgraph.Expertise], error) {
	o, err := expertiseOrder.build(orderBy, expertiseID)
	if err != nil {
		return Page[mvpgraph.Expertise]{}, err
	}
	cond, err := checked(s.expertiseWhere(where, "where", 0))
	if err != nil {
		return Page[mvpgraph.Expertise]{}, err
	}
	page, err := listPage[mvpgraph.Expertise](ctx, s, s.sb.Select(expertiseColumns...).From("expertises e").Where(cond), o, p)
	return page, mapError("list expertises", err)
}

// CountExpertises counts the expertises a filter selects.
func (s *Store) CountExpertises(ctx context.Context, where *mvpgraph.ExpertiseWhere) (int, error) {
	cond, err := checked(s.expertiseWhere(where, "where", 0))
	if err != nil {
		return 0, err
	}
	var n int
	err = s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From("expertises e").Where(cond))
	return n, mapError("count expertises", err)
}

// ExpertisesByIDs returns the expertises with the given IDs, in no set order.
func (s *Store) ExpertisesByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Expertise, error) {
	var out []mvpgraph.Expertise
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(expertiseColumns...).From("expertises e").Where(s.in("e.id", ids)))
	return out, mapError("get expertises", err)
}

func (s *Store) expertiseByID(ctx context.Context, q queryer, id int64, field string) (mvpgraph.Expertise, error) {
	var e mvpgraph.Expertise
	err := s.get(ctx, q, &e, s.sb.Select(expertiseColumns...).From("expertises e").Where(sq.Eq{"e.id": id}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return e, notFound("expertise", field)
	}
	return e, mapError("get expertise", err)
}

// ExpertisesOfTeams returns the expertises of each product team, by name.
func (s *Store) ExpertisesOfTeams(ctx context.Context, teamIDs []int64) (map[int64][]mvpgraph.Expertise, error) {
	var rows []mvpgraph.Expertise
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(expertiseColumns...).From("expertises e").
		Where(s.in("e.product_team_id", teamIDs)).OrderBy("e.name", "e.id"))
	if err != nil {
		return nil, mapError("list expertises", err)
	}
	out := map[int64][]mvpgraph.Expertise{}
	for _, e := range rows {
		out[*e.ProductTeamID] = append(out[*e.ProductTeamID], e)
	}
	return out, nil
}

// ExpertisesOfLeads returns the expertises each US lead owns, by name.
func (s *Store) ExpertisesOfLeads(ctx context.Context, leadIDs []int64) (map[int64][]mvpgraph.Expertise, error) {
	var rows []struct {
		mvpgraph.Expertise
		LeadID int64 `db:"lead_id"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(expertiseColumns...).Column("le.lead_id").From("expertises e").
		Join("lead_expertises le ON le.expertise_id = e.id").Where(s.in("le.lead_id", leadIDs)).OrderBy("e.name", "e.id"))
	if err != nil {
		return nil, mapError("list expertises", err)
	}
	out := map[int64][]mvpgraph.Expertise{}
	for _, r := range rows {
		out[r.LeadID] = append(out[r.LeadID], r.Expertise)
	}
	return out, nil
}

// CreateExpertise validates e and stores it; its product team, if named,
// must exist.
func (s *Store) CreateExpertise(ctx context.Context, e *mvpgraph.Expertise) error {
	if err := e.Normalize(); err != nil {
		return err
	}
	if e.ProductTeamID != nil {
		if _, err := s.productTeamByID(ctx, s.db, *e.ProductTeamID, "productTeamId"); err != nil {
			return err
		}
	}
	e.CreatedAt = s.now()
	id, err := s.insertID(ctx, s.db, s.sb.Insert("expertises").
		Columns("name", "category", "product_team_id", "created_at").
		Values(e.Name, e.Category, e.ProductTeamID, e.CreatedAt))
	e.ID = id
	return mapError("create expertise", err)
}
