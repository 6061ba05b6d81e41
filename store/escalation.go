package store

import (
	"context"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

var escalationColumns = []string{"x.id", "x.member_id", "x.expertise_id", "x.lead_id", "x.contact_id", "x.product_team_id",
	"x.title", "x.body", "x.answer", "x.status", "x.created_at", "x.first_response_at", "x.answered_at", "x.updated_at"}

func escalationOf(row any) *mvpgraph.Escalation { return row.(*mvpgraph.Escalation) }

var escalationID = sortKey{column: column{expr: "x.id", kind: kindInt}, value: func(r any) any { return escalationOf(r).ID }}

var escalationOrder = orderFields{
	"CREATED_AT": {column: column{expr: "x.created_at", kind: kindTime}, value: func(r any) any { return escalationOf(r).CreatedAt }},
	"UPDATED_AT": {column: column{expr: "x.updated_at", kind: kindTime}, value: func(r any) any { return escalationOf(r).UpdatedAt }},
	"STATUS":     {column: column{expr: "x.status"}, value: func(r any) any { return string(escalationOf(r).Status) }},
}

func (s *Store) escalationByID(ctx context.Context, q queryer, id int64, lock bool) (mvpgraph.Escalation, error) {
	b := s.sb.Select(escalationColumns...).From("escalations x").Where(sq.Eq{"x.id": id})
	if lock && s.dialect == Postgres {
		b = b.Suffix("FOR UPDATE")
	}
	var e mvpgraph.Escalation
	err := s.get(ctx, q, &e, b)
	if mvpgraph.ErrorCode(mapError("", err)) == mvpgraph.ENOTFOUND {
		return e, notFound("escalation", "id")
	}
	return e, mapError("get escalation", err)
}

// EscalationsByIDs returns the escalations with the given IDs.
func (s *Store) EscalationsByIDs(ctx context.Context, ids []int64) ([]mvpgraph.Escalation, error) {
	var out []mvpgraph.Escalation
	err := s.selectAll(ctx, s.db, &out, s.sb.Select(escalationColumns...).From("escalations x").Where(s.in("x.id", ids)))
	return out, mapError("get escalations", err)
}

// EscalationRoute returns the lead an escalation about expertiseID from
// member goes to, by the lead rule, or an EINVALID error when no lead looks
// after it.
func (s *Store) escalationRoute(ctx context.Context, q queryer, m mvpgraph.Member, expertiseID int64) (int64, error) {
	var us []struct {
		LeadID int64 `db:"lead_id"`
	}
	if err := s.selectAll(ctx, q, &us, s.sb.Select("lead_id").From("lead_expertises").Where(sq.Eq{"expertise_id": expertiseID})); err != nil {
		return 0, err
	}
	var intl []struct {
		LeadID int64 `db:"lead_id"`
	}
	if err := s.selectAll(ctx, q, &intl, s.sb.Select("lead_id").From("lead_countries").Where(sq.Eq{"country": m.Country})); err != nil {
		return 0, err
	}
	usLeadOf, intlLeadOf := map[int64]int64{}, map[string]int64{}
	if len(us) > 0 {
		usLeadOf[expertiseID] = us[0].LeadID
	}
	if len(intl) > 0 {
		intlLeadOf[m.Country] = intl[0].LeadID
	}
	lead := mvpgraph.LeadOfAward(m, expertiseID, usLeadOf, intlLeadOf)
	if lead == 0 {
		return 0, mvpgraph.Invalidf("expertiseId", "no lead looks after %s for this expertise; assign the expertise's US lead or the country's international lead first.", m.Handle)
	}
	return lead, nil
}

// RaiseEscalation records an MVP's question and routes it to the MVP's
// lead by the lead rule.
func (s *Store) RaiseEscalation(ctx context.Context, e *mvpgraph.Escalation, actor mvpgraph.Principal) error {
	if err := e.Normalize(); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.memberByID(ctx, tx, e.MemberID, "memberId")
		if err != nil {
			return err
		}
		if _, err := s.expertiseByID(ctx, tx, e.ExpertiseID, "expertiseId"); err != nil {
			return err
		}
		if e.LeadID, err = s.escalationRoute(ctx, tx, m, e.ExpertiseID); err != nil {
			return err
		}
		e.Status, e.CreatedAt = mvpgraph.EscalationOpen, s.now()
		e.UpdatedAt = e.CreatedAt
		if e.ID, err = s.insertID(ctx, tx, s.sb.Insert("escalations").
			Columns("member_id", "expertise_id", "lead_id", "title", "body", "status", "created_at", "updated_at").
			Values(e.MemberID, e.ExpertiseID, e.LeadID, e.Title, e.Body, e.Status, e.CreatedAt, e.UpdatedAt)); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, e.ID, mvpgraph.ActionRaise, nil, e.Status, actor, nil, e.CreatedAt)
	})
	return mapError("raise escalation", err)
}

func (s *Store) recordEvent(ctx context.Context, tx queryer, id int64, action mvpgraph.EscalationAction, from *mvpgraph.EscalationStatus, to mvpgraph.EscalationStatus, actor mvpgraph.Principal, contact *int64, at time.Time) error {
	var fromValue any
	if from != nil {
		fromValue = string(*from)
	}
	name, token := actorOf(actor)
	_, err := s.exec(ctx, tx, s.sb.Insert("escalation_events").
		Columns("escalation_id", "action", "from_status", "to_status", "actor_name", "actor_token_id", "contact_id", "at").
		Values(id, action, fromValue, to, name, token, contact, at))
	return err
}

// EscalationChange is one move of an escalation.
type EscalationChange struct {
	Action    mvpgraph.EscalationAction
	ContactID int64  // for ESCALATE: the product team contact it goes to
	Answer    string // for ANSWER
}

// ChangeEscalation makes one move, if it is legal from where the escalation
// stands (see mvpgraph.Transition), and records it with its actor. A move
// that is not legal changes nothing.
func (s *Store) ChangeEscalation(ctx context.Context, id int64, c EscalationChange, actor mvpgraph.Principal) (mvpgraph.Escalation, error) {
	var e mvpgraph.Escalation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if e, err = s.escalationByID(ctx, tx, id, true); err != nil {
			return err
		}
		from := e.Status
		next, err := mvpgraph.Transition(e.Status, c.Action)
		if err != nil {
			return err
		}
		now := s.now()
		up := s.sb.Update("escalations").Set("status", next).Set("updated_at", now).Where(sq.Eq{"id": id})
		var contact *int64
		switch c.Action {
		case mvpgraph.ActionEscalate:
			var team []int64
			if err := s.selectAll(ctx, tx, &team, s.sb.Select("product_team_id").From("contacts").Where(sq.Eq{"id": c.ContactID})); err != nil {
				return err
			}
			if len(team) == 0 {
				return &mvpgraph.Error{Code: mvpgraph.ENOTFOUND, Field: "productTeamContactId", Message: "no product team contact has this ID."}
			}
			contact = &c.ContactID
			e.ContactID, e.ProductTeamID = contact, &team[0]
			up = up.Set("contact_id", c.ContactID).Set("product_team_id", team[0])
		case mvpgraph.ActionAnswer:
			answer, err := normalizeText("answer", c.Answer, 20000)
			if err != nil {
				return err
			}
			e.Answer, e.AnsweredAt = &answer, &now
			up = up.Set("answer", answer).Set("answered_at", now)
		case mvpgraph.ActionReopen:
			e.AnsweredAt = nil
			up = up.Set("answered_at", nil)
		}
		if e.FirstResponseAt == nil {
			e.FirstResponseAt = &now
			up = up.Set("first_response_at", now)
		}
		if _, err := s.exec(ctx, tx, up); err != nil {
			return err
		}
		e.Status, e.UpdatedAt = next, now
		return s.recordEvent(ctx, tx, id, c.Action, &from, next, actor, contact, now)
	})
	return e, mapError("change escalation", err)
}

// normalizeText trims a required text and checks its length.
func normalizeText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > max {
		return "", mvpgraph.Invalidf(field, "%s must not be empty, and at most %d characters.", field, max)
	}
	return s, nil
}

// EscalationEvents returns each escalation's moves, oldest first.
func (s *Store) EscalationEvents(ctx context.Context, ids []int64) (map[int64][]mvpgraph.EscalationEvent, error) {
	var rows []mvpgraph.EscalationEvent
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("id", "escalation_id", "action", "from_status", "to_status", "actor_name", "actor_token_id", "contact_id", "at").
		From("escalation_events").Where(s.in("escalation_id", ids)).OrderBy("escalation_id", "id"))
	if err != nil {
		return nil, mapError("escalation events", err)
	}
	out := map[int64][]mvpgraph.EscalationEvent{}
	for _, r := range rows {
		out[r.EscalationID] = append(out[r.EscalationID], r)
	}
	return out, nil
}

// EscalationQuery selects escalations.
type EscalationQuery struct {
	LeadID        *int64
	ProductTeamID *int64
	MemberID      *int64
	Status        []mvpgraph.EscalationStatus
	Overdue       *bool
	Target        time.Duration // the answer target, for Overdue
	UpdatedAfter  *time.Time
	OrderBy       []*mvpgraph.OrderBy
	Page          PageArgs
}

func (s *Store) escalationBase(q EscalationQuery) sq.SelectBuilder {
	b := s.sb.Select().From("escalations x")
	if q.LeadID != nil {
		b = b.Where(sq.Eq{"x.lead_id": *q.LeadID})
	}
	if q.ProductTeamID != nil {
		b = b.Where(sq.Eq{"x.product_team_id": *q.ProductTeamID})
	}
	if q.MemberID != nil {
		b = b.Where(sq.Eq{"x.member_id": *q.MemberID})
	}
	if q.Status != nil {
		b = b.Where(sq.Eq{"x.status": q.Status})
	}
	if q.UpdatedAfter != nil {
		b = b.Where(sq.Gt{"x.updated_at": q.UpdatedAfter.UTC()})
	}
	if q.Overdue != nil {
		overdue := sq.And{sq.Eq{"x.status": []mvpgraph.EscalationStatus{mvpgraph.EscalationOpen, mvpgraph.EscalationEscalated}}, sq.Lt{"x.created_at": s.now().Add(-q.Target)}}
		if *q.Overdue {
			b = b.Where(overdue)
		} else {
			sqlStr, args, _ := overdue.ToSql()
			b = b.Where(sq.Expr("NOT ("+sqlStr+")", args...))
		}
	}
	return b
}

// ListEscalations returns a page of escalations.
func (s *Store) ListEscalations(ctx context.Context, q EscalationQuery) (Page[mvpgraph.Escalation], error) {
	o, err := escalationOrder.build(q.OrderBy, escalationID)
	if err != nil {
		return Page[mvpgraph.Escalation]{}, err
	}
	p, err := listPage[mvpgraph.Escalation](ctx, s, s.escalationBase(q).Columns(escalationColumns...), o, q.Page)
	return p, mapError("list escalations", err)
}

// CountEscalations counts the escalations a query selects.
func (s *Store) CountEscalations(ctx context.Context, q EscalationQuery) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, s.escalationBase(q).Columns("COUNT(*)"))
	return n, mapError("count escalations", err)
}

// EscalationStats counts a lead's escalations.
type EscalationStats struct {
	Open, Escalated, Answered, Closed, Overdue int
	// AverageTimeToAnswer is over the escalations answered; nil for none.
	AverageTimeToAnswer *time.Duration
}

// EscalationStatsOf returns the escalation statistics of each lead.
func (s *Store) EscalationStatsOf(ctx context.Context, leadIDs []int64, target time.Duration) (map[int64]EscalationStats, error) {
	return s.EscalationStatsOfTeam(ctx, leadIDs, nil, target)
}

// EscalationStatsOfTeam returns the escalation statistics of each lead,
// counting only the escalations escalated to productTeamID unless it is
// nil.
func (s *Store) EscalationStatsOfTeam(ctx context.Context, leadIDs []int64, productTeamID *int64, target time.Duration) (map[int64]EscalationStats, error) {
	var rows []struct {
		LeadID     int64                     `db:"lead_id"`
		Status     mvpgraph.EscalationStatus `db:"status"`
		CreatedAt  time.Time                 `db:"created_at"`
		AnsweredAt *time.Time                `db:"answered_at"`
	}
	b := s.sb.Select("lead_id", "status", "created_at", "answered_at").From("escalations").Where(s.in("lead_id", leadIDs))
	if productTeamID != nil {
		b = b.Where(sq.Eq{"product_team_id": *productTeamID})
	}
	err := s.selectAll(ctx, s.db, &rows, b)
	if err != nil {
		return nil, mapError("escalation stats", err)
	}
	now := s.now()
	out := map[int64]EscalationStats{}
	sums := map[int64]time.Duration{}
	answered := map[int64]int{}
	for _, r := range rows {
		st := out[r.LeadID]
		switch r.Status {
		case mvpgraph.EscalationOpen:
			st.Open++
		case mvpgraph.EscalationEscalated:
			st.Escalated++
		case mvpgraph.EscalationAnswered:
			st.Answered++
		case mvpgraph.EscalationClosed:
			st.Closed++
		}
		if (mvpgraph.Escalation{Status: r.Status, CreatedAt: r.CreatedAt}).Overdue(now, target) {
			st.Overdue++
		}
		if r.AnsweredAt != nil {
			sums[r.LeadID] += r.AnsweredAt.Sub(r.CreatedAt)
			answered[r.LeadID]++
		}
		out[r.LeadID] = st
	}
	for id, n := range answered {
		st := out[id]
		avg := sums[id] / time.Duration(n)
		st.AverageTimeToAnswer = &avg
		out[id] = st
	}
	return out, nil
}

// maxEscalationsGrouped bounds the escalations one grouping reads.
const maxEscalationsGrouped = 100000

// EscalationsFor returns the escalations a query selects, without paging,
// for grouping (at most maxEscalationsGrouped).
func (s *Store) EscalationsFor(ctx context.Context, q EscalationQuery) ([]mvpgraph.Escalation, error) {
	var out []mvpgraph.Escalation
	err := s.selectAll(ctx, s.db, &out, s.escalationBase(q).Columns(escalationColumns...).OrderBy("x.id").Limit(maxEscalationsGrouped))
	return out, mapError("escalations", err)
}

// actorOf is how a change records who made it: the token's name ("system"
// without one) and its ID, or NULL.
func actorOf(p mvpgraph.Principal) (name string, token any) {
	name = p.Name
	if name == "" {
		name = "system"
	}
	if p.TokenID != 0 {
		token = p.TokenID
	}
	return name, token
}
