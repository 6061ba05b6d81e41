// Command apibench loads a running mvpgraph server with one GraphQL
// scenario at several concurrency levels and prints a Markdown table row
// per level: throughput, latency percentiles, the share of successful
// answers, SQL statements per request (from the server's
// mvpgraph_sql_statements_per_request histogram, read before and after)
// and the server's peak resident memory (process_resident_memory_bytes,
// polled from /metrics during the run).
//
// The load comes from vegeta used as a library: each level runs a fixed
// number of workers sending requests back to back for the given duration.
//
//	go run ./bench/apibench -url http://127.0.0.1:8080 -scenario front-page -clients 8,32,128 -duration 10s
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"mvpgraph"
)

const frontPage = `mvps(first: 50) { totalCount edges { cursor node { ` + pageMemberFields + ` } } }`

// scenarios are the GraphQL requests by name: a fixed query, or one that
// first looks up what it needs (an ID, a cursor) through the API.
var scenarios = map[string]func(c *client) (request, error){
	// The front-end page: the first 50 MVPs with their awards, the
	// awards' expertise, their leads and their social accounts with the
	// latest reading.
	"front-page": fixed(`{ ` + frontPage + ` }`),
	// The same page as a front end would ask it to be kept for a minute
	// (@cached): answered from memory after the first request.
	"front-page-cached": fixed(`query @cached(ttl: 60) { ` + frontPage + ` }`),
	// The analyst: program statistics by country and category, and a
	// filtered, ordered members query.
	"analyst": fixed(`{ programStats(groupBy: [COUNTRY, CATEGORY]) { country category members mvps awards }
  members(first: 100, where: { _and: [ { isEmployee: { _eq: false } },
    { _or: [ { country: { _in: ["US", "DE", "JP"] } }, { name: { _ilike: "a%" } } ] } ] },
    orderBy: [{ field: COUNTRY }, { field: NAME, direction: DESC }]) { totalCount edges { node { handle name country city } } } }`),
	// The analyst's statistics as a question not asked before: the same
	// whole-program count, each request excluding another country code
	// (AA to ZZ, 676 in turn), so that no kept answer serves it and every
	// request costs the database the whole count.
	"analyst-cold": func(*client) (request, error) {
		return request{query: `query ($not: String!) { programStats(groupBy: [COUNTRY, CATEGORY], where: {country: {_neq: $not}}) { country category members mvps awards } }`,
			vary: func(i int) map[string]any {
				i %= 26 * 26
				return map[string]any{"not": string(rune('A'+i/26)) + string(rune('A'+i%26))}
			}, note: "a new question each request"}, nil
	},
	// The analyst's activity of one expertise's spaces (Dynamics CRM's) by
	// space and month, each request over another run of whole months (from
	// and to among the 36 months up to the scale seed's last, 630 pairs in
	// turn), so that no kept answer serves it.
	"activity-cold": func(c *client) (request, error) {
		gid, _, err := dynamicsCRM(c)
		if err != nil {
			return request{}, err
		}
		var pairs [][2]string
		month := func(k int) string {
			return time.Date(2023, time.December+time.Month(k), 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
		}
		for i := range 36 {
			for j := i + 1; j < 36; j++ {
				pairs = append(pairs, [2]string{month(i), month(j)})
			}
		}
		return request{query: `query ($e: ID!, $from: Time!, $to: Time!) { activityStats(groupBy: [SPACE, MONTH], where: {expertiseId: $e, from: $from, to: $to}) { space { name } month count contributors scoreSum } }`,
			vary: func(i int) map[string]any {
				p := pairs[i%len(pairs)]
				return map[string]any{"e": gid, "from": p[0], "to": p[1]}
			}, note: "Dynamics CRM, a new question each request"}, nil
	},
	// The same by space and day: each request a run of 7 to 28 whole days
	// starting on another day of the seed's year of activity.
	"activity-days-cold": func(c *client) (request, error) {
		gid, _, err := dynamicsCRM(c)
		if err != nil {
			return request{}, err
		}
		return request{query: `query ($e: ID!, $from: Time!, $to: Time!) { activityStats(groupBy: [SPACE, DAY], where: {expertiseId: $e, from: $from, to: $to}) { space { name } day count contributors scoreSum } }`,
			vary: func(i int) map[string]any {
				from := time.Date(2025, time.December, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
				return map[string]any{"e": gid, "from": from.Format(time.RFC3339), "to": from.AddDate(0, 0, 7+i%22).Format(time.RFC3339)}
			}, note: "Dynamics CRM, a new question each request"}, nil
	},
	// A lead's view: the MVPs of the lead with the most, ranked by reach
	// growth, 100 a page, the 20th page by cursor (or the last there is).
	"lead-growth": leadGrowth,
	// A lead's page: the first 100 MVPs of the lead with the most, with
	// the front page's fields.
	"lead-page": leadPage,
	// An MVP's profile: accounts, each with 90 days of history, and reach.
	"profile": profile,
	// The reach leaderboard of the whole program by 30-day growth.
	"leaderboard": fixed(`{ reachLeaderboard(orderBy: GROWTH, days: 30, first: 50) { totalCount
  edges { node { rank followers growth member { handle name country } } } } }`),
	// Community trends of one expertise over the year, by week.
	"trends": trends,
	// A lead's award candidates: the 20 people most active in one
	// expertise's spaces over the year, with what the candidates page
	// shows of each but their member, nomination and accounts.
	"candidates": candidates,

	// The peer's equivalents, for PostGraphile v4 with the connection
	// filter and aggregates plugins on the same database (bench/peer.sh).
	// The front page: the first 50 members with an active award, their
	// awards with expertise and the expertise's US lead (the lead rule is
	// mvpgraph's own; the expertise's lead is the nearest the peer's
	// schema has), and their social accounts.
	"peer-front-page": fixed(`{ allMembers(first: 50, orderBy: PRIMARY_KEY_ASC, filter: {awardsByMemberId: {some: {status: {equalTo: "ACTIVE"}}}}) {
  totalCount edges { cursor node { handle name country
  awardsByMemberId { nodes { year status expertiseByExpertiseId { name category leadExpertiseByExpertiseId { leadByLeadIdAndLeadKind { name kind } } } } }
  socialAccountsByMemberId { nodes { platform handle status followers posts lastSyncedAt } } } } } }`),
	// The analyst: members counted by country and awards by expertise and
	// status (the aggregates plugin groups one table at a time), and the
	// same filtered, ordered members query.
	"peer-analyst": fixed(`{ allMembers { groupedAggregates(groupBy: [COUNTRY]) { keys distinctCount { id } } }
  allAwards { groupedAggregates(groupBy: [EXPERTISE_ID, STATUS]) { keys distinctCount { memberId } } }
  members: allMembers(first: 100, filter: {and: [{isEmployee: {equalTo: false}},
    {or: [{country: {in: ["US", "DE", "JP"]}}, {name: {likeInsensitive: "a%"}}]}]}, orderBy: [COUNTRY_ASC, NAME_DESC]) {
    totalCount edges { node { handle name country city } } } }`),
}

// request is one scenario's GraphQL request, and what it picked.
type request struct {
	query     string
	variables map[string]any
	// vary, when set, gives the variables of the i-th request instead.
	vary func(i int) map[string]any
	note string
	// What the limit statement needs of the pick (limit.go).
	leadID      int64
	handle      string
	since       string
	expertiseID int64
}

func fixed(q string) func(*client) (request, error) {
	return func(*client) (request, error) { return request{query: q}, nil }
}

const leadPageQuery = `query ($lead: ID!, $after: String) {
  reachLeaderboard(where: {leadId: $lead}, orderBy: GROWTH, days: 30, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { rank followers growth member { handle name country } } } } }`

func leadGrowth(c *client) (request, error) {
	id, _, name, most, err := mostMVPs(c)
	if err != nil {
		return request{}, err
	}
	var after any
	page := 1
	for ; page < 20; page++ {
		var p struct {
			ReachLeaderboard struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if err := c.do(leadPageQuery, map[string]any{"lead": id, "after": after}, &p); err != nil {
			return request{}, err
		}
		if !p.ReachLeaderboard.PageInfo.HasNextPage {
			break
		}
		after = p.ReachLeaderboard.PageInfo.EndCursor
	}
	return request{query: leadPageQuery, variables: map[string]any{"lead": id, "after": after},
		note: fmt.Sprintf("%s, %d MVPs, page %d", name, most, page)}, nil
}

// mostMVPs is the lead with the most MVPs: the global ID, the database ID,
// the name and the count.
func mostMVPs(c *client) (string, int64, string, int, error) {
	var stats struct {
		ProgramStats []struct {
			Lead *struct{ ID, Name string }
			MVPs int `json:"mvps"`
		}
	}
	if err := c.do(`{ programStats(groupBy: [LEAD]) { lead { id name } mvps } }`, nil, &stats); err != nil {
		return "", 0, "", 0, err
	}
	var id, name string
	most := -1
	for _, g := range stats.ProgramStats {
		if g.Lead != nil && g.MVPs > most {
			id, name, most = g.Lead.ID, g.Lead.Name, g.MVPs
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	_, n, _ := strings.Cut(string(b), ":")
	dbID, perr := strconv.ParseInt(n, 10, 64)
	if err != nil || perr != nil {
		return "", 0, "", 0, fmt.Errorf("no lead with MVPs")
	}
	return id, dbID, name, most, nil
}

func leadPage(c *client) (request, error) {
	id, dbID, name, most, err := mostMVPs(c)
	if err != nil {
		return request{}, err
	}
	return request{query: `query ($lead: ID!) { node(id: $lead) { ... on Lead { mvps(first: 100) { totalCount edges { cursor node { ` + pageMemberFields + ` } } } } } }`,
		variables: map[string]any{"lead": id}, leadID: dbID, note: fmt.Sprintf("%s, %d MVPs", name, most)}, nil
}

// profileSince is the first day of a profile's history: 90 days ago.
func profileSince() string { return time.Now().UTC().AddDate(0, 0, -90).Format(time.DateOnly) }

func profile(c *client) (request, error) {
	var page struct {
		Mvps struct {
			Edges []struct {
				Node struct {
					Handle         string
					SocialAccounts []struct{ Platform string }
				}
			}
		}
	}
	if err := c.do(`{ mvps(first: 100) { edges { node { handle socialAccounts { platform } } } } }`, nil, &page); err != nil {
		return request{}, err
	}
	handle, most := "", 0
	for _, e := range page.Mvps.Edges {
		if n := len(e.Node.SocialAccounts); n > most {
			handle, most = e.Node.Handle, n
		}
	}
	if handle == "" {
		return request{}, fmt.Errorf("no MVP with social accounts among the first 100")
	}
	since := profileSince()
	return request{query: `query ($handle: String!, $since: Time) { member(handle: $handle) { handle name country
  socialAccounts { platform handle status followers following posts lastSyncedAt history(from: $since) { date followers } }
  reach { total byPlatform { platform accounts followers } } } }`,
		variables: map[string]any{"handle": handle, "since": since + "T00:00:00Z"}, handle: handle, since: since,
		note: fmt.Sprintf("%s, %d accounts, 90 days", handle, most)}, nil
}

// dynamicsCRM is the global ID of the expertise Dynamics CRM, and its
// database ID.
func dynamicsCRM(c *client) (string, int64, error) {
	var e struct {
		Expertises struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := c.do(`{ expertises(where: {name: {_eq: "Dynamics CRM"}}) { edges { node { id } } } }`, nil, &e); err != nil {
		return "", 0, err
	}
	if len(e.Expertises.Edges) == 0 {
		return "", 0, fmt.Errorf("no expertise Dynamics CRM")
	}
	gid := e.Expertises.Edges[0].Node.ID
	_, id, err := mvpgraph.ParseGlobalID("id", gid)
	return gid, id, err
}

// candidatesQuery is the candidates scenario's request: the year the
// scale seed's activity ends with.
const candidatesQuery = `query ($e: ID!) { awardCandidates(expertiseId: $e, from: "2025-11-21T00:00:00Z", to: "2026-11-21T00:00:00Z", first: 20) {
  rank name handle score person { id }
  countsByKind { kind count } topSpaces { name count }
  identities { count score identity { handle space { name } } }
  bestItems { space kind title score }
  firstAnswers medianFirstAnswerSeconds } }`

func candidates(c *client) (request, error) {
	gid, id, err := dynamicsCRM(c)
	if err != nil {
		return request{}, err
	}
	return request{query: candidatesQuery, variables: map[string]any{"e": gid}, expertiseID: id, note: "Dynamics CRM, a year"}, nil
}

func trends(c *client) (request, error) {
	gid, _, err := dynamicsCRM(c)
	if err != nil {
		return request{}, err
	}
	return request{query: `query ($e: ID!) { communityTrends(expertiseId: $e, from: "2025-11-21T00:00:00Z", to: "2026-11-21T00:00:00Z", bucket: WEEK) {
  total concentration { spacesFor50 spacesFor80 top5Share hhi }
  spaces { space { name kind } count share cumulativeShare contributors growth } series { start count } } }`,
		variables: map[string]any{"e": gid}, note: "Dynamics CRM, a year by week"}, nil
}

// errTimedOut marks a request the server answered with TIMEOUT: it ran out
// of time before the query was done.
var errTimedOut = errors.New("timed out")

// retryFor bounds how long a scenario whose first request timed out is
// asked again before it is reported as not loaded.
const retryFor = 5 * time.Minute

// client sends the scenarios' look-ups.
type client struct {
	base   string
	header http.Header
}

func (c *client) do(query string, variables map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = c.header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &r) != nil || len(r.Errors) > 0 {
		err := fmt.Errorf("the server answered %s: %.300s", res.Status, b)
		if len(r.Errors) > 0 && r.Errors[0].Extensions.Code == "TIMEOUT" {
			err = fmt.Errorf("%w: %w", errTimedOut, err)
		}
		return err
	}
	return json.Unmarshal(r.Data, out)
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server's base URL")
	name := flag.String("scenario", "front-page", "scenario to run: front-page or analyst")
	clients := flag.String("clients", "8,32,128", "concurrent clients, comma-separated")
	duration := flag.Duration("duration", 10*time.Second, "how long each level runs")
	label := flag.String("label", "", "first column of each row (default: the scenario)")
	token := flag.String("token", os.Getenv("MVPGRAPH_BENCH_TOKEN"), "API token to send (default: $MVPGRAPH_BENCH_TOKEN)")
	pids := flag.String("pids", "", "comma-separated process IDs whose summed resident memory is the server's (default: read /metrics)")
	header := flag.Bool("header", false, "print the table header first")
	limit := flag.String("limit", "", "PostgreSQL URL of the server's database: run the scenario's limit statement (limit.go) there after each level, and print mvpgraph's throughput as a share of the limit's")
	rounds := flag.Int("rounds", 1, "with -limit, how many times each level runs on each, taking turns; the medians are reported")
	flag.Parse()
	if err := run(*base, *name, *clients, *duration, *label, *token, *pids, *header, *limit, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "apibench:", err)
		os.Exit(1)
	}
}

func run(base, name, clients string, duration time.Duration, label, token, pids string, header bool, limitURL string, rounds int) error {
	prepare, ok := scenarios[name]
	if !ok {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("no scenario %q; choose one of %s", name, strings.Join(names, ", "))
	}
	if label == "" {
		label = name
	}
	var levels []int
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			return fmt.Errorf("-clients: %q is not a positive number", c)
		}
		levels = append(levels, n)
	}
	hdr := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/graphql-response+json"}}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	cl := &client{base: base, header: hdr}
	r, err := prepare(cl)
	if err != nil {
		return fmt.Errorf("scenario %s: %w", name, err)
	}
	if r.note != "" {
		fmt.Fprintf(os.Stderr, "apibench: %s: %s\n", name, r.note)
		label += " (" + r.note + ")"
	}
	body, err := json.Marshal(map[string]any{"query": r.query, "variables": r.variables})
	if err != nil {
		return err
	}
	target := vegeta.Target{Method: http.MethodPost, URL: base + "/graphql", Body: body, Header: hdr}
	targeter := vegeta.NewStaticTargeter(target)
	if r.vary != nil {
		r.variables = r.vary(0)
		var n atomic.Int64
		targeter = func(t *vegeta.Target) error {
			b, err := json.Marshal(map[string]any{"query": r.query, "variables": r.vary(int(n.Add(1)))})
			if err != nil {
				return err
			}
			*t = target
			t.Body = b
			return nil
		}
	}
	// One request first, to fail fast on a broken scenario rather than
	// report the throughput of errors.
	var data json.RawMessage
	start := time.Now()
	err = cl.do(r.query, r.variables, &data)
	if header && limitURL == "" {
		fmt.Println("| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	}
	if errors.Is(err, errTimedOut) {
		// The server gave up on it: a finding at this size, not a broken
		// scenario. A whole-program answer the server keeps goes on being
		// computed after its first callers time out; ask again until it
		// is there, for up to retryFor, then load it as any other.
		first := time.Since(start).Round(time.Second)
		for err != nil && errors.Is(err, errTimedOut) && time.Since(start) < retryFor {
			time.Sleep(time.Second)
			err = cl.do(r.query, r.variables, &data)
		}
		took := time.Since(start).Round(time.Second)
		if err != nil && !errors.Is(err, errTimedOut) {
			return fmt.Errorf("scenario %s, asked again after timing out: %w", name, err)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "apibench: %s: no answer in %s; not loaded: %v\n", name, took, err)
			for _, c := range levels {
				fmt.Printf("| %s (the first request timed out after %s, and no answer came in %s; not loaded) | %d | 0 | — | — | — | 0.0 %% | — | — |\n", label, first, took, c)
			}
			return nil
		}
		label += fmt.Sprintf(" (the first request timed out after %s; answered %s after it)", first, took)
	}
	if err != nil {
		return fmt.Errorf("scenario %s: %w", name, err)
	}
	rss := func() float64 {
		if m, err := scrape(base); err == nil {
			return m["process_resident_memory_bytes"]
		}
		return 0
	}
	if pids != "" {
		rss = func() float64 { return resident(strings.Split(pids, ",")) }
	}
	attack := func(c int) (*vegeta.Metrics, string, float64) {
		before, _ := scrape(base) // a peer has no /metrics: no statement counts
		peak := newPeak(rss)
		atk := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.KeepAlive(true), vegeta.Connections(c), vegeta.Timeout(30*time.Second))
		var m vegeta.Metrics
		for res := range atk.Attack(targeter, vegeta.Rate{Freq: 0}, duration, name) {
			m.Add(res)
		}
		m.Close()
		top := peak.stop()
		after, _ := scrape(base)
		perRequest := "—"
		if d := after["mvpgraph_sql_statements_per_request_count"] - before["mvpgraph_sql_statements_per_request_count"]; d > 0 {
			perRequest = fmt.Sprintf("%.1f", (after["mvpgraph_sql_statements_per_request_sum"]-before["mvpgraph_sql_statements_per_request_sum"])/d)
		}
		if len(m.Errors) > 0 {
			fmt.Fprintf(os.Stderr, "apibench: %s at %d clients: %d errors, first: %s\n", name, c, len(m.Errors), m.Errors[0])
		}
		return &m, perRequest, top
	}
	if limitURL != "" {
		return againstLimit(limitURL, name, label, r, data, levels, rounds, duration, header, func(c int) *vegeta.Metrics {
			m, _, _ := attack(c)
			return m
		})
	}
	for _, c := range levels {
		m, perRequest, top := attack(c)
		fmt.Printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f %% | %s | %.0f |\n",
			label, c, m.Throughput, ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99),
			100*m.Success, perRequest, top/(1<<20))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// scrape reads the unlabelled samples of the server's /metrics.
func scrape(base string) (map[string]float64, error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", res.Status)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.Contains(line, "{") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// resident sums the resident memory of processes, in bytes, from
// /proc/PID/status.
func resident(pids []string) float64 {
	var sum float64
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strings.TrimSpace(pid) + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				sum += kb * 1024
			}
		}
	}
	return sum
}

// peak polls the server's resident memory until stopped and keeps the
// highest reading.
type peak struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  float64
}

func newPeak(read func() float64) *peak {
	p := &peak{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > p.max {
				p.max = v
			}
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peak) stop() float64 {
	close(p.done)
	p.wg.Wait()
	return p.max
}
