package resolvers

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/vikstrous/dataloadgen"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

const typeEscalation = "Escalation"

func (r *Resolver) target() time.Duration {
	if r.EscalationTarget > 0 {
		return r.EscalationTarget
	}
	return mvpgraph.DefaultAnswerTarget
}

// mayRead reports whether the request may see an escalation: admins and
// analysts all, a lead those routed to them, a product team those
// escalated to it.
func mayRead(p mvpgraph.Principal, e mvpgraph.Escalation) bool {
	switch p.Role {
	case mvpgraph.RoleAdmin, mvpgraph.RoleAnalyst:
		return true
	case mvpgraph.RoleLead:
		return p.LeadID != nil && *p.LeadID == e.LeadID
	case mvpgraph.RoleProductTeam:
		return p.ProductTeamID != nil && e.ProductTeamID != nil && *p.ProductTeamID == *e.ProductTeamID
	}
	return false
}

// mayMove checks that the request may make a move on an escalation: an
// admin any, the lead it is routed to any, its product team the answer.
// An escalation the caller may not touch is FORBIDDEN whether or not it
// exists.
func (r *Resolver) mayMove(ctx context.Context, id int64, action mvpgraph.EscalationAction) error {
	p := mvpgraph.PrincipalFrom(ctx)
	if p.Role == mvpgraph.RoleAdmin {
		return nil
	}
	forbidden := mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "this escalation is not yours to %s.", action)
	es, err := r.Store.EscalationsByIDs(ctx, []int64{id})
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return forbidden
	}
	e := es[0]
	switch {
	case p.Role == mvpgraph.RoleLead && p.LeadID != nil && *p.LeadID == e.LeadID:
		return nil
	case p.Role == mvpgraph.RoleProductTeam && action == mvpgraph.ActionAnswer && mayRead(p, e):
		return nil
	}
	return forbidden
}

// move answers the escalation mutations.
func (r *Resolver) move(ctx context.Context, gid string, c store.EscalationChange) (*model.EscalationPayload, error) {
	id, err := mvpgraph.ParseID("id", typeEscalation, gid)
	if err != nil {
		return nil, err
	}
	if err := r.mayMove(ctx, id, c.Action); err != nil {
		return nil, err
	}
	e, err := r.Store.ChangeEscalation(ctx, id, c, mvpgraph.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	view, err := r.pageOf(ctx).escalation(ctx, selected(ctx, "escalation"), e)
	if err != nil {
		return nil, err
	}
	return &model.EscalationPayload{Escalation: view}, nil
}

// idFilter is an optional global ID of a where input, of type typ, and
// where its number goes.
type idFilter struct {
	gid *string
	typ string
	dst **int64
}

// parseIDFilters parses the global IDs of a where input, by field name.
func parseIDFilters(fields map[string]idFilter) error {
	for field, f := range fields {
		if f.gid == nil {
			continue
		}
		id, err := mvpgraph.ParseID(field, f.typ, *f.gid)
		if err != nil {
			return err
		}
		*f.dst = &id
	}
	return nil
}

// escalationQuery turns a where input into a query, within what the
// caller may see: a lead their own escalations, a product team its own.
func (r *Resolver) escalationQuery(ctx context.Context, where *model.EscalationWhere) (store.EscalationQuery, error) {
	q := store.EscalationQuery{Target: r.target()}
	if where != nil {
		if err := parseIDFilters(map[string]idFilter{
			"where.leadId":        {where.LeadID, typeLead, &q.LeadID},
			"where.productTeamId": {where.ProductTeamID, typeProductTeam, &q.ProductTeamID},
			"where.memberId":      {where.MemberID, typeMember, &q.MemberID},
		}); err != nil {
			return q, err
		}
		q.Status, q.Overdue = where.Status, where.Overdue
	}
	p := mvpgraph.PrincipalFrom(ctx)
	switch p.Role {
	case mvpgraph.RoleLead:
		if q.LeadID != nil && *q.LeadID != *p.LeadID {
			return q, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a lead sees the escalations routed to them only.")
		}
		q.LeadID = p.LeadID
	case mvpgraph.RoleProductTeam:
		if q.ProductTeamID != nil && *q.ProductTeamID != *p.ProductTeamID {
			return q, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a product team sees its own escalations only.")
		}
		q.ProductTeamID = p.ProductTeamID
	}
	return q, nil
}

// escalations answers Query.escalations, within what the caller may see.
func (r *Resolver) escalations(ctx context.Context, where *model.EscalationWhere, orderBy []*mvpgraph.OrderBy, page store.PageArgs) (*model.EscalationConnection, error) {
	q, err := r.escalationQuery(ctx, where)
	if err != nil {
		return nil, err
	}
	q.OrderBy, q.Page = orderBy, page
	pg, err := r.Store.ListEscalations(ctx, q)
	if err != nil {
		return nil, err
	}
	views, err := r.pageOf(ctx).escalations(ctx, selected(ctx, "edges", "node"), pg.Items)
	if err != nil {
		return nil, err
	}
	c := &model.EscalationConnection{Edges: make([]*model.EscalationEdge, len(pg.Items)), PageInfo: model.NewPageInfo(pg.Cursors, pg.HasNext, pg.HasPrevious),
		Count: func(ctx context.Context) (int, error) { return r.Store.CountEscalations(ctx, q) }}
	for i := range pg.Items {
		c.Edges[i] = &model.EscalationEdge{Cursor: pg.Cursors[i], Node: views[i]}
	}
	return c, nil
}

// escalationGroups answers Query.escalationGroups.
func (r *Resolver) escalationGroups(ctx context.Context, groupBy []model.EscalationDimension, where *model.EscalationWhere) ([]*model.EscalationGroup, error) {
	q, err := r.escalationQuery(ctx, where)
	if err != nil {
		return nil, err
	}
	es, err := r.Store.EscalationsFor(ctx, q)
	if err != nil {
		return nil, err
	}
	now := r.Store.Now()
	type acc struct {
		g          *model.EscalationGroup
		sum        time.Duration
		min, max   time.Duration
		haveAnswer bool
	}
	groups := map[string]*acc{}
	var order []string
	for _, e := range es {
		g := &model.EscalationGroup{}
		key := ""
		for _, d := range groupBy {
			switch d {
			case model.EscalationDimensionLead:
				g.LeadID = &e.LeadID
				key += fmt.Sprint("l", e.LeadID, "|")
			case model.EscalationDimensionStatus:
				st := e.Status
				g.Status = &st
				key += "s" + string(st) + "|"
			case model.EscalationDimensionProductTeam:
				g.ProductTeamID = e.ProductTeamID
				key += fmt.Sprint("t", e.ProductTeamID != nil, valueOr(e.ProductTeamID), "|")
			case model.EscalationDimensionExpertise:
				g.ExpertiseID = &e.ExpertiseID
				key += fmt.Sprint("e", e.ExpertiseID, "|")
			case model.EscalationDimensionMonth:
				m := e.CreatedAt.UTC().Format("2006-01")
				g.Month = &m
				key += "m" + m + "|"
			}
		}
		a, ok := groups[key]
		if !ok {
			a = &acc{g: g}
			groups[key] = a
			order = append(order, key)
		}
		a.g.Count++
		if e.Overdue(now, r.target()) {
			a.g.Overdue++
		}
		if d := e.TimeToAnswer(); d != nil {
			a.g.Answered++
			a.sum += *d
			if !a.haveAnswer || *d < a.min {
				a.min = *d
			}
			if !a.haveAnswer || *d > a.max {
				a.max = *d
			}
			a.haveAnswer = true
		}
	}
	sort.Strings(order)
	out := make([]*model.EscalationGroup, 0, len(order))
	for _, k := range order {
		a := groups[k]
		if a.haveAnswer {
			avg := a.sum / time.Duration(a.g.Answered)
			a.g.AverageTimeToAnswerSeconds, a.g.MinTimeToAnswerSeconds, a.g.MaxTimeToAnswerSeconds = seconds(&avg), seconds(&a.min), seconds(&a.max)
		}
		out = append(out, a.g)
	}
	return out, nil
}

func valueOr(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// escalationStats answers Lead.escalationStats, within what the caller may
// see, as escalations(where: {leadId}) does: a lead its own only (another
// lead's is FORBIDDEN), a product team those escalated to it.
func (r *Resolver) escalationStats(ctx context.Context, l *mvpgraph.Lead) (*model.EscalationStats, error) {
	p := mvpgraph.PrincipalFrom(ctx)
	if p.Role == mvpgraph.RoleLead && (p.LeadID == nil || *p.LeadID != l.ID) {
		return nil, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a lead sees the statistics of the escalations routed to them only.")
	}
	st, err := loaders(ctx).escalationStatsOf(r.target(), p).Load(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	out := &model.EscalationStats{Open: st.Open, Escalated: st.Escalated, Answered: st.Answered, Closed: st.Closed, Overdue: st.Overdue}
	if st.AverageTimeToAnswer != nil {
		secs := int64(*st.AverageTimeToAnswer / time.Second)
		out.AverageTimeToAnswerSeconds = &secs
	}
	return out, nil
}

// escalationStatsOf returns the loader of escalation statistics, of the
// escalations escalated to p's team when p is a product team's.
func (l *Loaders) escalationStatsOf(target time.Duration, p mvpgraph.Principal) *dataloadgen.Loader[int64, store.EscalationStats] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.escStats == nil {
		var team *int64
		if p.Role == mvpgraph.RoleProductTeam {
			team = p.ProductTeamID
			if team == nil {
				team = ptr(int64(0)) // no team: none of the escalations
			}
		}
		l.escStats = newLoader(orEmpty(func(ctx context.Context, ids []int64) (map[int64]store.EscalationStats, error) {
			return l.store.EscalationStatsOfTeam(ctx, ids, team, target)
		}))
	}
	return l.escStats
}

// escalationUpdated sends each escalation of a lead's as it changes.
// Subscribers of one lead's escalations share one poll.
func (r *Resolver) escalationUpdated(ctx context.Context, gid string) (<-chan *model.Escalation, error) {
	leadID, err := mvpgraph.ParseID("leadId", typeLead, gid)
	if err != nil {
		return nil, err
	}
	p := mvpgraph.PrincipalFrom(ctx)
	if p.Role == mvpgraph.RoleLead && *p.LeadID != leadID {
		return nil, mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a lead follows the escalations routed to them only.")
	}
	since := r.Store.Now()
	newLook := func(context.Context) (look[mvpgraph.Escalation], error) {
		after := since
		return func(ctx context.Context) ([]mvpgraph.Escalation, error) {
			page, err := r.Store.ListEscalations(ctx, store.EscalationQuery{LeadID: &leadID, UpdatedAfter: &after,
				OrderBy: []*mvpgraph.OrderBy{{Field: "UPDATED_AT", Direction: mvpgraph.Asc}}, Page: store.PageArgs{First: ptr(store.MaxPageSize)}})
			if err != nil {
				return nil, err
			}
			if n := len(page.Items); n > 0 {
				after = page.Items[n-1].UpdatedAt
			}
			return page.Items, nil
		}, nil
	}
	f, err := r.escalationWatches.follow(ctx, leadID, r.poll(), newLook, latestByID)
	if err != nil {
		return nil, err
	}
	sel := selected(ctx)
	ch := make(chan *model.Escalation, 8)
	go func() {
		defer close(ch)
		for {
			found, ok := f.next(ctx)
			if !ok {
				return
			}
			for _, e := range found {
				if !e.UpdatedAt.After(since) {
					continue // changed before this subscriber came
				}
				since = e.UpdatedAt
				view, err := r.pageOf(ctx).escalation(ctx, sel, e)
				if err != nil {
					continue
				}
				if !send(ctx, ch, view) {
					return
				}
			}
		}
	}()
	return ch, nil
}

// latestByID folds escalations found by a poll into those a subscriber has
// not taken yet: each escalation once, as it was last found, in the order
// of their changes.
func latestByID(pending, found []mvpgraph.Escalation) []mvpgraph.Escalation {
	out := make([]mvpgraph.Escalation, 0, len(pending)+len(found))
	newer := map[int64]bool{}
	for _, e := range found {
		newer[e.ID] = true
	}
	for _, e := range pending {
		if !newer[e.ID] {
			out = append(out, e)
		}
	}
	return append(out, found...)
}

func ptr[T any](v T) *T { return &v }
