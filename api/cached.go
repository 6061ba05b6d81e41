package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/singleflight"
)

// The bounds of @cached's ttl, in seconds.
const (
	minCachedTTL = 1
	maxCachedTTL = 3600
)

// answers keeps the answers of queries marked @cached, for the seconds the
// query asks, per caller: a token's key, or anonymous. An answer is found
// again by a hash of the caller, the query text, the operation's name and
// its variables. Answers are kept up to a total size, the least recently
// used dropped first; a mutation run here drops them all.
//
// The cost of a query answered from memory is charged as for a fresh
// answer: the budget bounds what a caller asks, however it is answered.
type answers struct {
	caller   CallerKey
	maxBytes int
	now      func() time.Time

	flight singleflight.Group

	mu    sync.Mutex
	kept  *simplelru.LRU[answerKey, *keptAnswer]
	bytes int
	// gen counts the mutations that finished: an answer computed while one
	// ran may predate its change, and is not kept.
	gen uint64
}

type answerKey [sha256.Size]byte

// answerOverhead is about what a kept answer takes besides its data: its
// key twice (list and map), the entry and the list element.
const answerOverhead = 200

type keptAnswer struct {
	data    json.RawMessage
	at      time.Time
	expires time.Time
}

// cachedState is what one operation's @cached asks, worked out once when
// the operation is prepared and read by each of its responses.
type cachedState struct {
	key     answerKey
	ttl     int
	refresh bool
	// anonymous: the caller sent no token, and the answer is everyone's.
	anonymous bool
	// answered is set once the operation's first response has gone: a
	// kept answer is the whole of it.
	answered   bool
	fromMemory bool
	// age is the age of the answer given.
	age time.Duration
}

const cachedStateKey = "mvpgraph.cached"

// newAnswers keeps up to maxBytes of answers. With maxBytes 0, or with
// caller nil, @cached is checked but nothing is kept: without caller,
// answers could not be told apart by who may see them. Expired answers
// stay until asked for again or pushed out by newer ones.
func newAnswers(caller CallerKey, maxBytes int) *answers {
	kept, _ := simplelru.NewLRU[answerKey, *keptAnswer](math.MaxInt, nil)
	return &answers{caller: caller, maxBytes: maxBytes, now: time.Now, kept: kept}
}

// cachedCheck is the part of answers that runs as an operation is
// prepared, before its cost is charged.
type cachedCheck struct{ a *answers }

func (cachedCheck) ExtensionName() string                   { return "CachedCheck" }
func (cachedCheck) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks @cached's arguments and works out the
// operation's key.
func (c cachedCheck) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	a := c.a
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil
	}
	d := oc.Operation.Directives.ForName("cached")
	if d == nil {
		return nil
	}
	args := d.ArgumentMap(oc.Variables)
	ttl, err := graphql.UnmarshalInt(args["ttl"])
	if err != nil || ttl < minCachedTTL || ttl > maxCachedTTL {
		e := gqlerror.Errorf("@cached(ttl: %v): ttl is how many seconds to keep the answer, from %d to %d.", args["ttl"], minCachedTTL, maxCachedTTL)
		errcode.Set(e, CodeBadUserInput)
		e.Extensions["field"] = "ttl"
		return e
	}
	refresh, _ := args["refresh"].(bool)
	if a.caller == nil || a.maxBytes <= 0 {
		return nil
	}
	vars, err := json.Marshal(oc.Variables) // map keys in order
	if err != nil {
		return nil // not kept; the operation runs as usual
	}
	caller := a.caller(ctx)
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q ", caller, oc.OperationName, oc.RawQuery)
	h.Write(vars)
	st := &cachedState{ttl: ttl, refresh: refresh, anonymous: caller == ""}
	h.Sum(st.key[:0])
	oc.Stats.SetExtension(cachedStateKey, st)
	return nil
}

func (*answers) ExtensionName() string                   { return "Cached" }
func (*answers) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse answers a @cached query from memory when it can, and
// keeps a new answer that has no errors and no deferred parts; callers
// asking the same question while it is worked out wait for it. A mutation
// that changed something drops the kept answers when it has run.
func (a *answers) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		resp := next(ctx)
		if changedAnything(oc, resp) {
			a.forget()
		}
		return resp
	}
	st, _ := oc.Stats.GetExtension(cachedStateKey).(*cachedState)
	if st == nil {
		return next(ctx)
	}
	if st.answered {
		if st.fromMemory {
			return nil // the kept answer was the whole answer
		}
		return next(ctx) // a deferred part
	}
	st.answered = true
	if st.refresh {
		resp, _ := a.workOut(ctx, st, next)
		return resp
	}
	if data, age, ok := a.get(st.key); ok {
		return st.fromKept(data, age)
	}
	// Callers asking the same question at once wait for one of them to
	// work it out, rather than all running it (when a popular answer's
	// time is up, say).
	var resp *graphql.Response
	led := false
	v, _, _ := a.flight.Do(string(st.key[:]), func() (any, error) {
		led = true
		var kept bool
		resp, kept = a.workOut(ctx, st, next)
		if !kept {
			return json.RawMessage(nil), nil
		}
		return resp.Data, nil
	})
	if led {
		return resp
	}
	// Another caller worked it out: its answer serves this one too, unless
	// it was not one to keep, or a mutation finished while it was worked
	// out (this caller may have asked after it).
	if data := v.(json.RawMessage); data != nil {
		return st.fromKept(data, 0)
	}
	resp, _ = a.workOut(ctx, st, next)
	return resp
}

// fromKept answers the operation with kept data of the given age: the
// whole of its answer.
func (st *cachedState) fromKept(data json.RawMessage, age time.Duration) *graphql.Response {
	st.fromMemory, st.age = true, age
	return &graphql.Response{Data: data, Extensions: map[string]any{"cached": cachedExtension(true, age, st.ttl)}}
}

// workOut runs the query, keeps its answer if it may be kept, and reports
// whether it was.
func (a *answers) workOut(ctx context.Context, st *cachedState, next graphql.ResponseHandler) (*graphql.Response, bool) {
	gen := a.generation()
	resp := next(ctx)
	if resp == nil {
		return nil, false
	}
	kept := keepable(resp) && a.put(st.key, resp.Data, st.ttl, gen)
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cached"] = cachedExtension(false, 0, st.ttl)
	return resp, kept
}

// keepable: an answer without errors or deferred parts.
func keepable(resp *graphql.Response) bool {
	return len(resp.Errors) == 0 && resp.HasNext == nil && len(resp.Path) == 0
}

// cachedExtension is extensions.cached: whether the answer came from
// memory, its age in whole seconds, and the ttl asked.
func cachedExtension(hit bool, age time.Duration, ttl int) map[string]any {
	return map[string]any{"hit": hit, "age": int(age / time.Second), "ttl": ttl}
}

func (k *keptAnswer) size() int { return len(k.data) + answerOverhead }

func (a *answers) get(k answerKey) (json.RawMessage, time.Duration, bool) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	got, ok := a.kept.Get(k)
	if !ok {
		return nil, 0, false
	}
	if !now.Before(got.expires) {
		a.kept.Remove(k)
		a.bytes -= got.size()
		return nil, 0, false
	}
	return got.data, now.Sub(got.at), true
}

func (a *answers) generation() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gen
}

// put keeps data unless a mutation finished since gen was read, or data
// alone would take more than an eighth of the room, and reports whether
// it did.
func (a *answers) put(k answerKey, data json.RawMessage, ttl int, gen uint64) bool {
	if len(data) > a.maxBytes/8 {
		return false
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		return false
	}
	if old, ok := a.kept.Peek(k); ok {
		a.bytes -= old.size()
	}
	// A copy of its own, no bigger than the answer: the buffer it was
	// written to may have room to spare.
	e := &keptAnswer{data: bytes.Clone(data), at: now, expires: now.Add(time.Duration(ttl) * time.Second)}
	a.kept.Add(k, e)
	a.bytes += e.size()
	for a.bytes > a.maxBytes {
		_, old, ok := a.kept.RemoveOldest()
		if !ok {
			break
		}
		a.bytes -= old.size()
	}
	return true
}

// forget drops every kept answer, after a mutation.
func (a *answers) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	a.kept.Purge()
	a.bytes = 0
}

// changedAnything reports whether a mutation's answer shows that one of
// its fields ran to the end, and so may have changed something: a root
// field with no error at or under it. A refused mutation changes nothing
// (docs/api.md, "Errors"), so refusals, even anonymous ones, keep every
// caller's answers. Each mutation field's payload is non-null, so one
// failed field makes data null while a field before it may have changed
// something: the errors' paths tell which failed.
func changedAnything(oc *graphql.OperationContext, resp *graphql.Response) bool {
	if resp == nil {
		return false
	}
	if len(resp.Errors) == 0 {
		return true
	}
	failed := map[string]bool{}
	for _, e := range resp.Errors {
		if len(e.Path) > 0 {
			if name, ok := e.Path[0].(ast.PathName); ok {
				failed[string(name)] = true
			}
		}
	}
	if len(failed) == 0 {
		// Refused before any field ran, unless the errors came from
		// elsewhere and the data is there.
		return len(resp.Data) > 0 && string(resp.Data) != "null"
	}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		if !failed[f.Alias] {
			return true
		}
	}
	return false
}
