package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mvpgraph"
)

// token makes, lists and revokes API tokens.
func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("token needs a command: create, list or revoke")
	}
	fs, dbURL := m.flags("token " + args[0])
	switch args[0] {
	case "create":
		role := fs.String("role", "", "ADMIN, LEAD, PRODUCT_TEAM or ANALYST")
		lead := fs.String("lead", "", "the lead a LEAD token acts as (its ID)")
		team := fs.String("product-team", "", "the team a PRODUCT_TEAM token acts for (its ID)")
		name := fs.String("name", "", "what the token is for (default: the role)")
		expires := fs.Duration("expires", 0, "how long the token lasts, such as 720h (default: until revoked)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *role == "" {
			return errors.New("token create needs --role: ADMIN, LEAD, PRODUCT_TEAM or ANALYST")
		}
		t := mvpgraph.APIToken{Name: *name, Role: mvpgraph.Role(strings.ToUpper(*role))}
		if t.Name == "" {
			t.Name = string(t.Role)
		}
		var err error
		if t.LeadID, err = optionalID("--lead", "Lead", *lead); err != nil {
			return err
		}
		if t.ProductTeamID, err = optionalID("--product-team", "ProductTeam", *team); err != nil {
			return err
		}
		if *expires < 0 {
			return errors.New("--expires must be positive, such as 720h")
		}
		s, err := m.open(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer s.Close()
		if *expires > 0 {
			at := s.Now().Add(*expires)
			t.ExpiresAt = &at
		}
		secret, hash := mvpgraph.NewTokenSecret()
		if err := s.CreateToken(ctx, &t, hash); err != nil {
			return fmt.Errorf("%s", mvpgraph.ErrorMessage(err))
		}
		fmt.Fprintf(m.stderr, "token %d (%s, %s) made; it is shown once, keep it now:\n", t.ID, t.Name, t.Role)
		fmt.Fprintln(m.stdout, secret)
		return nil
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		s, err := m.open(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer s.Close()
		tokens, err := s.Tokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tACTS FOR\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
		day := func(t *time.Time) string {
			if t == nil {
				return "-"
			}
			return t.UTC().Format("2006-01-02 15:04")
		}
		for _, t := range tokens {
			scope := "-"
			if t.LeadID != nil {
				scope = "lead " + mvpgraph.GlobalID("Lead", *t.LeadID)
			} else if t.ProductTeamID != nil {
				scope = "team " + mvpgraph.GlobalID("ProductTeam", *t.ProductTeamID)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, scope, day(&t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), day(t.RevokedAt))
		}
		return w.Flush()
	case "revoke":
		// Flags may come before or after the ID.
		var ids []string
		for rest := args[1:]; ; {
			if err := fs.Parse(rest); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				break
			}
			ids = append(ids, fs.Arg(0))
			rest = fs.Args()[1:]
		}
		if len(ids) != 1 {
			return errors.New("token revoke needs the token's ID, as token list shows it")
		}
		id, err := strconv.ParseInt(ids[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a token ID; token list shows them", ids[0])
		}
		s, err := m.open(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.RevokeToken(ctx, id); err != nil {
			return fmt.Errorf("%s", mvpgraph.ErrorMessage(err))
		}
		fmt.Fprintf(m.stdout, "token %d revoked\n", id)
		return nil
	}
	return fmt.Errorf("unknown token command %q: use create, list or revoke", args[0])
}

// optionalID reads an ID given as the API's global ID or as a number.
func optionalID(flag, typ, v string) (*int64, error) {
	if v == "" {
		return nil, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return &n, nil
	}
	id, err := mvpgraph.ParseID(flag, typ, v)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", flag, mvpgraph.ErrorMessage(err))
	}
	return &id, nil
}
