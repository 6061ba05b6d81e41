package store

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var productTeamColumns = []string{"t.id", "t.name", "t.created_at"}

func productTeamOf(row any) *mvpgraph.ProductTeam { return row.(*mvpgraph.ProductTeam) }

var productTeamID = sortKey{column: column{expr: "t.id", kind: kindInt}, value: func(r any) any { return productTeamOf(r).ID }}

var productTeamOrder = orderFields{
	"NAME": {column: column{expr: "t.name"}, value: func(r any) any { return productTeamOf(r).Name }},
}

func (s *Store) productTeamWhere(w *mvpgraph.ProductTeamWhere, field string, depth int) (sq.Sqlizer, error) {
	if depth == 0 {
		if err := mvpgraph.CheckFilter(field, w); err != nil {
			return nil, err
		}
	}
	f := &filter{s: s}
	if w == nil {
		return f.result(), nil
	}
	if err := f.id(field+".id", "t.id", "ProductTeam", w.ID); err != nil {
		return nil, err
	}
	f.text("t.name", w.Name)
	if err := combine(f, field, depth, w.And, w.Or, w.Not, s.productTeamWhere); err != nil {
		return nil, err
	}
	return f.result(), f.err
}

// ListProductTeams returns a page of product teams.
func (s *Store) ListProductTeams(ctx context.Context, where *mvpgraph.ProductTeamWhere, orderBy []*mvpgraph.OrderBy, p PageArgs) (Page[mvpgraph.ProductTeam], error) {
	o, err := productTeamOrder.build(orderBy, productTeamID)
	if err != nil {
		return Page[mvpgraph.ProductTeam]{}, err
	}
	cond, err := checked(s.productTeamWhere(where, "where", 0))
	if err != nil {
		return Page[mvpgraph.ProductTeam]{}, err
	}
	page, err := listPage[mvpgraph.ProductTeam](ctx, s, s.sb.Select(productTeamColumns...).From("product_teams t").Where(cond), o, p)
	return page, mapError("list product teams", err)
}

// CountProductTeams counts the product teams a filter selects.
func (s *Store) CountProductTeams(ctx context.Context, where *mvpgraph.ProductTeamWhere) (int, error) {
	cond, err := checked(s.productTeamWhere(where, "where", 0))
	if err != nil {
		return 0, err
	}
	var n int
	err = s.get(ctx, s.db, &n, s.sb.Select("COUNT(*)").From("product_teams t").Where(cond))
	return n, mapError("count product teams", err)
}

// ProductTeamsByIDs returns the product teams with the given IDs.
func (s *Store) ProductTeamsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.ProductTeam, error) {
	var out []mvpgraph.ProductTeam
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(productTeamColumns...).From("product_teams t").Where(s.in("t.id", ids)))
	return out, mapError("get product teams", err)
}

func (s *Store) productTeamByID(ctx context.Context, q queryer, id int64, field string) (mvpgraph.ProductTeam, error) {
	var t mvpgraph.ProductTeam
	err := s.get(ctx, q, &t, s.sb.Select(productTeamColumns...).From("product_teams t").Where(sq.Eq{"t.id": id}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return t, notFound("product team", field)
	}
	return t, mapError("get product team", err)
}

// ContactsOfTeams returns the contacts of each product team, by name.
func (s *Store) ContactsOfTeams(ctx context.Context, teamIDs []int64) (map[int64][]mvpgraph.Contact, error) {
	var rows []mvpgraph.Contact
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("id", "product_team_id", "name", "email", "role").From("contacts").
		Where(s.in("product_team_id", teamIDs)).OrderBy("name", "id"))
	if err != nil {
		return nil, mapError("list contacts", err)
	}
	out := map[int64][]mvpgraph.Contact{}
	for _, c := range rows {
		out[c.ProductTeamID] = append(out[c.ProductTeamID], c)
	}
	return out, nil
}

// CreateProductTeam validates and stores a team with its contacts, all or
// nothing.
func (s *Store) CreateProductTeam(ctx context.Context, t *mvpgraph.ProductTeam, contacts []mvpgraph.Contact) ([]mvpgraph.Contact, error) {
	if err := t.Normalize(); err != nil {
		return nil, err
	}
	for i := range contacts {
		if err := contacts[i].Normalize(fmt.Sprintf("contacts[%d]", i)); err != nil {
			return nil, err
		}
	}
	t.CreatedAt = s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if t.ID, err = s.insertID(ctx, tx, s.sb.Insert("product_teams").Columns("name", "created_at").Values(t.Name, t.CreatedAt)); err != nil {
			return err
		}
		for i := range contacts {
			c := &contacts[i]
			c.ProductTeamID = t.ID
			if c.ID, err = s.insertID(ctx, tx, s.sb.Insert("contacts").Columns("product_team_id", "name", "email", "role").
				Values(c.ProductTeamID, c.Name, c.Email, c.Role)); err != nil {
				return err
			}
		}
		return nil
	})
	return contacts, mapError("create product team", err)
}

// ContactsByIDs returns the contacts with the given IDs.
func (s *Store) ContactsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Contact, error) {
	var out []mvpgraph.Contact
	err := s.selectAll(ctx, s.db, &out, s.sb.Select("id", "product_team_id", "name", "email", "role").From("contacts").Where(s.in("id", ids)))
	return out, mapError("get contacts", err)
}
