package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"mvpgraph"
)

// Program is a whole program to load into an empty database at once, as the
// demo and the benchmark datasets are. Callers number the rows of each table
// themselves (1..n) so that references are known before anything is stored.
type Program struct {
	ProductTeams    []mvpgraph.ProductTeam
	Contacts        []mvpgraph.Contact
	Expertises      []mvpgraph.Expertise
	Leads           []mvpgraph.Lead
	ExpertiseOwners []ExpertiseOwner
	CountryOwners   []CountryOwner
	Members         []mvpgraph.Member
	Awards          []mvpgraph.Award

	// SocialAccounts are the members' accounts, numbered 1..n like the other
	// rows, and Snapshots their daily history (see MemberBatch).
	SocialAccounts []mvpgraph.SocialAccount
	Snapshots      []mvpgraph.Snapshot

	// Spaces are the community spaces, numbered 1..n, and SpaceExpertises
	// the expertises discussed in each; Contributors and Activities their
	// activity, as in a MemberBatch.
	Spaces          []mvpgraph.CommunitySpace
	SpaceExpertises []SpaceExpertise
	Contributors    []LoadContributor
	Activities      []LoadActivity

	// More, when set, yields further members, awards, accounts and
	// snapshots after those above, in the same transaction, so that a
	// program too big to hold in memory streams through. Load is done with a
	// batch when the yield returns, so the generator may reuse its slices
	// and whatever their pointers point to.
	More iter.Seq[MemberBatch]
}

// ExpertiseOwner makes a US lead the owner of an expertise.
type ExpertiseOwner struct {
	ExpertiseID int64
	LeadID      int64
}

// SpaceExpertise says that an expertise is discussed in a space.
type SpaceExpertise struct {
	SpaceID     int64
	ExpertiseID int64
}

// LoadContributor is someone seen in a space, by the handle used there,
// and the member they are when known. IDs run 1..n over the whole program.
type LoadContributor struct {
	ID       int64
	SpaceID  int64
	Handle   string
	Name     string
	MemberID *int64
	// ProfileURL is the contributor's profile page, when the space gave
	// one (an http or https address of at most mvpgraph.MaxProfileURL
	// characters).
	ProfileURL *string
}

// LoadActivity is one contribution in a space, by a contributor of that
// space. IDs run 1..n over the whole program.
type LoadActivity struct {
	ID            int64
	SpaceID       int64
	ContributorID int64
	ExternalID    string
	Kind          mvpgraph.ActivityKind
	OccurredAt    time.Time
	URL, Title    *string
	Score         *float64
	// InReplyTo is the external ID of the question, in the same space, an
	// answer replies to; Accepted marks an accepted answer.
	InReplyTo *string
	Accepted  bool
}

// CountryOwner makes an international lead the owner of a country.
type CountryOwner struct {
	Country string
	LeadID  int64
}

// MemberBatch is a slice of a program's members, their awards and their
// social accounts with their history. An award or an account may refer to a
// member of its own batch or of an earlier one; a snapshot must be in the
// batch of its account, so that Load writes each account with its newest
// reading at once.
//
// Load's ProgramCheck (seed.Load's) checks and completes each batch.
// An account's Handle must already be in the form mvpgraph.NormalizeAccount
// gives (the check sets URL from it), and its Status one of the account
// statuses. The check sets its reading (Followers ... LastPostAt) from its newest
// snapshot, the one with the latest CapturedAt, or leaves it empty when it
// has none, and LastSyncedAt to that snapshot's CapturedAt unless the
// caller gave a later one (a sync that found the account gone takes no
// snapshot). LastError and Failures are stored as given; CreatedAt is
// Load's clock reading. A snapshot's Day is the UTC day of its CapturedAt:
// the check fills it in when empty and refuses one that differs. At most one
// snapshot per account and day.
//
// Contributors and Activities are community activity: a contributor may
// name a member of its batch or an earlier one, an activity a contributor
// of its batch or an earlier one, of the same space.
type MemberBatch struct {
	Members        []mvpgraph.Member
	Awards         []mvpgraph.Award
	SocialAccounts []mvpgraph.SocialAccount
	Snapshots      []mvpgraph.Snapshot
	Contributors   []LoadContributor
	Activities     []LoadActivity
}

// sqliteMaxParams is how many bound parameters one statement may carry:
// SQLite's default SQLITE_MAX_VARIABLE_NUMBER.
const sqliteMaxParams = 32766

// programTables are the tables Load fills, parents first.
var programTables = []string{"product_teams", "contacts", "expertises", "leads", "lead_expertises", "lead_countries", "members", "awards", "award_events", "social_accounts", "reach_snapshots",
	"community_spaces", "space_expertises", "contributors", "activities"}

// identityTables are the tables whose IDs Load sets, and whose PostgreSQL
// identity sequences it moves past them.
var identityTables = []string{"product_teams", "contacts", "expertises", "leads", "members", "awards", "social_accounts", "community_spaces", "contributors", "activities"}

// NotEmptyField is the field of the EINVALID error with which Load refuses
// a database that is not empty.
const NotEmptyField = "program"

// ProgramCheck applies the program's rules to the rows Load is about to
// store, and completes them: IDs given, fields normalised, every row stamped
// with now, each account given the reading of its newest snapshot. Load
// calls Catalogue once, before its transaction, then Batch for each batch
// in order, inside it; an error from either stores nothing. seed.Load
// gives Load the program's check.
type ProgramCheck interface {
	Catalogue(p *Program, now time.Time) error
	Batch(b MemberBatch) error
}

// Load stores p in an empty database in one transaction, through COPY on
// PostgreSQL and multi-row INSERTs on SQLite: all of it or, on any error,
// nothing. It refuses a database that already holds part of a program,
// since the caller's IDs would collide. check applies the program's rules
// to each part before it is stored.
func (s *Store) Load(ctx context.Context, p *Program, check ProgramCheck) error {
	l := loader{s: s, now: s.now(), check: check, ready: map[string]bool{}, staged: map[string]string{}, lastDays: map[int64]string{}}
	if err := check.Catalogue(p, l.now); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		l.tx = tx
		if err := l.checkEmpty(ctx); err != nil {
			return err
		}
		if err := l.setAside(ctx); err != nil {
			return err
		}
		if err := l.insertCatalogue(ctx, p); err != nil {
			return err
		}
		if err := l.insertSpaces(ctx, p); err != nil {
			return err
		}
		if err := l.insertBatch(ctx, MemberBatch{Members: p.Members, Awards: p.Awards, SocialAccounts: p.SocialAccounts, Snapshots: p.Snapshots,
			Contributors: p.Contributors, Activities: p.Activities}); err != nil {
			return err
		}
		if p.More != nil {
			for b := range p.More {
				if err := l.insertBatch(ctx, b); err != nil {
					return err
				}
			}
		}
		// Every award loaded is recorded as given by the load.
		if _, err := tx.ExecContext(ctx, "INSERT INTO award_events (award_id, action, status, actor_name, at) "+
			"SELECT id, 'AWARD', status, 'program load', created_at FROM awards"); err != nil {
			return err
		}
		if err := l.placeHistory(ctx); err != nil {
			return err
		}
		if err := l.restore(ctx); err != nil {
			return err
		}
		if err := l.finishPostgres(ctx); err != nil {
			return err
		}
		spaceIDs := make([]int64, len(p.Spaces))
		for i, sp := range p.Spaces {
			spaceIDs[i] = sp.ID
		}
		if err := s.linkAnswers(ctx, tx, spaceIDs); err != nil {
			return err
		}
		if err := s.rebuildSummary(ctx, tx); err != nil {
			return err
		}
		if err := s.rebuildCells(ctx, tx); err != nil {
			return err
		}
		return s.placePeople(ctx, tx, mvpgraph.Principal{Name: "program load"})
	})
	if err == nil {
		s.history.mark(l.months, true)
	}
	if err == nil && s.dialect == Postgres {
		// Vacuumed, the new rows are visible to all in the visibility map,
		// and the index-only scans of counts and rankings skip the table.
		// The program is stored either way; should this fail, autovacuum
		// gets there later, so it is not Load's failure.
		_, _ = s.db.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(programTables, ", "))
	}
	return mapError("load program", err)
}

// loader carries what Load learns along the way.
type loader struct {
	s     *Store
	tx    *sqlx.Tx
	now   time.Time
	check ProgramCheck
	// restoreSQL builds again the constraints and indexes set aside.
	restoreSQL []string
	args       []any // the values of one INSERT
	sites      map[int64]spaceSite
	stmts      map[string]*sql.Stmt
	months     []string          // history partitions made, there once committed
	ready      map[string]bool   // history partitions made ready in this load
	staged     map[string]string // each day's snapshots' table until placeHistory
	lastDays   map[int64]string  // a batch's accounts' newest snapshot days
}

// spaceSite is the site a space is on, and the platform it is.
type spaceSite struct {
	site     string
	platform *mvpgraph.Platform
}

// checkEmpty refuses a database that holds any part of a program. On
// PostgreSQL it first locks the tables against writers, so that a second
// Load waits for the first and is then refused, instead of colliding.
func (l *loader) checkEmpty(ctx context.Context) error {
	if l.s.dialect == Postgres {
		if _, err := l.tx.ExecContext(ctx, "LOCK TABLE "+strings.Join(programTables, ", ")+" IN EXCLUSIVE MODE"); err != nil {
			return err
		}
	}
	for _, t := range programTables {
		var n int
		if err := l.s.get(ctx, l.tx, &n, l.s.sb.Select("COUNT(*)").FromSelect(l.s.sb.Select("1").From(t).Limit(1), "t")); err != nil {
			return err
		}
		if n > 0 {
			return mvpgraph.Invalidf(NotEmptyField, "the database already has rows in %s; a program can only be loaded into an empty database, so use a new one.", t)
		}
	}
	return nil
}

// insertRows inserts n rows into table; row appends row i's values to dst.
// PostgreSQL takes them through COPY. SQLite takes multi-row INSERTs, each
// as big as its limit on bound parameters allows; the statement for a full
// chunk is prepared once per Load: parsing a statement of thousands of rows
// costs as much as running it.
func (l *loader) insertRows(ctx context.Context, table string, cols []string, n int, row func(dst []any, i int) []any) error {
	if l.s.dialect == Postgres {
		return l.copyRows(ctx, table, cols, n, row)
	}
	per := sqliteMaxParams / len(cols)
	defer func() { clear(l.args[:cap(l.args)]) }() // holds none of the caller's rows
	for start := 0; start < n; start += per {
		rows := min(per, n-start)
		l.args = l.args[:0]
		for i := start; i < start+rows; i++ {
			l.args = row(l.args, i)
		}
		var err error
		count(ctx)
		if rows == per {
			var stmt *sql.Stmt
			if stmt, err = l.prepare(ctx, table, cols, rows); err == nil {
				_, err = stmt.ExecContext(ctx, l.args...)
			}
		} else {
			_, err = l.tx.ExecContext(ctx, l.insertSQL(table, cols, rows), l.args...)
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

// copyRows streams n rows into table with PostgreSQL's COPY: rows go as a
// stream of values, with none of the parsing and binding of statements.
// It loads several times faster than multi-row INSERTs (bench/README.md,
// "Seeding"). Triggers and
// constraints apply as to INSERTs; an error ends the COPY and, with it,
// Load's transaction.
func (l *loader) copyRows(ctx context.Context, table string, cols []string, n int, row func(dst []any, i int) []any) error {
	if n == 0 {
		return nil
	}
	count(ctx)
	stmt, err := l.tx.PrepareContext(ctx, "COPY "+table+" ("+strings.Join(cols, ", ")+") FROM STDIN")
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	defer stmt.Close()
	defer func() { clear(l.args[:cap(l.args)]) }() // holds none of the caller's rows
	for i := range n {
		l.args = row(l.args[:0], i)
		if _, err := stmt.ExecContext(ctx, l.args...); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil { // the end of the rows
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

// prepare returns the INSERT of rows rows into table, prepared in the
// transaction the first time it is asked for.
func (l *loader) prepare(ctx context.Context, table string, cols []string, rows int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", table, rows)
	if stmt, ok := l.stmts[key]; ok {
		return stmt, nil
	}
	stmt, err := l.tx.PrepareContext(ctx, l.insertSQL(table, cols, rows))
	if err != nil {
		return nil, err
	}
	if l.stmts == nil {
		l.stmts = map[string]*sql.Stmt{}
	}
	l.stmts[key] = stmt
	return stmt, nil
}

// insertSQL writes an INSERT of rows rows of cols into table, with
// SQLite's placeholders.
func (l *loader) insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	b.Grow(len(table) + 40 + rows*len(cols)*7)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (l *loader) insertCatalogue(ctx context.Context, p *Program) error {
	if err := l.insertRows(ctx, "product_teams", []string{"id", "name", "created_at"}, len(p.ProductTeams), func(dst []any, i int) []any {
		t := &p.ProductTeams[i]
		return append(dst, t.ID, t.Name, t.CreatedAt)
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "contacts", []string{"id", "product_team_id", "name", "email", "role"}, len(p.Contacts), func(dst []any, i int) []any {
		c := &p.Contacts[i]
		return append(dst, c.ID, c.ProductTeamID, c.Name, c.Email, c.Role)
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "expertises", []string{"id", "name", "category", "product_team_id", "created_at"}, len(p.Expertises), func(dst []any, i int) []any {
		e := &p.Expertises[i]
		return append(dst, e.ID, e.Name, e.Category, e.ProductTeamID, e.CreatedAt)
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "leads", []string{"id", "name", "email", "kind", "created_at"}, len(p.Leads), func(dst []any, i int) []any {
		x := &p.Leads[i]
		return append(dst, x.ID, x.Name, x.Email, x.Kind, x.CreatedAt)
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "lead_expertises", []string{"expertise_id", "lead_id"}, len(p.ExpertiseOwners), func(dst []any, i int) []any {
		return append(dst, p.ExpertiseOwners[i].ExpertiseID, p.ExpertiseOwners[i].LeadID)
	}); err != nil {
		return err
	}
	return l.insertRows(ctx, "lead_countries", []string{"country", "lead_id"}, len(p.CountryOwners), func(dst []any, i int) []any {
		return append(dst, p.CountryOwners[i].Country, p.CountryOwners[i].LeadID)
	})
}

var (
	loadMemberColumns = []string{"id", "handle", "name", "email", "country", "city", "bio", "employer", "is_employee", "created_at", "updated_at"}
	loadAwardColumns  = []string{"id", "member_id", "expertise_id", "year", "status", "created_at", "updated_at"}
)

// insertBatch stores one batch of members, their awards, accounts and
// activity, checked.
func (l *loader) insertBatch(ctx context.Context, b MemberBatch) error {
	if err := l.check.Batch(b); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "members", loadMemberColumns, len(b.Members), func(dst []any, i int) []any {
		m := &b.Members[i]
		return append(dst, m.ID, m.Handle, m.Name, m.Email, m.Country, m.City, m.Bio, m.Employer, m.IsEmployee, m.CreatedAt, m.UpdatedAt)
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "awards", loadAwardColumns, len(b.Awards), func(dst []any, i int) []any {
		a := &b.Awards[i]
		return append(dst, a.ID, a.MemberID, a.ExpertiseID, a.Year, a.Status, a.CreatedAt, a.UpdatedAt)
	}); err != nil {
		return err
	}
	// Each account's newest snapshot day: its snapshots are all in its batch.
	clear(l.lastDays)
	for i := range b.Snapshots {
		x := &b.Snapshots[i]
		if x.Day > l.lastDays[x.AccountID] {
			l.lastDays[x.AccountID] = x.Day
		}
	}
	if err := l.insertRows(ctx, "social_accounts", loadAccountColumns, len(b.SocialAccounts), func(dst []any, i int) []any {
		a := &b.SocialAccounts[i]
		var last any
		if d, ok := l.lastDays[a.ID]; ok {
			last = d
		}
		return append(dst, a.ID, a.MemberID, a.Platform, a.Handle, a.URL, a.Status, a.Followers, a.Following, a.Posts, a.Views,
			a.Engagement, a.LastPostAt, a.LastSyncedAt, a.LastError, a.Failures, a.CreatedAt, last)
	}); err != nil {
		return err
	}
	if err := l.insertSnapshots(ctx, b.Snapshots); err != nil {
		return err
	}
	return l.insertActivity(ctx, b)
}

// insertSnapshots stores a batch's snapshots. On PostgreSQL each day's go
// to a table of their own, unlogged, until placeHistory moves them to the
// history in day order, as a daily sync writes them (a batch holds a few
// hundred members, so written as they come each day's snapshots would lie
// in as many places as there are batches); the months' partitions are made
// first. SQLite stores them as they come.
func (l *loader) insertSnapshots(ctx context.Context, snaps []mvpgraph.Snapshot) error {
	if l.s.dialect != Postgres {
		return l.insertRows(ctx, "reach_snapshots", loadSnapshotColumns, len(snaps), func(dst []any, i int) []any {
			return snapshotRow(dst, &snaps[i])
		})
	}
	// In one pass per day: a batch holds a few hundred days at most, each
	// day's snapshots in the order the batch gives them.
	byDay := map[string][]int{}
	for i := range snaps {
		byDay[snaps[i].Day] = append(byDay[snaps[i].Day], i)
	}
	var months []time.Time // not made ready earlier in this load
	for day := range byDay {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return fmt.Errorf("snapshot day %q: %w", day, err) // the check refuses it first
		}
		if name := historyPartition(monthOf(d)); !l.ready[name] {
			l.ready[name] = true
			months = append(months, monthOf(d))
		}
		if l.staged[day] == "" {
			name := "reach_load_d" + d.Format("20060102")
			count(ctx)
			if _, err := l.tx.ExecContext(ctx, "CREATE UNLOGGED TABLE "+name+" (LIKE reach_snapshots)"); err != nil {
				return fmt.Errorf("stage the snapshots of %s: %w", day, err)
			}
			l.staged[day] = name
		}
	}
	if len(months) > 0 {
		made, err := l.s.ensureMonths(ctx, l.tx, months)
		if err != nil {
			return err
		}
		l.months = append(l.months, made...)
	}
	for _, day := range slices.Sorted(maps.Keys(byDay)) {
		rows := byDay[day]
		if err := l.insertRows(ctx, l.staged[day], loadSnapshotColumns, len(rows), func(dst []any, i int) []any {
			return snapshotRow(dst, &snaps[rows[i]])
		}); err != nil {
			return err
		}
	}
	return nil
}

// snapshotRow appends x's values in the order of loadSnapshotColumns.
func snapshotRow(dst []any, x *mvpgraph.Snapshot) []any {
	return append(dst, x.AccountID, x.Day, x.CapturedAt, x.Followers, x.Following, x.Posts, x.Views, x.Engagement, x.LastPostAt)
}

// insertSpaces stores the community spaces and what each is about.
func (l *loader) insertSpaces(ctx context.Context, p *Program) error {
	l.sites = make(map[int64]spaceSite, len(p.Spaces))
	if err := l.insertRows(ctx, "community_spaces", []string{"id", "name", "kind", "url", "created_at", "site", "platform"}, len(p.Spaces), func(dst []any, i int) []any {
		sp := &p.Spaces[i]
		site, platform := mvpgraph.SpaceSite(*sp)
		l.sites[sp.ID] = spaceSite{site, platform}
		return append(dst, sp.ID, sp.Name, sp.Kind, sp.URL, sp.CreatedAt, site, platform)
	}); err != nil {
		return err
	}
	return l.insertRows(ctx, "space_expertises", []string{"space_id", "expertise_id"}, len(p.SpaceExpertises), func(dst []any, i int) []any {
		return append(dst, p.SpaceExpertises[i].SpaceID, p.SpaceExpertises[i].ExpertiseID)
	})
}

var (
	loadContributorColumns = []string{"id", "space_id", "handle", "name", "member_id", "account", "name_key", "handle_key", "profile_url", "profile_key"}
	loadActivityColumns    = []string{"id", "space_id", "external_id", "contributor_id", "kind", "occurred_at", "url", "title", "score", "created_at", "in_reply_to", "accepted"}
)

// insertActivity stores a batch's contributors and their activity. A
// member that does not exist the database's keys refuse.
func (l *loader) insertActivity(ctx context.Context, b MemberBatch) error {
	if err := l.insertRows(ctx, "contributors", loadContributorColumns, len(b.Contributors), func(dst []any, i int) []any {
		c := &b.Contributors[i]
		on := l.sites[c.SpaceID]
		account, nameKey, handleKey := mvpgraph.IdentityKeys(on.site, on.platform, c.Handle, c.Name)
		var profileKey *string
		if c.ProfileURL != nil {
			if k := mvpgraph.ProfileKey(*c.ProfileURL); k != "" {
				profileKey = &k
			}
		}
		return append(dst, c.ID, c.SpaceID, c.Handle, c.Name, c.MemberID, account, nameKey, handleKey, c.ProfileURL, profileKey)
	}); err != nil {
		return err
	}
	return l.insertRows(ctx, "activities", loadActivityColumns, len(b.Activities), func(dst []any, i int) []any {
		a := &b.Activities[i]
		return append(dst, a.ID, a.SpaceID, a.ExternalID, a.ContributorID, a.Kind, a.OccurredAt, a.URL, a.Title, a.Score, l.now, a.InReplyTo, a.Accepted)
	})
}

var (
	loadAccountColumns = []string{"id", "member_id", "platform", "handle", "url", "status", "followers", "following", "posts",
		"views", "engagement", "last_post_at", "last_synced_at", "last_error", "failures", "created_at", "last_snapshot_day"}
	loadSnapshotColumns = []string{"account_id", "day", "captured_at", "followers", "following", "posts", "views", "engagement", "last_post_at"}
)

// bulkTables take most of a large program's rows: a year of daily reach,
// the community's activity, and an event for each award. No table refers
// to them.
var bulkTables = []string{"reach_snapshots", "activities", "award_events"}

// setAside drops the indexes and constraints (keys, references, checks) of
// the bulk tables on PostgreSQL, and remembers them for restore, which
// builds them again once the rows are in: the PostgreSQL manual's advice
// for populating a database: building a key and checking references once
// for all rows is many times faster than row by row (bench/README.md,
// "Figures behind the code"). Load holds the
// tables locked and runs in one transaction, so no one sees them without
// their constraints, and a failure restores them as they were.
func (l *loader) setAside(ctx context.Context) error {
	if l.s.dialect != Postgres {
		return nil
	}
	var defs []struct {
		Table string `db:"tbl"`
		Name  string `db:"name"`
		Def   string `db:"def"`
		Index bool   `db:"is_index"`
	}
	// In the order they are built again: keys, checks, the indexes that
	// back no constraint, then references, which read other tables' keys.
	err := l.tx.SelectContext(ctx, &defs, `
		SELECT tbl, name, def, is_index FROM (
		  SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS def, false AS is_index,
		         CASE contype WHEN 'c' THEN 1 WHEN 'f' THEN 3 ELSE 0 END AS step
		  FROM pg_constraint WHERE conrelid = ANY($1::text[]::regclass[]) AND contype IN ('p', 'u', 'c', 'f')
		  UNION ALL
		  SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid), true, 2
		  FROM pg_index i WHERE indrelid = ANY($1::text[]::regclass[])
		    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		) d ORDER BY step, tbl, name`, pq.Array(bulkTables))
	if err != nil {
		return fmt.Errorf("read the bulk tables' constraints: %w", err)
	}
	// References go first: a key cannot go while a reference reads it (an
	// answer's reference to its question reads the activities' own key).
	var drops []string
	for _, d := range defs {
		drop, add := "ALTER TABLE "+d.Table+" DROP CONSTRAINT "+d.Name, "ALTER TABLE "+d.Table+" ADD CONSTRAINT "+d.Name+" "+d.Def
		if d.Index {
			// A partitioned table's index is defined ON ONLY the parent,
			// its partitions' indexes attached to it one by one; built
			// again, it is built on every partition.
			drop, add = "DROP INDEX "+d.Name, strings.Replace(d.Def, " ON ONLY ", " ON ", 1)
		}
		if strings.HasPrefix(d.Def, "FOREIGN KEY") {
			drops = append([]string{drop}, drops...)
		} else {
			drops = append(drops, drop)
		}
		l.restoreSQL = append(l.restoreSQL, add)
	}
	for _, drop := range drops {
		if _, err := l.tx.ExecContext(ctx, drop); err != nil {
			return fmt.Errorf("set aside (%s): %w", drop, err)
		}
	}
	// The MVP count's trigger would look up the members of every batch of
	// awards loaded; the count is taken once, at the end, instead.
	if _, err := l.tx.ExecContext(ctx, "ALTER TABLE awards DISABLE TRIGGER awards_count_mvps_insert"); err != nil {
		return fmt.Errorf("set aside the MVP count: %w", err)
	}
	l.restoreSQL = append(l.restoreSQL, "ALTER TABLE awards ENABLE TRIGGER awards_count_mvps_insert",
		"UPDATE program_counts SET mvps = (SELECT COUNT(DISTINCT member_id) FROM awards WHERE status = 'ACTIVE') WHERE id = 1")
	return nil
}

// placeHistory moves the snapshots staged by insertSnapshots to the
// history, one day after the other, so that each month's partition holds
// its days in order, as a daily sync leaves it. A ranking of growth then
// reads the window's first day as one slice through the BRIN index on the
// day, and the planner, seeing the order in the day's statistics, chooses
// that index: at 100,000 members with a year of history, 10 MB of the
// month read instead of all its 204 MB (bench/README.md). Each day's table
// is emptied as soon as it is moved, which, as it was made in this
// transaction, gives its space back at once: the load needs room for its
// history and one day more, not twice its history. The keys and indexes
// are built after, by restore.
func (l *loader) placeHistory(ctx context.Context) error {
	cols := strings.Join(loadSnapshotColumns, ", ")
	for _, day := range slices.Sorted(maps.Keys(l.staged)) {
		name := l.staged[day]
		for _, q := range []string{
			"INSERT INTO reach_snapshots (" + cols + ") SELECT " + cols + " FROM " + name,
			"TRUNCATE " + name,
			"DROP TABLE " + name,
		} {
			count(ctx)
			if _, err := l.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("place the snapshots of %s: %w", day, err)
			}
		}
	}
	return nil
}

// restoreMemory is the least memory PostgreSQL's maintenance operations
// get while restore builds the keys and checks the references: the sort of
// an index build, and the join that checks a reference (PostgreSQL runs
// that check with maintenance_work_mem as its work_mem). At the default,
// the hash of a million members' accounts does not fit, and checking their
// snapshots' references spills to disk (bench/README.md, "Seeding").
const restoreMemory = "256MB"

// restore builds again what setAside dropped, checking every row at once;
// a row that breaks a constraint fails Load here.
func (l *loader) restore(ctx context.Context) error {
	if len(l.restoreSQL) > 0 {
		// For this transaction only, and never less than the server's own.
		count(ctx)
		if _, err := l.tx.ExecContext(ctx, `SELECT set_config('maintenance_work_mem', CASE
			WHEN pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes($1) THEN $1
			ELSE current_setting('maintenance_work_mem') END, true)`, restoreMemory); err != nil {
			return fmt.Errorf("raise maintenance_work_mem: %w", err)
		}
	}
	for _, q := range l.restoreSQL {
		count(ctx)
		if _, err := l.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// finishPostgres moves each PostgreSQL identity sequence past the IDs the
// caller set, so that later inserts get fresh IDs, and gathers statistics:
// fresh tables have none until autovacuum comes round, and the first
// queries after a big load would be planned blind. SQLite needs neither: an
// INTEGER PRIMARY KEY continues from the largest ID.
func (l *loader) finishPostgres(ctx context.Context) error {
	if l.s.dialect != Postgres {
		return nil
	}
	for _, t := range identityTables {
		if _, err := l.s.exec(ctx, l.tx, l.s.sb.Select(fmt.Sprintf("setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1, false)", t)).From(t)); err != nil {
			return fmt.Errorf("reset %s sequence: %w", t, err)
		}
	}
	return nil
}
