package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/sync/errgroup"

	"mvpgraph"
	"mvpgraph/store"
)

// selection is the tree of fields a query asks for below a field.
type selection map[string]selection

// selectionOf returns the fields selected below the current field, through
// the given path of child fields; types names the types whose fragments
// apply at each level.
func selectionOf(ctx context.Context, path []string, types ...[]string) selection {
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	if oc == nil || fc == nil {
		return nil
	}
	set := fc.Field.Selections
	for i, name := range path {
		var next ast.SelectionSet
		for _, f := range graphql.CollectFields(oc, set, types[i]) {
			if f.Name == name {
				next = append(next, f.Selections...)
			}
		}
		if next == nil {
			return nil
		}
		set = next
	}
	return tree(oc, set, types[len(path):])
}

// tree collects set into a selection, following fragments; types names the
// types that apply at each level below.
func tree(oc *graphql.OperationContext, set ast.SelectionSet, types [][]string) selection {
	if len(types) == 0 || len(set) == 0 {
		return nil
	}
	out := selection{}
	for _, f := range graphql.CollectFields(oc, set, types[0]) {
		sub := tree(oc, f.Selections, types[1:])
		if prev, ok := out[f.Name]; ok {
			for k, v := range sub {
				prev[k] = v
			}
			continue
		}
		if sub == nil {
			sub = selection{}
		}
		out[f.Name] = sub
	}
	return out
}

// Types whose fragments apply when walking a page of members.
var (
	memberTypes      = []string{"Member", "Node"}
	awardTypes       = []string{"Award", "Node"}
	expertiseTypes   = []string{"Expertise", "Node"}
	productTeamTypes = []string{"ProductTeam", "Node"}
)

// prefetchMembers loads what the query asks of every member of a page, one
// statement per kind for the whole page, and primes the loaders the field
// resolvers read: awards (with their expertises, product teams and US
// leads), leads and social accounts. Batching by time window alone splits
// under load; this keeps the statement count of the common page shapes
// fixed.
func prefetchMembers(ctx context.Context, members []mvpgraph.Member) error {
	if len(members) == 0 {
		return nil
	}
	sel := selectionOf(ctx, []string{"edges", "node"}, []string{"MemberConnection"}, []string{"MemberEdge"},
		memberTypes, awardTypes, expertiseTypes, productTeamTypes)
	return prefetchSelected(ctx, members, sel)
}

// prefetchRanked loads the members of a page of a reach ranking in one
// statement, when the query asks for them, and then what it asks of them
// as prefetchMembers does: a ranking's page would otherwise load its
// members, and their awards and accounts, through loaders that split into
// several statements when the server is busy.
func prefetchRanked(ctx context.Context, rows []store.LeaderRow) error {
	if len(rows) == 0 {
		return nil
	}
	sel := selectionOf(ctx, []string{"edges", "node", "member"}, []string{"LeaderboardConnection"}, []string{"LeaderboardEdge"},
		[]string{"LeaderboardEntry"}, memberTypes, awardTypes, expertiseTypes, productTeamTypes)
	if sel == nil {
		return nil
	}
	l := loaders(ctx)
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.MemberID
	}
	members, err := l.store.MembersByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, m := range members {
		l.member.Prime(m.ID, m)
	}
	return prefetchSelected(ctx, members, sel)
}

// prefetchSelected loads what sel, the selection below a member, asks of
// each of members.
func prefetchSelected(ctx context.Context, members []mvpgraph.Member, sel selection) error {
	if sel == nil || len(members) == 0 {
		return nil
	}
	l := loaders(ctx)
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	g, ctx := errgroup.WithContext(ctx)
	if awardSel, ok := sel["awards"]; ok {
		g.Go(func() error { return prefetchAwards(ctx, l, ids, awardSel) })
	}
	_, accounts := sel["socialAccounts"]
	if _, reach := sel["reach"]; accounts || reach {
		g.Go(func() error {
			as, err := l.store.SocialAccountsOfMembers(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ids {
				l.accountsOf.Prime(id, as[id])
			}
			return nil
		})
	}
	if _, ok := sel["leads"]; ok {
		g.Go(func() error {
			leads, err := l.store.LeadsOfMembers(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ids {
				l.leadsOfMember.Prime(id, leads[id])
			}
			return nil
		})
	}
	return g.Wait()
}

func prefetchAwards(ctx context.Context, l *Loaders, memberIDs []int64, sel selection) error {
	awards, err := l.store.AwardsOfMembers(ctx, memberIDs)
	if err != nil {
		return err
	}
	var expertiseIDs []int64
	seen := map[int64]bool{}
	for _, id := range memberIDs {
		l.awardsOfMember.Prime(id, awards[id])
		for _, a := range awards[id] {
			if !seen[a.ExpertiseID] {
				seen[a.ExpertiseID] = true
				expertiseIDs = append(expertiseIDs, a.ExpertiseID)
			}
		}
	}
	expSel, ok := sel["expertise"]
	if !ok || len(expertiseIDs) == 0 {
		return nil
	}
	experts, err := l.store.ExpertisesByIDs(ctx, expertiseIDs)
	if err != nil {
		return err
	}
	var teamIDs []int64
	seenTeam := map[int64]bool{}
	for _, e := range experts {
		l.expertise.Prime(e.ID, e)
		if e.ProductTeamID != nil && !seenTeam[*e.ProductTeamID] {
			seenTeam[*e.ProductTeamID] = true
			teamIDs = append(teamIDs, *e.ProductTeamID)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	if _, ok := expSel["productTeam"]; ok && len(teamIDs) > 0 {
		g.Go(func() error {
			teams, err := l.store.ProductTeamsByIDs(ctx, teamIDs)
			for _, t := range teams {
				l.productTeam.Prime(t.ID, t)
			}
			return err
		})
	}
	if _, ok := expSel["usLead"]; ok {
		g.Go(func() error {
			leads, err := l.store.USLeadsOfExpertises(ctx, expertiseIDs)
			if err != nil {
				return err
			}
			for _, id := range expertiseIDs {
				var lead *mvpgraph.Lead
				if v, ok := leads[id]; ok {
					lead = &v
				}
				l.usLeadOf.Prime(id, lead)
			}
			return nil
		})
	}
	return g.Wait()
}
