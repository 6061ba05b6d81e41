package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
	"modernc.org/sqlite"

	"mvpgraph"
)

// constraintMessages say, for each constraint, what the user did wrong. The
// keys are PostgreSQL constraint names, and the same names appear in the
// SQLite messages or are matched through sqliteConstraints.
var constraintMessages = map[string]*mvpgraph.Error{
	"members_handle_key":                  mvpgraph.Errorf(mvpgraph.ECONFLICT, "a member with this handle already exists; choose another handle."),
	"awards_member_expertise_year_key":    mvpgraph.Errorf(mvpgraph.ECONFLICT, "the member already has an award for this expertise in that year."),
	"awards_one_active_idx":               mvpgraph.Errorf(mvpgraph.ECONFLICT, "the member already holds an active award for this expertise; renew that award instead."),
	"awards_no_employee":                  mvpgraph.Invalidf("memberId", "the member is an employee of the vendor; employees can never be awarded."),
	"expertises_name_key":                 mvpgraph.Errorf(mvpgraph.ECONFLICT, "an expertise with this name already exists."),
	"product_teams_name_key":              mvpgraph.Errorf(mvpgraph.ECONFLICT, "a product team with this name already exists."),
	"contacts_team_email_key":             mvpgraph.Errorf(mvpgraph.ECONFLICT, "the product team already has a contact with this email."),
	"leads_email_key":                     mvpgraph.Errorf(mvpgraph.ECONFLICT, "a lead with this email already exists."),
	"lead_expertises_pkey":                mvpgraph.Errorf(mvpgraph.ECONFLICT, "the expertise already has a US lead; reassign it explicitly."),
	"lead_countries_pkey":                 mvpgraph.Errorf(mvpgraph.ECONFLICT, "the country already has an international lead; reassign it explicitly."),
	"social_accounts_platform_handle_key": mvpgraph.Errorf(mvpgraph.ECONFLICT, "this account is already linked; unlink it first."),
}

// sqliteConstraints names the constraint behind SQLite's "UNIQUE constraint
// failed: table.columns" messages, which carry columns, not names.
var sqliteConstraints = map[string]string{
	"members.handle": "members_handle_key",
	"awards.member_id, awards.expertise_id, awards.year": "awards_member_expertise_year_key",
	"awards.member_id, awards.expertise_id":              "awards_one_active_idx",
	"expertises.name":                                    "expertises_name_key",
	"product_teams.name":                                 "product_teams_name_key",
	"contacts.product_team_id, contacts.email":           "contacts_team_email_key",
	"leads.email":                                        "leads_email_key",
	"lead_expertises.expertise_id":                       "lead_expertises_pkey",
	"lead_countries.country":                             "lead_countries_pkey",
}

// SQLite extended result codes for constraint failures.
const (
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintNotNull    = 1299
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintTrigger    = 1811
	sqliteConstraintUnique     = 2067
	sqliteConstraint           = 19
)

// mapError turns a database error into an mvpgraph error once, wrapping it
// with the operation: no rows is ENOTFOUND, a unique violation ECONFLICT, a
// foreign-key, check or not-null violation EINVALID, and a statement
// PostgreSQL cancelled context.Canceled. Errors that are already
// mvpgraph errors pass through, and anything else stays internal (its text
// is logged, never shown).
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var me *mvpgraph.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if u := unavailable(context.Background(), err); u != err {
		return u
	}
	if errors.Is(err, sql.ErrNoRows) {
		return mvpgraph.Errorf(mvpgraph.ENOTFOUND, "not found")
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		if m, ok := constraintMessages[pe.Constraint]; ok {
			return copyErr(m)
		}
		switch pe.Code {
		case "57014":
			// The statement was cancelled: by the driver when the caller's
			// context ended, or by statement_timeout. Either way the
			// request ran out of time, as the context's own errors say.
			return fmt.Errorf("%s: %w: %w", op, context.Canceled, err)
		case "23505":
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "this conflicts with what is already stored.")
		case "23503":
			return mvpgraph.Errorf(mvpgraph.EINVALID, "this refers to something that does not exist, or is still referred to.")
		case "23514", "23502", "22001", "22P02":
			return mvpgraph.Errorf(mvpgraph.EINVALID, "a value is out of the allowed range or form.")
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		msg := se.Error()
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			// modernc's text is "constraint failed: UNIQUE constraint
			// failed: table.col, table.col (2067)": the columns follow the
			// last "failed: ".
			if i := strings.LastIndex(msg, "failed: "); i >= 0 {
				cols, _, _ := strings.Cut(msg[i+len("failed: "):], " (")
				if m, ok := constraintMessages[sqliteConstraints[strings.TrimSpace(cols)]]; ok {
					return copyErr(m)
				}
			}
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "this conflicts with what is already stored.")
		case sqliteConstraintForeignKey:
			return mvpgraph.Errorf(mvpgraph.EINVALID, "this refers to something that does not exist, or is still referred to.")
		case sqliteConstraintTrigger, sqliteConstraint:
			for name, m := range constraintMessages {
				if strings.Contains(msg, name) {
					return copyErr(m)
				}
			}
			return mvpgraph.Errorf(mvpgraph.EINVALID, "a value is out of the allowed range or form.")
		case sqliteConstraintCheck, sqliteConstraintNotNull:
			return mvpgraph.Errorf(mvpgraph.EINVALID, "a value is out of the allowed range or form.")
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func copyErr(e *mvpgraph.Error) *mvpgraph.Error {
	c := *e
	return &c
}

// notFound returns an ENOTFOUND error naming what was looked for.
func notFound(what string, field string) error {
	return &mvpgraph.Error{Code: mvpgraph.ENOTFOUND, Field: field, Message: fmt.Sprintf("no %s has this ID.", what)}
}
