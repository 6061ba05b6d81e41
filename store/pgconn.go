package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// openPostgres opens a PostgreSQL pool whose sessions run without JIT
// compilation, unless the URL sets jit itself (lib/pq passes it to the
// server as a run-time parameter).
//
// PostgreSQL compiles a statement whose plan costs more than
// jit_above_cost (100,000 by default) to machine code first, which takes
// a few hundred milliseconds each time it is planned: at 100,000 members
// a third of the whole-program growth ranking on a cold cache (1.3 s with
// JIT, 0.8 to 0.9 s without, EXPLAIN ANALYZE, bench/README.md), and the
// same on every other statement whose estimate crosses the bound. The
// API's statements are short; what they read, not their expressions,
// sets their cost.
func openPostgres(dsn string) (*sqlx.DB, error) {
	if u, err := url.Parse(dsn); err == nil && u.Query().Has("jit") {
		return sqlx.Open(string(Postgres), dsn)
	}
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sqlx.NewDb(sql.OpenDB(jitOff{c}), string(Postgres)), nil
}

// jitOff turns JIT off in each new session. Behind a pooler in
// transaction mode a session setting may not follow the statements; they
// then run as the server's settings say, with JIT when it is on.
type jitOff struct{ driver.Connector }

func (c jitOff) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, "SET jit = off", nil); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("turn JIT off for the session: %w", err)
	}
	return conn, nil
}
