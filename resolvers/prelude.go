package resolvers

import (
	"maps"
	"slices"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"mvpgraph/graph"
)

// specLocations are the directive locations of the GraphQL specification
// (October 2021), the ones client libraries know.
var specLocations = []ast.DirectiveLocation{
	ast.LocationQuery, ast.LocationMutation, ast.LocationSubscription, ast.LocationField,
	ast.LocationFragmentDefinition, ast.LocationFragmentSpread, ast.LocationInlineFragment,
	ast.LocationVariableDefinition, ast.LocationSchema, ast.LocationScalar, ast.LocationObject,
	ast.LocationFieldDefinition, ast.LocationArgumentDefinition, ast.LocationInterface,
	ast.LocationUnion, ast.LocationEnum, ast.LocationEnumValue, ast.LocationInputObject,
	ast.LocationInputFieldDefinition,
}

// Schema is the schema mvpgraph serves and introspection describes (pass
// it as graph.Config.Schema; NewConfig does): schema.graphql as gqlgen parsed it, each directive
// declared at the locations of the October 2021 specification only.
// gqlparser's prelude declares @deprecated on DIRECTIVE_DEFINITION too, a
// location newer than that, which clients that build a schema from
// introspection may not know: graphql-core 3.2's build_client_schema, the
// schema builder of Python's clients (gql), refuses the whole schema for
// it. No directive of schema.graphql is deprecated, so nothing in use is
// left out.
var Schema = sync.OnceValue(func() *ast.Schema {
	parsed := graph.NewExecutableSchema(graph.Config{}).Schema()
	s := *parsed
	s.Directives = maps.Clone(parsed.Directives)
	for name, d := range s.Directives {
		kept := slices.DeleteFunc(slices.Clone(d.Locations), func(l ast.DirectiveLocation) bool {
			return !slices.Contains(specLocations, l)
		})
		if len(kept) != len(d.Locations) {
			c := *d
			c.Locations = kept
			s.Directives[name] = &c
		}
	}
	return &s
})
