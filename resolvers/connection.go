package resolvers

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

func pageArgs(first *int, after *string, last *int, before *string) store.PageArgs {
	return store.PageArgs{First: first, After: after, Last: last, Before: before}
}

// memberConnection is a page of members, views holding what the query
// asks below them.
func memberConnection(p store.Page[*model.Member], count model.CountFunc) *model.MemberConnection {
	c := &model.MemberConnection{Edges: make([]*model.MemberEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.MemberEdge{Cursor: p.Cursors[i], Node: p.Items[i]}
	}
	return c
}

// memberPage wraps a page of members and loads what the query asks below
// them (the selection below the connection's edges' nodes).
func (r *Resolver) memberPage(ctx context.Context, p store.Page[mvpgraph.Member]) (store.Page[*model.Member], error) {
	views, err := r.pageOf(ctx).members(ctx, selected(ctx, "edges", "node"), p.Items)
	return store.Page[*model.Member]{Items: views, Cursors: p.Cursors, HasNext: p.HasNext, HasPrevious: p.HasPrevious}, err
}

func expertiseConnection(p store.Page[mvpgraph.Expertise], views []*model.Expertise, count model.CountFunc) *model.ExpertiseConnection {
	c := &model.ExpertiseConnection{Edges: make([]*model.ExpertiseEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.ExpertiseEdge{Cursor: p.Cursors[i], Node: views[i]}
	}
	return c
}

func leadConnection(p store.Page[mvpgraph.Lead], count model.CountFunc) *model.LeadConnection {
	c := &model.LeadConnection{Edges: make([]*model.LeadEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.LeadEdge{Cursor: p.Cursors[i], Node: &model.Lead{Lead: p.Items[i]}}
	}
	return c
}

func productTeamConnection(p store.Page[mvpgraph.ProductTeam], count model.CountFunc) *model.ProductTeamConnection {
	c := &model.ProductTeamConnection{Edges: make([]*model.ProductTeamEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.ProductTeamEdge{Cursor: p.Cursors[i], Node: &model.ProductTeam{ProductTeam: p.Items[i]}}
	}
	return c
}

// mvpsOf answers Expertise.mvps and Lead.mvps. Sibling parents (a page of
// leads, each with its MVPs) load their pages together, and what the query
// asks below the members of all of them in one batch.
func (r *Resolver) mvpsOf(ctx context.Context, parent store.MVPParent, id int64, q store.MemberQuery) (*model.MemberConnection, error) {
	if _, _, err := q.Page.Size(); err != nil {
		return nil, err
	}
	l := loaders(ctx)
	p, err := viewLoader(ctx, "mvps "+mvpsKey(parent, q, false), func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]store.Page[*model.Member], error) {
		pages, err := l.store.MVPsOf(ctx, parent, ids, q)
		if err != nil {
			return nil, err
		}
		var all []mvpgraph.Member
		for _, id := range ids {
			all = append(all, pages[id].Items...)
		}
		views, err := r.pageOf(ctx).members(ctx, within(ctx, sel, "edges", "node"), all)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]store.Page[*model.Member], len(ids))
		for _, id := range ids {
			pg := pages[id]
			out[id] = store.Page[*model.Member]{Items: views[:len(pg.Items):len(pg.Items)], Cursors: pg.Cursors, HasNext: pg.HasNext, HasPrevious: pg.HasPrevious}
			views = views[len(pg.Items):]
		}
		return out, nil
	}).Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return memberConnection(p, func(ctx context.Context) (int, error) {
		return l.mvpCountOf(parent, q).Load(ctx, id)
	}), nil
}

// ptrs returns pointers to the items of list.
func ptrs[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}
