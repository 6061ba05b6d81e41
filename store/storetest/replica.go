package storetest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Pair is a PostgreSQL primary and its streaming replica, for the read
// replicas' tests: URLs of a fresh schema on each (the replica's a copy of
// the primary's), and the replica's switch.
type Pair struct {
	Primary, Replica string
	script           string
}

// ReplicaPair returns a primary and a streaming replica of their own
// (scripts/replica-pair, on ports 55432 and 55433), started if they are
// not, with a fresh schema that t drops when it ends. The URLs come from
// $MVPGRAPH_TEST_PRIMARY_URL and $MVPGRAPH_TEST_REPLICA_URL when set. When
// the pair cannot be made the test is skipped, unless $CI is set: then it
// fails.
func ReplicaPair(t *testing.T) *Pair {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := &Pair{script: filepath.Join(filepath.Dir(file), "..", "..", "scripts", "replica-pair")}
	primary, replica := os.Getenv("MVPGRAPH_TEST_PRIMARY_URL"), os.Getenv("MVPGRAPH_TEST_REPLICA_URL")
	if primary == "" || replica == "" {
		out, err := exec.Command(p.script, "start").Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			if os.Getenv("CI") != "" {
				t.Fatalf("scripts/replica-pair start failed and CI is set: %v\n%s", err, stderr)
			}
			t.Skipf("\n\n*** SKIPPING READ REPLICA TESTS: scripts/replica-pair start failed (%v): %s\n", err, stderr)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			name, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
			if !ok {
				continue
			}
			value = strings.Trim(value, "'")
			switch name {
			case "MVPGRAPH_TEST_PRIMARY_URL":
				primary = value
			case "MVPGRAPH_TEST_REPLICA_URL":
				replica = value
			}
		}
	}
	schema := randomName("r_")
	db, err := sql.Open("postgres", primary)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on the primary: %v", err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("postgres", primary); err == nil {
			_, _ = db.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
			_ = db.Close()
		}
	})
	p.Primary = withSearchPath(t, primary, schema)
	p.Replica = withSearchPath(t, replica, schema)
	p.WaitReplica(t, "SELECT 1 FROM pg_namespace WHERE nspname = '"+schema+"'")
	return p
}

func withSearchPath(t *testing.T, raw, schema string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// WaitReplica waits until query returns a row on the replica: until it
// has replayed what the query looks for.
func (p *Pair) WaitReplica(t *testing.T, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("postgres", p.Replica)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var one int
		err := db.QueryRowContext(context.Background(), query, args...).Scan(&one)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica has not replayed %q in 30 s: %v", query, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StopReplica stops the replica; StartReplica starts it again.
func (p *Pair) StopReplica(t *testing.T) { p.run(t, "stop-replica") }

// StartReplica starts the replica again.
func (p *Pair) StartReplica(t *testing.T) { p.run(t, "start-replica") }

func (p *Pair) run(t *testing.T, what string) {
	t.Helper()
	if out, err := exec.Command(p.script, what).CombinedOutput(); err != nil {
		t.Fatalf("scripts/replica-pair %s: %v\n%s", what, err, out)
	}
}
