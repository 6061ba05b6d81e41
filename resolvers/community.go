package resolvers

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"mvpgraph"
	"mvpgraph/graph/model"
	"mvpgraph/importer"
	"mvpgraph/store"
)

const typeCommunitySpace = "CommunitySpace"

// maxImportBytes bounds importActivities; files go through the command.
const maxImportBytes = 1 << 20

// maxTrendSpan bounds a trends period.
const maxTrendSpan = 5 * 366 * 24 * time.Hour

// communityTrends answers Query.communityTrends.
func (r *Resolver) communityTrends(ctx context.Context, expertiseGID string, from, to time.Time, bucket *model.TrendBucket) (*model.CommunityTrends, error) {
	expertiseID, err := mvpgraph.ParseID("expertiseId", typeExpertise, expertiseGID)
	if err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, mvpgraph.Invalidf("to", "to (%s) must be after from (%s).", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	if to.Sub(from) > maxTrendSpan {
		return nil, mvpgraph.Invalidf("from", "a period spans at most five years.")
	}
	q := struct {
		Expertise int64
		From, To  time.Time
	}{expertiseID, from.UTC(), to.UTC()}
	tc, err := r.trends.get(ctx, r.AnalyticsTTL, q, func(c context.Context) (trendCounts, error) {
		counts, days, err := r.Store.SpaceActivity(c, q.Expertise, q.From, q.To)
		return trendCounts{counts, days}, err
	})
	if err != nil {
		return nil, err
	}
	counts, days := tc.counts, tc.days
	ranked, c := mvpgraph.RankSpaces(counts)
	out := &model.CommunityTrends{
		Spaces:        []*model.SpaceTrend{},
		Concentration: &model.Concentration{SpacesFor50: c.SpacesFor50, SpacesFor80: c.SpacesFor80, Top5Share: c.Top5Share, Hhi: c.HHI},
		Series:        []*model.TrendPoint{},
	}
	for _, t := range ranked {
		out.Total += t.Count
		out.Spaces = append(out.Spaces, &model.SpaceTrend{
			Space: &model.CommunitySpace{CommunitySpace: mvpgraph.CommunitySpace{ID: t.SpaceID, Name: t.Name, Kind: t.Kind}}, Count: t.Count, Share: t.Share,
			CumulativeShare: t.CumulativeShare, Contributors: t.Contributors, PreviousCount: t.Previous, Growth: t.Growth,
		})
	}
	byMonth := bucket != nil && *bucket == model.TrendBucketMonth
	for _, b := range mvpgraph.BucketDays(days, from.UTC(), to.UTC(), byMonth) {
		out.Series = append(out.Series, &model.TrendPoint{Start: b.Start, Count: b.Count})
	}
	return out, r.fillNeeds(ctx, out, expertiseID, q.From, q.To)
}

// createSpace answers Mutation.createCommunitySpace.
func (r *Resolver) createSpace(ctx context.Context, in model.CreateCommunitySpaceInput) (*model.CreateCommunitySpacePayload, error) {
	var ids []int64
	for i, gid := range in.ExpertiseIds {
		id, err := mvpgraph.ParseID(fmt.Sprintf("expertiseIds[%d]", i), typeExpertise, gid)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	sp := mvpgraph.CommunitySpace{Name: in.Name, Kind: mvpgraph.SpaceKind(in.Kind), URL: in.URL, FeedURL: in.FeedURL, StackExchangeTag: in.StackExchangeTag}
	if err := r.Store.CreateSpace(ctx, &sp, ids); err != nil {
		return nil, err
	}
	return &model.CreateCommunitySpacePayload{CommunitySpace: &model.CommunitySpace{CommunitySpace: sp}}, nil
}

// importActivities answers Mutation.importActivities.
func (r *Resolver) importActivities(ctx context.Context, in model.ImportActivitiesInput) (*model.ImportActivitiesPayload, error) {
	if len(in.Data) > maxImportBytes {
		return nil, mvpgraph.Invalidf("data", "data is over %d bytes; import larger files with mvpgraph import activities.", maxImportBytes)
	}
	rows, bad, err := importer.Activities(strings.NewReader(in.Data), string(in.Format))
	if err != nil {
		return nil, err
	}
	by := store.Importer{Actor: mvpgraph.PrincipalFrom(ctx)}
	if by.Actor.Role == mvpgraph.RoleLead {
		by.LeadID = by.Actor.LeadID
	}
	res, err := r.Store.ImportActivities(ctx, rows, bad, in.AllOrNothing != nil && *in.AllOrNothing, by)
	if err != nil {
		return nil, err
	}
	out := &model.ImportActivitiesPayload{Imported: res.Imported, Duplicates: res.Duplicates, Rejected: ptrs(res.Rejected)}
	if out.Rejected == nil {
		out.Rejected = []*mvpgraph.RowError{}
	}
	return out, nil
}

// awardCandidates answers Query.awardCandidates.
func (r *Resolver) awardCandidates(ctx context.Context, expertiseGID string, country *string, from, to time.Time, first *int) ([]*model.AwardCandidate, error) {
	expertiseID, err := mvpgraph.ParseID("expertiseId", typeExpertise, expertiseGID)
	if err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, mvpgraph.Invalidf("to", "to (%s) must be after from (%s).", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	n, _, err := store.PageArgs{First: first}.Size()
	if err != nil {
		return nil, err
	}
	weights := r.KindWeights
	if weights == nil {
		weights = mvpgraph.DefaultKindWeights
	}
	firstAnswer := mvpgraph.DefaultFirstAnswerWeight
	if r.FirstAnswerWeight != nil {
		firstAnswer = *r.FirstAnswerWeight
	}
	cands, err := r.Store.AwardCandidates(ctx, store.CandidateQuery{ExpertiseID: expertiseID, Country: country, From: from.UTC(), To: to.UTC(), Weights: weights,
		FirstAnswerWeight: firstAnswer, Limit: n})
	if err != nil {
		return nil, err
	}
	var memberIDs, personIDs, identityIDs []int64
	for _, c := range cands {
		if c.MemberID != nil {
			memberIDs = append(memberIDs, *c.MemberID)
		}
		personIDs = append(personIDs, c.PersonID)
		for _, id := range c.Identities {
			identityIDs = append(identityIDs, id.IdentityID)
		}
	}
	var members map[int64]*model.Member
	if sel := selected(ctx, "member"); len(sel) > 0 && len(memberIDs) > 0 {
		if members, err = r.pageOf(ctx).membersByID(ctx, sel, memberIDs, nil); err != nil {
			return nil, err
		}
	}
	// The identities, their handles included, in one statement.
	identities := map[int64]*model.Identity{}
	if len(identityIDs) > 0 {
		rows, err := r.Store.IdentitiesByIDs(ctx, identityIDs)
		if err != nil {
			return nil, err
		}
		list := make([]*model.Identity, 0, len(rows))
		for _, id := range rows {
			v := &model.Identity{Identity: id}
			identities[id.ID], list = v, append(list, v)
		}
		if err := r.fillIdentities(ctx, selected(ctx, "identities", "identity"), list); err != nil {
			return nil, err
		}
	}
	nominations := map[int64]mvpgraph.Nomination{}
	if len(selected(ctx, "nomination")) > 0 && len(personIDs) > 0 {
		if nominations, err = r.Store.OpenNominations(ctx, personIDs, expertiseID); err != nil {
			return nil, err
		}
	}
	viewer := mvpgraph.PrincipalFrom(ctx)
	out := make([]*model.AwardCandidate, len(cands))
	for i, c := range cands {
		ac := &model.AwardCandidate{Rank: i + 1, Name: c.Name, Score: c.Score, BestItems: make([]*model.CandidateItem, len(c.Best)),
			FirstAnswers: c.FirstAnswers, MedianFirstAnswerSeconds: mvpgraph.NeedsMet{Median: c.FirstAnswerMedian}.MedianFirstAnswerSeconds(),
			Person: &model.Person{Person: mvpgraph.Person{ID: c.PersonID, Name: c.Name, MemberID: c.MemberID}}, Identities: []*model.CandidateIdentity{}}
		for j, it := range c.Best {
			ac.BestItems[j] = &model.CandidateItem{CandidateItem: it}
		}
		if c.MemberID != nil {
			ac.Member = members[*c.MemberID]
		}
		for _, id := range c.Identities {
			if v := identities[id.IdentityID]; v != nil {
				ac.Identities = append(ac.Identities, &model.CandidateIdentity{Identity: v, Count: id.Count, Score: id.Score})
			}
		}
		if len(ac.Identities) > 0 {
			ac.Handle = ac.Identities[0].Identity.Handle
		}
		if n, ok := nominations[c.PersonID]; ok && mayReadNomination(viewer, n) {
			ac.Nomination = &model.Nomination{Nomination: n}
		}
		for _, k := range mvpgraph.ActivityKinds {
			if c.ByKind[k] > 0 {
				ac.CountsByKind = append(ac.CountsByKind, &model.KindCount{Kind: string(k), Count: c.ByKind[k]})
			}
		}
		for name, count := range c.BySpace {
			ac.TopSpaces = append(ac.TopSpaces, &model.NamedCount{Name: name, Count: count})
		}
		sort.Slice(ac.TopSpaces, func(i, j int) bool {
			if ac.TopSpaces[i].Count != ac.TopSpaces[j].Count {
				return ac.TopSpaces[i].Count > ac.TopSpaces[j].Count
			}
			return ac.TopSpaces[i].Name < ac.TopSpaces[j].Name
		})
		out[i] = ac
	}
	return out, nil
}

// maxActivityGroups bounds the groups of one activityStats answer: by
// space and day, a year of 800 spaces would be 292,000 groups, hundreds
// of megabytes to build and send.
const maxActivityGroups = 10_000

// activityStats answers Query.activityStats.
func (r *Resolver) activityStats(ctx context.Context, groupBy []model.ActivityDimension, where *model.ActivityWhere) ([]*mvpgraph.ActivityGroup, error) {
	q := store.ActivityStatsQuery{MaxGroups: maxActivityGroups}
	for _, d := range groupBy {
		q.GroupBy = append(q.GroupBy, string(d))
	}
	if where != nil {
		if where.ExpertiseID != nil {
			id, err := mvpgraph.ParseID("where.expertiseId", typeExpertise, *where.ExpertiseID)
			if err != nil {
				return nil, err
			}
			q.ExpertiseID = &id
		}
		if where.SpaceID != nil {
			id, err := mvpgraph.ParseID("where.spaceId", typeCommunitySpace, *where.SpaceID)
			if err != nil {
				return nil, err
			}
			q.SpaceID = &id
		}
		for _, k := range where.Kind {
			q.Kinds = append(q.Kinds, strings.ToUpper(k))
		}
		q.From, q.To = where.From, where.To
	}
	a, err := r.activity.get(ctx, r.AnalyticsTTL, q, func(c context.Context) (activityAnswer, error) {
		groups, from, err := r.Store.ActivityStatsFrom(c, q, true)
		return activityAnswer{groups, from}, err
	})
	if err != nil {
		return nil, err
	}
	answeredFrom(ctx, "activityStats", string(a.from))
	groups := a.groups
	if len(selected(ctx, "needs")) > 0 {
		groups, err = r.activityNeeds(ctx, q, groups)
	}
	return ptrs(groups), err
}

// activityAnswer is activityStats' answer, and what answered it: the
// spaces' months or the items.
type activityAnswer struct {
	groups []mvpgraph.ActivityGroup
	from   store.StatsSource
}

// trendCounts is what communityTrends reads from the store: activity per
// space, and per space and day.
type trendCounts struct {
	counts []mvpgraph.SpaceCount
	days   map[string]int
}
