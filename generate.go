package mvpgraph

// The GraphQL layer is generated from schema.graphql by gqlgen (gqlgen.yml).
//go:generate go run ./graph/gen
