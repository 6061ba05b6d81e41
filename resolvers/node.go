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
	typeMember        = "Member"
	typeAward         = "Award"
	typeExpertise     = "Expertise"
	typeLead          = "Lead"
	typeProductTeam   = "ProductTeam"
	typeContact       = "Contact"
	typeSocialAccount = "SocialAccount"
)

// node loads the object a global ID names, or nil when there is none.
func node(ctx context.Context, field, gid string) (model.Node, error) {
	load, err := nodeThunk(ctx, field, gid)
	if err != nil {
		return nil, err
	}
	return load()
}

// nodeThunk starts loading the object a global ID names and returns the
// function that waits for it, so that many IDs load in one batch per type.
func nodeThunk(ctx context.Context, field, gid string) (func() (model.Node, error), error) {
	typ, id, err := mvpgraph.ParseGlobalID(field, gid)
	if err != nil {
		return nil, err
	}
	l := loaders(ctx)
	switch typ {
	case typeMember:
		return thunk(l.member.LoadThunk(ctx, id)), nil
	case typeAward:
		return thunk(l.award.LoadThunk(ctx, id)), nil
	case typeExpertise:
		return thunk(l.expertise.LoadThunk(ctx, id)), nil
	case typeLead:
		return thunk(l.lead.LoadThunk(ctx, id)), nil
	case typeProductTeam:
		return thunk(l.productTeam.LoadThunk(ctx, id)), nil
	case typeSocialAccount:
		return thunk(l.account.LoadThunk(ctx, id)), nil
	case typeEscalation:
		return escalationNode(ctx, l, id), nil
	case typeCommunitySpace:
		return thunk(l.space.LoadThunk(ctx, id)), nil
	}
	return func() (model.Node, error) { return nil, nil }, nil
}

// thunk adapts a loader's thunk to a node: a missing object is null.
func thunk[T any](load func() (T, error)) func() (model.Node, error) {
	return func() (model.Node, error) {
		v, err := load()
		if errors.Is(err, dataloadgen.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
}

// maxNodes bounds nodes(ids:).
const maxNodes = 100

// notFound turns a loader's not-found into an ENOTFOUND error on field.
func notFound(err error, what, field string) error {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return &mvpgraph.Error{Code: mvpgraph.ENOTFOUND, Field: field, Message: "no " + what + " has this ID."}
	}
	return err
}
