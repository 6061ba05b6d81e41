package resolvers

import (
	"context"
	"errors"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"mvpgraph"
	"mvpgraph/graph/model"
)

// Global ID types, as encoded in IDs.
const (
	typeMember        = "Member"
	typeAward         = "Award"
	typeExpertise     = "Expertise"
	typeLead          = "Lead"
	typeProductTeam   = "ProductTeam"
	typeContact       = "Contact"
	typeSocialAccount = "SocialAccount"
)

// maxNodes bounds nodes(ids:).
const maxNodes = 100

// nodeRef is a parsed global ID.
type nodeRef struct {
	typ string
	id  int64
}

// node answers node(id:): the object a global ID names, or nil when there
// is none.
func (r *Resolver) node(ctx context.Context, gid string) (model.Node, error) {
	typ, id, err := mvpgraph.ParseGlobalID("id", gid)
	if err != nil {
		return nil, err
	}
	out, err := r.loadNodes(ctx, []nodeRef{{typ, id}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// nodes answers nodes(ids:): the objects in the order asked, null where an
// ID names nothing.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, mvpgraph.Invalidf("ids", "nodes takes at most %d IDs; got %d.", maxNodes, len(ids))
	}
	refs := make([]nodeRef, len(ids))
	for i, gid := range ids {
		typ, id, err := mvpgraph.ParseGlobalID(fmt.Sprintf("ids[%d]", i), gid)
		if err != nil {
			return nil, err
		}
		refs[i] = nodeRef{typ, id}
	}
	return r.loadNodes(ctx, refs)
}

// loadNodes reads the objects refs name, one statement per type, and
// loads what the query selects below them (the current field's selection,
// through its fragments on each type), with what it selects of each type
// loaded for all objects of that type together.
func (r *Resolver) loadNodes(ctx context.Context, refs []nodeRef) ([]model.Node, error) {
	byType := map[string][]int64{}
	for _, ref := range refs {
		byType[ref.typ] = append(byType[ref.typ], ref.id)
	}
	sel := selected(ctx)
	found := map[nodeRef]model.Node{}
	for typ, ids := range byType {
		objects, err := r.readNodes(ctx, sel, typ, distinct(ids))
		if err != nil {
			return nil, err
		}
		for id, v := range objects {
			found[nodeRef{typ, id}] = v
		}
	}
	out := make([]model.Node, len(refs))
	for i, ref := range refs {
		out[i] = found[ref]
	}
	return out, nil
}

// readNodes reads the objects of one type by ID, as views, keyed by ID;
// an ID that names nothing, or an object the caller may not see, is left
// out.
func (r *Resolver) readNodes(ctx context.Context, sel ast.SelectionSet, typ string, ids []int64) (map[int64]model.Node, error) {
	p := r.pageOf(ctx)
	out := map[int64]model.Node{}
	s := r.Store
	switch typ {
	case typeMember:
		ms, err := p.membersByID(ctx, sel, ids, nil)
		for id, m := range ms {
			out[id] = m
		}
		return out, err
	case typeAward:
		rows, err := s.AwardsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		views, err := p.awards(ctx, sel, rows)
		for _, v := range views {
			out[v.ID] = v
		}
		return out, err
	case typeExpertise:
		es, err := p.expertisesByID(ctx, sel, ids)
		for id, e := range es {
			out[id] = e
		}
		return out, err
	case typeLead:
		rows, err := s.LeadsByIDs(ctx, ids)
		for _, v := range leadViews(rows) {
			out[v.ID] = v
		}
		return out, err
	case typeProductTeam:
		rows, err := s.ProductTeamsByIDs(ctx, ids)
		for _, v := range teamViews(rows) {
			out[v.ID] = v
		}
		return out, err
	case typeSocialAccount:
		rows, err := s.SocialAccountsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		views := p.accounts(rows)
		for _, v := range views {
			out[v.ID] = v
		}
		return out, p.fillAccounts(ctx, sel, views, nil)
	case typeEscalation:
		rows, err := s.EscalationsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		seen := rows[:0]
		for _, e := range rows {
			if mayRead(mvpgraph.PrincipalFrom(ctx), e) {
				seen = append(seen, e)
			}
		}
		views, err := p.escalations(ctx, sel, seen)
		for _, v := range views {
			out[v.ID] = v
		}
		return out, err
	case typePerson:
		if err := mvpgraph.PrincipalFrom(ctx).Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead, mvpgraph.RoleProductTeam, mvpgraph.RoleAnalyst); err != nil {
			return out, nil
		}
		people, err := r.peopleByID(ctx, ids)
		for id, v := range people {
			out[id] = v
		}
		return out, err
	case typeNomination:
		rows, err := s.NominationsByIDs(ctx, ids)
		for _, v := range nominationViews(ctx, rows) {
			out[v.ID] = v
		}
		return out, err
	case typeCommunitySpace:
		rows, err := s.SpacesByIDs(ctx, ids)
		for _, sp := range rows {
			out[sp.ID] = &model.CommunitySpace{CommunitySpace: sp}
		}
		return out, err
	}
	return out, nil
}

// notFound turns a loader's not-found into an ENOTFOUND error on field.
func notFound(err error, what, field string) error {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return &mvpgraph.Error{Code: mvpgraph.ENOTFOUND, Field: field, Message: "no " + what + " has this ID."}
	}
	return err
}
