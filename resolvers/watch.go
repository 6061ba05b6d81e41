package resolvers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// watches share one poll of the database among the subscribers of one
// thing (a member's reach, a lead's escalations): however many follow it,
// on however many connections, it is read once per poll, and each
// subscriber is told what the poll found. The poll stops when its last
// subscriber leaves.
type watches[E any] struct {
	mu    sync.Mutex
	byKey map[int64]*watch[E]
	// looks counts the polls' reads, for tests.
	looks atomic.Int64
}

type watch[E any] struct {
	followers map[*follower[E]]struct{}
	stop      context.CancelFunc
}

// A look reads what changed since the previous call, or since it was made.
type look[E any] func(ctx context.Context) ([]E, error)

// follow makes ctx's subscriber a follower of the poll of key, and starts
// the poll when there is none, with the look newLook makes (reading where
// things stand, before the subscription answers). The follower leaves
// when ctx ends. every is the time between polls; merge folds what a
// follower has not taken yet with what a poll found.
func (w *watches[E]) follow(ctx context.Context, key int64, every time.Duration, newLook func(ctx context.Context) (look[E], error), merge func(pending, found []E) []E) (*follower[E], error) {
	f := &follower[E]{wake: make(chan struct{}, 1), merge: merge}
	w.mu.Lock()
	wt := w.byKey[key]
	w.mu.Unlock()
	var read look[E]
	if wt == nil {
		// Made outside the lock: it may read the database.
		var err error
		if read, err = newLook(ctx); err != nil {
			return nil, err
		}
	}
	w.mu.Lock()
	if w.byKey == nil {
		w.byKey = map[int64]*watch[E]{}
	}
	wt = w.byKey[key]
	if wt == nil {
		if read == nil {
			w.mu.Unlock()
			return w.follow(ctx, key, every, newLook, merge) // its poll stopped meanwhile
		}
		pollCtx, stop := context.WithCancel(context.Background())
		wt = &watch[E]{followers: map[*follower[E]]struct{}{}, stop: stop}
		w.byKey[key] = wt
		go w.poll(pollCtx, wt, every, read)
	}
	wt.followers[f] = struct{}{}
	w.mu.Unlock()
	context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(wt.followers, f)
		if len(wt.followers) == 0 {
			wt.stop()
			if w.byKey[key] == wt {
				delete(w.byKey, key)
			}
		}
	})
	return f, nil
}

// poll reads at each tick and hands what it found to the followers. A
// failed read is tried again at the next tick.
func (w *watches[E]) poll(ctx context.Context, wt *watch[E], every time.Duration, read look[E]) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.looks.Add(1)
		found, err := read(ctx)
		if err != nil || len(found) == 0 {
			continue
		}
		w.mu.Lock()
		for f := range wt.followers {
			f.put(found)
		}
		w.mu.Unlock()
	}
}

// running is how many polls there are, for tests.
func (w *watches[E]) running() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.byKey)
}

// follower holds what its subscriber has not taken yet.
type follower[E any] struct {
	mu      sync.Mutex
	pending []E
	merge   func(pending, found []E) []E
	wake    chan struct{}
}

func (f *follower[E]) put(found []E) {
	f.mu.Lock()
	f.pending = f.merge(f.pending, found)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// next waits for what the poll found, and reports false when ctx ends
// first.
func (f *follower[E]) next(ctx context.Context) ([]E, bool) {
	select {
	case <-ctx.Done():
		return nil, false
	case <-f.wake:
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.pending
	f.pending = nil
	return out, true
}
