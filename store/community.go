package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// CreateSpace stores a community space and the expertises discussed there.
func (s *Store) CreateSpace(ctx context.Context, sp *mvpgraph.CommunitySpace, expertiseIDs []int64) error {
	if err := sp.Normalize(); err != nil {
		return err
	}
	sp.CreatedAt = s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for i, id := range expertiseIDs {
			if _, err := s.expertiseByID(ctx, tx, id, fmt.Sprintf("expertiseIds[%d]", i)); err != nil {
				return err
			}
		}
		var err error
		site, platform := mvpgraph.SpaceSite(*sp)
		if sp.ID, err = s.insertID(ctx, tx, s.sb.Insert("community_spaces").Columns("name", "kind", "url", "feed_url", "stack_exchange_tag", "created_at", "site", "platform").
			Values(sp.Name, sp.Kind, sp.URL, sp.FeedURL, sp.StackExchangeTag, sp.CreatedAt, site, platform)); err != nil {
			return err
		}
		for _, id := range expertiseIDs {
			if _, err := s.exec(ctx, tx, s.sb.Insert("space_expertises").Columns("space_id", "expertise_id").Values(sp.ID, id).
				Suffix("ON CONFLICT DO NOTHING")); err != nil {
				return err
			}
		}
		return nil
	})
	return mapError("create space", err)
}

// Importer is who imports activity: its actor is recorded on every row it
// imports, and with LeadID set, it imports only into the spaces of the
// expertises that lead owns (a lead's token).
type Importer struct {
	Actor  mvpgraph.Principal
	LeadID *int64
}

// ImportResult says what an import did.
type ImportResult struct {
	Imported   int                 // new activities stored
	Duplicates int                 // rows already stored before (same space and external ID)
	Rejected   []mvpgraph.RowError // rows refused, with why
}

// importBatch bounds the rows of one INSERT.
const importBatch = 500

// ImportActivities stores the rows whose space (and member, when named)
// exist, idempotently: a row of a space and external ID already stored
// changes nothing. Rows naming an unknown space or member are rejected
// with their line. With allOrNothing, any rejected row stores none.
func (s *Store) ImportActivities(ctx context.Context, rows []mvpgraph.ActivityRow, rejected []mvpgraph.RowError, allOrNothing bool, by Importer) (ImportResult, error) {
	res := ImportResult{Rejected: append([]mvpgraph.RowError(nil), rejected...)}
	spaces, members := map[string]int64{}, map[string]int64{}
	var spaceNames, handles []string
	for _, r := range rows {
		if _, ok := spaces[r.Space]; !ok {
			spaces[r.Space] = 0
			spaceNames = append(spaceNames, r.Space)
		}
		if r.MemberHandle != "" {
			if _, ok := members[r.MemberHandle]; !ok {
				members[r.MemberHandle] = 0
				handles = append(handles, r.MemberHandle)
			}
		}
	}
	type foundSpace struct {
		ID       int64              `db:"id"`
		Name     string             `db:"name"`
		Site     *string            `db:"site"`
		Platform *mvpgraph.Platform `db:"platform"`
	}
	var found []foundSpace
	for start := 0; start < len(spaceNames); start += importBatch {
		var part []foundSpace
		if err := s.selectAll(ctx, s.db, &part, s.sb.Select("id", "name", "site", "platform").From("community_spaces").Where(sq.Eq{"name": spaceNames[start:min(start+importBatch, len(spaceNames))]})); err != nil {
			return res, mapError("import activities", err)
		}
		found = append(found, part...)
	}
	sites := map[string]foundSpace{}
	for _, f := range found {
		spaces[f.Name], sites[f.Name] = f.ID, f
	}
	// A lead imports into the spaces of the expertises the lead owns.
	outside := map[string]bool{}
	if by.LeadID != nil && len(found) > 0 {
		ids := make([]int64, len(found))
		for i, f := range found {
			ids[i] = f.ID
		}
		var mine []int64
		if err := s.selectAll(ctx, s.db, &mine, s.sb.Select("DISTINCT se.space_id").From("space_expertises se").
			Join("lead_expertises le ON le.expertise_id = se.expertise_id").
			Where(sq.Eq{"le.lead_id": *by.LeadID}).Where(s.in("se.space_id", ids))); err != nil {
			return res, mapError("import activities", err)
		}
		for _, f := range found {
			outside[f.Name] = !slices.Contains(mine, f.ID)
		}
	}
	for start := 0; start < len(handles); start += importBatch {
		var part []struct {
			ID     int64  `db:"id"`
			Handle string `db:"handle"`
		}
		if err := s.selectAll(ctx, s.db, &part, s.sb.Select("id", "handle").From("members").Where(sq.Eq{"handle": handles[start:min(start+importBatch, len(handles))]})); err != nil {
			return res, mapError("import activities", err)
		}
		for _, m := range part {
			members[m.Handle] = m.ID
		}
	}
	var good []mvpgraph.ActivityRow
	for _, r := range rows {
		if err := r.Check(); err != nil {
			res.Rejected = append(res.Rejected, mvpgraph.RowError{Line: r.Line, Reason: err.Error()})
			continue
		}
		switch {
		case spaces[r.Space] == 0:
			res.Rejected = append(res.Rejected, mvpgraph.RowError{Line: r.Line, Reason: fmt.Sprintf("unknown space %q; create it first", r.Space)})
		case outside[r.Space]:
			res.Rejected = append(res.Rejected, mvpgraph.RowError{Line: r.Line, Reason: fmt.Sprintf("space %q is not a space of an expertise you own; a lead imports into those only", r.Space)})
		case r.MemberHandle != "" && members[r.MemberHandle] == 0:
			res.Rejected = append(res.Rejected, mvpgraph.RowError{Line: r.Line, Reason: fmt.Sprintf("unknown member %q", r.MemberHandle)})
		default:
			good = append(good, r)
		}
	}
	good, elsewhere, err := s.repliesElsewhere(ctx, good, spaces)
	if err != nil {
		return res, mapError("import activities", err)
	}
	res.Rejected = append(res.Rejected, elsewhere...)
	sort.Slice(res.Rejected, func(i, j int) bool { return res.Rejected[i].Line < res.Rejected[j].Line })
	if allOrNothing && len(res.Rejected) > 0 {
		return res, nil
	}
	now := s.now()
	importer, importerToken := actorOf(by.Actor)
	touched := map[int64]bool{}
	for _, r := range good {
		touched[spaces[r.Space]] = true
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for start := 0; start < len(good); start += importBatch {
			batch := good[start:min(start+importBatch, len(good))]
			// Contributors first: one per space and handle.
			seen := map[[2]string]bool{}
			cb := s.sb.Insert("contributors").Columns("space_id", "handle", "name", "member_id", "account", "name_key", "handle_key", "profile_url", "profile_key")
			n := 0
			profiles := map[[2]string]string{} // the first profile page a contributor's rows give
			for _, r := range batch {
				if key := [2]string{r.Space, r.ContributorHandle}; profiles[key] == "" {
					profiles[key] = r.ContributorURL
				}
			}
			for _, r := range batch {
				key := [2]string{r.Space, r.ContributorHandle}
				if seen[key] {
					continue
				}
				seen[key] = true
				var member any
				if r.MemberHandle != "" {
					member = members[r.MemberHandle]
				}
				// The keys of a space whose site is not settled yet are
				// recorded when its identities are placed.
				var account *string
				var nameKey, handleKey any
				if on := sites[r.Space]; on.Site != nil {
					var n, h string
					account, n, h = mvpgraph.IdentityKeys(*on.Site, on.Platform, r.ContributorHandle, r.ContributorName)
					nameKey, handleKey = n, h
				}
				var profile, profileKey any
				if u := profiles[key]; u != "" {
					profile = u
					if k := mvpgraph.ProfileKey(u); k != "" {
						profileKey = k
					}
				}
				cb = cb.Values(spaces[r.Space], r.ContributorHandle, r.ContributorName, member, account, nameKey, handleKey, profile, profileKey)
				n++
			}
			if n > 0 {
				// A contributor seen before keeps what is recorded, and
				// gains a profile page it had none of.
				if _, err := s.exec(ctx, tx, cb.Suffix("ON CONFLICT (space_id, handle) DO UPDATE SET profile_url = excluded.profile_url, profile_key = excluded.profile_key "+
					"WHERE contributors.profile_url IS NULL AND excluded.profile_url IS NOT NULL")); err != nil {
					return err
				}
			}
			ids := map[[2]string]int64{}
			conds := sq.Or{}
			for key := range seen {
				conds = append(conds, sq.Eq{"c.space_id": spaces[key[0]], "c.handle": key[1]})
			}
			var cs []struct {
				ID     int64  `db:"id"`
				Space  string `db:"space"`
				Handle string `db:"handle"`
			}
			if err := s.selectAll(ctx, tx, &cs, s.sb.Select("c.id", "sp.name AS space", "c.handle").From("contributors c").
				Join("community_spaces sp ON sp.id = c.space_id").Where(conds)); err != nil {
				return err
			}
			for _, c := range cs {
				ids[[2]string{c.Space, c.Handle}] = c.ID
			}
			ab := s.sb.Insert("activities").Columns("space_id", "external_id", "contributor_id", "kind", "occurred_at", "url", "title", "score", "created_at",
				"imported_by", "imported_by_token_id", "in_reply_to", "accepted")
			for _, r := range batch {
				ab = ab.Values(spaces[r.Space], r.ExternalID, ids[[2]string{r.Space, r.ContributorHandle}], r.Kind, r.OccurredAt,
					nullable(r.URL), nullable(r.Title), r.Score, now, importer, importerToken, nullable(r.InReplyTo), r.Accepted)
			}
			out, err := s.exec(ctx, tx, ab.Suffix("ON CONFLICT (space_id, external_id) DO NOTHING"))
			if err != nil {
				return err
			}
			added, _ := out.RowsAffected()
			res.Imported += int(added)
			res.Duplicates += len(batch) - int(added)
		}
		spaceIDs := make([]int64, 0, len(touched))
		for id := range touched {
			spaceIDs = append(spaceIDs, id)
		}
		// The months and days the rows fall in are counted again.
		cells := activityCells{}
		for _, r := range good {
			cells.add(spaces[r.Space], r.OccurredAt)
		}
		if err := s.recount(ctx, tx, cells); err != nil {
			return err
		}
		if err := s.linkAnswers(ctx, tx, spaceIDs); err != nil {
			return err
		}
		return s.placePeople(ctx, tx, by.Actor)
	})
	if err != nil {
		return ImportResult{Rejected: res.Rejected}, mapError("import activities", err)
	}
	return res, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dayExpr is the UTC day of a timestamp column, YYYY-MM-DD.
func (s *Store) dayExpr(col string) string {
	if s.dialect == Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + col + ", 1, 10)" // stored in UTC, ISO form
}

// SpaceActivity counts, for each space where an expertise is discussed, its
// activity from from to to, in the period of the same length before, and
// its distinct contributors; and the activity of each day of the period.
func (s *Store) SpaceActivity(ctx context.Context, expertiseID int64, from, to time.Time) ([]mvpgraph.SpaceCount, map[string]int, error) {
	prev := from.Add(-to.Sub(from))
	in := "a.occurred_at >= ? AND a.occurred_at < ?"
	var counts []mvpgraph.SpaceCount
	err := s.selectAll(ctx, s.db, &counts, s.sb.Select("sp.id AS space_id", "sp.name", "sp.kind").
		Column(sq.Expr("COALESCE(SUM(CASE WHEN "+in+" THEN 1 ELSE 0 END), 0) AS count", from, to)).
		Column(sq.Expr("COALESCE(SUM(CASE WHEN "+in+" THEN 1 ELSE 0 END), 0) AS previous", prev, from)).
		Column(sq.Expr("COUNT(DISTINCT CASE WHEN "+in+" THEN a.contributor_id END) AS contributors", from, to)).
		From("community_spaces sp").
		JoinClause(sq.Expr("JOIN space_expertises se ON se.space_id = sp.id AND se.expertise_id = ?", expertiseID)).
		JoinClause(sq.Expr("LEFT JOIN activities a ON a.space_id = sp.id AND a.occurred_at >= ? AND a.occurred_at < ?", prev, to)).
		GroupBy("sp.id", "sp.name", "sp.kind"))
	if err != nil {
		return nil, nil, mapError("space activity", err)
	}
	var days []struct {
		Day string `db:"day"`
		N   int    `db:"n"`
	}
	err = s.selectAll(ctx, s.db, &days, s.sb.Select(s.dayExpr("a.occurred_at")+" AS day", "COUNT(*) AS n").From("activities a").
		JoinClause(sq.Expr("JOIN space_expertises se ON se.space_id = a.space_id AND se.expertise_id = ?", expertiseID)).
		Where(sq.Expr(in, from, to)).GroupBy(s.dayExpr("a.occurred_at")))
	if err != nil {
		return nil, nil, mapError("space activity", err)
	}
	byDay := make(map[string]int, len(days))
	for _, d := range days {
		byDay[d.Day] = d.N
	}
	return counts, byDay, nil
}

// SpacesByIDs returns the community spaces with the given IDs.
func (s *Store) SpacesByIDs(ctx context.Context, ids []int64) ([]mvpgraph.CommunitySpace, error) {
	var out []mvpgraph.CommunitySpace
	err := s.selectAll(ctx, s.db, &out, s.sb.Select("id", "name", "kind", "url", "created_at", "feed_url", "stack_exchange_tag", "ingested_until").From("community_spaces").Where(s.in("id", ids)))
	return out, mapError("get spaces", err)
}

// ExpertisesOfSpaces returns the expertises discussed in each space.
func (s *Store) ExpertisesOfSpaces(ctx context.Context, ids []int64) (map[int64][]mvpgraph.Expertise, error) {
	var rows []struct {
		mvpgraph.Expertise
		SpaceID int64 `db:"space_id"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(expertiseColumns...).Column("se.space_id").From("expertises e").
		Join("space_expertises se ON se.expertise_id = e.id").Where(s.in("se.space_id", ids)).OrderBy("e.name"))
	if err != nil {
		return nil, mapError("space expertises", err)
	}
	out := map[int64][]mvpgraph.Expertise{}
	for _, r := range rows {
		out[r.SpaceID] = append(out[r.SpaceID], r.Expertise)
	}
	return out, nil
}

// activityRow is an activity as a page of it is read: with the space it
// is listed under and its place in the page.
type activityRow struct {
	mvpgraph.Activity
	ParentID int64 `db:"parent_id"`
	RN       int64 `db:"rn"`
}

func activityOf(row any) *activityRow { return row.(*activityRow) }

var activityOrder = ordering{
	{column: column{expr: "a.occurred_at", kind: kindTime}, desc: true, value: func(r any) any { return activityOf(r).OccurredAt }},
	{column: column{expr: "a.id", kind: kindInt}, desc: true, value: func(r any) any { return activityOf(r).ID }},
}

// ActivityOfSpaces returns one page of each space's activity, newest first.
func (s *Store) ActivityOfSpaces(ctx context.Context, spaceIDs []int64, p PageArgs) (map[int64]Page[mvpgraph.Activity], error) {
	b := s.sb.Select("a.id", "a.space_id", "a.external_id", "a.kind", "a.occurred_at", "a.url", "a.title", "a.score", "a.imported_by",
		"a.contributor_id", "c.name AS contributor_name", "c.handle AS contributor_handle", "c.member_id", "a.space_id AS parent_id").
		From("activities a").Join("contributors c ON c.id = a.contributor_id").Where(s.in("a.space_id", spaceIDs))
	pages, err := listPages(ctx, s, b, "a.space_id", func(a *activityRow) int64 { return a.ParentID }, activityOrder, p)
	if err != nil {
		return nil, mapError("space activity", err)
	}
	out := make(map[int64]Page[mvpgraph.Activity], len(pages))
	for id, pg := range pages {
		items := make([]mvpgraph.Activity, len(pg.Items))
		for i, row := range pg.Items {
			items[i] = row.Activity
		}
		out[id] = Page[mvpgraph.Activity]{Items: items, Cursors: pg.Cursors, HasNext: pg.HasNext, HasPrevious: pg.HasPrevious}
	}
	return out, nil
}

// ActivityStatsQuery groups and filters activity for analysts.
type ActivityStatsQuery struct {
	GroupBy     []string // SPACE, KIND, MONTH, DAY, EXPERTISE
	ExpertiseID *int64
	SpaceID     *int64
	Kinds       []string
	From, To    *time.Time
	// MaxGroups, when above 0, bounds the groups of the answer: one that
	// would hold more is refused, saying how to narrow the question.
	MaxGroups int
}

// bounded applies q's MaxGroups to b, asking for one group more than it
// allows, so that an answer that holds more is known.
func (q ActivityStatsQuery) bounded(b sq.SelectBuilder) sq.SelectBuilder {
	if q.MaxGroups > 0 {
		return b.Limit(uint64(q.MaxGroups) + 1)
	}
	return b
}

// refuse returns the error of an answer of more groups than q allows, or
// nil.
func (q ActivityStatsQuery) refuse(groups int) error {
	if q.MaxGroups > 0 && groups > q.MaxGroups {
		return mvpgraph.Invalidf("groupBy", "the answer would hold more than %d groups; narrow where (expertiseId, spaceId, kind, from and to) or group by fewer dimensions.", q.MaxGroups)
	}
	return nil
}

// ActivityStats counts activity per group, with the sum, average, least and
// most of the spaces' scores.
func (s *Store) ActivityStats(ctx context.Context, q ActivityStatsQuery) ([]mvpgraph.ActivityGroup, error) {
	out, _, err := s.ActivityStatsFrom(ctx, q, true)
	return out, err
}

// ActivityStatsFrom is ActivityStats, saying what answered: the spaces'
// months or days (activity_months, activity_days), when cells allows and
// they hold the question (see cellsAnswer), or else the items.
func (s *Store) ActivityStatsFrom(ctx context.Context, q ActivityStatsQuery, cells bool) ([]mvpgraph.ActivityGroup, StatsSource, error) {
	if g, ok := cellsAnswer(q); ok && cells {
		out, err := s.cellsStats(ctx, g, q)
		if err == nil {
			err = q.refuse(len(out))
		}
		return out, g.source, mapError("activity stats", err)
	}
	out, err := s.itemStats(ctx, q)
	if err == nil {
		err = q.refuse(len(out))
	}
	return out, FromBase, err
}

// itemStats counts activity statistics over the items.
func (s *Store) itemStats(ctx context.Context, q ActivityStatsQuery) ([]mvpgraph.ActivityGroup, error) {
	month := "substr(" + s.dayExpr("a.occurred_at") + ", 1, 7)"
	keys := map[string][2]string{
		"SPACE": {"a.space_id", "space_id"}, "KIND": {"a.kind", "kind"},
		"MONTH": {month, "month"}, "DAY": {s.dayExpr("a.occurred_at"), "day"}, "EXPERTISE": {"se.expertise_id", "expertise_id"},
	}
	// Scores are bounded at import (mvpgraph.MaxActivityScore); one
	// stored before that is counted at the bound, so that a sum over
	// every row stays finite on both databases.
	score := boundedScore()
	b := s.sb.Select("COUNT(*) AS n", "COUNT(DISTINCT a.contributor_id) AS contributors", "SUM("+score+") AS score_sum",
		"AVG("+score+") AS score_avg", "MIN("+score+") AS score_min", "MAX("+score+") AS score_max").From("activities a")
	joinExpertise := q.ExpertiseID != nil
	seen := map[string]bool{}
	for _, d := range q.GroupBy {
		k, ok := keys[d]
		if !ok {
			return nil, mvpgraph.Invalidf("groupBy", "%q is not SPACE, KIND, MONTH, DAY or EXPERTISE.", d)
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		if d == "EXPERTISE" {
			joinExpertise = true
		}
		b = b.Column(k[0] + " AS " + k[1]).GroupBy(k[0]).OrderBy(k[0])
	}
	if joinExpertise {
		b = b.Join("space_expertises se ON se.space_id = a.space_id")
	}
	if q.ExpertiseID != nil {
		b = b.Where(sq.Eq{"se.expertise_id": *q.ExpertiseID})
	}
	if q.SpaceID != nil {
		b = b.Where(sq.Eq{"a.space_id": *q.SpaceID})
	}
	if q.Kinds != nil {
		b = b.Where(sq.Eq{"a.kind": q.Kinds})
	}
	if q.From != nil {
		b = b.Where(sq.GtOrEq{"a.occurred_at": q.From.UTC()})
	}
	if q.To != nil {
		b = b.Where(sq.Lt{"a.occurred_at": q.To.UTC()})
	}
	var out []mvpgraph.ActivityGroup
	err := s.selectAll(ctx, s.db, &out, q.bounded(b))
	return out, mapError("activity stats", err)
}

// ClaimFeeds marks the spaces with a feed that no round read within
// interval as read now, and hands them to enqueue in the same transaction.
func (s *Store) ClaimFeeds(ctx context.Context, interval time.Duration, enqueue func(ctx context.Context, tx *sql.Tx, spaceIDs []int64) error) (int, error) {
	now := s.now()
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ids []int64
		if err := s.selectAll(ctx, tx, &ids, s.forUpdate(s.sb.Select("id").From("community_spaces").Where(sq.Or{sq.NotEq{"feed_url": nil}, sq.NotEq{"stack_exchange_tag": nil}}).
			Where(sq.Or{sq.Eq{"ingested_at": nil}, sq.Lt{"ingested_at": now.Add(-interval)}}))); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := s.exec(ctx, tx, s.sb.Update("community_spaces").Set("ingested_at", now).Where(s.in("id", ids))); err != nil {
			return err
		}
		n = len(ids)
		return enqueue(ctx, tx.Tx, ids)
	})
	return n, mapError("claim feeds", err)
}

// SetIngestedUntil records how far a space's feed has been read.
func (s *Store) SetIngestedUntil(ctx context.Context, spaceID int64, until time.Time) error {
	_, err := s.exec(ctx, s.db, s.sb.Update("community_spaces").Set("ingested_until", until.UTC()).Where(sq.Eq{"id": spaceID}))
	return mapError("ingested until", err)
}
