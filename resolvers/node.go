package resolvers

import (
	"context"
	"errors"

	"github.com/vikstrous/dataloadgen"

	"mvpgraph"
	"mvpgraph/graph/model"
)

// Global ID types, as encoded in IDs.
const (
	typeMember      = "Member"
	typeAward       = "Award"
	typeExpertise   = "Expertise"
	typeLead        = "Lead"
	typeProductTeam = "ProductTeam"
	typeContact     = "Contact"
)

// node loads the object a global ID names, or nil when there is none.
func node(ctx context.Context, field, gid string) (model.Node, error) {
	typ, id, err := mvpgraph.ParseGlobalID(field, gid)
	if err != nil {
		return nil, err
	}
	l := loaders(ctx)
	var n model.Node
	switch typ {
	case typeMember:
		var v mvpgraph.Member
		v, err = l.member.Load(ctx, id)
		n = &v
	case typeAward:
		var v mvpgraph.Award
		v, err = l.award.Load(ctx, id)
		n = &v
	case typeExpertise:
		var v mvpgraph.Expertise
		v, err = l.expertise.Load(ctx, id)
		n = &v
	case typeLead:
		var v mvpgraph.Lead
		v, err = l.lead.Load(ctx, id)
		n = &v
	case typeProductTeam:
		var v mvpgraph.ProductTeam
		v, err = l.productTeam.Load(ctx, id)
		n = &v
	default:
		return nil, nil
	}
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// maxNodes bounds nodes(ids:).
const maxNodes = 100
