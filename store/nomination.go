package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var nominationColumns = []string{"n.id", "n.person_id", "n.expertise_id", "n.lead_id", "n.country", "n.reason", "n.status",
	"n.member_id", "n.award_id", "n.created_at", "n.updated_at", "n.decided_at"}

func nominationOf(row any) *mvpgraph.Nomination { return row.(*mvpgraph.Nomination) }

var nominationID = sortKey{column: column{expr: "n.id", kind: kindInt}, value: func(r any) any { return nominationOf(r).ID }}

var nominationOrder = orderFields{
	"CREATED_AT": {column: column{expr: "n.created_at", kind: kindTime}, value: func(r any) any { return nominationOf(r).CreatedAt }},
	"UPDATED_AT": {column: column{expr: "n.updated_at", kind: kindTime}, value: func(r any) any { return nominationOf(r).UpdatedAt }},
	"STATUS":     {column: column{expr: "n.status"}, value: func(r any) any { return string(nominationOf(r).Status) }},
}

// NominationInput is a nomination to make.
type NominationInput struct {
	PersonID    int64
	ExpertiseID int64
	Reason      string
	// Country is where the person would be an MVP; a member's own country
	// is used, and a person who is no member needs one.
	Country *string
}

// leadRoute returns the lead a nomination for expertiseID in country goes
// to by the lead rule, or an EINVALID error when no lead looks after it.
func (s *Store) leadRoute(ctx context.Context, q queryer, country string, expertiseID int64) (int64, error) {
	m := mvpgraph.Member{Handle: "the nominee", Country: country}
	lead, err := s.escalationRoute(ctx, q, m, expertiseID)
	if err != nil {
		return 0, mvpgraph.Invalidf("expertiseId", "no lead looks after this expertise in %s; assign the expertise's US lead or the country's international lead first.", country)
	}
	return lead, nil
}

// Nominate puts a person forward for an award of an expertise (see
// mvpgraph.CheckNominee): routed to the lead of the person's country by
// the lead rule, who must be the actor when the actor is a lead. A second
// open nomination of one person for one expertise is ECONFLICT.
func (s *Store) Nominate(ctx context.Context, in NominationInput, actor mvpgraph.Principal) (mvpgraph.Nomination, error) {
	n := mvpgraph.Nomination{PersonID: in.PersonID, ExpertiseID: in.ExpertiseID, Reason: in.Reason}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		people, err := s.livePeople(ctx, tx, []int64{in.PersonID}, "personId")
		if err != nil {
			return err
		}
		p := people[0]
		if _, err := s.expertiseByID(ctx, tx, in.ExpertiseID, "expertiseId"); err != nil {
			return err
		}
		var member *mvpgraph.Member
		if p.MemberID != nil {
			if err := s.lockMember(ctx, tx, *p.MemberID); err != nil {
				return err
			}
			m, err := s.memberByID(ctx, tx, *p.MemberID, "personId")
			if err != nil {
				return err
			}
			member = &m
			awards, err := s.awardsOf(ctx, tx, []int64{m.ID})
			if err != nil {
				return err
			}
			if err := mvpgraph.CheckNominee(member, awards[m.ID], in.ExpertiseID); err != nil {
				return err
			}
			if in.Country != nil && !strings.EqualFold(strings.TrimSpace(*in.Country), m.Country) {
				return mvpgraph.Invalidf("country", "%s is a member in %s; leave country out, or change the member's country first.", m.Name, m.Country)
			}
			n.Country = m.Country
		} else {
			if in.Country == nil || strings.TrimSpace(*in.Country) == "" {
				return mvpgraph.Invalidf("country", "%s is no member of the program yet; give the country (ISO 3166-1 alpha-2) the award would be in.", p.Name)
			}
			n.Country = *in.Country
		}
		if err := n.Normalize(); err != nil {
			return err
		}
		if n.LeadID, err = s.leadRoute(ctx, tx, n.Country, in.ExpertiseID); err != nil {
			return err
		}
		if actor.Role == mvpgraph.RoleLead && (actor.LeadID == nil || *actor.LeadID != n.LeadID) {
			return mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "a nomination for this expertise in %s goes to another lead by the lead rule; a lead nominates for their own expertises and countries.", n.Country)
		}
		var open []int64
		if err := s.selectAll(ctx, tx, &open, s.sb.Select("id").From("nominations").
			Where(sq.Eq{"person_id": p.ID, "expertise_id": in.ExpertiseID, "status": []string{"NOMINATED", "UNDER_REVIEW"}})); err != nil {
			return err
		}
		if len(open) > 0 {
			return mvpgraph.Errorf(mvpgraph.ECONFLICT, "%s already has an open nomination for this expertise (nomination %d).", p.Name, open[0])
		}
		n.Status, n.CreatedAt = mvpgraph.NominationNominated, s.now()
		n.UpdatedAt = n.CreatedAt
		if n.ID, err = s.insertID(ctx, tx, s.sb.Insert("nominations").
			Columns("person_id", "expertise_id", "lead_id", "country", "reason", "status", "created_at", "updated_at").
			Values(n.PersonID, n.ExpertiseID, n.LeadID, n.Country, n.Reason, n.Status, n.CreatedAt, n.UpdatedAt)); err != nil {
			return err
		}
		return s.recordNominationEvent(ctx, tx, n.ID, nil, n.Status, nil, actor, n.CreatedAt)
	})
	return n, mapError("nominate", err)
}

func (s *Store) recordNominationEvent(ctx context.Context, tx queryer, id int64, from *mvpgraph.NominationStatus, to mvpgraph.NominationStatus, note *string, actor mvpgraph.Principal, at time.Time) error {
	var fromValue any
	if from != nil {
		fromValue = string(*from)
	}
	name, token := actorOf(actor)
	_, err := s.exec(ctx, tx, s.sb.Insert("nomination_events").
		Columns("nomination_id", "from_status", "to_status", "note", "actor_name", "actor_token_id", "at").
		Values(id, fromValue, to, note, name, token, at))
	return err
}

// setNominationStatus moves a nomination and records the move.
func (s *Store) setNominationStatus(ctx context.Context, tx queryer, n *mvpgraph.Nomination, to mvpgraph.NominationStatus, note *string, actor mvpgraph.Principal) error {
	from := n.Status
	now := s.now()
	up := s.sb.Update("nominations").Set("status", to).Set("updated_at", now).Where(sq.Eq{"id": n.ID})
	if !to.Open() {
		up = up.Set("decided_at", now)
		n.DecidedAt = &now
	}
	if n.MemberID != nil {
		up = up.Set("member_id", *n.MemberID)
	}
	if n.AwardID != nil {
		up = up.Set("award_id", *n.AwardID)
	}
	if _, err := s.exec(ctx, tx, up); err != nil {
		return err
	}
	n.Status, n.UpdatedAt = to, now
	return s.recordNominationEvent(ctx, tx, n.ID, &from, to, note, actor, now)
}

// NominationMove is one move of a nomination.
type NominationMove struct {
	Status mvpgraph.NominationStatus
	Note   string
	// For AWARDED, when the person is no member yet: the new member's
	// handle (by default made from the name) and email.
	Handle *string
	Email  *string
}

func (s *Store) nominationByID(ctx context.Context, q queryer, id int64, lock bool) (mvpgraph.Nomination, error) {
	b := s.sb.Select(nominationColumns...).From("nominations n").Where(sq.Eq{"n.id": id})
	if lock && s.dialect == Postgres {
		b = b.Suffix("FOR UPDATE")
	}
	var n mvpgraph.Nomination
	err := s.get(ctx, q, &n, b)
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return n, notFound("nomination", "id")
	}
	return n, err
}

// MoveNomination makes one move of a nomination, if it is legal from where
// it stands (see mvpgraph.MoveNomination), by its lead or an admin, and
// records it. AWARDED makes the person a member (or uses the person's
// member) and gives the award for the current year, in one transaction,
// under the award rules. A move that is not legal changes nothing.
func (s *Store) MoveNomination(ctx context.Context, id int64, mv NominationMove, actor mvpgraph.Principal) (mvpgraph.Nomination, error) {
	var n mvpgraph.Nomination
	var note *string
	if t := strings.TrimSpace(mv.Note); t != "" {
		if len([]rune(t)) > 4000 {
			return n, mvpgraph.Invalidf("note", "a note is at most 4,000 characters.")
		}
		note = &t
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if n, err = s.nominationByID(ctx, tx, id, true); err != nil {
			return err
		}
		if actor.Role == mvpgraph.RoleLead && (actor.LeadID == nil || *actor.LeadID != n.LeadID) {
			return mvpgraph.Errorf(mvpgraph.EFORBIDDEN, "this nomination is another lead's; a lead moves their own.")
		}
		if err := mvpgraph.MoveNomination(n.Status, mv.Status); err != nil {
			return err
		}
		if mv.Status == mvpgraph.NominationAwarded {
			if err := s.awardNomination(ctx, tx, &n, mv, actor); err != nil {
				return err
			}
		}
		return s.setNominationStatus(ctx, tx, &n, mv.Status, note, actor)
	})
	return n, mapError("move nomination", err)
}

// awardNomination gives the nominated person the award, making them a
// member first when they are none.
func (s *Store) awardNomination(ctx context.Context, tx queryer, n *mvpgraph.Nomination, mv NominationMove, actor mvpgraph.Principal) error {
	if err := s.lockPeople(ctx, tx); err != nil {
		return err
	}
	people, err := s.livePeople(ctx, tx, []int64{n.PersonID}, "id")
	if err != nil {
		return err
	}
	p := people[0]
	var m mvpgraph.Member
	if p.MemberID != nil {
		if err := s.lockMember(ctx, tx, *p.MemberID); err != nil {
			return err
		}
		if m, err = s.memberByID(ctx, tx, *p.MemberID, "id"); err != nil {
			return err
		}
	} else {
		m = mvpgraph.Member{Name: p.Name, Country: n.Country, Email: mv.Email}
		if mv.Handle != nil {
			m.Handle = *mv.Handle
		} else if m.Handle, err = s.freeHandle(ctx, tx, p.Name); err != nil {
			return err
		}
		if err := m.Normalize(); err != nil {
			return err
		}
		m.CreatedAt = s.now()
		m.UpdatedAt = m.CreatedAt
		if m.ID, err = s.insertMember(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.setPersonMember(ctx, tx, p.ID, m.ID); err != nil {
			return err
		}
	}
	existing, err := s.awardsOf(ctx, tx, []int64{m.ID})
	if err != nil {
		return err
	}
	if err := mvpgraph.CheckNominee(&m, existing[m.ID], n.ExpertiseID); err != nil {
		return err
	}
	a, err := mvpgraph.NewAward(m, existing[m.ID], n.ExpertiseID, s.now().Year(), s.now().Year())
	if err != nil {
		return err
	}
	if err := s.insertAward(ctx, tx, &a); err != nil {
		return err
	}
	if err := s.recordAwardEvent(ctx, tx, a, mvpgraph.AwardGiven, actor, a.CreatedAt); err != nil {
		return err
	}
	n.MemberID, n.AwardID = &m.ID, &a.ID
	return nil
}

// freeHandle makes a member handle from a name that no member has yet.
func (s *Store) freeHandle(ctx context.Context, tx queryer, name string) (string, error) {
	base := mvpgraph.HandleFromName(name)
	var taken []string
	if err := s.selectAll(ctx, tx, &taken, s.sb.Select("handle").From("members").Where(sq.Or{sq.Eq{"handle": base}, sq.Like{"handle": base + "-%"}})); err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, h := range taken {
		used[h] = true
	}
	h := base
	for i := 2; used[h]; i++ {
		h = fmt.Sprintf("%s-%d", base, i)
	}
	return h, nil
}

// NominationQuery selects nominations.
type NominationQuery struct {
	LeadID      *int64
	ExpertiseID *int64
	PersonID    *int64
	Status      []mvpgraph.NominationStatus
	From, To    *time.Time // when they were made
	OrderBy     []*mvpgraph.OrderBy
	Page        PageArgs
}

func (s *Store) nominationBase(q NominationQuery) sq.SelectBuilder {
	b := s.sb.Select().From("nominations n")
	if q.LeadID != nil {
		b = b.Where(sq.Eq{"n.lead_id": *q.LeadID})
	}
	if q.ExpertiseID != nil {
		b = b.Where(sq.Eq{"n.expertise_id": *q.ExpertiseID})
	}
	if q.PersonID != nil {
		b = b.Where(sq.Eq{"n.person_id": *q.PersonID})
	}
	if q.Status != nil {
		b = b.Where(sq.Eq{"n.status": q.Status})
	}
	if q.From != nil {
		b = b.Where(sq.GtOrEq{"n.created_at": q.From.UTC()})
	}
	if q.To != nil {
		b = b.Where(sq.Lt{"n.created_at": q.To.UTC()})
	}
	return b
}

// ListNominations returns a page of nominations.
func (s *Store) ListNominations(ctx context.Context, q NominationQuery) (Page[mvpgraph.Nomination], error) {
	o, err := nominationOrder.build(q.OrderBy, nominationID)
	if err != nil {
		return Page[mvpgraph.Nomination]{}, err
	}
	p, err := listPage[mvpgraph.Nomination](ctx, s, s.nominationBase(q).Columns(nominationColumns...), o, q.Page)
	return p, mapError("list nominations", err)
}

// CountNominations counts the nominations a query selects.
func (s *Store) CountNominations(ctx context.Context, q NominationQuery) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, s.nominationBase(q).Columns("COUNT(*)"))
	return n, mapError("count nominations", err)
}

// NominationsByIDs returns the nominations with the given IDs.
func (s *Store) NominationsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Nomination, error) {
	var out []mvpgraph.Nomination
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(nominationColumns...).From("nominations n").Where(s.in("n.id", ids)))
	return out, mapError("get nominations", err)
}

// NominationsOfPeople returns the nominations of people, newest first, by
// person.
func (s *Store) NominationsOfPeople(ctx context.Context, personIDs []int64) (map[int64][]mvpgraph.Nomination, error) {
	var rows []mvpgraph.Nomination
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select(nominationColumns...).From("nominations n").Where(s.in("n.person_id", personIDs)).
		OrderBy("n.person_id", "n.id DESC")); err != nil {
		return nil, mapError("get nominations", err)
	}
	out := map[int64][]mvpgraph.Nomination{}
	for _, r := range rows {
		out[r.PersonID] = append(out[r.PersonID], r)
	}
	return out, nil
}

// OpenNominations returns the open nominations of people for an
// expertise, by person.
func (s *Store) OpenNominations(ctx context.Context, personIDs []int64, expertiseID int64) (map[int64]mvpgraph.Nomination, error) {
	var rows []mvpgraph.Nomination
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select(nominationColumns...).From("nominations n").Where(s.in("n.person_id", personIDs)).
		Where(sq.Eq{"n.expertise_id": expertiseID}).Where("n.status IN ('NOMINATED', 'UNDER_REVIEW')")); err != nil {
		return nil, mapError("get nominations", err)
	}
	out := map[int64]mvpgraph.Nomination{}
	for _, r := range rows {
		out[r.PersonID] = r
	}
	return out, nil
}

// NominationEvents returns each nomination's moves, oldest first.
func (s *Store) NominationEvents(ctx context.Context, ids []int64) (map[int64][]mvpgraph.NominationEvent, error) {
	var rows []mvpgraph.NominationEvent
	if err := s.selectAll(ctx, s.db, &rows, s.sb.Select("id", "nomination_id", "from_status", "to_status", "note", "actor_name", "actor_token_id", "at").
		From("nomination_events").Where(s.in("nomination_id", ids)).OrderBy("nomination_id", "id")); err != nil {
		return nil, mapError("nomination events", err)
	}
	out := map[int64][]mvpgraph.NominationEvent{}
	for _, r := range rows {
		out[r.NominationID] = append(out[r.NominationID], r)
	}
	return out, nil
}

// NominationGroup is the nominations of one group: how many, how many
// ended, and how many of those in an award.
type NominationGroup struct {
	Status      *mvpgraph.NominationStatus `db:"status"`
	ExpertiseID *int64                     `db:"expertise_id"`
	LeadID      *int64                     `db:"lead_id"`
	Month       *string                    `db:"month"`
	Count       int                        `db:"n"`
	Ended       int                        `db:"ended"`
	Awarded     int                        `db:"awarded"`
}

// Nomination dimensions.
var nominationDimensions = map[string]string{"STATUS": "n.status", "EXPERTISE": "n.expertise_id", "LEAD": "n.lead_id", "MONTH": ""}

// NominationStats counts the nominations a query selects per group of the
// dimensions (STATUS, EXPERTISE, LEAD, MONTH: the UTC month made), largest
// group first.
func (s *Store) NominationStats(ctx context.Context, q NominationQuery, groupBy []string) ([]NominationGroup, error) {
	b := s.nominationBase(q).Columns("COUNT(*) AS n",
		"SUM(CASE WHEN n.status IN ('AWARDED', 'DECLINED', 'WITHDRAWN') THEN 1 ELSE 0 END) AS ended",
		"SUM(CASE WHEN n.status = 'AWARDED' THEN 1 ELSE 0 END) AS awarded")
	seen := map[string]bool{}
	for _, d := range groupBy {
		col, ok := nominationDimensions[d]
		if !ok {
			return nil, mvpgraph.Invalidf("groupBy", "%q is not a nomination dimension: STATUS, EXPERTISE, LEAD or MONTH.", d)
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		alias := strings.ToLower(d) + "_id"
		switch d {
		case "STATUS":
			alias = "status"
		case "MONTH":
			col, alias = s.monthExpr("n.created_at"), "month"
		}
		b = b.Column(col + " AS " + alias).GroupBy(col)
	}
	var out []NominationGroup
	err := s.selectAll(ctx, s.db, &out, b.OrderBy("n DESC"))
	return out, mapError("nomination stats", err)
}

// monthExpr is the UTC month of a timestamp column, YYYY-MM.
func (s *Store) monthExpr(col string) string {
	if s.dialect == Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	return "substr(" + col + ", 1, 7)"
}
