package resolvers

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/sync/errgroup"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// A page's data is loaded before gqlgen writes it: a resolver that lists
// members (or awards, expertises, accounts) wraps them in their view
// types (graph/model/view.go) and loads what the query selects below
// them, for the whole list at once, one statement per kind of child and
// level, into the views' struct fields. gqlgen then writes those fields
// inline: no resolver, goroutine or loader round trip per element, and a
// statement count that depends on the query's shape, not on the page's
// size.
//
// Edges reached outside a page (an escalation's member, a lead's
// expertises) go through loaders keyed by the field's selection
// (viewLoader): siblings waiting on the same field, such as the members of
// a page of escalations, are loaded and filled in one batch.

// Types whose fragments apply to each view.
var (
	memberTypes      = []string{"Member", "Node"}
	awardTypes       = []string{"Award", "Node"}
	expertiseTypes   = []string{"Expertise", "Node"}
	accountTypes     = []string{"SocialAccount", "Node"}
	memberReachTypes = []string{"MemberReach"}
)

// page loads what a query selects below lists of views.
type page struct {
	r  *Resolver
	oc *graphql.OperationContext
}

// pageOf returns the page loader of ctx's request.
func (r *Resolver) pageOf(ctx context.Context) page {
	return page{r: r, oc: graphql.GetOperationContext(ctx)}
}

// fields groups the fields sel selects of an object of one of types by
// name, each with every place it is selected (aliases, fragments).
func (p page) fields(sel ast.SelectionSet, types []string) map[string][]graphql.CollectedField {
	if p.oc == nil || len(sel) == 0 {
		return nil
	}
	out := map[string][]graphql.CollectedField{}
	for _, f := range graphql.CollectFields(p.oc, sel, types) {
		out[f.Name] = append(out[f.Name], f)
	}
	return out
}

// below is what the places a field is selected select below it, together.
func below(fs []graphql.CollectedField) ast.SelectionSet {
	if len(fs) == 1 {
		return fs[0].Selections
	}
	var out ast.SelectionSet
	for _, f := range fs {
		out = append(out, f.Selections...)
	}
	return out
}

// selected returns the selection below the current field, and below it
// through path (for a connection, "edges", "node").
func selected(ctx context.Context, path ...string) ast.SelectionSet {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	return within(ctx, fc.Field.Selections, path...)
}

// within returns what sel selects through path, fragments followed.
func within(ctx context.Context, sel ast.SelectionSet, path ...string) ast.SelectionSet {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil {
		return nil
	}
	for _, name := range path {
		var next ast.SelectionSet
		for _, f := range graphql.CollectFields(oc, sel, nil) {
			if f.Name == name {
				next = append(next, f.Selections...)
			}
		}
		sel = next
	}
	return sel
}

// argument is the value of a field's argument as the query gives it,
// variables and defaults applied.
func (p page) argument(f graphql.CollectedField, name string) any {
	var vars map[string]any
	if p.oc != nil {
		vars = p.oc.Variables
	}
	return f.ArgumentMap(vars)[name]
}

// members wraps ms and loads what sel selects below them.
func (p page) members(ctx context.Context, sel ast.SelectionSet, ms []mvpgraph.Member) ([]*model.Member, error) {
	out := make([]*model.Member, len(ms))
	for i := range ms {
		out[i] = &model.Member{Member: ms[i]}
	}
	return out, p.fillMembers(ctx, sel, out)
}

// member wraps m and loads what sel selects below it.
func (p page) member(ctx context.Context, sel ast.SelectionSet, m mvpgraph.Member) (*model.Member, error) {
	out, err := p.members(ctx, sel, []mvpgraph.Member{m})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (p page) fillMembers(ctx context.Context, sel ast.SelectionSet, ms []*model.Member) error {
	f := p.fields(sel, memberTypes)
	if len(f) == 0 || len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	byID := make(map[int64]mvpgraph.Member, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		byID[m.ID] = m.Member
	}
	s := p.r.Store
	g, ctx := errgroup.WithContext(ctx)
	if awards, ok := f["awards"]; ok {
		g.Go(func() error {
			rows, err := s.AwardsOfMembers(ctx, ids)
			if err != nil {
				return err
			}
			var all []*model.Award
			for _, m := range ms {
				m.Awards = make([]*model.Award, len(rows[m.ID]))
				for i, a := range rows[m.ID] {
					m.Awards[i] = &model.Award{Award: a}
				}
				all = append(all, m.Awards...)
			}
			return p.fillAwards(ctx, below(awards), all, byID)
		})
	}
	_, wantLeads := f["leads"]
	if !wantLeads && (f["email"] != nil || f["employer"] != nil) && mvpgraph.PrincipalFrom(ctx).Role == mvpgraph.RoleLead {
		// A lead sees personal data of the lead's own MVPs only (@personal).
		wantLeads = true
	}
	if wantLeads {
		g.Go(func() error {
			rows, err := s.LeadsOfMembers(ctx, ids)
			if err != nil {
				return err
			}
			for _, m := range ms {
				m.Leads = make([]*model.Lead, len(rows[m.ID]))
				m.LeadIDs = make([]int64, len(rows[m.ID]))
				for i, l := range rows[m.ID] {
					m.Leads[i] = &model.Lead{Lead: l}
					m.LeadIDs[i] = l.ID
				}
				m.LeadsKnown = true
			}
			return nil
		})
	}
	accounts, wantAccounts := f["socialAccounts"]
	reach, wantReach := f["reach"]
	if wantAccounts || wantReach {
		g.Go(func() error {
			rows, err := s.SocialAccountsOfMembers(ctx, ids)
			if err != nil {
				return err
			}
			var all []*model.SocialAccount
			for _, m := range ms {
				list := rows[m.ID]
				m.SocialAccounts = p.accounts(list)
				all = append(all, m.SocialAccounts...)
				if wantReach {
					m.Reach = p.r.memberReach(list)
				}
			}
			g2, ctx := errgroup.WithContext(ctx)
			if wantAccounts {
				g2.Go(func() error { return p.fillAccounts(ctx, below(accounts), all, byID) })
			}
			if wantReach {
				g2.Go(func() error { return p.fillReach(ctx, below(reach), ms) })
			}
			return g2.Wait()
		})
	}
	return g.Wait()
}

// fillReach loads the growth of each window sel asks of the members'
// reach.
func (p page) fillReach(ctx context.Context, sel ast.SelectionSet, ms []*model.Member) error {
	growth := p.fields(sel, memberReachTypes)["growth"]
	if len(growth) == 0 {
		return nil
	}
	var accountIDs []int64
	for _, m := range ms {
		accountIDs = append(accountIDs, m.Reach.AccountIDs...)
	}
	for _, f := range growth {
		days := model.DefaultGrowthDays
		if v, ok := p.argument(f, "days").(int64); ok {
			days = int(v)
		}
		if _, done := ms[0].Reach.Growths[days]; done {
			continue
		}
		var rows map[int64]int64
		since, invalid := p.r.sinceDay("days", &days)
		if invalid == nil && len(accountIDs) > 0 {
			var err error
			if rows, err = p.r.Store.FollowerGrowth(ctx, accountIDs, since); err != nil {
				return err
			}
		}
		g := model.Growth{Err: invalid}
		for _, m := range ms {
			if m.Reach.Growths == nil {
				m.Reach.Growths = map[int]model.Growth{}
			}
			mg := g
			for _, id := range m.Reach.AccountIDs {
				mg.Followers += rows[id]
			}
			m.Reach.Growths[days] = mg
		}
	}
	return nil
}

// accounts wraps a member's accounts with their staleness.
func (p page) accounts(list []mvpgraph.SocialAccount) []*model.SocialAccount {
	out := make([]*model.SocialAccount, len(list))
	for i := range list {
		out[i] = &model.SocialAccount{SocialAccount: list[i], Staleness: p.r.staleness(&list[i])}
	}
	return out
}

// fillAccounts loads what sel selects below accounts: their histories
// and members. known holds members already read, by ID.
func (p page) fillAccounts(ctx context.Context, sel ast.SelectionSet, as []*model.SocialAccount, known map[int64]mvpgraph.Member) error {
	f := p.fields(sel, accountTypes)
	if len(f) == 0 || len(as) == 0 {
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	if history, ok := f["history"]; ok {
		g.Go(func() error { return p.fillHistory(ctx, history, as) })
	}
	if member, ok := f["member"]; ok {
		g.Go(func() error {
			ids := make([]int64, len(as))
			for i, a := range as {
				ids[i] = a.MemberID
			}
			members, err := p.membersByID(ctx, below(member), ids, known)
			if err != nil {
				return err
			}
			for _, a := range as {
				a.Member = members[a.MemberID]
			}
			return nil
		})
	}
	return g.Wait()
}

// fillHistory loads each window the query asks of the accounts' history.
func (p page) fillHistory(ctx context.Context, history []graphql.CollectedField, as []*model.SocialAccount) error {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
		a.Histories = map[model.HistoryArgs]model.History{}
	}
	for _, f := range history {
		key, ok := p.historyArgs(f)
		if !ok {
			// An argument gqlgen cannot read: the field reports it.
			continue
		}
		if _, done := as[0].Histories[key]; done {
			continue
		}
		from, to, err := p.r.historyWindow(key)
		if err != nil {
			for _, a := range as {
				a.Histories[key] = model.History{Err: err}
			}
			continue
		}
		rows, err := p.r.Store.SnapshotsOf(ctx, ids, store.Day(from), store.Day(to))
		if err != nil {
			return err
		}
		for _, a := range as {
			a.Histories[key] = model.History{Points: ptrs(mvpgraph.Thin(rows[a.ID], key.Interval))}
		}
	}
	return nil
}

// historyArgs reads the arguments of one place history is selected, as
// gqlgen reads them for the field.
func (p page) historyArgs(f graphql.CollectedField) (model.HistoryArgs, bool) {
	var from, to *time.Time
	for _, b := range []struct {
		name string
		t    **time.Time
	}{{"from", &from}, {"to", &to}} {
		v := p.argument(f, b.name)
		if v == nil {
			continue
		}
		t, err := graphql.UnmarshalTime(v)
		if err != nil {
			return model.HistoryArgs{}, false
		}
		*b.t = &t
	}
	var interval *mvpgraph.HistoryInterval
	if v := p.argument(f, "interval"); v != nil {
		s, _ := v.(string)
		i := mvpgraph.HistoryInterval(s)
		if !i.Valid() {
			return model.HistoryArgs{}, false
		}
		interval = &i
	}
	return model.NewHistoryArgs(from, to, interval), true
}

// membersByID reads the members of ids not in known, wraps them once each
// and loads what sel selects below them.
func (p page) membersByID(ctx context.Context, sel ast.SelectionSet, ids []int64, known map[int64]mvpgraph.Member) (map[int64]*model.Member, error) {
	var rows []mvpgraph.Member
	var missing []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if m, ok := known[id]; ok {
			rows = append(rows, m)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		read, err := p.r.Store.MembersByIDs(ctx, missing)
		if err != nil {
			return nil, err
		}
		rows = append(rows, read...)
	}
	views, err := p.members(ctx, sel, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*model.Member, len(views))
	for _, v := range views {
		out[v.ID] = v
	}
	return out, nil
}

// fillAwards loads what sel selects below awards: their expertises and
// members. known holds members already read, by ID.
func (p page) fillAwards(ctx context.Context, sel ast.SelectionSet, as []*model.Award, known map[int64]mvpgraph.Member) error {
	f := p.fields(sel, awardTypes)
	if len(f) == 0 || len(as) == 0 {
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	if expertise, ok := f["expertise"]; ok {
		g.Go(func() error {
			ids := make([]int64, len(as))
			for i, a := range as {
				ids[i] = a.ExpertiseID
			}
			es, err := p.expertisesByID(ctx, below(expertise), ids)
			if err != nil {
				return err
			}
			for _, a := range as {
				a.Expertise = es[a.ExpertiseID]
			}
			return nil
		})
	}
	if member, ok := f["member"]; ok {
		g.Go(func() error {
			ids := make([]int64, len(as))
			for i, a := range as {
				ids[i] = a.MemberID
			}
			members, err := p.membersByID(ctx, below(member), ids, known)
			if err != nil {
				return err
			}
			for _, a := range as {
				a.Member = members[a.MemberID]
			}
			return nil
		})
	}
	if _, ok := f["events"]; ok && mvpgraph.PrincipalFrom(ctx).Allow(mvpgraph.RoleAdmin, mvpgraph.RoleLead) == nil {
		g.Go(func() error {
			ids := make([]int64, len(as))
			for i, a := range as {
				ids[i] = a.ID
			}
			rows, err := p.r.Store.AwardEvents(ctx, distinct(ids))
			if err != nil {
				return err
			}
			for _, a := range as {
				a.Events = make([]*model.AwardEvent, len(rows[a.ID]))
				for i, e := range rows[a.ID] {
					a.Events[i] = &model.AwardEvent{AwardEvent: e}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// awards wraps as and loads what sel selects below them.
func (p page) awards(ctx context.Context, sel ast.SelectionSet, as []mvpgraph.Award) ([]*model.Award, error) {
	out := make([]*model.Award, len(as))
	for i := range as {
		out[i] = &model.Award{Award: as[i]}
	}
	return out, p.fillAwards(ctx, sel, out, nil)
}

// expertisesByID reads the expertises of ids, wraps them once each and
// loads what sel selects below them.
func (p page) expertisesByID(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]*model.Expertise, error) {
	rows, err := p.r.Store.ExpertisesByIDs(ctx, distinct(ids))
	if err != nil {
		return nil, err
	}
	views, err := p.expertises(ctx, sel, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*model.Expertise, len(views))
	for _, v := range views {
		out[v.ID] = v
	}
	return out, nil
}

// expertises wraps es and loads what sel selects below them.
func (p page) expertises(ctx context.Context, sel ast.SelectionSet, es []mvpgraph.Expertise) ([]*model.Expertise, error) {
	out := make([]*model.Expertise, len(es))
	for i := range es {
		out[i] = &model.Expertise{Expertise: es[i]}
	}
	return out, p.fillExpertises(ctx, sel, out)
}

func (p page) fillExpertises(ctx context.Context, sel ast.SelectionSet, es []*model.Expertise) error {
	f := p.fields(sel, expertiseTypes)
	if len(f) == 0 || len(es) == 0 {
		return nil
	}
	s := p.r.Store
	ids := make([]int64, len(es))
	var teamIDs []int64
	for i, e := range es {
		ids[i] = e.ID
		if e.ProductTeamID != nil {
			teamIDs = append(teamIDs, *e.ProductTeamID)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	if _, ok := f["productTeam"]; ok && len(teamIDs) > 0 {
		g.Go(func() error {
			teams, err := s.ProductTeamsByIDs(ctx, distinct(teamIDs))
			if err != nil {
				return err
			}
			byID := make(map[int64]*model.ProductTeam, len(teams))
			for _, t := range teams {
				byID[t.ID] = &model.ProductTeam{ProductTeam: t}
			}
			for _, e := range es {
				if e.ProductTeamID != nil {
					e.ProductTeam = byID[*e.ProductTeamID]
				}
			}
			return nil
		})
	}
	if _, ok := f["usLead"]; ok {
		g.Go(func() error {
			leads, err := s.USLeadsOfExpertises(ctx, distinct(ids))
			if err != nil {
				return err
			}
			for _, e := range es {
				if l, ok := leads[e.ID]; ok {
					e.UsLead = &model.Lead{Lead: l}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// distinct returns ids without repeats, in their first order.
func distinct(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Simple views: objects with nothing loaded below them.

func leadViews(ls []mvpgraph.Lead) []*model.Lead {
	out := make([]*model.Lead, len(ls))
	for i := range ls {
		out[i] = &model.Lead{Lead: ls[i]}
	}
	return out
}

func teamViews(ts []mvpgraph.ProductTeam) []*model.ProductTeam {
	out := make([]*model.ProductTeam, len(ts))
	for i := range ts {
		out[i] = &model.ProductTeam{ProductTeam: ts[i]}
	}
	return out
}

func contactViews(cs []mvpgraph.Contact) []*model.Contact {
	out := make([]*model.Contact, len(cs))
	for i := range cs {
		out[i] = &model.Contact{Contact: cs[i]}
	}
	return out
}

// escalationView wraps e with whether it is overdue now.
func (r *Resolver) escalationView(e mvpgraph.Escalation) *model.Escalation {
	return &model.Escalation{Escalation: e, Overdue: e.Overdue(r.Store.Now(), r.target())}
}

// memberByID is the member of id, read through the loader of the field
// being resolved with what the field selects below it.
func (r *Resolver) memberByID(ctx context.Context, id int64) (*model.Member, error) {
	return viewLoader(ctx, "member", func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]*model.Member, error) {
		return r.pageOf(ctx).membersByID(ctx, sel, ids, nil)
	}).Load(ctx, id)
}

// expertiseByID is the expertise of id, read as memberByID reads a member.
func (r *Resolver) expertiseByID(ctx context.Context, id int64) (*model.Expertise, error) {
	return viewLoader(ctx, "expertise", func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64]*model.Expertise, error) {
		return r.pageOf(ctx).expertisesByID(ctx, sel, ids)
	}).Load(ctx, id)
}

// expertisesOf is the expertises of a parent (a lead, a team, a space),
// read by read for a batch of parents, with what the field selects below
// them.
func (r *Resolver) expertisesOf(ctx context.Context, edge string, read func(context.Context, []int64) (map[int64][]mvpgraph.Expertise, error), id int64) ([]*model.Expertise, error) {
	return viewLoader(ctx, edge, func(ctx context.Context, sel ast.SelectionSet, ids []int64) (map[int64][]*model.Expertise, error) {
		rows, err := read(ctx, ids)
		if err != nil {
			return nil, err
		}
		var all []mvpgraph.Expertise
		for _, id := range ids {
			all = append(all, rows[id]...)
		}
		views, err := r.pageOf(ctx).expertises(ctx, sel, all)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]*model.Expertise, len(ids))
		for _, id := range ids {
			n := len(rows[id])
			out[id] = views[:n:n]
			views = views[n:]
		}
		return out, nil
	}).Load(ctx, id)
}

// award wraps a and loads what sel selects below it.
func (p page) award(ctx context.Context, sel ast.SelectionSet, a mvpgraph.Award) (*model.Award, error) {
	out, err := p.awards(ctx, sel, []mvpgraph.Award{a})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// expertise wraps e and loads what sel selects below it.
func (p page) expertise(ctx context.Context, sel ast.SelectionSet, e mvpgraph.Expertise) (*model.Expertise, error) {
	out, err := p.expertises(ctx, sel, []mvpgraph.Expertise{e})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// account wraps a and loads what sel selects below it.
func (p page) account(ctx context.Context, sel ast.SelectionSet, a mvpgraph.SocialAccount) (*model.SocialAccount, error) {
	out := p.accounts([]mvpgraph.SocialAccount{a})
	return out[0], p.fillAccounts(ctx, sel, out, nil)
}

// escalations wraps es, with whether each is overdue now, and loads what
// sel selects below them.
func (p page) escalations(ctx context.Context, sel ast.SelectionSet, es []mvpgraph.Escalation) ([]*model.Escalation, error) {
	out := make([]*model.Escalation, len(es))
	for i := range es {
		out[i] = p.r.escalationView(es[i])
	}
	f := p.fields(sel, []string{"Escalation", "Node"})
	if len(f) == 0 || len(es) == 0 {
		return out, nil
	}
	s := p.r.Store
	ids := func(id func(e *model.Escalation) *int64) []int64 {
		var out2 []int64
		for _, e := range out {
			if v := id(e); v != nil {
				out2 = append(out2, *v)
			}
		}
		return distinct(out2)
	}
	g, ctx := errgroup.WithContext(ctx)
	if member, ok := f["member"]; ok {
		g.Go(func() error {
			ms, err := p.membersByID(ctx, below(member), ids(func(e *model.Escalation) *int64 { return &e.MemberID }), nil)
			for _, e := range out {
				e.Member = ms[e.MemberID]
			}
			return err
		})
	}
	if expertise, ok := f["expertise"]; ok {
		g.Go(func() error {
			xs, err := p.expertisesByID(ctx, below(expertise), ids(func(e *model.Escalation) *int64 { return &e.ExpertiseID }))
			for _, e := range out {
				e.Expertise = xs[e.ExpertiseID]
			}
			return err
		})
	}
	if _, ok := f["lead"]; ok {
		g.Go(func() error {
			return attach(ctx, s.LeadsByIDs, leadViews, func(l *model.Lead) int64 { return l.ID }, ids(func(e *model.Escalation) *int64 { return &e.LeadID }), out,
				func(e *model.Escalation) *int64 { return &e.LeadID }, func(e *model.Escalation, l *model.Lead) { e.Lead = l })
		})
	}
	if contacts := ids(func(e *model.Escalation) *int64 { return e.ContactID }); f["contact"] != nil && len(contacts) > 0 {
		g.Go(func() error {
			return attach(ctx, s.ContactsByIDs, contactViews, func(c *model.Contact) int64 { return c.ID }, contacts, out,
				func(e *model.Escalation) *int64 { return e.ContactID }, func(e *model.Escalation, c *model.Contact) { e.Contact = c })
		})
	}
	if teams := ids(func(e *model.Escalation) *int64 { return e.ProductTeamID }); f["productTeam"] != nil && len(teams) > 0 {
		g.Go(func() error {
			return attach(ctx, s.ProductTeamsByIDs, teamViews, func(t *model.ProductTeam) int64 { return t.ID }, teams, out,
				func(e *model.Escalation) *int64 { return e.ProductTeamID }, func(e *model.Escalation, t *model.ProductTeam) { e.ProductTeam = t })
		})
	}
	if _, ok := f["events"]; ok {
		g.Go(func() error {
			rows, err := s.EscalationEvents(ctx, ids(func(e *model.Escalation) *int64 { return &e.ID }))
			for _, e := range out {
				e.Events = make([]*model.EscalationEvent, len(rows[e.ID]))
				for i, ev := range rows[e.ID] {
					e.Events[i] = &model.EscalationEvent{EscalationEvent: ev}
				}
			}
			return err
		})
	}
	return out, g.Wait()
}

// escalation wraps e and loads what sel selects below it.
func (p page) escalation(ctx context.Context, sel ast.SelectionSet, e mvpgraph.Escalation) (*model.Escalation, error) {
	out, err := p.escalations(ctx, sel, []mvpgraph.Escalation{e})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// attach reads the rows of ids in one statement, wraps them as views and
// gives each parent the view its key names (none for a nil key).
func attach[P, R, V any](ctx context.Context, read func(context.Context, []int64) ([]R, error), wrap func([]R) []V, id func(V) int64,
	ids []int64, parents []P, key func(P) *int64, set func(P, V)) error {
	rows, err := read(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[int64]V{}
	for _, v := range wrap(rows) {
		byID[id(v)] = v
	}
	for _, p := range parents {
		if k := key(p); k != nil {
			set(p, byID[*k])
		}
	}
	return nil
}
