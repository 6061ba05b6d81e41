package mvpgraph

// The GraphQL layer is generated from schema.graphql by gqlgen (gqlgen.yml).
//go:generate go tool gqlgen generate
