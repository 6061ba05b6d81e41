package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/lib/pq"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"mvpgraph"
)

// The limit: for a page the API serves, the same answer written by hand as
// one SQL statement that builds the whole JSON answer inside PostgreSQL,
// which is as fast as that answer can come from this database on this
// machine. Each limit statement answers exactly what its scenario's
// GraphQL query does (TestLimitsAnswerAsTheAPI checks it), and takes the
// parameters the scenario picked through the API.

// The member fields the front page and a lead's page show, as GraphQL
// and as the JSON object one member of the page (p) is built into.
const pageMemberFields = `handle name country
  awards { year status expertise { name category } }
  leads { name kind }
  socialAccounts { platform handle status followers posts lastSyncedAt }`

var pageMemberJSON = `json_build_object(
    'handle', p.handle, 'name', p.name, 'country', p.country,
    'awards', COALESCE((SELECT json_agg(json_build_object('year', a.year, 'status', a.status,
        'expertise', json_build_object('name', e.name, 'category', e.category)) ORDER BY a.year DESC, a.expertise_id)
      FROM awards a JOIN expertises e ON e.id = a.expertise_id WHERE a.member_id = p.id), '[]'),
    'leads', COALESCE((SELECT json_agg(json_build_object('name', l.name, 'kind', l.kind) ORDER BY l.id)
      FROM leads l WHERE l.id IN (
        SELECT le.lead_id FROM awards a JOIN lead_expertises le ON le.expertise_id = a.expertise_id
        WHERE a.member_id = p.id AND a.status = 'ACTIVE' AND p.country = 'US'
        UNION
        SELECT lc.lead_id FROM lead_countries lc
        WHERE lc.country = p.country AND p.country <> 'US'
          AND EXISTS (SELECT 1 FROM awards ia WHERE ia.member_id = p.id AND ia.status = 'ACTIVE'))), '[]'),
    'socialAccounts', COALESCE((SELECT json_agg(json_build_object('platform', s.platform, 'handle', s.handle,
        'status', s.status, 'followers', s.followers, 'posts', s.posts, 'lastSyncedAt', ` + rfc3339("s.last_synced_at") + `)
        ORDER BY s.platform, s.handle)
      FROM social_accounts s WHERE s.member_id = p.id), '[]'))`

// rfc3339 writes a timestamp as the API does (RFC 3339 in UTC, the
// fraction of a second without trailing zeros), or null.
func rfc3339(col string) string {
	return `regexp_replace(to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '\.?0*Z$', 'Z')`
}

// cursorOf writes a page cursor as the API does for lists ordered by ID.
const cursorOf = `rtrim(translate(encode(convert_to('[' || p.id || ']', 'UTF8'), 'base64'), '+/', '-_'), '=')`

// limitEdges builds a connection's edges from the page p, in order.
var limitEdges = `COALESCE((SELECT json_agg(json_build_object('cursor', ` + cursorOf + `, 'node', ` + pageMemberJSON + `) ORDER BY p.id) FROM page p), '[]')`

// limits are the scenarios' limit statements, by scenario.
var limits = map[string]func(r request) (string, []any){
	// awardCandidates(first: 20) of Dynamics CRM over the scale seed's year.
	"candidates": candidateLimit,
	// mvps(first: 50): the members with an active award, by ID.
	"front-page": func(request) (string, []any) {
		return `WITH page AS (
  SELECT m.id, m.handle, m.name, m.country FROM members m
  WHERE EXISTS (SELECT 1 FROM awards a WHERE a.member_id = m.id AND a.status = 'ACTIVE')
  ORDER BY m.id LIMIT 50)
SELECT json_build_object('mvps', json_build_object(
  'totalCount', (SELECT mvps FROM program_counts WHERE id = 1),
  'edges', ` + limitEdges + `))::text`, nil
	},
	// A lead's MVPs by the lead rule, 100 a page, by ID.
	"lead-page": func(r request) (string, []any) {
		return `WITH mine AS (
  SELECT a.member_id FROM awards a
  JOIN members um ON um.id = a.member_id AND um.country = 'US'
  JOIN lead_expertises le ON le.expertise_id = a.expertise_id
  WHERE a.status = 'ACTIVE' AND le.lead_id = $1
  UNION
  SELECT im.id FROM members im JOIN lead_countries lc ON lc.country = im.country
  WHERE lc.lead_id = $1 AND EXISTS (SELECT 1 FROM awards ia WHERE ia.member_id = im.id AND ia.status = 'ACTIVE')),
page AS (
  SELECT m.id, m.handle, m.name, m.country FROM members m WHERE m.id IN (SELECT member_id FROM mine)
  ORDER BY m.id LIMIT 100)
SELECT json_build_object('node', json_build_object('mvps', json_build_object(
  'totalCount', (SELECT COUNT(*) FROM mine),
  'edges', ` + limitEdges + `)))::text`, []any{r.leadID}
	},
	// member(handle:) with its accounts, each account's history since a
	// day, and its reach by platform.
	"profile": func(r request) (string, []any) {
		return `WITH p AS (SELECT m.id, m.handle, m.name, m.country FROM members m WHERE m.handle = lower($1)),
acc AS (SELECT s.* FROM social_accounts s WHERE s.member_id = (SELECT id FROM p))
SELECT json_build_object('member', (SELECT json_build_object(
  'handle', p.handle, 'name', p.name, 'country', p.country,
  'socialAccounts', COALESCE((SELECT json_agg(json_build_object('platform', s.platform, 'handle', s.handle,
      'status', s.status, 'followers', s.followers, 'following', s.following, 'posts', s.posts,
      'lastSyncedAt', ` + rfc3339("s.last_synced_at") + `,
      'history', COALESCE((SELECT json_agg(json_build_object('date', to_char(h.day, 'YYYY-MM-DD'), 'followers', h.followers) ORDER BY h.day)
        FROM reach_snapshots h WHERE h.account_id = s.id AND h.day BETWEEN $2::date AND (now() AT TIME ZONE 'UTC')::date), '[]'))
      ORDER BY s.platform, s.handle) FROM acc s), '[]'),
  'reach', json_build_object(
    'total', (SELECT COALESCE(SUM(followers), 0) FROM acc),
    'byPlatform', COALESCE((SELECT json_agg(json_build_object('platform', t.platform, 'accounts', t.n, 'followers', t.f)
        ORDER BY array_position(ARRAY['TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'BLUESKY', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG'], t.platform))
      FROM (SELECT platform, COUNT(*) AS n, COALESCE(SUM(followers), 0) AS f FROM acc GROUP BY platform) t), '[]')))
  FROM p))::text`, []any{r.handle, r.since}
	},
}

// candidateLimit is the candidates scenario's statement for the default
// weights of mvpgraph.DefaultKindWeights and DefaultFirstAnswerWeight:
// the activity of the year in the expertise's spaces of the people who may
// be candidates (act, inlined into each use), the 20 highest scores, and
// each one's counts, identities, best items and first answers.
func candidateLimit(r request) (string, []any) {
	points := "(CASE a.kind"
	for _, k := range mvpgraph.ActivityKinds {
		points += fmt.Sprintf(" WHEN '%s' THEN CAST(%v AS DOUBLE PRECISION)", k, mvpgraph.DefaultKindWeights[k])
	}
	points += " ELSE 0 END) * (CASE WHEN a.score > 0 THEN 1 + a.score / 10.0 ELSE 1 END)"
	kinds := "ARRAY['" + strings.Join(func() []string {
		out := make([]string, len(mvpgraph.ActivityKinds))
		for i, k := range mvpgraph.ActivityKinds {
			out[i] = string(k)
		}
		return out
	}(), "', '") + "']"
	return `WITH act AS NOT MATERIALIZED (
  SELECT c.person_id, c.id AS identity_id, COALESCE(m.name, p.name) AS name, a.id, a.kind, a.occurred_at, a.title, a.score, sp.name AS space,
    ` + points + ` AS points, fq.id AS first_of,
    GREATEST(0, EXTRACT(EPOCH FROM (fq.first_answer_at - fq.occurred_at))) AS waited
  FROM activities a
  JOIN community_spaces sp ON sp.id = a.space_id
  JOIN space_expertises se ON se.space_id = a.space_id AND se.expertise_id = $1
  JOIN contributors c ON c.id = a.contributor_id
  JOIN people p ON p.id = c.person_id
  LEFT JOIN members m ON m.id = p.member_id
  LEFT JOIN activities fq ON fq.first_answer_id = a.id
  WHERE a.occurred_at >= '2025-11-21T00:00:00Z' AND a.occurred_at < '2026-11-21T00:00:00Z'
    AND (p.member_id IS NULL OR (NOT m.is_employee AND NOT EXISTS (SELECT 1 FROM awards ca WHERE ca.member_id = m.id AND ca.status = 'ACTIVE')))),
ranked AS (
  SELECT person_id, name, score, ROW_NUMBER() OVER (ORDER BY score DESC, person_id) AS rank FROM (
    SELECT person_id, name, SUM(points) + ` + fmt.Sprint(mvpgraph.DefaultFirstAnswerWeight) + ` * COUNT(first_of) AS score
    FROM act GROUP BY person_id, name ORDER BY score DESC, person_id LIMIT 20) t),
ids AS (
  SELECT i.person_id, i.n, i.score, c.handle, sp.name AS space, ROW_NUMBER() OVER (PARTITION BY i.person_id ORDER BY i.score DESC, i.identity_id) AS place
  FROM (SELECT person_id, identity_id, COUNT(*) AS n, SUM(points) AS score FROM act WHERE person_id IN (SELECT person_id FROM ranked) GROUP BY person_id, identity_id) i
  JOIN contributors c ON c.id = i.identity_id JOIN community_spaces sp ON sp.id = c.space_id)
SELECT json_build_object('awardCandidates', COALESCE((SELECT json_agg(json_build_object(
  'rank', r.rank, 'name', r.name, 'handle', (SELECT handle FROM ids WHERE ids.person_id = r.person_id AND place = 1), 'score', r.score,
  'person', json_build_object('id', rtrim(translate(encode(convert_to('Person:' || r.person_id, 'UTF8'), 'base64'), '+/', '-_'), '=')),
  'countsByKind', (SELECT json_agg(json_build_object('kind', k.kind, 'count', k.n) ORDER BY array_position(` + kinds + `, k.kind::text))
    FROM (SELECT kind, COUNT(*) AS n FROM act WHERE act.person_id = r.person_id GROUP BY kind) k),
  'topSpaces', (SELECT json_agg(json_build_object('name', s.space, 'count', s.n) ORDER BY s.n DESC, s.space COLLATE "C")
    FROM (SELECT space, COUNT(*) AS n FROM act WHERE act.person_id = r.person_id GROUP BY space) s),
  'identities', (SELECT json_agg(json_build_object('count', ids.n, 'score', ids.score,
      'identity', json_build_object('handle', ids.handle, 'space', json_build_object('name', ids.space))) ORDER BY ids.place)
    FROM ids WHERE ids.person_id = r.person_id),
  'bestItems', (SELECT json_agg(json_build_object('space', b.space, 'kind', b.kind, 'title', b.title, 'score', b.score) ORDER BY b.points DESC, b.occurred_at DESC, b.id)
    FROM (SELECT * FROM act WHERE act.person_id = r.person_id ORDER BY points DESC, occurred_at DESC, id LIMIT 3) b),
  'firstAnswers', (SELECT COUNT(first_of) FROM act WHERE act.person_id = r.person_id),
  'medianFirstAnswerSeconds', (SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY waited))::bigint FROM act WHERE act.person_id = r.person_id AND first_of IS NOT NULL)
) ORDER BY r.rank) FROM ranked r), '[]'))::text`, []any{r.expertiseID}
}

// limitQuery is the limit statement of scenario name for r, if it has one.
func limitQuery(name string, r request) (string, []any, bool) {
	build, ok := limits[name]
	if !ok {
		return "", nil, false
	}
	q, args := build(r)
	return q, args, true
}

// attackLimit runs the limit statement from clients concurrent callers,
// each asking again as soon as it has its answer, for d, as vegeta does
// with the API, and reports the same measures.
func attackLimit(db *sql.DB, query string, args []any, clients int, d time.Duration) *vegeta.Metrics {
	var (
		mu sync.Mutex
		m  vegeta.Metrics
		wg sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var answer string
			for ctx.Err() == nil {
				start := time.Now()
				err := db.QueryRowContext(context.Background(), query, args...).Scan(&answer)
				res := vegeta.Result{Timestamp: start, Latency: time.Since(start), Code: 200, BytesIn: uint64(len(answer))}
				if err != nil {
					res.Code, res.Error = 0, err.Error()
				}
				mu.Lock()
				m.Add(&res)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	m.Close()
	return &m
}

// limitAnswer is the limit statement's answer, once.
func limitAnswer(db *sql.DB, query string, args []any) (string, error) {
	var answer string
	err := db.QueryRow(query, args...).Scan(&answer)
	return answer, err
}

// limitNames lists the scenarios that have a limit.
func limitNames() string {
	var names []string
	for n := range limits {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// shareRow prints mvpgraph's throughput as a share of the limit's and both
// p99s.
func shareRow(label string, clients int, api, limit *vegeta.Metrics) {
	share := 0.0
	if limit.Throughput > 0 {
		share = 100 * api.Throughput / limit.Throughput
	}
	p99 := 0.0
	if limit.Latencies.P99 > 0 {
		p99 = float64(api.Latencies.P99) / float64(limit.Latencies.P99)
	}
	fmt.Printf("| %s | %d | %.0f | %.0f | %.0f %% | %.1f | %.1f | %.2f |\n", label, clients, api.Throughput, limit.Throughput, share,
		ms(api.Latencies.P99), ms(limit.Latencies.P99), p99)
}

// againstLimit runs each level on mvpgraph and on the limit statement in
// turn, rounds times, and prints mvpgraph's median throughput as a share
// of the limit's median, with both median p99s. It first checks that the
// limit answers what mvpgraph answered (data).
func againstLimit(url, name, label string, r request, data []byte, levels []int, rounds int, d time.Duration, header bool, api func(c int) *vegeta.Metrics) error {
	query, args, ok := limitQuery(name, r)
	if !ok {
		return fmt.Errorf("scenario %s has no limit statement; those that do: %s", name, limitNames())
	}
	db, err := sqlOpen(url)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(slices.Max(levels))
	db.SetMaxIdleConns(slices.Max(levels))
	answer, err := limitAnswer(db, query, args)
	if err != nil {
		return fmt.Errorf("scenario %s, limit statement: %w", name, err)
	}
	if same, err := sameJSON(data, []byte(answer)); err != nil || !same {
		return fmt.Errorf("scenario %s: the limit statement does not answer what mvpgraph does (%v):\nmvpgraph: %.500s\nlimit:    %.500s", name, err, data, answer)
	}
	if header {
		fmt.Println("| scenario | clients | mvpgraph requests/s | limit requests/s | mvpgraph's share | mvpgraph p99 ms | limit p99 ms | p99 ratio |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	}
	for _, c := range levels {
		var ours, theirs []*vegeta.Metrics
		for range max(rounds, 1) {
			ours = append(ours, api(c))
			theirs = append(theirs, attackLimit(db, query, args, c, d))
		}
		for i, m := range append(append([]*vegeta.Metrics{}, ours...), theirs...) {
			if m.Success < 1 {
				side := "mvpgraph"
				if i >= len(ours) {
					side = "the limit"
				}
				return fmt.Errorf("scenario %s at %d clients: %s failed %.1f %% of its requests: %v", name, c, side, 100*(1-m.Success), m.Errors)
			}
		}
		shareRow(label, c, median(ours), median(theirs))
	}
	return nil
}

// median is the run of median throughput, with the median p99 of the runs.
func median(runs []*vegeta.Metrics) *vegeta.Metrics {
	byRate := append([]*vegeta.Metrics{}, runs...)
	sort.Slice(byRate, func(i, j int) bool { return byRate[i].Throughput < byRate[j].Throughput })
	p99s := make([]time.Duration, len(runs))
	for i, m := range runs {
		p99s[i] = m.Latencies.P99
	}
	sort.Slice(p99s, func(i, j int) bool { return p99s[i] < p99s[j] })
	out := *byRate[len(byRate)/2]
	out.Latencies.P99 = p99s[len(p99s)/2]
	return &out
}

// sameJSON reports whether two JSON texts hold the same value, and where
// they first differ when not. Numbers are the same when they differ by no
// more than the rounding of a sum of floats added in another order (a
// relative 1e-12): PostgreSQL adds a score's terms in the order its plan
// reads them, which two statements need not share.
func sameJSON(a, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	if where := firstDifference(x, y, "$"); where != "" {
		return false, errors.New("they differ at " + where)
	}
	return true, nil
}

// firstDifference is the path of the first place x and y differ, or "".
func firstDifference(x, y any, path string) string {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return path
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := firstDifference(a[k], b[k], path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return path
		}
		for i := range a {
			if d := firstDifference(a[i], b[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case float64:
		b, ok := y.(float64)
		if !ok || math.Abs(a-b) > 1e-12*math.Max(math.Abs(a), math.Abs(b)) {
			return fmt.Sprintf("%s (%v and %v)", path, x, y)
		}
		return ""
	}
	if !reflect.DeepEqual(x, y) {
		return fmt.Sprintf("%s (%v and %v)", path, x, y)
	}
	return ""
}

// sqlOpen opens the limit's database.
func sqlOpen(url string) (*sql.DB, error) { return sql.Open("postgres", url) }
