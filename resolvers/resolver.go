// Package resolvers answers the GraphQL schema: thin resolvers that decode
// IDs, call the store, and batch nested lookups through per-request
// loaders.
package resolvers

import (
	"mvpgraph/store"
)

// Resolver is the root of the resolvers and holds their dependencies.
type Resolver struct {
	Store *store.Store
}
