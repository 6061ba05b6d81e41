package store

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"

	"mvpgraph"
)

var tokenColumns = []string{"id", "name", "role", "lead_id", "product_team_id", "created_at", "expires_at", "revoked_at", "last_used_at"}

// CreateToken stores a token by the hash of its secret. A LEAD token's lead
// and a PRODUCT_TEAM token's team must exist.
func (s *Store) CreateToken(ctx context.Context, t *mvpgraph.APIToken, hash string) error {
	if err := t.Check(); err != nil {
		return err
	}
	if t.LeadID != nil {
		if _, err := s.leadByID(ctx, s.db, *t.LeadID, "lead"); err != nil {
			return err
		}
	}
	if t.ProductTeamID != nil {
		if _, err := s.productTeamByID(ctx, s.db, *t.ProductTeamID, "productTeam"); err != nil {
			return err
		}
	}
	t.CreatedAt = s.now()
	id, err := s.insertID(ctx, s.db, s.sb.Insert("api_tokens").
		Columns("name", "role", "lead_id", "product_team_id", "hash", "created_at", "expires_at").
		Values(t.Name, t.Role, t.LeadID, t.ProductTeamID, hash, t.CreatedAt, t.ExpiresAt))
	t.ID = id
	return mapError("create token", err)
}

// Tokens lists every token, newest first. Secrets are not stored, so none
// is listed.
func (s *Store) Tokens(ctx context.Context) ([]mvpgraph.APIToken, error) {
	var out []mvpgraph.APIToken
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(tokenColumns...).From("api_tokens").OrderBy("id DESC"))
	return out, mapError("list tokens", err)
}

// RevokeToken makes a token unusable from now on.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, s.sb.Update("api_tokens").Set("revoked_at", s.now()).
		Where(sq.Eq{"id": id}).Where(sq.Eq{"revoked_at": nil}))
	if err != nil {
		return mapError("revoke token", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return mvpgraph.Errorf(mvpgraph.ENOTFOUND, "no active token has the ID %d; see mvpgraph token list.", id)
	}
	return nil
}

// lastUsedEvery bounds how often a token's last use is written, so that
// busy tokens do not turn every read into a write.
const lastUsedEvery = time.Minute

// Authenticate returns who a token secret acts as. An unknown, revoked or
// expired secret is EUNAUTHORIZED, and says no more than that.
func (s *Store) Authenticate(ctx context.Context, secret string) (mvpgraph.Principal, error) {
	var t mvpgraph.APIToken
	// The primary: a token made or revoked a moment ago counts at once.
	err := s.get(onPrimary(ctx), s.db, &t, s.sb.Select(tokenColumns...).From("api_tokens").Where(sq.Eq{"hash": mvpgraph.HashToken(secret)}))
	now := s.now()
	if err != nil || t.RevokedAt != nil || (t.ExpiresAt != nil && !t.ExpiresAt.After(now)) {
		if err != nil && mvpgraph.ErrorCode(mapError("", err)) != mvpgraph.ENOTFOUND {
			return mvpgraph.Principal{}, mapError("authenticate", err)
		}
		return mvpgraph.Principal{}, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "the token is unknown, revoked or expired.")
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > lastUsedEvery {
		// When the database is too busy to write, the token is still good:
		// its last use is noted by a later request.
		_, err := s.exec(ctx, s.db, s.sb.Update("api_tokens").Set("last_used_at", now).Where(sq.Eq{"id": t.ID}))
		if err != nil && mvpgraph.ErrorCode(err) != mvpgraph.EUNAVAILABLE {
			return mvpgraph.Principal{}, mapError("authenticate", err)
		}
	}
	return mvpgraph.Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, LeadID: t.LeadID, ProductTeamID: t.ProductTeamID}, nil
}

// CountryLeads returns the international lead of each country that has
// one.
func (s *Store) CountryLeads(ctx context.Context, countries []string) (map[string]int64, error) {
	var rows []struct {
		Country string `db:"country"`
		LeadID  int64  `db:"lead_id"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("country", "lead_id").From("lead_countries").Where(sq.Eq{"country": countries}))
	if err != nil {
		return nil, mapError("country leads", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Country] = r.LeadID
	}
	return out, nil
}
