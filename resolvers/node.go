package resolvers

import (
	"context"
	"errors"
	"fmt"

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
	return loadNode(ctx, loaders(ctx), typ, id), nil
}

// loadNode starts loading the object of type typ with the given ID.
func loadNode(ctx context.Context, l *Loaders, typ string, id int64) func() (model.Node, error) {
	switch typ {
	case typeMember:
		return thunk(l.member.LoadThunk(ctx, id))
	case typeAward:
		return thunk(l.award.LoadThunk(ctx, id))
	case typeExpertise:
		return thunk(l.expertise.LoadThunk(ctx, id))
	case typeLead:
		return thunk(l.lead.LoadThunk(ctx, id))
	case typeProductTeam:
		return thunk(l.productTeam.LoadThunk(ctx, id))
	case typeSocialAccount:
		return thunk(l.account.LoadThunk(ctx, id))
	case typeEscalation:
		return escalationNode(ctx, l, id)
	case typeCommunitySpace:
		return thunk(l.space.LoadThunk(ctx, id))
	}
	return func() (model.Node, error) { return nil, nil }
}

// nodes answers nodes(ids:): every ID parsed first, each type asked for
// more than once looked up in one statement (primeNodes), then the
// objects in the order asked, null where an ID names nothing.
func nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, mvpgraph.Invalidf("ids", "nodes takes at most %d IDs; got %d.", maxNodes, len(ids))
	}
	type ref struct {
		typ string
		id  int64
	}
	refs := make([]ref, len(ids))
	byType := map[string][]int64{}
	for i, gid := range ids {
		typ, id, err := mvpgraph.ParseGlobalID(fmt.Sprintf("ids[%d]", i), gid)
		if err != nil {
			return nil, err
		}
		refs[i] = ref{typ, id}
		byType[typ] = append(byType[typ], id)
	}
	l := loaders(ctx)
	for typ, group := range byType {
		if len(group) > 1 {
			if err := primeNodes(ctx, l, typ, group); err != nil {
				return nil, err
			}
		}
	}
	loads := make([]func() (model.Node, error), len(refs))
	for i, r := range refs {
		loads[i] = loadNode(ctx, l, r.typ, r.id)
	}
	out := make([]model.Node, len(ids))
	for i, load := range loads {
		var err error
		if out[i], err = load(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// primeNodes looks up the objects of several global IDs of one type in one
// statement and primes that type's loader with them. nodes(ids:) primes
// each type it is asked several of, so that its statements do not rest on
// the loaders' batch window, which a busy machine can close halfway
// through a list. An ID that names nothing is left to the loader.
func primeNodes(ctx context.Context, l *Loaders, typ string, ids []int64) error {
	switch typ {
	case typeMember:
		return l.member.prime(ctx, ids)
	case typeAward:
		return l.award.prime(ctx, ids)
	case typeExpertise:
		return l.expertise.prime(ctx, ids)
	case typeLead:
		return l.lead.prime(ctx, ids)
	case typeProductTeam:
		return l.productTeam.prime(ctx, ids)
	case typeSocialAccount:
		return l.account.prime(ctx, ids)
	case typeEscalation:
		return l.escalation.prime(ctx, ids)
	case typeCommunitySpace:
		return l.space.prime(ctx, ids)
	}
	return nil
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
