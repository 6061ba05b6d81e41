package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// kept holds answers computed over the whole program for a while, keyed by
// the question asked, so that callers asking the same question in that time
// share one computation: the callers asking at the same time wait for one
// computation, and those asking later read its answer until it is older
// than the time to live. The readings these answers sum change once a day
// per account, and the program's members and awards seldom.
type kept[V any] struct {
	once   sync.Once
	flight singleflight.Group
	cache  *lru.Cache[string, keptAnswer[V]]
}

type keptAnswer[V any] struct {
	v  V
	at time.Time
}

// keptAnswers bounds how many answers one kind keeps.
const keptAnswers = 64

// get returns the answer to the question q (any value that marshals to
// JSON), computing it when none younger than ttl is kept. An answer past
// its ttl by less than keptBudget is still given, while a new one is
// computed in the background for the callers after: a computation that
// takes longer than a request (a whole-program ranking at a million
// members) then holds up no one once its first answer is kept. A ttl of
// zero or less keeps nothing.
func (k *kept[V]) get(ctx context.Context, ttl time.Duration, q any, compute func(context.Context) (V, error)) (V, error) {
	if ttl <= 0 {
		return compute(ctx)
	}
	k.once.Do(func() { k.cache, _ = lru.New[string, keptAnswer[V]](keptAnswers) })
	b, err := json.Marshal(q)
	if err != nil {
		var zero V
		return zero, err
	}
	key := string(b)
	got, ok := k.cache.Get(key)
	if ok && time.Since(got.at) <= ttl {
		return got.v, nil
	}
	// Computed apart from the caller's request, so that one caller leaving
	// does not fail the others waiting for the same answer, and with a
	// budget of its own: an answer that takes longer than a request may
	// (a whole-program ranking on a cold cache) is still kept for those
	// who ask after it is done. Each caller waits for it until its own
	// time is up.
	ch := k.flight.DoChan(key, func() (v any, err error) {
		// A panic here would end the process: singleflight re-raises it
		// in a goroutine of its own when callers wait on the channel.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("computing a kept answer: %v", p)
			}
		}()
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), keptBudget)
		defer cancel()
		answer, err := compute(c)
		if err != nil {
			return answer, err
		}
		k.cache.Add(key, keptAnswer[V]{v: answer, at: time.Now()})
		return answer, nil
	})
	if ok && time.Since(got.at) <= ttl+keptBudget {
		return got.v, nil
	}
	var zero V
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// keptBudget bounds one kept answer's computation: four times a request's
// 30 s.
const keptBudget = 2 * time.Minute
