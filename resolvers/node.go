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

// primeNodes looks up the objects of several global IDs of one type in one
// statement and primes that type's loader with them. nodes(ids:) primes
// each type it is asked several of, so that its statements do not rest on
// the loaders' batch window, which a busy machine can close halfway
// through a list. An ID that names nothing is left to the loader.
func primeNodes(ctx context.Context, l *Loaders, typ string, ids []int64) error {
	s := l.store
	switch typ {
	case typeMember:
		return prime(ctx, l.member, byID(s.MembersByIDs, memberID), ids)
	case typeAward:
		return prime(ctx, l.award, byID(s.AwardsByIDs, awardID), ids)
	case typeExpertise:
		return prime(ctx, l.expertise, byID(s.ExpertisesByIDs, expertiseID), ids)
	case typeLead:
		return prime(ctx, l.lead, byID(s.LeadsByIDs, leadID), ids)
	case typeProductTeam:
		return prime(ctx, l.productTeam, byID(s.ProductTeamsByIDs, productTeamID), ids)
	case typeSocialAccount:
		return prime(ctx, l.account, byID(s.SocialAccountsByIDs, accountID), ids)
	case typeEscalation:
		return prime(ctx, l.escalation, byID(s.EscalationsByIDs, escalationID), ids)
	case typeCommunitySpace:
		return prime(ctx, l.space, byID(s.SpacesByIDs, spaceID), ids)
	}
	return nil
}

func prime[T any](ctx context.Context, ld *dataloadgen.Loader[int64, T], fetch func(context.Context, []int64) (map[int64]T, error), ids []int64) error {
	m, err := fetch(ctx, ids)
	if err != nil {
		return err
	}
	for id, v := range m {
		ld.Prime(id, v)
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
