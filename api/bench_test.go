package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRepeatedFields is the CPU cost of a query before it runs: the
// 30 KB query of one field asked 4,000 times, refused by the field bound,
// the same with the bound off (what validation cost before), the front
// page of bench/apibench for comparison, and the costliest shapes within
// the bounds, each validated and then refused by its cost so that nothing
// runs. Each request changes a comment, as an
// attacker would, so the parsed-query cache serves none of them.
//
//	go test -run '^$' -bench RepeatedFields ./graph/
func BenchmarkRepeatedFields(b *testing.B) {
	repeated := `{ member(handle: "ada.dynamics") { ` + strings.Repeat("handle ", 4000) + `} }`
	frontPage := `{ mvps(first: 50) { totalCount edges { cursor node { handle name country
  awards { year status expertise { name category } }
  leads { name kind }
  socialAccounts { platform handle status followers posts lastSyncedAt } } } } }`
	// The costliest shapes to validate within the bounds: sets of one
	// field name merged with each other, and many fragments spread in one
	// set, each compared with the others.
	sameName := func(n int) string { return `member(handle: "x") { ` + strings.Repeat("handle ", n) + `} ` }
	atBoundOneName := `{ ` + sameName(200) + sameName(200) + sameName(95) + `}`
	var fragments strings.Builder
	fragments.WriteString(`{ member(handle: "x") { `)
	for i := range 166 {
		fmt.Fprintf(&fragments, "...F%d ", i)
	}
	fragments.WriteString("} }")
	for i := range 166 {
		fmt.Fprintf(&fragments, " fragment F%d on Member { handle name }", i)
	}
	costOnly := func(o *Options) { o.MaxComplexity = 1 }
	for _, c := range []struct {
		name, query string
		change      func(*Options)
		code        string
	}{
		{"refused-4000", repeated, nil, CodeQueryTooCostly},
		{"unbounded-4000", repeated, func(o *Options) { o.MaxFields, o.MaxSetFields, o.MaxComplexity = 0, 0, 1 }, CodeQueryTooCostly},
		{"front-page", frontPage, costOnly, CodeQueryTooCostly},
		{"at-bound-one-name", atBoundOneName, costOnly, "The query costs"},
		{"at-bound-fragments", fragments.String(), costOnly, "The query costs"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var change []func(*Options)
			if c.change != nil {
				change = append(change, c.change)
			}
			h := newTestHandler(b, change...)
			b.SetBytes(int64(len(c.query)))
			i := 0
			for b.Loop() {
				i++
				body, _ := json.Marshal(map[string]string{"query": fmt.Sprintf("# %d\n%s", i, c.query)})
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if !strings.Contains(w.Body.String(), c.code) {
					b.Fatalf("answer: %.300s", w.Body.String())
				}
			}
		})
	}
}
