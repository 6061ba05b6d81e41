package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var accountColumns = []string{
	"a.id", "a.member_id", "a.platform", "a.handle", "a.url", "a.status", "a.followers", "a.following",
	"a.posts", "a.views", "a.engagement", "a.last_post_at", "a.last_synced_at", "a.last_error", "a.failures", "a.created_at", "a.claimed_until",
}

// LinkSocialAccount links the account that input names (a handle or a
// profile URL, see mvpgraph.NormalizeAccount) to a member. An account can be
// linked once.
func (s *Store) LinkSocialAccount(ctx context.Context, memberID int64, p mvpgraph.Platform, input string) (mvpgraph.SocialAccount, error) {
	handle, url, err := mvpgraph.NormalizeAccount(p, input)
	if err != nil {
		return mvpgraph.SocialAccount{}, err
	}
	a := mvpgraph.SocialAccount{MemberID: memberID, Platform: p, Handle: handle, URL: url, Status: mvpgraph.AccountActive, CreatedAt: s.now()}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.memberByID(ctx, tx, memberID, "memberId"); err != nil {
			return err
		}
		var owners []int64
		if err := s.selectAll(ctx, tx, &owners, s.sb.Select("member_id").From("social_accounts").Where(sq.Eq{"platform": p, "handle": handle})); err != nil {
			return err
		}
		if len(owners) > 0 {
			if owners[0] == memberID {
				return mvpgraph.Errorf(mvpgraph.ECONFLICT, "%s %s is already linked to this member.", p, handle)
			}
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "%s %s is already linked to another member; unlink it there first.", p, handle)
		}
		if a.ID, err = s.insertID(ctx, tx, s.sb.Insert("social_accounts").
			Columns("member_id", "platform", "handle", "url", "status", "created_at").
			Values(a.MemberID, a.Platform, a.Handle, a.URL, a.Status, a.CreatedAt)); err != nil {
			return err
		}
		// An identity that is this account is now certainly the member.
		return s.placePeople(ctx, tx, mvpgraph.PrincipalFrom(ctx))
	})
	return a, mapError("link social account", err)
}

// UnlinkSocialAccount removes an account and its history, and returns it.
func (s *Store) UnlinkSocialAccount(ctx context.Context, id int64) (mvpgraph.SocialAccount, error) {
	var a mvpgraph.SocialAccount
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if a, err = s.accountByID(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, s.sb.Delete("social_accounts").Where(sq.Eq{"id": id}))
		return err
	})
	return a, mapError("unlink social account", err)
}

func (s *Store) accountByID(ctx context.Context, q queryer, id int64) (mvpgraph.SocialAccount, error) {
	var a mvpgraph.SocialAccount
	err := s.get(ctx, q, &a, s.sb.Select(accountColumns...).From("social_accounts a").Where(sq.Eq{"a.id": id}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return a, notFound("social account", "id")
	}
	return a, mapError("get social account", err)
}

// SocialAccountsByIDs returns the accounts with the given IDs.
func (s *Store) SocialAccountsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.SocialAccount, error) {
	var out []mvpgraph.SocialAccount
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(accountColumns...).From("social_accounts a").Where(s.in("a.id", ids)).OrderBy("a.id"))
	return out, mapError("get social accounts", err)
}

// SocialAccountsOfMembers returns each member's accounts, by platform.
func (s *Store) SocialAccountsOfMembers(ctx context.Context, memberIDs []int64) (map[int64][]mvpgraph.SocialAccount, error) {
	var rows []mvpgraph.SocialAccount
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select(accountColumns...).From("social_accounts a").
		Where(s.in("a.member_id", memberIDs)).OrderBy("a.member_id", "a.platform", "a.handle"))
	if err != nil {
		return nil, mapError("list social accounts", err)
	}
	out := map[int64][]mvpgraph.SocialAccount{}
	for _, a := range rows {
		out[a.MemberID] = append(out[a.MemberID], a)
	}
	return out, nil
}

// SnapshotsOf returns each account's snapshots from day from to day to
// (YYYY-MM-DD, inclusive), oldest first.
func (s *Store) SnapshotsOf(ctx context.Context, accountIDs []int64, from, to string) (map[int64][]mvpgraph.Snapshot, error) {
	var rows []mvpgraph.Snapshot
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("account_id", s.snapshotDay()+" AS day", "captured_at", "followers", "following", "posts", "views", "engagement", "last_post_at").
		From("reach_snapshots").Where(s.in("account_id", accountIDs)).Where(sq.GtOrEq{"day": from}).Where(sq.LtOrEq{"day": to}).
		OrderBy("account_id", "reach_snapshots.day"))
	if err != nil {
		return nil, mapError("list snapshots", err)
	}
	out := map[int64][]mvpgraph.Snapshot{}
	for _, r := range rows {
		out[r.AccountID] = append(out[r.AccountID], r)
	}
	return out, nil
}

// snapshotDay reads a snapshot's day as YYYY-MM-DD: PostgreSQL keeps it as
// a DATE, SQLite as that text.
func (s *Store) snapshotDay() string {
	if s.dialect == Postgres {
		return "to_char(day, 'YYYY-MM-DD')"
	}
	return "day"
}

// Day returns the UTC day of t as stored in snapshots.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// forUpdate locks the selected rows on PostgreSQL, skipping rows another
// transaction holds, so that concurrent rounds take different accounts.
func (s *Store) forUpdate(b sq.SelectBuilder) sq.SelectBuilder {
	if s.dialect == Postgres {
		return b.Suffix("FOR UPDATE SKIP LOCKED")
	}
	return b
}

// Enqueue is called inside a claiming transaction with the claim's ID and
// the accounts just claimed, to queue their sync in the same transaction:
// either both happen or neither. The batches carry the claim's ID, and sync
// only the accounts it still holds (see ClaimedAccounts).
type Enqueue func(ctx context.Context, tx *sql.Tx, claim string, accounts []mvpgraph.SocialAccount) error

// ClaimDue claims up to limit accounts of a platform whose last sync is older
// than interval (or that never synced) and that no round holds, for lease,
// and hands them to enqueue in the same transaction. FROZEN accounts are
// never due. It returns how many it claimed.
func (s *Store) ClaimDue(ctx context.Context, p mvpgraph.Platform, interval time.Duration, limit int, lease time.Duration, enqueue Enqueue) (int, error) {
	now := s.now()
	b := s.sb.Select(accountColumns...).From("social_accounts a").
		Where(sq.Eq{"a.platform": p}).Where(sq.NotEq{"a.status": mvpgraph.AccountFrozen}).
		Where(sq.Or{sq.Eq{"a.last_synced_at": nil}, sq.Lt{"a.last_synced_at": now.Add(-interval)}}).
		Where(sq.Or{sq.Eq{"a.claimed_until": nil}, sq.Lt{"a.claimed_until": now}}).
		OrderBy("a.last_synced_at NULLS FIRST", "a.id").Limit(uint64(limit))
	return s.claim(ctx, b, now.Add(lease), enqueue)
}

// ClaimAccounts claims the given accounts of the given platforms for an
// immediate sync, whether due or not, unless a round holds them or they are
// FROZEN.
func (s *Store) ClaimAccounts(ctx context.Context, ids []int64, platforms []mvpgraph.Platform, lease time.Duration, enqueue Enqueue) (int, error) {
	now := s.now()
	b := s.sb.Select(accountColumns...).From("social_accounts a").
		Where(s.in("a.id", ids)).Where(sq.Eq{"a.platform": platforms}).Where(sq.NotEq{"a.status": mvpgraph.AccountFrozen}).
		Where(sq.Or{sq.Eq{"a.claimed_until": nil}, sq.Lt{"a.claimed_until": now}}).OrderBy("a.platform", "a.id")
	return s.claim(ctx, b, now.Add(lease), enqueue)
}

func (s *Store) claim(ctx context.Context, b sq.SelectBuilder, until time.Time, enqueue Enqueue) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var accounts []mvpgraph.SocialAccount
		if err := s.selectAll(ctx, tx, &accounts, s.forUpdate(b)); err != nil {
			return err
		}
		if len(accounts) == 0 {
			return nil
		}
		ids := make([]int64, len(accounts))
		for i, a := range accounts {
			ids[i] = a.ID
		}
		claim := newClaimID()
		if _, err := s.exec(ctx, tx, s.sb.Update("social_accounts").Set("claimed_until", until).Set("claim_id", claim).Where(s.in("id", ids))); err != nil {
			return err
		}
		n = len(accounts)
		return enqueue(ctx, tx.Tx, claim, accounts)
	})
	return n, mapError("claim accounts", err)
}

// newClaimID names a claim: random, so that processes need no counter.
func newClaimID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClaimedAccounts returns those of the given accounts that claim still
// holds: not yet recorded, and not taken by a newer claim since. The claim
// "" stands for a batch queued before claims had IDs, and holds the
// accounts that any claim holds.
func (s *Store) ClaimedAccounts(ctx context.Context, claim string, ids []int64) ([]mvpgraph.SocialAccount, error) {
	b := s.sb.Select(accountColumns...).From("social_accounts a").Where(s.in("a.id", ids)).OrderBy("a.id")
	if claim == "" {
		b = b.Where(sq.NotEq{"a.claimed_until": nil})
	} else {
		b = b.Where(sq.Eq{"a.claim_id": claim})
	}
	var out []mvpgraph.SocialAccount
	err := s.selectAll(ctx, s.db, &out, b)
	return out, mapError("get claimed accounts", err)
}

// heldBy limits an update of accounts to those claim holds.
func heldBy(claim string) sq.Sqlizer {
	if claim == "" {
		return sq.NotEq{"claimed_until": nil}
	}
	return sq.Eq{"claim_id": claim}
}

// Outcome is the result of one account's sync.
type Outcome struct {
	AccountID int64
	Lookup    mvpgraph.Lookup
}

// RecordSync stores the outcomes of one batch in one transaction: for each
// account found, its newest reading and today's snapshot (replacing one
// taken earlier the same day); for each not found or suspended, that status;
// for each that failed alone, the failure. Every account's claim ends.
func (s *Store) RecordSync(ctx context.Context, outcomes []Outcome) error {
	now := s.now()
	day := Day(now)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, o := range outcomes {
			if o.Lookup.Err != nil {
				if err := s.fail(ctx, tx, []int64{o.AccountID}, o.Lookup.Err.Error(), now.Add(failedRetry)); err != nil {
					return err
				}
				continue
			}
			up := s.sb.Update("social_accounts").
				Set("status", o.Lookup.Status).Set("last_synced_at", now).Set("last_error", nil).
				Set("failures", 0).Set("claimed_until", nil).Set("claim_id", nil).Where(sq.Eq{"id": o.AccountID})
			if o.Lookup.Status != mvpgraph.AccountActive {
				if _, err := s.exec(ctx, tx, up); err != nil {
					return err
				}
				continue
			}
			r := o.Lookup.Reach
			// The newest day only moves forward, whatever the clock did.
			up = up.Set("last_snapshot_day", sq.Expr("CASE WHEN last_snapshot_day > ? THEN last_snapshot_day ELSE ? END", day, day)).
				Set("followers", r.Followers).Set("following", r.Following).Set("posts", r.Posts).
				Set("views", r.Views).Set("engagement", r.Engagement).Set("last_post_at", r.LastPostAt)
			res, err := s.exec(ctx, tx, up)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // unlinked while the batch ran
			}
			if _, err := s.exec(ctx, tx, s.sb.Insert("reach_snapshots").
				Columns("account_id", "day", "captured_at", "followers", "following", "posts", "views", "engagement", "last_post_at").
				Values(o.AccountID, day, now, r.Followers, r.Following, r.Posts, r.Views, r.Engagement, r.LastPostAt).
				Suffix(`ON CONFLICT (account_id, day) DO UPDATE SET captured_at = excluded.captured_at,
					followers = excluded.followers, following = excluded.following, posts = excluded.posts,
					views = excluded.views, engagement = excluded.engagement, last_post_at = excluded.last_post_at`)); err != nil {
				return err
			}
		}
		return nil
	})
	return mapError("record sync", err)
}

// RecordFailure counts a failed sync against accounts: after
// mvpgraph.MaxFailures in a row an account is marked ERROR (and still
// retried on later rounds). No round takes them again before retryAt; a zero
// retryAt keeps the current claim, for a retry already on its way.
func (s *Store) RecordFailure(ctx context.Context, ids []int64, msg string, retryAt time.Time) error {
	err := s.fail(ctx, s.db, ids, msg, retryAt)
	return mapError("record failure", err)
}

// failedRetry is how long an account that failed alone waits for its next
// try.
const failedRetry = time.Hour

func (s *Store) fail(ctx context.Context, q queryer, ids []int64, msg string, retryAt time.Time) error {
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	b := s.sb.Update("social_accounts").
		Set("failures", sq.Expr("failures + 1")).
		Set("status", sq.Expr(fmt.Sprintf("CASE WHEN failures + 1 >= %d AND status <> 'FROZEN' THEN 'ERROR' ELSE status END", mvpgraph.MaxFailures))).
		Set("last_error", msg).
		Where(s.in("id", ids))
	if !retryAt.IsZero() {
		b = b.Set("claimed_until", retryAt)
	}
	_, err := s.exec(ctx, q, b)
	return err
}

// ExtendClaims keeps those of the accounts that claim holds claimed until
// until, as when their batch is put off past its lease.
func (s *Store) ExtendClaims(ctx context.Context, claim string, ids []int64, until time.Time) error {
	_, err := s.exec(ctx, s.db, s.sb.Update("social_accounts").Set("claimed_until", until.UTC()).
		Where(s.in("id", ids)).Where(heldBy(claim)))
	return mapError("extend claims", err)
}

// RenewClaims keeps those of the accounts that claim holds claimed until
// until, as a running batch does as it records progress, and returns the
// ones it holds.
func (s *Store) RenewClaims(ctx context.Context, claim string, ids []int64, until time.Time) (map[int64]struct{}, error) {
	held := make(map[int64]struct{}, len(ids))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var got []int64
		err := s.selectAll(ctx, tx, &got, s.sb.Update("social_accounts").Set("claimed_until", until.UTC()).
			Where(s.in("id", ids)).Where(heldBy(claim)).Suffix("RETURNING id"))
		for _, id := range got {
			held[id] = struct{}{}
		}
		return err
	})
	return held, mapError("renew claims", err)
}

// ReleaseClaims ends claim on those of the accounts it holds, without
// recording anything, as when no process here can sync them.
func (s *Store) ReleaseClaims(ctx context.Context, claim string, ids []int64) error {
	_, err := s.exec(ctx, s.db, s.sb.Update("social_accounts").Set("claimed_until", nil).Set("claim_id", nil).
		Where(s.in("id", ids)).Where(heldBy(claim)))
	return mapError("release claims", err)
}

// FreezePlatform marks a switched-off platform's ACTIVE accounts FROZEN,
// keeping their data, and returns how many it marked. NOT_FOUND, SUSPENDED
// and ERROR say more of an account than FROZEN does, and stay: what an
// account was is never lost to a freeze.
func (s *Store) FreezePlatform(ctx context.Context, p mvpgraph.Platform) (int64, error) {
	res, err := s.exec(ctx, s.db, s.sb.Update("social_accounts").Set("status", mvpgraph.AccountFrozen).
		Where(sq.Eq{"platform": p, "status": mvpgraph.AccountActive}))
	if err != nil {
		return 0, mapError("freeze platform", err)
	}
	return res.RowsAffected()
}

// ThawPlatform makes a platform's FROZEN accounts ACTIVE again, as they were
// when frozen, and returns how many it changed.
func (s *Store) ThawPlatform(ctx context.Context, p mvpgraph.Platform) (int64, error) {
	res, err := s.exec(ctx, s.db, s.sb.Update("social_accounts").Set("status", mvpgraph.AccountActive).
		Where(sq.Eq{"platform": p, "status": mvpgraph.AccountFrozen}))
	if err != nil {
		return 0, mapError("thaw platform", err)
	}
	return res.RowsAffected()
}

// FreezeAccount marks one ACTIVE account FROZEN, as when it is linked on a
// platform that no process syncs.
func (s *Store) FreezeAccount(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, s.db, s.sb.Update("social_accounts").Set("status", mvpgraph.AccountFrozen).
		Where(sq.Eq{"id": id, "status": mvpgraph.AccountActive}))
	return mapError("freeze account", err)
}
