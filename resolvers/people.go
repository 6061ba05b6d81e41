package resolvers

import (
	"context"
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// Global ID types of people and nominations.
const (
	typePerson       = "Person"
	typeIdentity     = "Identity"
	typePeopleChange = "PeopleChange"
	typeNomination   = "Nomination"
)

// maxSuggestions bounds personMergeSuggestions(first:).
const maxSuggestions = 100

// personByID is the person of id, batched with its siblings.
func (r *Resolver) personByID(ctx context.Context, id int64) (*model.Person, error) {
	return viewLoader(ctx, "person", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64]*model.Person, error) {
		return r.peopleByID(ctx, ids)
	}).Load(ctx, id)
}

func (r *Resolver) peopleByID(ctx context.Context, ids []int64) (map[int64]*model.Person, error) {
	rows, err := r.Store.PeopleByIDs(ctx, ids)
	out := make(map[int64]*model.Person, len(rows))
	for _, p := range rows {
		out[p.ID] = &model.Person{Person: p}
	}
	return out, err
}

// fillPeople loads what sel selects below a list of people, for all of
// them together: their members and their identities, one statement each.
func (r *Resolver) fillPeople(ctx context.Context, sel ast.SelectionSet, people []*model.Person) error {
	if len(people) == 0 || len(sel) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(people))
	var memberIDs []int64
	for _, p := range people {
		ids = append(ids, p.ID)
		if p.MemberID != nil {
			memberIDs = append(memberIDs, *p.MemberID)
		}
		p.Loaded = &model.PersonEdges{}
	}
	if m := within(ctx, sel, "member"); len(m) > 0 && len(memberIDs) > 0 {
		members, err := r.pageOf(ctx).membersByID(ctx, m, memberIDs, nil)
		if err != nil {
			return err
		}
		for _, p := range people {
			if p.MemberID != nil {
				p.Loaded.Member = members[*p.MemberID]
			}
		}
	}
	if len(within(ctx, sel, "identities")) > 0 {
		rows, err := r.Store.IdentitiesOf(ctx, ids)
		if err != nil {
			return err
		}
		var all []*model.Identity
		for _, p := range people {
			p.Loaded.Identities = identityViews(rows[p.ID])
			all = append(all, p.Loaded.Identities...)
		}
		return r.fillIdentities(ctx, within(ctx, sel, "identities"), all)
	}
	return nil
}

// fillIdentities loads what sel selects below a list of identities, for
// all of them together: their spaces and their linked accounts.
func (r *Resolver) fillIdentities(ctx context.Context, sel ast.SelectionSet, ids []*model.Identity) error {
	if len(ids) == 0 {
		return nil
	}
	if len(within(ctx, sel, "space")) > 0 {
		var spaceIDs []int64
		for _, id := range ids {
			spaceIDs = append(spaceIDs, id.SpaceID)
		}
		rows, err := r.Store.SpacesByIDs(ctx, spaceIDs)
		if err != nil {
			return err
		}
		spaces := map[int64]*model.CommunitySpace{}
		for _, sp := range rows {
			spaces[sp.ID] = &model.CommunitySpace{CommunitySpace: sp}
		}
		for _, id := range ids {
			id.Space = spaces[id.SpaceID]
		}
	}
	if a := within(ctx, sel, "account"); len(a) > 0 {
		var accountIDs []int64
		for _, id := range ids {
			if id.LinkedAccountID != nil {
				accountIDs = append(accountIDs, *id.LinkedAccountID)
			}
		}
		if len(accountIDs) == 0 {
			return nil
		}
		rows, err := r.Store.SocialAccountsByIDs(ctx, accountIDs)
		if err != nil {
			return err
		}
		p := r.pageOf(ctx)
		views := p.accounts(rows)
		byID := map[int64]*model.SocialAccount{}
		for _, v := range views {
			byID[v.ID] = v
		}
		for _, id := range ids {
			if id.LinkedAccountID != nil {
				id.Account = byID[*id.LinkedAccountID]
			}
		}
		return p.fillAccounts(ctx, a, views, nil)
	}
	return nil
}

// identitiesOf is a person's identities, batched with its siblings'.
func (r *Resolver) identitiesOf(ctx context.Context, personID int64) ([]*model.Identity, error) {
	return viewLoader(ctx, "identities", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64][]*model.Identity, error) {
		rows, err := r.Store.IdentitiesOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]*model.Identity, len(ids))
		for _, id := range ids {
			out[id] = identityViews(rows[id])
		}
		return out, nil
	}).Load(ctx, personID)
}

func identityViews(rows []mvpgraph.Identity) []*model.Identity {
	out := make([]*model.Identity, len(rows))
	for i, id := range rows {
		out[i] = &model.Identity{Identity: id}
	}
	return out
}

// identityByID is the identity of id, batched with its siblings.
func (r *Resolver) identityByID(ctx context.Context, id int64) (*model.Identity, error) {
	return viewLoader(ctx, "identity", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64]*model.Identity, error) {
		rows, err := r.Store.IdentitiesByIDs(ctx, ids)
		out := make(map[int64]*model.Identity, len(rows))
		for _, id := range rows {
			out[id.ID] = &model.Identity{Identity: id}
		}
		return out, err
	}).Load(ctx, id)
}

// accountByID is the social account of id, with what the field selects
// below it.
func (r *Resolver) accountByID(ctx context.Context, id int64) (*model.SocialAccount, error) {
	return viewLoader(ctx, "account", func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]*model.SocialAccount, error) {
		rows, err := r.Store.SocialAccountsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		p := r.pageOf(ctx)
		views := p.accounts(rows)
		out := make(map[int64]*model.SocialAccount, len(views))
		for _, v := range views {
			out[v.ID] = v
		}
		return out, p.fillAccounts(ctx, sel, views, nil)
	}).Load(ctx, id)
}

// awardByID is the award of id, with what the field selects below it.
func (r *Resolver) awardByID(ctx context.Context, id int64) (*model.Award, error) {
	return viewLoader(ctx, "award", func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]*model.Award, error) {
		rows, err := r.Store.AwardsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		views, err := r.pageOf(ctx).awards(ctx, sel, rows)
		out := make(map[int64]*model.Award, len(views))
		for _, v := range views {
			out[v.ID] = v
		}
		return out, err
	}).Load(ctx, id)
}

// mayReadNomination reports whether the request may see a nomination: an
// admin all, a lead those routed to them.
func mayReadNomination(p mvpgraph.Principal, n mvpgraph.Nomination) bool {
	return p.Role == mvpgraph.RoleAdmin || (p.Role == mvpgraph.RoleLead && p.LeadID != nil && *p.LeadID == n.LeadID)
}

func nominationViews(ctx context.Context, rows []mvpgraph.Nomination) []*model.Nomination {
	p := mvpgraph.PrincipalFrom(ctx)
	out := []*model.Nomination{}
	for _, n := range rows {
		if mayReadNomination(p, n) {
			out = append(out, &model.Nomination{Nomination: n})
		}
	}
	return out
}

// nominationsOf is a person's nominations the request may see.
func (r *Resolver) nominationsOf(ctx context.Context, personID int64) ([]*model.Nomination, error) {
	return viewLoader(ctx, "nominations", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64][]*model.Nomination, error) {
		rows, err := r.Store.NominationsOfPeople(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]*model.Nomination, len(ids))
		for _, id := range ids {
			out[id] = nominationViews(ctx, rows[id])
		}
		return out, nil
	}).Load(ctx, personID)
}

// nominationEvents is a nomination's moves, batched with its siblings'.
func (r *Resolver) nominationEvents(ctx context.Context, id int64) ([]*model.NominationEvent, error) {
	return viewLoader(ctx, "nominationEvents", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64][]*model.NominationEvent, error) {
		rows, err := r.Store.NominationEvents(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]*model.NominationEvent, len(ids))
		for _, id := range ids {
			out[id] = []*model.NominationEvent{}
			for _, e := range rows[id] {
				out[id] = append(out[id], &model.NominationEvent{NominationEvent: e})
			}
		}
		return out, nil
	}).Load(ctx, id)
}

// changeMoves is a change's moves, batched with its siblings'.
func (r *Resolver) changeMoves(ctx context.Context, id int64) ([]*model.PeopleMove, error) {
	return viewLoader(ctx, "peopleMoves", func(ctx context.Context, _ ast.SelectionSet, ids []int64) (map[int64][]*model.PeopleMove, error) {
		rows, err := r.Store.PeopleChangeMoves(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]*model.PeopleMove, len(ids))
		for _, id := range ids {
			out[id] = []*model.PeopleMove{}
			for _, m := range rows[id] {
				out[id] = append(out[id], &model.PeopleMove{PeopleMove: m})
			}
		}
		return out, nil
	}).Load(ctx, id)
}

// personChanges answers Person.changes.
func (r *Resolver) personChanges(ctx context.Context, personID int64) ([]*model.PeopleChange, error) {
	rows, err := r.Store.PeopleChanges(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.PeopleChange, len(rows))
	for i, c := range rows {
		out[i] = &model.PeopleChange{PeopleChange: c}
	}
	return out, nil
}

// personIDs parses a list of person IDs.
func personIDs(field string, gids []string) ([]int64, error) {
	out := make([]int64, len(gids))
	for i, gid := range gids {
		id, err := mvpgraph.ParseID(fmt.Sprintf("%s[%d]", field, i), typePerson, gid)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// changePayload answers a change of who is whom.
func (r *Resolver) changePayload(ctx context.Context, c mvpgraph.PeopleChange, person mvpgraph.Person) (*model.PeopleChangePayload, error) {
	people, err := r.peopleByID(ctx, []int64{person.ID})
	if err != nil {
		return nil, err
	}
	p := people[person.ID]
	if p == nil {
		p = &model.Person{Person: person}
	}
	return &model.PeopleChangePayload{Change: &model.PeopleChange{PeopleChange: c}, Person: p}, nil
}

// mergePeople answers Mutation.mergePeople.
func (r *Resolver) mergePeople(ctx context.Context, in model.MergePeopleInput) (*model.PeopleChangePayload, error) {
	if len(in.PersonIds) > 50 {
		return nil, mvpgraph.Invalidf("personIds", "a merge takes at most 50 people; %d given.", len(in.PersonIds))
	}
	ids, err := personIDs("personIds", in.PersonIds)
	if err != nil {
		return nil, err
	}
	into, c, err := r.Store.MergePeople(ctx, ids, mvpgraph.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return r.changePayload(ctx, c, into)
}

// splitIdentity answers Mutation.splitIdentity.
func (r *Resolver) splitIdentity(ctx context.Context, in model.SplitIdentityInput) (*model.PeopleChangePayload, error) {
	id, err := mvpgraph.ParseID("identityId", typeIdentity, in.IdentityID)
	if err != nil {
		return nil, err
	}
	out, _, c, err := r.Store.SplitIdentity(ctx, id, mvpgraph.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return r.changePayload(ctx, c, out)
}

// undoPeopleChange answers Mutation.undoPeopleChange.
func (r *Resolver) undoPeopleChange(ctx context.Context, in model.UndoPeopleChangeInput) (*model.PeopleChangePayload, error) {
	id, err := mvpgraph.ParseID("changeId", typePeopleChange, in.ChangeID)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.UndoPeopleChange(ctx, id, mvpgraph.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return r.changePayload(ctx, c, mvpgraph.Person{ID: c.PersonID})
}

// dismissSuggestion answers Mutation.dismissPersonSuggestion.
func (r *Resolver) dismissSuggestion(ctx context.Context, in model.DismissPersonSuggestionInput) (*model.DismissPersonSuggestionPayload, error) {
	if len(in.PersonIds) != 2 {
		return nil, mvpgraph.Invalidf("personIds", "a suggestion pairs two people; %d given.", len(in.PersonIds))
	}
	ids, err := personIDs("personIds", in.PersonIds)
	if err != nil {
		return nil, err
	}
	if err := r.Store.DismissSuggestion(ctx, ids[0], ids[1], mvpgraph.PrincipalFrom(ctx)); err != nil {
		return nil, err
	}
	people, err := r.peopleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &model.DismissPersonSuggestionPayload{People: []*model.Person{people[ids[0]], people[ids[1]]}}, nil
}

// personMergeSuggestions answers Query.personMergeSuggestions.
func (r *Resolver) personMergeSuggestions(ctx context.Context, expertiseGID *string, minConfidence *float64, first *int) ([]*model.PersonMergeSuggestion, error) {
	q := store.SuggestionQuery{Limit: 20, MinConfidence: 0.5}
	if first != nil {
		if *first < 0 || *first > maxSuggestions {
			return nil, mvpgraph.Invalidf("first", "first is 0 to %d; got %d.", maxSuggestions, *first)
		}
		q.Limit = *first
	}
	if minConfidence != nil {
		if *minConfidence < 0 || *minConfidence > 1 {
			return nil, mvpgraph.Invalidf("minConfidence", "minConfidence is 0 to 1; got %g.", *minConfidence)
		}
		q.MinConfidence = *minConfidence
	}
	if expertiseGID != nil {
		id, err := mvpgraph.ParseID("expertiseId", typeExpertise, *expertiseGID)
		if err != nil {
			return nil, err
		}
		q.ExpertiseID = &id
	}
	if q.Limit == 0 {
		return []*model.PersonMergeSuggestion{}, nil
	}
	found, err := r.Store.MergeSuggestions(ctx, q)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, s := range found {
		ids = append(ids, s.A, s.B)
	}
	people := map[int64]*model.Person{}
	if len(ids) > 0 {
		if people, err = r.peopleByID(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]*model.PersonMergeSuggestion, 0, len(found))
	var all []*model.Person
	for _, s := range found {
		pair := []*model.Person{people[s.A], people[s.B]}
		all = append(all, pair...)
		out = append(out, &model.PersonMergeSuggestion{People: pair, Reasons: s.Reasons, Confidence: s.Confidence})
	}
	return out, r.fillPeople(ctx, selected(ctx, "people"), all)
}

// nominate answers Mutation.nominate.
func (r *Resolver) nominate(ctx context.Context, in model.NominateInput) (*model.NominationPayload, error) {
	personID, err := mvpgraph.ParseID("personId", typePerson, in.PersonID)
	if err != nil {
		return nil, err
	}
	expertiseID, err := mvpgraph.ParseID("expertiseId", typeExpertise, in.ExpertiseID)
	if err != nil {
		return nil, err
	}
	n, err := r.Store.Nominate(ctx, store.NominationInput{PersonID: personID, ExpertiseID: expertiseID, Reason: in.Reason, Country: in.Country}, mvpgraph.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return &model.NominationPayload{Nomination: &model.Nomination{Nomination: n}}, nil
}

// moveNomination answers Mutation.moveNomination.
func (r *Resolver) moveNomination(ctx context.Context, in model.MoveNominationInput) (*model.NominationPayload, error) {
	id, err := mvpgraph.ParseID("id", typeNomination, in.ID)
	if err != nil {
		return nil, err
	}
	mv := store.NominationMove{Status: in.Status, Handle: in.Handle, Email: in.Email}
	if in.Note != nil {
		mv.Note = *in.Note
	}
	p := mvpgraph.PrincipalFrom(ctx)
	if p.Role == mvpgraph.RoleLead {
		// Another lead's nomination is FORBIDDEN whether or not it exists.
		ns, err := r.Store.NominationsByIDs(ctx, []int64{id})
		if err != nil {
			return nil, err
		}
		if len(ns) == 0 || !mayReadNomination(p, ns[0]) {
			return nil, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "this nomination is not yours to move.")
		}
	}
	n, err := r.Store.MoveNomination(ctx, id, mv, p)
	if err != nil {
		return nil, err
	}
	return &model.NominationPayload{Nomination: &model.Nomination{Nomination: n}}, nil
}

// nominationQuery turns a where input into a query, within what the
// caller may see: a lead their own nominations.
func (r *Resolver) nominationQuery(ctx context.Context, where *model.NominationWhere) (store.NominationQuery, error) {
	var q store.NominationQuery
	if where != nil {
		if err := parseIDFilters(map[string]idFilter{
			"where.leadId":      {where.LeadID, typeLead, &q.LeadID},
			"where.expertiseId": {where.ExpertiseID, typeExpertise, &q.ExpertiseID},
			"where.personId":    {where.PersonID, typePerson, &q.PersonID},
		}); err != nil {
			return q, err
		}
		q.Status, q.From, q.To = where.Status, where.From, where.To
		if q.From != nil && q.To != nil && !q.From.Before(*q.To) {
			return q, mvpgraph.Invalidf("where.to", "to (%s) must be after from (%s).", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
		}
	}
	p := mvpgraph.PrincipalFrom(ctx)
	if p.Role == mvpgraph.RoleLead {
		if q.LeadID != nil && *q.LeadID != *p.LeadID {
			return q, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a lead sees the nominations routed to them only.")
		}
		q.LeadID = p.LeadID
	}
	return q, nil
}

// nominations answers Query.nominations.
func (r *Resolver) nominations(ctx context.Context, where *model.NominationWhere, orderBy []*mvpgraph.OrderBy, page store.PageArgs) (*model.NominationConnection, error) {
	q, err := r.nominationQuery(ctx, where)
	if err != nil {
		return nil, err
	}
	if orderBy == nil {
		orderBy = []*mvpgraph.OrderBy{{Field: "CREATED_AT", Direction: mvpgraph.Desc}}
	}
	q.OrderBy, q.Page = orderBy, page
	pg, err := r.Store.ListNominations(ctx, q)
	if err != nil {
		return nil, err
	}
	c := &model.NominationConnection{Edges: make([]*model.NominationEdge, len(pg.Items)), PageInfo: model.NewPageInfo(pg.Cursors, pg.HasNext, pg.HasPrevious),
		Count: func(ctx context.Context) (int, error) { return r.Store.CountNominations(ctx, q) }}
	for i, n := range pg.Items {
		c.Edges[i] = &model.NominationEdge{Cursor: pg.Cursors[i], Node: &model.Nomination{Nomination: n}}
	}
	// The people of the page, with what is selected below them, together.
	if sel := selected(ctx, "edges", "node", "person"); len(sel) > 0 && len(pg.Items) > 0 {
		ids := make([]int64, len(pg.Items))
		for i, n := range pg.Items {
			ids[i] = n.PersonID
		}
		people, err := r.peopleByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		var list []*model.Person
		for _, p := range people {
			list = append(list, p)
		}
		if err := r.fillPeople(ctx, sel, list); err != nil {
			return nil, err
		}
		for _, e := range c.Edges {
			e.Node.Person = people[e.Node.PersonID]
		}
	}
	return c, nil
}

// nominationStats answers Query.nominationStats.
func (r *Resolver) nominationStats(ctx context.Context, groupBy []string, where *model.NominationWhere) ([]*model.NominationGroup, error) {
	q, err := r.nominationQuery(ctx, where)
	if err != nil {
		return nil, err
	}
	groups, err := r.Store.NominationStats(ctx, q, groupBy)
	if err != nil {
		return nil, err
	}
	out := make([]*model.NominationGroup, len(groups))
	for i, g := range groups {
		out[i] = &model.NominationGroup{Status: g.Status, ExpertiseID: g.ExpertiseID, LeadID: g.LeadID, Month: g.Month, Count: g.Count, Ended: g.Ended, Awarded: g.Awarded}
	}
	return out, nil
}
