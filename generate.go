package mvpgraph

// The GraphQL layer is generated from schema.graphql by gqlgen (gqlgen.yml),
// and nothing else: graph/ is gqlgen's output as it writes it.
//go:generate go tool gqlgen generate
