package store

import (
	"context"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/singleflight"
)

// preparedLimit bounds the statements kept prepared per store. The
// program's own query shapes number a few hundred; filters built by callers
// can make more, and the least recently used of those are closed.
const preparedLimit = 512

// prepared keeps the queries that return rows, run outside transactions,
// prepared, so that the database parses and plans a query shape once
// instead of on every request (PostgreSQL then settles on a generic plan
// after a few runs). A shape is prepared the second time it is seen: an
// analyst's one-off filter runs in one round trip and holds no memory in
// the database's sessions. A statement is closed when it falls out of the
// cache and nobody is using it.
type prepared struct {
	db     *sqlx.DB
	mu     sync.Mutex
	cache  *lru.Cache[string, *preparedStmt]
	seen   *lru.Cache[string, struct{}] // shapes run once, unprepared
	flight singleflight.Group
	unused []*sqlx.Stmt // evicted and idle, to close; guarded by mu
	closed bool         // guarded by mu
}

type preparedStmt struct {
	stmt    *sqlx.Stmt
	users   int  // guarded by prepared.mu
	evicted bool // guarded by prepared.mu
}

func newPrepared(db *sqlx.DB, limit int) *prepared {
	p := &prepared{db: db}
	p.seen, _ = lru.New[string, struct{}](4 * limit)
	// The eviction callback runs inside Add and Purge, which are only
	// called with p.mu held.
	p.cache, _ = lru.NewWithEvict(limit, func(_ string, e *preparedStmt) {
		e.evicted = true
		if e.users == 0 {
			p.unused = append(p.unused, e.stmt)
		}
	})
	return p
}

// takeUnused returns the statements to close; p.mu must be held.
func (p *prepared) takeUnused() []*sqlx.Stmt {
	out := p.unused
	p.unused = nil
	return out
}

func closeAll(stmts []*sqlx.Stmt) {
	for _, s := range stmts {
		_ = s.Close()
	}
}

// acquire returns the prepared statement for query, preparing it on its
// second use; release must be called when done with it. It returns nil
// when the caller is to run the query unprepared: the first time, once
// the store is closed, or when preparing failed (the query itself then
// reports what is wrong).
func (p *prepared) acquire(ctx context.Context, query string) *preparedStmt {
	p.mu.Lock()
	if e, ok := p.cache.Get(query); ok {
		e.users++
		p.mu.Unlock()
		return e
	}
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	if !p.seen.Contains(query) {
		p.seen.Add(query, struct{}{})
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	// Callers meeting a shape at once share one preparation.
	v, _, _ := p.flight.Do(query, func() (any, error) {
		stmt, err := p.db.PreparexContext(ctx, query)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = stmt.Close()
			return nil, nil
		}
		e := &preparedStmt{stmt: stmt}
		p.cache.Add(query, e)
		unused := p.takeUnused()
		p.mu.Unlock()
		closeAll(unused)
		return e, nil
	})
	e, _ := v.(*preparedStmt)
	if e == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.evicted {
		// Pushed out before this caller could use it.
		return nil
	}
	e.users++
	return e
}

func (p *prepared) release(e *preparedStmt) {
	p.mu.Lock()
	e.users--
	closing := e.evicted && e.users == 0
	p.mu.Unlock()
	if closing {
		_ = e.stmt.Close()
	}
}

// close closes every statement not in use; the others close as their
// callers release them, and nothing is prepared from now on.
func (p *prepared) close() {
	p.mu.Lock()
	p.closed = true
	p.cache.Purge()
	unused := p.takeUnused()
	p.mu.Unlock()
	closeAll(unused)
}
