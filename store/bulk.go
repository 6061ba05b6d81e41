package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

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

	// More, when set, yields further members and awards after Members and
	// Awards, in the same transaction, so that a program too big to hold in
	// memory streams through. Load is done with a batch when the yield
	// returns, so the generator may reuse its slices.
	More iter.Seq[MemberBatch]
}

// ExpertiseOwner makes a US lead the owner of an expertise.
type ExpertiseOwner struct {
	ExpertiseID int64
	LeadID      int64
}

// CountryOwner makes an international lead the owner of a country.
type CountryOwner struct {
	Country string
	LeadID  int64
}

// MemberBatch is a slice of a program's members and awards. An award may
// refer to a member of its own batch or of an earlier one.
type MemberBatch struct {
	Members []mvpgraph.Member
	Awards  []mvpgraph.Award
}

// Bound parameters one statement may carry: PostgreSQL's wire protocol
// counts them in 16 bits; SQLite's default SQLITE_MAX_VARIABLE_NUMBER.
const (
	postgresMaxParams = 65535
	sqliteMaxParams   = 32766
)

// programTables are the tables Load fills, parents first.
var programTables = []string{"product_teams", "contacts", "expertises", "leads", "lead_expertises", "lead_countries", "members", "awards"}

// identityTables are the tables whose IDs Load sets, and whose PostgreSQL
// identity sequences it moves past them.
var identityTables = []string{"product_teams", "contacts", "expertises", "leads", "members", "awards"}

// NotEmptyField is the field of the EINVALID error with which Load refuses
// a database that is not empty.
const NotEmptyField = "program"

// Load stores p in an empty database in one transaction, with multi-row
// INSERTs: all of it or, on any error, nothing. It refuses a database that
// already holds part of a program, since the caller's IDs would collide.
// Rows are validated and normalised in place, and every row is stamped with
// one reading of the store's clock.
func (s *Store) Load(ctx context.Context, p *Program) error {
	l := loader{s: s, now: s.now(), leads: map[int64]mvpgraph.Lead{}, expertises: map[int64]string{}, employees: map[int64]bool{}}
	if err := l.checkCatalogue(p); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		l.tx = tx
		if err := l.checkEmpty(ctx); err != nil {
			return err
		}
		if err := l.insertCatalogue(ctx, p); err != nil {
			return err
		}
		if err := l.insertBatch(ctx, MemberBatch{Members: p.Members, Awards: p.Awards}); err != nil {
			return err
		}
		if p.More != nil {
			for b := range p.More {
				if err := l.insertBatch(ctx, b); err != nil {
					return err
				}
			}
		}
		return l.finishPostgres(ctx)
	})
	return mapError("load program", err)
}

// loader carries what Load learns along the way.
type loader struct {
	s          *Store
	tx         *sqlx.Tx
	now        time.Time
	leads      map[int64]mvpgraph.Lead
	expertises map[int64]string
	employees  map[int64]bool // only employees: a few per cent of members
	members    int            // members seen so far, for row numbers in errors
	awards     int
}

// at names the row an EINVALID error came from, as in members[12].handle.
func at(row string, err error) error {
	var e *mvpgraph.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = row
	} else {
		c.Field = row + "." + c.Field
	}
	return &c
}

func checkID(row string, id int64) error {
	if id <= 0 {
		return mvpgraph.Invalidf(row+".id", "%s has no ID; Load needs the caller to number rows 1..n.", row)
	}
	return nil
}

// checkCatalogue validates everything but the members and awards, before
// the transaction starts.
func (l *loader) checkCatalogue(p *Program) error {
	for i := range p.ProductTeams {
		row := fmt.Sprintf("productTeams[%d]", i)
		if err := checkID(row, p.ProductTeams[i].ID); err != nil {
			return err
		}
		if err := p.ProductTeams[i].Normalize(); err != nil {
			return at(row, err)
		}
		p.ProductTeams[i].CreatedAt = l.now
	}
	for i := range p.Contacts {
		row := fmt.Sprintf("contacts[%d]", i)
		if err := checkID(row, p.Contacts[i].ID); err != nil {
			return err
		}
		if err := p.Contacts[i].Normalize(row); err != nil {
			return err
		}
	}
	for i := range p.Expertises {
		e := &p.Expertises[i]
		row := fmt.Sprintf("expertises[%d]", i)
		if err := checkID(row, e.ID); err != nil {
			return err
		}
		if err := e.Normalize(); err != nil {
			return at(row, err)
		}
		e.CreatedAt = l.now
		l.expertises[e.ID] = e.Name
	}
	for i := range p.Leads {
		row := fmt.Sprintf("leads[%d]", i)
		if err := checkID(row, p.Leads[i].ID); err != nil {
			return err
		}
		if err := p.Leads[i].Normalize(); err != nil {
			return at(row, err)
		}
		p.Leads[i].CreatedAt = l.now
		l.leads[p.Leads[i].ID] = p.Leads[i]
	}
	owners := map[int64]int64{}
	for i, o := range p.ExpertiseOwners {
		row := fmt.Sprintf("expertiseOwners[%d]", i)
		lead, ok := l.leads[o.LeadID]
		if !ok {
			return mvpgraph.Invalidf(row+".leadId", "lead %d is not among the program's leads.", o.LeadID)
		}
		name, ok := l.expertises[o.ExpertiseID]
		if !ok {
			return mvpgraph.Invalidf(row+".expertiseId", "expertise %d is not among the program's expertises.", o.ExpertiseID)
		}
		if err := mvpgraph.CheckExpertiseAssignment(lead, name, owners[o.ExpertiseID], false); err != nil {
			return at(row, err)
		}
		owners[o.ExpertiseID] = lead.ID
	}
	countries := map[string]int64{}
	for i := range p.CountryOwners {
		o := &p.CountryOwners[i]
		row := fmt.Sprintf("countryOwners[%d]", i)
		lead, ok := l.leads[o.LeadID]
		if !ok {
			return mvpgraph.Invalidf(row+".leadId", "lead %d is not among the program's leads.", o.LeadID)
		}
		c, err := mvpgraph.NormalizeCountry("country", o.Country)
		if err != nil {
			return at(row, err)
		}
		if err := mvpgraph.CheckCountryAssignment(lead, c, countries[c], false); err != nil {
			return at(row, err)
		}
		o.Country = c
		countries[c] = lead.ID
	}
	return nil
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

// insertRows inserts n rows into table with multi-row INSERTs, each as big
// as the dialect's limit on bound parameters allows.
func (l *loader) insertRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	limit := sqliteMaxParams
	if l.s.dialect == Postgres {
		limit = postgresMaxParams
	}
	per := limit / len(cols)
	for start := 0; start < n; start += per {
		b := l.s.sb.Insert(table).Columns(cols...)
		for i := start; i < min(start+per, n); i++ {
			b = b.Values(row(i)...)
		}
		if _, err := l.s.exec(ctx, l.tx, b); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

func (l *loader) insertCatalogue(ctx context.Context, p *Program) error {
	if err := l.insertRows(ctx, "product_teams", []string{"id", "name", "created_at"}, len(p.ProductTeams), func(i int) []any {
		t := &p.ProductTeams[i]
		return []any{t.ID, t.Name, t.CreatedAt}
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "contacts", []string{"id", "product_team_id", "name", "email", "role"}, len(p.Contacts), func(i int) []any {
		c := &p.Contacts[i]
		return []any{c.ID, c.ProductTeamID, c.Name, c.Email, c.Role}
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "expertises", []string{"id", "name", "category", "product_team_id", "created_at"}, len(p.Expertises), func(i int) []any {
		e := &p.Expertises[i]
		return []any{e.ID, e.Name, e.Category, e.ProductTeamID, e.CreatedAt}
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "leads", []string{"id", "name", "email", "kind", "created_at"}, len(p.Leads), func(i int) []any {
		x := &p.Leads[i]
		return []any{x.ID, x.Name, x.Email, x.Kind, x.CreatedAt}
	}); err != nil {
		return err
	}
	if err := l.insertRows(ctx, "lead_expertises", []string{"expertise_id", "lead_id"}, len(p.ExpertiseOwners), func(i int) []any {
		return []any{p.ExpertiseOwners[i].ExpertiseID, p.ExpertiseOwners[i].LeadID}
	}); err != nil {
		return err
	}
	return l.insertRows(ctx, "lead_countries", []string{"country", "lead_id"}, len(p.CountryOwners), func(i int) []any {
		return []any{p.CountryOwners[i].Country, p.CountryOwners[i].LeadID}
	})
}

var (
	loadMemberColumns = []string{"id", "handle", "name", "email", "country", "city", "bio", "employer", "is_employee", "created_at", "updated_at"}
	loadAwardColumns  = []string{"id", "member_id", "expertise_id", "year", "status", "created_at", "updated_at"}
)

// insertBatch validates and stores one batch of members and their awards.
func (l *loader) insertBatch(ctx context.Context, b MemberBatch) error {
	for i := range b.Members {
		m := &b.Members[i]
		row := fmt.Sprintf("members[%d]", l.members+i)
		if err := checkID(row, m.ID); err != nil {
			return err
		}
		if err := m.Normalize(); err != nil {
			return at(row, err)
		}
		m.CreatedAt, m.UpdatedAt, m.IsMVP = l.now, l.now, false
		if m.IsEmployee {
			l.employees[m.ID] = true
		}
	}
	for i := range b.Awards {
		a := &b.Awards[i]
		row := fmt.Sprintf("awards[%d]", l.awards+i)
		if err := checkID(row, a.ID); err != nil {
			return err
		}
		switch {
		case !a.Status.Valid():
			return mvpgraph.Invalidf(row+".status", "award status %q is not ACTIVE, ALUMNI or RETIRED.", a.Status)
		case a.Year < mvpgraph.MinAwardYear || a.Year > mvpgraph.MaxAwardYear:
			return mvpgraph.Invalidf(row+".year", "award year %d is outside %d to %d.", a.Year, mvpgraph.MinAwardYear, mvpgraph.MaxAwardYear)
		case a.Status == mvpgraph.AwardActive && l.employees[a.MemberID]:
			return mvpgraph.Invalidf(row+".memberId", "member %d is an employee of the vendor; employees can never hold an active award.", a.MemberID)
		}
		a.CreatedAt, a.UpdatedAt = l.now, l.now
	}
	l.members += len(b.Members)
	l.awards += len(b.Awards)
	if err := l.insertRows(ctx, "members", loadMemberColumns, len(b.Members), func(i int) []any {
		m := &b.Members[i]
		return []any{m.ID, m.Handle, m.Name, m.Email, m.Country, m.City, m.Bio, m.Employer, m.IsEmployee, m.CreatedAt, m.UpdatedAt}
	}); err != nil {
		return err
	}
	return l.insertRows(ctx, "awards", loadAwardColumns, len(b.Awards), func(i int) []any {
		a := &b.Awards[i]
		return []any{a.ID, a.MemberID, a.ExpertiseID, a.Year, a.Status, a.CreatedAt, a.UpdatedAt}
	})
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
	count(ctx)
	if _, err := l.tx.ExecContext(ctx, "ANALYZE "+strings.Join(programTables, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
