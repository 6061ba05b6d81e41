package resolvers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"mvpgraph/api"
	"mvpgraph/graph"
)

// TestIntrospectionDirectiveLocations: introspection declares each
// directive at locations of the GraphQL specification only, which client
// libraries that build a schema from it accept (web/e2e/clients.test.mjs
// builds it with graphql-js and with Python's graphql-core).
func TestIntrospectionDirectiveLocations(t *testing.T) {
	h := api.NewHandler(graph.NewExecutableSchema(graph.Config{Schema: Schema()}), api.DefaultOptions())
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __schema { directives { name locations } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out struct {
		Data struct {
			Schema struct {
				Directives []struct {
					Name      string
					Locations []string
				}
			} `json:"__schema"`
		}
		Errors []any
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	require.Empty(t, out.Errors)
	locations := map[string][]string{}
	for _, d := range out.Data.Schema.Directives {
		locations[d.Name] = d.Locations
		for _, l := range d.Locations {
			require.Contains(t, specLocations, ast.DirectiveLocation(l), "@%s on %s", d.Name, l)
		}
	}
	require.Equal(t, []string{"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"}, locations["deprecated"])
	require.Equal(t, []string{"QUERY"}, locations["cached"])
}
