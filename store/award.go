package store

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var awardColumns = []string{"id", "member_id", "expertise_id", "year", "status", "created_at", "updated_at"}

// awardsOf returns the awards of each member, newest year first.
func (s *Store) awardsOf(ctx context.Context, q queryer, memberIDs []int64) (map[int64][]mvpgraph.Award, error) {
	var rows []mvpgraph.Award
	err := s.selectAll(ctx, q, &rows, s.sb.Select(awardColumns...).From("awards").
		Where(s.in("member_id", memberIDs)).OrderBy("member_id", "year DESC", "expertise_id"))
	if err != nil {
		return nil, mapError("list awards", err)
	}
	out := make(map[int64][]mvpgraph.Award, len(memberIDs))
	for _, a := range rows {
		out[a.MemberID] = append(out[a.MemberID], a)
	}
	return out, nil
}

// AwardsOfMembers returns the awards of each member, newest year first.
func (s *Store) AwardsOfMembers(ctx context.Context, memberIDs []int64) (map[int64][]mvpgraph.Award, error) {
	return s.awardsOf(ctx, s.db, memberIDs)
}

// AwardsByIDs returns the awards with the given IDs, in no set order.
func (s *Store) AwardsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Award, error) {
	var out []mvpgraph.Award
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(awardColumns...).From("awards").Where(s.in("id", ids)))
	return out, mapError("get awards", err)
}

func (s *Store) awardByID(ctx context.Context, q queryer, id int64) (mvpgraph.Award, error) {
	var a mvpgraph.Award
	err := s.get(ctx, q, &a, s.sb.Select(awardColumns...).From("awards").Where(sq.Eq{"id": id}))
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return a, notFound("award", "awardId")
	}
	return a, mapError("get award", err)
}

// lockedAward reads an award inside a transaction that will change it,
// after locking its member (see lockMember), and reads it again under the
// lock so that a concurrent renewal or retirement is seen.
func (s *Store) lockedAward(ctx context.Context, tx queryer, id int64) (mvpgraph.Award, error) {
	a, err := s.awardByID(ctx, tx, id)
	if err != nil || s.dialect != Postgres {
		return a, err
	}
	if err := s.lockMember(ctx, tx, a.MemberID); err != nil {
		return a, err
	}
	return s.awardByID(ctx, tx, id)
}

// insertAward stores a new award, and counts it in the program summary.
func (s *Store) insertAward(ctx context.Context, tx queryer, a *mvpgraph.Award) error {
	mark, err := s.markSummary(ctx, tx, a.MemberID)
	if err != nil {
		return err
	}
	a.CreatedAt = s.now()
	a.UpdatedAt = a.CreatedAt
	id, err := s.insertID(ctx, tx, s.sb.Insert("awards").
		Columns("member_id", "expertise_id", "year", "status", "created_at", "updated_at").
		Values(a.MemberID, a.ExpertiseID, a.Year, a.Status, a.CreatedAt, a.UpdatedAt))
	if err != nil {
		return err
	}
	a.ID = id
	return s.settleSummary(ctx, tx, mark)
}

// setAwardStatus stores an award's new status, and its difference to the
// program summary.
func (s *Store) setAwardStatus(ctx context.Context, tx queryer, a *mvpgraph.Award) error {
	mark, err := s.markSummary(ctx, tx, a.MemberID)
	if err != nil {
		return err
	}
	a.UpdatedAt = s.now()
	if _, err := s.exec(ctx, tx, s.sb.Update("awards").Set("status", a.Status).Set("updated_at", a.UpdatedAt).Where(sq.Eq{"id": a.ID})); err != nil {
		return err
	}
	return s.settleSummary(ctx, tx, mark)
}

// AwardMember awards member for expertise in year, by the award rules (see
// mvpgraph.NewAward): active for the current or next year, alumni history
// for an ended one. The award records actor as who gave it.
func (s *Store) AwardMember(ctx context.Context, memberID, expertiseID int64, year int, actor mvpgraph.Principal) (mvpgraph.Award, error) {
	var a mvpgraph.Award
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockMember(ctx, tx, memberID); err != nil {
			return err
		}
		m, err := s.memberByID(ctx, tx, memberID, "memberId")
		if err != nil {
			return err
		}
		if _, err := s.expertiseByID(ctx, tx, expertiseID, "expertiseId"); err != nil {
			return err
		}
		existing, err := s.awardsOf(ctx, tx, []int64{memberID})
		if err != nil {
			return err
		}
		if a, err = mvpgraph.NewAward(m, existing[memberID], expertiseID, year, s.now().Year()); err != nil {
			return err
		}
		if err := s.insertAward(ctx, tx, &a); err != nil {
			return err
		}
		return s.recordAwardEvent(ctx, tx, a, mvpgraph.AwardGiven, actor, a.CreatedAt)
	})
	return a, mapError("award member", err)
}

// RenewAward ends an active award's year and gives the member the same
// award for the next year, which it returns. Both awards record actor as
// who renewed them.
func (s *Store) RenewAward(ctx context.Context, awardID int64, actor mvpgraph.Principal) (mvpgraph.Award, error) {
	var next mvpgraph.Award
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockedAward(ctx, tx, awardID)
		if err != nil {
			return err
		}
		m, err := s.memberByID(ctx, tx, a.MemberID, "awardId")
		if err != nil {
			return err
		}
		ended, n, err := mvpgraph.Renewal(m, a)
		if err != nil {
			return err
		}
		if err := s.setAwardStatus(ctx, tx, &ended); err != nil {
			return err
		}
		next = n
		if err := s.insertAward(ctx, tx, &next); err != nil {
			return err
		}
		if err := s.recordAwardEvent(ctx, tx, ended, mvpgraph.AwardRenewal, actor, next.CreatedAt); err != nil {
			return err
		}
		return s.recordAwardEvent(ctx, tx, next, mvpgraph.AwardRenewal, actor, next.CreatedAt)
	})
	return next, mapError("renew award", err)
}

// RetireAward ends an active award early; the award records actor as who
// retired it.
func (s *Store) RetireAward(ctx context.Context, awardID int64, actor mvpgraph.Principal) (mvpgraph.Award, error) {
	var out mvpgraph.Award
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockedAward(ctx, tx, awardID)
		if err != nil {
			return err
		}
		if out, err = mvpgraph.Retirement(a); err != nil {
			return err
		}
		if err := s.setAwardStatus(ctx, tx, &out); err != nil {
			return err
		}
		return s.recordAwardEvent(ctx, tx, out, mvpgraph.AwardRetire, actor, out.UpdatedAt)
	})
	return out, mapError("retire award", err)
}

// recordAwardEvent records a change of a's standing, the status it left a
// in, and actor as who made it.
func (s *Store) recordAwardEvent(ctx context.Context, tx queryer, a mvpgraph.Award, action mvpgraph.AwardAction, actor mvpgraph.Principal, at time.Time) error {
	name, token := actorOf(actor)
	_, err := s.exec(ctx, tx, s.sb.Insert("award_events").
		Columns("award_id", "action", "status", "actor_name", "actor_token_id", "at").
		Values(a.ID, action, a.Status, name, token, at))
	return err
}

// AwardEvents returns each award's events, oldest first.
func (s *Store) AwardEvents(ctx context.Context, awardIDs []int64) (map[int64][]mvpgraph.AwardEvent, error) {
	var rows []mvpgraph.AwardEvent
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("id", "award_id", "action", "status", "actor_name", "actor_token_id", "at").
		From("award_events").Where(s.in("award_id", awardIDs)).OrderBy("award_id", "id"))
	if err != nil {
		return nil, mapError("list award events", err)
	}
	out := make(map[int64][]mvpgraph.AwardEvent, len(awardIDs))
	for _, e := range rows {
		out[e.AwardID] = append(out[e.AwardID], e)
	}
	return out, nil
}
