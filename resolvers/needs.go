package resolvers

import (
	"context"
	"slices"
	"time"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/store"
)

// maxUnansweredHours bounds unansweredQuestions(olderThanHours:).
const maxUnansweredHours = 365 * 24

func (r *Resolver) unansweredAfter() time.Duration {
	if r.UnansweredAfter > 0 {
		return r.UnansweredAfter
	}
	return mvpgraph.DefaultUnansweredAfter
}

// fillNeeds adds to communityTrends how the period's questions were
// answered, in all the spaces and per space, as far as the query asks.
func (r *Resolver) fillNeeds(ctx context.Context, out *model.CommunityTrends, expertiseID int64, from, to time.Time) error {
	q := store.NeedsQuery{ExpertiseID: &expertiseID, From: &from, To: &to, UnansweredAfter: r.unansweredAfter()}
	if len(selected(ctx, "needs")) > 0 {
		total, err := r.Store.Needs(ctx, q)
		if err != nil {
			return err
		}
		out.Needs = &total[0].NeedsMet
	}
	if len(selected(ctx, "spaces", "needs")) > 0 {
		q.GroupBy = []string{"SPACE"}
		groups, err := r.Store.Needs(ctx, q)
		if err != nil {
			return err
		}
		by := map[int64]mvpgraph.NeedsMet{}
		for _, g := range groups {
			by[*g.SpaceID] = g.NeedsMet
		}
		for _, sp := range out.Spaces {
			n := by[sp.Space.ID]
			sp.Needs = &n
		}
	}
	return nil
}

// activityNeeds gives each group of activityStats how its questions were
// answered, with one query grouped as the groups are; a group of another
// kind than QUESTION has none.
func (r *Resolver) activityNeeds(ctx context.Context, q store.ActivityStatsQuery, groups []mvpgraph.ActivityGroup) ([]mvpgraph.ActivityGroup, error) {
	nq := store.NeedsQuery{ExpertiseID: q.ExpertiseID, SpaceID: q.SpaceID, From: q.From, To: q.To, UnansweredAfter: r.unansweredAfter()}
	byKind := false
	for _, d := range q.GroupBy {
		if d == "KIND" {
			byKind = true
			continue
		}
		nq.GroupBy = append(nq.GroupBy, d)
	}
	if q.Kinds != nil && !slices.Contains(q.Kinds, "QUESTION") {
		return groups, nil
	}
	found, err := r.Store.Needs(ctx, nq)
	if err != nil {
		return nil, err
	}
	type key struct {
		space, expertise int64
		month, day       string
	}
	keyOf := func(space, expertise *int64, month, day *string) key {
		var k key
		if space != nil {
			k.space = *space
		}
		if expertise != nil {
			k.expertise = *expertise
		}
		if month != nil {
			k.month = *month
		}
		if day != nil {
			k.day = *day
		}
		return k
	}
	by := map[key]mvpgraph.NeedsMet{}
	for _, f := range found {
		by[keyOf(f.SpaceID, f.ExpertiseID, f.Month, f.Day)] = f.NeedsMet
	}
	// The groups may be shared by a cache: each gets a copy.
	out := make([]mvpgraph.ActivityGroup, len(groups))
	for i, g := range groups {
		out[i] = g
		if byKind && (g.Kind == nil || *g.Kind != "QUESTION") {
			continue
		}
		n := by[keyOf(g.SpaceID, g.ExpertiseID, g.Month, g.Day)]
		out[i].Needs = &n
	}
	return out, nil
}

// unansweredQuestions answers Query.unansweredQuestions.
func (r *Resolver) unansweredQuestions(ctx context.Context, expertiseGID, spaceGID *string, olderThanHours *int, page store.PageArgs) (*model.UnansweredQuestionConnection, error) {
	q := store.UnansweredQuery{OlderThan: r.unansweredAfter(), Page: page}
	if err := parseIDFilters(map[string]idFilter{
		"expertiseId": {expertiseGID, typeExpertise, &q.ExpertiseID},
		"spaceId":     {spaceGID, typeCommunitySpace, &q.SpaceID},
	}); err != nil {
		return nil, err
	}
	if olderThanHours != nil {
		if *olderThanHours < 0 || *olderThanHours > maxUnansweredHours {
			return nil, mvpgraph.Invalidf("olderThanHours", "olderThanHours is 0 to %d; got %d.", maxUnansweredHours, *olderThanHours)
		}
		q.OlderThan = time.Duration(*olderThanHours) * time.Hour
	}
	pg, err := r.Store.UnansweredQuestions(ctx, q)
	if err != nil {
		return nil, err
	}
	now := r.Store.Now()
	c := &model.UnansweredQuestionConnection{Edges: make([]*model.UnansweredQuestionEdge, len(pg.Items)), PageInfo: model.NewPageInfo(pg.Cursors, pg.HasNext, pg.HasPrevious)}
	for i, it := range pg.Items {
		c.Edges[i] = &model.UnansweredQuestionEdge{Cursor: pg.Cursors[i], Node: &model.UnansweredQuestion{ID: it.ID, SpaceID: it.SpaceID, Title: it.Title, URL: it.URL, OccurredAt: it.OccurredAt, Now: now}}
	}
	return c, nil
}
