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
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarios are the GraphQL requests by name.
var scenarios = map[string]string{
	// The front-end page: the first 50 MVPs with their awards, the
	// awards' expertise, their leads and their social accounts with the
	// latest reading.
	"front-page": `{ mvps(first: 50) { totalCount edges { cursor node { handle name country
  awards { year status expertise { name category } }
  leads { name kind }
  socialAccounts { platform handle status followers posts lastSyncedAt } } } } }`,
	// The analyst: program statistics by country and category, and a
	// filtered, ordered members query.
	"analyst": `{ programStats(groupBy: [COUNTRY, CATEGORY]) { country category members mvps awards }
  members(first: 100, where: { _and: [ { isEmployee: { _eq: false } },
    { _or: [ { country: { _in: ["US", "DE", "JP"] } }, { name: { _ilike: "a%" } } ] } ] },
    orderBy: [{ field: COUNTRY }, { field: NAME, direction: DESC }]) { totalCount edges { node { handle name country city } } } }`,
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server's base URL")
	name := flag.String("scenario", "front-page", "scenario to run: front-page or analyst")
	clients := flag.String("clients", "8,32,128", "concurrent clients, comma-separated")
	duration := flag.Duration("duration", 10*time.Second, "how long each level runs")
	label := flag.String("label", "", "first column of each row (default: the scenario)")
	header := flag.Bool("header", false, "print the table header first")
	flag.Parse()
	if err := run(*base, *name, *clients, *duration, *label, *header); err != nil {
		fmt.Fprintln(os.Stderr, "apibench:", err)
		os.Exit(1)
	}
}

func run(base, name, clients string, duration time.Duration, label string, header bool) error {
	query, ok := scenarios[name]
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
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return err
	}
	target := vegeta.Target{
		Method: http.MethodPost,
		URL:    base + "/graphql",
		Body:   body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/graphql-response+json"}},
	}
	// One request first, to fail fast on a broken scenario rather than
	// report the throughput of errors.
	if err := check(target); err != nil {
		return fmt.Errorf("scenario %s: %w", name, err)
	}
	if header {
		fmt.Println("| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	}
	for _, c := range levels {
		before, err := scrape(base)
		if err != nil {
			return err
		}
		peak := newPeak(base)
		atk := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.KeepAlive(true), vegeta.Connections(c), vegeta.Timeout(30*time.Second))
		var m vegeta.Metrics
		for res := range atk.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: 0}, duration, name) {
			m.Add(res)
		}
		m.Close()
		rss := peak.stop()
		after, err := scrape(base)
		if err != nil {
			return err
		}
		var perRequest float64
		if d := after["mvpgraph_sql_statements_per_request_count"] - before["mvpgraph_sql_statements_per_request_count"]; d > 0 {
			perRequest = (after["mvpgraph_sql_statements_per_request_sum"] - before["mvpgraph_sql_statements_per_request_sum"]) / d
		}
		fmt.Printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f %% | %.1f | %.0f |\n",
			label, c, m.Throughput, ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99),
			100*m.Success, perRequest, rss/(1<<20))
		if len(m.Errors) > 0 {
			fmt.Fprintf(os.Stderr, "apibench: %s at %d clients: %d errors, first: %s\n", name, c, len(m.Errors), m.Errors[0])
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// check sends the request once and fails unless the answer is a 200 with
// data and no errors.
func check(t vegeta.Target) error {
	req, err := t.Request()
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || len(out.Errors) > 0 || len(out.Data) == 0 {
		return fmt.Errorf("the server answered %s: %.300s", res.Status, b)
	}
	return nil
}

// scrape reads the unlabelled samples of the server's /metrics.
func scrape(base string) (map[string]float64, error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
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

// peak polls the server's resident memory until stopped and keeps the
// highest reading.
type peak struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  float64
}

func newPeak(base string) *peak {
	p := &peak{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, err := scrape(base); err == nil && m["process_resident_memory_bytes"] > p.max {
				p.max = m["process_resident_memory_bytes"]
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
