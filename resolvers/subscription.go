package resolvers

import (
	"context"
	"encoding/json"
	"time"

	"mvpgraph"
	"mvpgraph/graph/model"
)

// defaultPoll is how often a subscription looks for changes. Polling the
// database works the same whichever process records the change (an API
// replica, a separate worker) and on either database.
const defaultPoll = 2 * time.Second

func (r *Resolver) poll() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return defaultPoll
}

// reachUpdated sends the member each time the reach of the member's
// accounts changes, until the subscriber leaves. Subscribers of one member
// share one poll.
func (r *Resolver) reachUpdated(ctx context.Context, gid string) (<-chan *model.Member, error) {
	id, err := mvpgraph.ParseID("memberId", typeMember, gid)
	if err != nil {
		return nil, err
	}
	if _, err := r.Store.MemberByID(ctx, id); err != nil {
		return nil, err
	}
	fingerprint := func(ctx context.Context) (string, error) {
		accounts, err := r.Store.SocialAccountsOfMembers(ctx, []int64{id})
		if err != nil {
			return "", err
		}
		// The values, not the pointers holding them: each read allocates
		// new ones.
		type state struct {
			ID     int64
			Status mvpgraph.AccountStatus
			Synced *time.Time
			mvpgraph.Reach
		}
		states := make([]state, 0, len(accounts[id]))
		for _, a := range accounts[id] {
			states = append(states, state{a.ID, a.Status, a.LastSyncedAt, a.Reach})
		}
		f, err := json.Marshal(states)
		return string(f), err
	}
	newLook := func(ctx context.Context) (look[struct{}], error) {
		last, err := fingerprint(ctx)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) ([]struct{}, error) {
			f, err := fingerprint(ctx)
			if err != nil || f == last {
				return nil, err
			}
			last = f
			return []struct{}{{}}, nil
		}, nil
	}
	changed := func(_, _ []struct{}) []struct{} { return []struct{}{{}} }
	f, err := r.reachWatches.follow(ctx, id, r.poll(), newLook, changed)
	if err != nil {
		return nil, err
	}
	sel := selected(ctx)
	ch := make(chan *model.Member, 1)
	go func() {
		defer close(ch)
		for {
			if _, ok := f.next(ctx); !ok {
				return
			}
			m, err := r.Store.MemberByID(ctx, id)
			if err != nil {
				continue
			}
			view, err := r.pageOf(ctx).member(ctx, sel, m)
			if err != nil {
				continue
			}
			if !send(ctx, ch, view) {
				return
			}
		}
	}()
	return ch, nil
}

// send delivers a subscription's event, reporting false when the
// subscriber has left. The subscription's loaders live as long as it does,
// so what they hold is forgotten first, for the answer to be read afresh.
func send[T any](ctx context.Context, ch chan<- *T, v *T) bool {
	loaders(ctx).clear()
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
