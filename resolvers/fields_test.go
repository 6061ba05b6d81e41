package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// A client that accepts multipart/mixed gets the fields it marks @defer in
// later parts, each at its path, and together they are the answer the same
// query has without @defer.
func TestDeferredFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		buildProgram(a)
		const fields = `name awards { year expertise { name } } leads { name }`

		var plain struct {
			MVPs struct {
				Edges []struct{ Node map[string]any }
			} `json:"mvps"`
		}
		a.do(&plain, `{ mvps(first: 10) { edges { node { handle `+fields+` } } } }`)
		require.Len(t, plain.MVPs.Edges, 2)

		h := a.c.IncrementalHTTP(context.Background(),
			`{ mvps(first: 10) { edges { node { handle ... @defer(label: "more") { `+fields+` } } } } }`)
		defer h.Close()
		var first map[string]any
		require.NoError(t, h.Next(&first))
		require.Equal(t, true, first["hasNext"], "the first part says more follow: %v", first)
		edges := first["data"].(map[string]any)["mvps"].(map[string]any)["edges"].([]any)
		require.Len(t, edges, 2)
		nodes := make([]map[string]any, len(edges))
		for i, e := range edges {
			nodes[i] = e.(map[string]any)["node"].(map[string]any)
			require.Equal(t, plain.MVPs.Edges[i].Node["handle"], nodes[i]["handle"])
			require.Nil(t, nodes[i]["awards"], "a deferred field comes later")
		}

		more := 0
		for hasNext := true; hasNext; {
			var part struct {
				Incremental []struct {
					Data       map[string]any
					Label      string
					Path       []any
					HasNext    bool
					Extensions map[string]any
				}
				HasNext bool
			}
			require.NoError(t, h.Next(&part))
			for _, inc := range part.Incremental {
				require.Equal(t, "more", inc.Label)
				require.Len(t, inc.Path, 4, "the path of an MVP: %v", inc.Path)
				i := int(inc.Path[2].(float64))
				for k, v := range inc.Data {
					nodes[i][k] = v
				}
				more++
			}
			hasNext = part.HasNext
		}
		require.Equal(t, 2, more, "one deferred part per MVP")
		for i, e := range plain.MVPs.Edges {
			want, err := json.Marshal(e.Node)
			require.NoError(t, err)
			require.JSONEq(t, string(want), mustJSON(t, nodes[i]))
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// One selection asked of nodes of several types gives each type its own
// fields, also when the same type comes again.
func TestNodesOfSeveralTypes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)
		var got struct {
			Nodes []map[string]any
		}
		a.do(&got, fmt.Sprintf(`{ nodes(ids: [%q, %q, %q, %q, %q]) { __typename
  ... on Member { handle }
  ... on Lead { name kind }
  ... on Expertise { name category } } }`, ids["ada"], ids["uma"], ids["crm"], ids["jean"], ids["chloe"]))
		require.Equal(t, []map[string]any{
			{"__typename": "Member", "handle": "ada"},
			{"__typename": "Lead", "name": "Uma", "kind": "US"},
			{"__typename": "Expertise", "name": "Dynamics CRM", "category": "Business Applications"},
			{"__typename": "Member", "handle": "jean"},
			{"__typename": "Lead", "name": "Chloe", "kind": "INTERNATIONAL"},
		}, got.Nodes)
	})
}
