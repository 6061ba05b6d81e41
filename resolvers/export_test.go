package resolvers

import (
	"time"

	"github.com/vikstrous/dataloadgen"
)

// SetLoaderWait makes the loaders of requests from now on gather keys for
// d before they query, and returns what puts the wait back. Tests shorten
// it to show that a page's statements do not rest on the batch window.
func SetLoaderWait(d time.Duration) (restore func()) {
	old := loaderOptions
	loaderOptions = []dataloadgen.Option{dataloadgen.WithWait(d), dataloadgen.WithBatchCapacity(1000)}
	return func() { loaderOptions = old }
}
