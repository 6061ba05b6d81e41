package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// listSelection parses query against the schema and returns the selection
// below the field at path (field names from the root), with its operation.
func listSelection(t *testing.T, query string, path ...string) (*graphql.OperationContext, ast.SelectionSet) {
	t.Helper()
	schema := NewExecutableSchema(Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	require.Empty(t, errs)
	set := doc.Operations[0].SelectionSet
	for _, name := range path {
		var next ast.SelectionSet
		for _, s := range set {
			if f, ok := s.(*ast.Field); ok && f.Name == name {
				next = f.SelectionSet
			}
		}
		require.NotNil(t, next, "no field %s", name)
		set = next
	}
	return &graphql.OperationContext{Doc: doc, Variables: map[string]any{}}, set
}

// A list is marshalled in order only when nothing selected below its
// elements can wait on a loader: no resolver, no directive, no interface,
// at any depth, through fragments too.
func TestListsInOrder(t *testing.T) {
	cases := []struct {
		name    string
		query   string
		path    []string
		typ     string
		inOrder bool
	}{
		{"statistics' columns", `{ programStats(groupBy: [COUNTRY]) { country members mvps } }`,
			[]string{"programStats"}, "ProgramStatsGroup", true},
		{"statistics with their expertise", `{ programStats(groupBy: [CATEGORY]) { members expertise { name } } }`,
			[]string{"programStats"}, "ProgramStatsGroup", false},
		{"members' names", `{ members(first: 100) { edges { cursor node { handle name country city } } } }`,
			[]string{"members", "edges"}, "MemberEdge", true},
		{"members' awards", `{ members(first: 100) { edges { node { handle awards { year } } } } }`,
			[]string{"members", "edges"}, "MemberEdge", false},
		{"members' awards through a fragment", `{ members(first: 100) { edges { node { ...M } } } } fragment M on Member { awards { year } }`,
			[]string{"members", "edges"}, "MemberEdge", false},
		{"members' e-mail, behind a directive", `{ members(first: 100) { edges { node { email } } } }`,
			[]string{"members", "edges"}, "MemberEdge", false},
		{"a member's accounts", `{ member(handle: "x") { socialAccounts { platform handle followers } } }`,
			[]string{"member", "socialAccounts"}, "SocialAccount", true},
		{"a member's accounts with their member", `{ member(handle: "x") { socialAccounts { platform member { handle } } } }`,
			[]string{"member", "socialAccounts"}, "SocialAccount", false},
		{"a type not in the table", `{ programStats { country } }`,
			[]string{"programStats"}, "NoSuchType", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			oc, sel := listSelection(t, c.query, c.path...)
			require.Equal(t, c.inOrder, inOrder(oc, sel, c.typ))
		})
	}
}
