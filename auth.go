package mvpgraph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Role is what an API token may see and do.
type Role string

// Roles. A caller without a token is anonymous: public fields only, no
// changes.
const (
	RoleAdmin       Role = "ADMIN"        // everything
	RoleLead        Role = "LEAD"         // reads; changes the MVPs and awards the lead rule gives the lead
	RoleProductTeam Role = "PRODUCT_TEAM" // reads; the escalations of its team
	RoleAnalyst     Role = "ANALYST"      // reads, without personal data
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleLead, RoleProductTeam, RoleAnalyst}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// APIToken is a credential for the API. Only a hash of its secret is
// stored: the secret is shown once, when the token is made.
type APIToken struct {
	ID            int64      `db:"id"`
	Name          string     `db:"name"`
	Role          Role       `db:"role"`
	LeadID        *int64     `db:"lead_id"`         // the lead a LEAD token acts as
	ProductTeamID *int64     `db:"product_team_id"` // the team a PRODUCT_TEAM token acts for
	CreatedAt     time.Time  `db:"created_at"`
	ExpiresAt     *time.Time `db:"expires_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
	LastUsedAt    *time.Time `db:"last_used_at"`
}

// Check validates a token about to be made: a LEAD token names its lead, a
// PRODUCT_TEAM token its team, and no other role names either.
func (t *APIToken) Check() error {
	var err error
	if t.Name, err = normalizeName("name", t.Name, 200); err != nil {
		return err
	}
	switch {
	case !t.Role.Valid():
		return Invalidf("role", "role %q is not ADMIN, LEAD, PRODUCT_TEAM or ANALYST.", t.Role)
	case t.Role == RoleLead && (t.LeadID == nil || t.ProductTeamID != nil):
		return Invalidf("lead", "a LEAD token acts as one lead: give --lead and no --product-team.")
	case t.Role == RoleProductTeam && (t.ProductTeamID == nil || t.LeadID != nil):
		return Invalidf("productTeam", "a PRODUCT_TEAM token acts for one team: give --product-team and no --lead.")
	case t.Role != RoleLead && t.Role != RoleProductTeam && (t.LeadID != nil || t.ProductTeamID != nil):
		return Invalidf("role", "only LEAD and PRODUCT_TEAM tokens name a lead or a team.")
	}
	return nil
}

// tokenPrefix marks mvpgraph tokens, so that secret scanners and people
// recognise them.
const tokenPrefix = "mvpg_"

// NewTokenSecret returns a new random token secret and its hash.
func NewTokenSecret() (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a token secret. The secrets are 256
// random bits, so a plain SHA-256 is enough: there is nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}

// Principal is who a request acts as. The zero Principal is anonymous.
type Principal struct {
	TokenID       int64
	Name          string
	Role          Role
	LeadID        *int64
	ProductTeamID *int64
}

// Anonymous reports whether the request came without a token.
func (p Principal) Anonymous() bool { return p.Role == "" }

// Allow checks that p holds one of roles: an anonymous caller is
// EUNAUTHORIZED, another role EFORBIDDEN.
func (p Principal) Allow(roles ...Role) error {
	if p.Anonymous() {
		return Errorf(EUNAUTHORIZED, "this needs an API token: send Authorization: Bearer <token>.")
	}
	if !slices.Contains(roles, p.Role) {
		return Errorf(EFORBIDDEN, "a %s token may not do this.", p.Role)
	}
	return nil
}

// LeadsFor checks that a LEAD acts on a member the lead rule gives them:
// leads are the member's leads by the rule (for an award about to be made,
// the award's lead too). ADMIN may act on anyone; other roles on no one.
func (p Principal) LeadsFor(leads []int64) error {
	if err := p.Allow(RoleAdmin, RoleLead); err != nil {
		return err
	}
	if p.Role == RoleAdmin || (p.LeadID != nil && slices.Contains(leads, *p.LeadID)) {
		return nil
	}
	return Errorf(EFORBIDDEN, "this member is not one of your MVPs by the lead rule.")
}

// SeesPersonalData reports whether p may read a member's personal data
// (email, employer): an admin always, a lead for the members the lead rule
// gives them.
func (p Principal) SeesPersonalData(memberLeads []int64) bool {
	return p.Role == RoleAdmin || (p.Role == RoleLead && p.LeadID != nil && slices.Contains(memberLeads, *p.LeadID))
}

// SeesStaffContacts reports whether p may read the vendor's staff contact
// data (leads' and product contacts' emails): any role but ANALYST.
func (p Principal) SeesStaffContacts() bool {
	return p.Role == RoleAdmin || p.Role == RoleLead || p.Role == RoleProductTeam
}

type principalKey struct{}

// WithPrincipal returns ctx acting as p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns who ctx acts as; anonymous when no one.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
