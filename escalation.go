package mvpgraph

import (
	"time"
)

// EscalationStatus is where an MVP's product question stands.
type EscalationStatus string

// Escalation statuses.
const (
	EscalationOpen      EscalationStatus = "OPEN"      // raised, with the lead
	EscalationEscalated EscalationStatus = "ESCALATED" // with a product team contact
	EscalationAnswered  EscalationStatus = "ANSWERED"
	EscalationClosed    EscalationStatus = "CLOSED"
)

// EscalationAction is what moves an escalation.
type EscalationAction string

// Escalation actions.
const (
	ActionRaise    EscalationAction = "RAISE"
	ActionEscalate EscalationAction = "ESCALATE"
	ActionAnswer   EscalationAction = "ANSWER"
	ActionClose    EscalationAction = "CLOSE"
	ActionReopen   EscalationAction = "REOPEN"
)

// transitions are the legal moves: from each status, what each action
// leads to. Escalating again hands the question to another contact.
var transitions = map[EscalationStatus]map[EscalationAction]EscalationStatus{
	EscalationOpen:      {ActionEscalate: EscalationEscalated, ActionAnswer: EscalationAnswered, ActionClose: EscalationClosed},
	EscalationEscalated: {ActionEscalate: EscalationEscalated, ActionAnswer: EscalationAnswered, ActionClose: EscalationClosed},
	EscalationAnswered:  {ActionClose: EscalationClosed, ActionReopen: EscalationOpen},
	EscalationClosed:    {ActionReopen: EscalationOpen},
}

// Transition returns the status an action leads to from status, or an
// EINVALID error naming the moves there are.
func Transition(status EscalationStatus, action EscalationAction) (EscalationStatus, error) {
	if next, ok := transitions[status][action]; ok {
		return next, nil
	}
	var legal []string
	for _, a := range []EscalationAction{ActionEscalate, ActionAnswer, ActionClose, ActionReopen} {
		if _, ok := transitions[status][a]; ok {
			legal = append(legal, string(a))
		}
	}
	return status, Invalidf("id", "an escalation that is %s cannot take %s; it can take: %v.", status, action, legal)
}

// Escalation is an MVP's product question, routed to the MVP's lead and
// followed until it is answered.
type Escalation struct {
	ID              int64            `db:"id"`
	MemberID        int64            `db:"member_id"`
	ExpertiseID     int64            `db:"expertise_id"`
	LeadID          int64            `db:"lead_id"`
	ContactID       *int64           `db:"contact_id"`
	ProductTeamID   *int64           `db:"product_team_id"`
	Title           string           `db:"title"`
	Body            string           `db:"body"`
	Answer          *string          `db:"answer"`
	Status          EscalationStatus `db:"status"`
	CreatedAt       time.Time        `db:"created_at"`
	FirstResponseAt *time.Time       `db:"first_response_at"`
	AnsweredAt      *time.Time       `db:"answered_at"`
	UpdatedAt       time.Time        `db:"updated_at"`
}

// Normalize validates the question's text.
func (e *Escalation) Normalize() error {
	var err error
	if e.Title, err = normalizeName("title", e.Title, 300); err != nil {
		return err
	}
	e.Body, err = normalizeName("body", e.Body, 20000)
	return err
}

// EscalationEvent records one move of an escalation: who, when, from what
// to what.
type EscalationEvent struct {
	ID           int64            `db:"id"`
	EscalationID int64            `db:"escalation_id"`
	Action       EscalationAction `db:"action"`
	FromStatus   *string          `db:"from_status"`
	ToStatus     EscalationStatus `db:"to_status"`
	ActorName    string           `db:"actor_name"`
	ActorTokenID *int64           `db:"actor_token_id"`
	ContactID    *int64           `db:"contact_id"`
	At           time.Time        `db:"at"`
}

// DefaultAnswerTarget is how long an escalation may wait for its answer
// before it is overdue.
const DefaultAnswerTarget = 72 * time.Hour

// Overdue reports whether an escalation still waits for an answer past the
// target.
func (e Escalation) Overdue(now time.Time, target time.Duration) bool {
	waiting := e.Status == EscalationOpen || e.Status == EscalationEscalated
	return waiting && now.Sub(e.CreatedAt) > target
}

// TimeToFirstResponse is how long the first move after raising took; nil
// while there has been none.
func (e Escalation) TimeToFirstResponse() *time.Duration {
	if e.FirstResponseAt == nil {
		return nil
	}
	d := e.FirstResponseAt.Sub(e.CreatedAt)
	return &d
}

// TimeToAnswer is how long the answer took; nil while unanswered.
func (e Escalation) TimeToAnswer() *time.Duration {
	if e.AnsweredAt == nil {
		return nil
	}
	d := e.AnsweredAt.Sub(e.CreatedAt)
	return &d
}
