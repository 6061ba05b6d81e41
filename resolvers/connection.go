package resolvers

import (
	"context"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

func pageArgs(first *int, after *string, last *int, before *string) mvpgraph.PageArgs {
	return mvpgraph.PageArgs{First: first, After: after, Last: last, Before: before}
}

func memberConnection(p store.Page[mvpgraph.Member], count model.CountFunc) *model.MemberConnection {
	c := &model.MemberConnection{Edges: make([]*model.MemberEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.MemberEdge{Cursor: p.Cursors[i], Node: &p.Items[i]}
	}
	return c
}

func expertiseConnection(p store.Page[mvpgraph.Expertise], count model.CountFunc) *model.ExpertiseConnection {
	c := &model.ExpertiseConnection{Edges: make([]*model.ExpertiseEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.ExpertiseEdge{Cursor: p.Cursors[i], Node: &p.Items[i]}
	}
	return c
}

func leadConnection(p store.Page[mvpgraph.Lead], count model.CountFunc) *model.LeadConnection {
	c := &model.LeadConnection{Edges: make([]*model.LeadEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.LeadEdge{Cursor: p.Cursors[i], Node: &p.Items[i]}
	}
	return c
}

func productTeamConnection(p store.Page[mvpgraph.ProductTeam], count model.CountFunc) *model.ProductTeamConnection {
	c := &model.ProductTeamConnection{Edges: make([]*model.ProductTeamEdge, len(p.Items)), PageInfo: model.NewPageInfo(p.Cursors, p.HasNext, p.HasPrevious), Count: count}
	for i := range p.Items {
		c.Edges[i] = &model.ProductTeamEdge{Cursor: p.Cursors[i], Node: &p.Items[i]}
	}
	return c
}

// mvpsOf answers Expertise.mvps and Lead.mvps through the batched loaders.
func mvpsOf(ctx context.Context, parent store.MVPParent, id int64, q store.MemberQuery) (*model.MemberConnection, error) {
	if _, _, err := q.Page.Size(); err != nil {
		return nil, err
	}
	l := loaders(ctx)
	p, err := l.mvpsOf(parent, q).Load(ctx, id)
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
