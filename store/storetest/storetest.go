// Package storetest gives tests real, fresh, migrated stores on SQLite and
// PostgreSQL, so that one suite runs the same cases against both.
//
// PostgreSQL comes from $MVPGRAPH_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Each test
// package gets a database of its own, dropped by Main when the package's
// tests end, and each test a schema of its own inside it. When PostgreSQL is
// unreachable its tests are skipped with a loud message, unless $CI is set:
// then they fail.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // registers "postgres"

	"mvpgraph/store"
)

// DefaultURL is the PostgreSQL server tests use unless told otherwise.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var pg struct {
	once   sync.Once
	err    error
	admin  string // URL of the server's maintenance database
	dbName string
	dbURL  string
}

func adminURL() string {
	if u := os.Getenv("MVPGRAPH_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// withPath returns raw with its path set to /name and extra query values.
func withPath(raw, name string, extra url.Values) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// setup creates the package's database once.
func setup() error {
	pg.once.Do(func() {
		pg.admin = adminURL()
		db, err := sql.Open("postgres", pg.admin)
		if err != nil {
			pg.err = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			pg.err = err
			return
		}
		pg.dbName = randomName("mvpgraph_test_")
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pg.dbName); err != nil {
			pg.err = err
			return
		}
		pg.dbURL, pg.err = withPath(pg.admin, pg.dbName, nil)
	})
	return pg.err
}

// Main runs a package's tests and then drops its PostgreSQL database. Call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if pg.dbName != "" {
		if db, err := sql.Open("postgres", pg.admin); err == nil {
			_, err = db.Exec("DROP DATABASE IF EXISTS " + pg.dbName + " WITH (FORCE)")
			if err != nil {
				fmt.Fprintf(os.Stderr, "storetest: drop database %s: %v\n", pg.dbName, err)
			}
			_ = db.Close()
		}
	}
	os.Exit(code)
}

// URL returns the URL of a fresh, empty database of dialect d for t: a new
// SQLite file, or a new schema in the package's PostgreSQL database.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "mvpgraph.db")
	}
	if err := setup(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is unreachable and CI is set: %v", redact(adminURL()), err)
		}
		t.Skipf("\n\n*** SKIPPING PostgreSQL TESTS: %s is unreachable (%v).\n*** Start PostgreSQL or set MVPGRAPH_TEST_DATABASE_URL; CI=true makes this a failure.\n", redact(adminURL()), err)
	}
	schema := randomName("t_")
	db, err := sql.Open("postgres", pg.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := withPath(pg.admin, pg.dbName, url.Values{"search_path": {schema}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Year is the award year tests run in: New's stores read a clock that
// started on 1 July of it, so that tests do not change with the calendar.
const Year = 2026

var clockStart = time.Now()

// Clock reads a clock that started at the beginning of July of Year when the
// test binary started, and runs at the real pace.
func Clock() time.Time {
	return time.Date(Year, time.July, 1, 0, 0, 0, 0, time.UTC).Add(time.Since(clockStart))
}

// New returns a fresh migrated store of dialect d on Clock, closed when t
// ends.
func New(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	u := URL(t, d)
	ctx := context.Background()
	s, err := store.Open(ctx, u, store.WithClock(Clock))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s
}

// Dialects are the databases every store test runs against.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a parallel subtest per dialect, each with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, d))
		})
	}
}

// redact hides a password in a database URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the database URL"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return strings.TrimSpace(u.String())
}
