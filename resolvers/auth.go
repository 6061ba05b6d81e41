package resolvers

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"mvpgraph"
	"mvpgraph/graph/model"
)

// Directives returns the schema's access directives.
func directives(r *Resolver) (auth func(context.Context, any, graphql.Resolver, []mvpgraph.Role) (any, error),
	personal, staff func(context.Context, any, graphql.Resolver) (any, error)) {
	auth = func(ctx context.Context, _ any, next graphql.Resolver, roles []mvpgraph.Role) (any, error) {
		if err := mvpgraph.PrincipalFrom(ctx).Allow(roles...); err != nil {
			return nil, err
		}
		return next(ctx)
	}
	personal = func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
		p := mvpgraph.PrincipalFrom(ctx)
		m, ok := obj.(*model.Member)
		if !ok || (p.Role != mvpgraph.RoleAdmin && p.Role != mvpgraph.RoleLead) {
			return nil, nil
		}
		if p.Role == mvpgraph.RoleLead {
			// The page loaded the member's leads with the member
			// (resolvers/view.go): a lead's token is decided here, per
			// member, without waiting on a loader.
			if !m.LeadsKnown {
				return nil, fmt.Errorf("the leads of member %d were not loaded", m.ID)
			}
			if !p.SeesPersonalData(m.LeadIDs) {
				return nil, nil
			}
		}
		return next(ctx)
	}
	staff = func(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
		if !mvpgraph.PrincipalFrom(ctx).SeesStaffContacts() {
			return nil, nil
		}
		return next(ctx)
	}
	return auth, personal, staff
}

func leadIDs(leads []mvpgraph.Lead) []int64 {
	ids := make([]int64, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	return ids
}

// mayChangeMember checks that the request may change a member: an admin
// any, a lead the MVPs the lead rule gives them. To a lead, a member that
// does not exist is as forbidden as another lead's, so that the answer does
// not tell which IDs exist.
func (r *Resolver) mayChangeMember(ctx context.Context, memberID int64) error {
	p := mvpgraph.PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	if _, err := loaders(ctx).member.Load(ctx, memberID); err != nil {
		return p.LeadsFor(nil)
	}
	leads, err := loaders(ctx).leadsOfMember.Load(ctx, memberID)
	if err != nil {
		return err
	}
	return p.LeadsFor(leadIDs(leads))
}

// mayChangeAward checks that the request may change an award: an admin
// any, a lead those the lead rule gives them (the expertise's US lead for a
// US-based member, the country's international lead otherwise).
func (r *Resolver) mayChangeAward(ctx context.Context, awardID int64) error {
	p := mvpgraph.PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	a, err := loaders(ctx).award.Load(ctx, awardID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	return r.mayGiveAward(ctx, a.MemberID, a.ExpertiseID)
}

// mayGiveAward checks that a lead may make or change an award of
// expertiseID to a member: the lead rule gives the award to them.
func (r *Resolver) mayGiveAward(ctx context.Context, memberID, expertiseID int64) error {
	p := mvpgraph.PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	m, err := loaders(ctx).member.Load(ctx, memberID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	us, err := r.Store.USLeadsOfExpertises(ctx, []int64{expertiseID})
	if err != nil {
		return err
	}
	intl, err := r.Store.CountryLeads(ctx, []string{m.Country})
	if err != nil {
		return err
	}
	usLeadOf := map[int64]int64{}
	for e, l := range us {
		usLeadOf[e] = l.ID
	}
	return p.LeadsFor([]int64{mvpgraph.LeadOfAward(m, expertiseID, usLeadOf, intl)})
}

// mayChangeAccount checks that the request may change a social account, by
// its member.
func (r *Resolver) mayChangeAccount(ctx context.Context, accountID int64) error {
	p := mvpgraph.PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	a, err := loaders(ctx).account.Load(ctx, accountID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	return r.mayChangeMember(ctx, a.MemberID)
}

// mayFilter checks that a member filter and ordering use only what the
// caller may read: personal data only with an admin token, since a lead
// sees the personal data of their own MVPs alone. Filters, orderings and
// the cursors that carry their values are all ways to read a field.
func mayFilter(ctx context.Context, where *mvpgraph.MemberWhere, orderBy ...[]*mvpgraph.OrderBy) error {
	if mvpgraph.PrincipalFrom(ctx).Role == mvpgraph.RoleAdmin {
		return nil
	}
	if where.UsesPersonalData() {
		return &mvpgraph.Error{Code: mvpgraph.EFORBIDDEN, Field: "where", Message: "filtering on email or employer needs an admin token."}
	}
	for _, list := range orderBy {
		for _, o := range list {
			if o != nil && o.Field == "EMPLOYER" {
				return &mvpgraph.Error{Code: mvpgraph.EFORBIDDEN, Field: "orderBy", Message: "ordering by employer needs an admin token."}
			}
		}
	}
	return nil
}

// mayFilterLeads checks that a lead filter compares staff emails only for
// callers who may read them.
func mayFilterLeads(ctx context.Context, where *mvpgraph.LeadWhere) error {
	if mvpgraph.PrincipalFrom(ctx).SeesStaffContacts() || !where.UsesStaffData() {
		return nil
	}
	return &mvpgraph.Error{Code: mvpgraph.EFORBIDDEN, Field: "where", Message: "filtering leads on email needs a token of the vendor's staff."}
}
