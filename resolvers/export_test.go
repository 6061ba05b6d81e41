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

// Polls reports the subscriptions' polls of the database running now, and
// the reads they have made.
func (r *Resolver) Polls() (running int, reads int64) {
	return r.reachWatches.running() + r.escalationWatches.running(), r.reachWatches.looks.Load() + r.escalationWatches.looks.Load()
}
