package resolvers

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"mvpgraph"
	"mvpgraph/store"
)

type principalKey struct{}

// WithPrincipal returns ctx acting as p.
func WithPrincipal(ctx context.Context, p mvpgraph.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns who ctx acts as; anonymous when no one.
func PrincipalFrom(ctx context.Context) mvpgraph.Principal {
	p, _ := ctx.Value(principalKey{}).(mvpgraph.Principal)
	return p
}

// authenticate reads the bearer token of a request. No Authorization
// header is anonymous; a header that is not a valid token is refused.
func authenticate(r *http.Request, s *store.Store) (mvpgraph.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return mvpgraph.Principal{}, nil
	}
	secret, ok := cutBearer(h)
	if !ok {
		return mvpgraph.Principal{}, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "the Authorization header must be Bearer <token>.")
	}
	return s.Authenticate(r.Context(), secret)
}

// cutBearer returns the token of a "Bearer <token>" value.
func cutBearer(v string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(v), " ")
	secret = strings.TrimSpace(secret)
	return secret, ok && strings.EqualFold(scheme, "Bearer") && secret != ""
}

// refuse answers a request whose credentials failed, before any GraphQL.
func refuse(w http.ResponseWriter, err error) {
	code, status := "INTERNAL", http.StatusInternalServerError
	msg := "Internal error."
	if mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED {
		code, status, msg = "UNAUTHENTICATED", http.StatusUnauthorized, mvpgraph.ErrorMessage(err)
		w.Header().Set("WWW-Authenticate", `Bearer realm="mvpgraph"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}

// Directives returns the schema's access directives.
func directives(r *Resolver) (auth func(context.Context, any, graphql.Resolver, []mvpgraph.Role) (any, error),
	personal, staff func(context.Context, any, graphql.Resolver) (any, error)) {
	auth = func(ctx context.Context, _ any, next graphql.Resolver, roles []mvpgraph.Role) (any, error) {
		if err := PrincipalFrom(ctx).Allow(roles...); err != nil {
			return nil, err
		}
		return next(ctx)
	}
	personal = func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
		p := PrincipalFrom(ctx)
		m, ok := obj.(*mvpgraph.Member)
		if !ok || (p.Role != mvpgraph.RoleAdmin && p.Role != mvpgraph.RoleLead) {
			return nil, nil
		}
		if p.Role == mvpgraph.RoleLead {
			leads, err := loaders(ctx).leadsOfMember.Load(ctx, m.ID)
			if err != nil {
				return nil, err
			}
			if !p.SeesPersonalData(leadIDs(leads)) {
				return nil, nil
			}
		}
		return next(ctx)
	}
	staff = func(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
		if !PrincipalFrom(ctx).SeesStaffContacts() {
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
// any, a lead the MVPs the lead rule gives them, counting the lead of an
// award about to be made for expertiseID (0 for none). To a lead, a member
// that does not exist is as forbidden as another lead's, so that the
// answer does not tell which IDs exist.
func (r *Resolver) mayChangeMember(ctx context.Context, memberID, expertiseID int64) error {
	p := PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	m, err := loaders(ctx).member.Load(ctx, memberID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	leads, err := loaders(ctx).leadsOfMember.Load(ctx, memberID)
	if err != nil {
		return err
	}
	ids := leadIDs(leads)
	if expertiseID != 0 {
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
		if l := mvpgraph.LeadOfAward(m, expertiseID, usLeadOf, intl); l != 0 && !slices.Contains(ids, l) {
			ids = append(ids, l)
		}
	}
	return p.LeadsFor(ids)
}

// mayChangeAward checks that the request may change an award, by its
// member and expertise.
func (r *Resolver) mayChangeAward(ctx context.Context, awardID int64) error {
	p := PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	a, err := loaders(ctx).award.Load(ctx, awardID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	return r.mayChangeMember(ctx, a.MemberID, a.ExpertiseID)
}

// mayChangeAccount checks that the request may change a social account, by
// its member.
func (r *Resolver) mayChangeAccount(ctx context.Context, accountID int64) error {
	p := PrincipalFrom(ctx)
	if err := p.Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead); err != nil || p.Role == mvpgraph.RoleAdmin {
		return err
	}
	a, err := loaders(ctx).account.Load(ctx, accountID)
	if err != nil {
		return p.LeadsFor(nil)
	}
	return r.mayChangeMember(ctx, a.MemberID, 0)
}

// mayFilter checks that a member filter compares only what the caller may
// read: personal data only with an admin token, since a lead sees the
// personal data of their own MVPs alone.
func mayFilter(ctx context.Context, where *mvpgraph.MemberWhere) error {
	if !where.UsesPersonalData() || PrincipalFrom(ctx).Role == mvpgraph.RoleAdmin {
		return nil
	}
	return &mvpgraph.Error{Code: mvpgraph.EFORBIDDEN, Field: "where", Message: "filtering on email or employer needs an admin token."}
}
