package resolvers

import "time"

// SetLoaderWait makes the loaders of requests from now on gather keys for
// d before they query, and returns what puts the wait back. Tests shorten
// it to show that a page's statements do not rest on the batch window.
func SetLoaderWait(d time.Duration) (restore func()) {
	old := loaderOptions
	loaderOptions = loaderOptionsWaiting(d)
	return func() { loaderOptions = old }
}
