package graph

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestIntrospectionDirectiveLocations: introspection declares each
// directive at locations of the GraphQL specification only, which client
// libraries that build a schema from it accept (web/e2e/clients.test.mjs
// builds it with graphql-js and with Python's graphql-core).
func TestIntrospectionDirectiveLocations(t *testing.T) {
	h := NewHandler(NewExecutableSchema(Config{Schema: Schema()}), DefaultOptions())
	_, out := postQuery(t, h, `{ __schema { directives { name locations } } }`)
	require.Empty(t, out.Errors)
	var got struct {
		Schema struct {
			Directives []struct {
				Name      string
				Locations []string
			}
		} `json:"__schema"`
	}
	require.NoError(t, json.Unmarshal(out.Data, &got))
	locations := map[string][]string{}
	for _, d := range got.Schema.Directives {
		locations[d.Name] = d.Locations
		for _, l := range d.Locations {
			require.Contains(t, specLocations, ast.DirectiveLocation(l), "@%s on %s", d.Name, l)
		}
	}
	require.Equal(t, []string{"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"}, locations["deprecated"])
	require.Equal(t, []string{"QUERY"}, locations["cached"])
}
