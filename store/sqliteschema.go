package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// sqliteGoMigrations are the SQLite migrations that SQL alone cannot
// write: SQLite's ALTER TABLE does not change a CHECK constraint.
func sqliteGoMigrations() []*goose.Migration {
	const (
		platforms = "'TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG'"
		bluesky   = "'TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'BLUESKY', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG'"
	)
	return []*goose.Migration{
		// 00016: Bluesky joins the platforms of social_accounts. Going
		// down is refused while Bluesky accounts remain.
		goose.NewGoMigration(16,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return rewriteSQLiteCheck(ctx, tx, "social_accounts", platforms, bluesky, "")
			}},
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return rewriteSQLiteCheck(ctx, tx, "social_accounts", bluesky, platforms, "platform = 'BLUESKY'")
			}}),
	}
}

// rewriteSQLiteCheck replaces old with new in table's definition, in the
// transaction tx: the SQLite manual's procedure for loosening a CHECK
// constraint, which changes the definition only, since every stored row
// meets the looser check (https://sqlite.org/lang_altertable.html, "Making
// Other Kinds Of Table Schema Changes"). A tightening names in refused the
// rows the new check would not take, and is refused while any is stored.
//
// A definition that holds new already is left alone; one that does not
// hold old once is not the one the migration knows, and is an error.
func rewriteSQLiteCheck(ctx context.Context, tx *sql.Tx, table, old, new, refused string) error {
	var def string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&def); err != nil {
		return fmt.Errorf("read the definition of %s: %w", table, err)
	}
	if strings.Contains(def, new) {
		return nil
	}
	if strings.Count(def, old) != 1 {
		return fmt.Errorf("the definition of %s does not hold %s once; it is not the one this migration knows", table, old)
	}
	if refused != "" {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+refused).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d rows of %s (%s) would break the narrower check; delete them first", n, table, refused)
		}
	}
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{"PRAGMA writable_schema = ON", nil},
		{"UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", []any{strings.Replace(def, old, new, 1), table}},
		{fmt.Sprintf("PRAGMA schema_version = %d", version+1), nil},
		{"PRAGMA writable_schema = OFF", nil},
	} {
		if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return fmt.Errorf("rewrite the definition of %s: %w", table, err)
		}
	}
	return nil
}
