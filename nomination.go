package mvpgraph

import (
	"time"
)

// NominationStatus is where a nomination stands.
type NominationStatus string

// Nomination statuses: put forward, with the program for review, and the
// three ends.
const (
	NominationNominated   NominationStatus = "NOMINATED"
	NominationUnderReview NominationStatus = "UNDER_REVIEW"
	NominationAwarded     NominationStatus = "AWARDED"
	NominationDeclined    NominationStatus = "DECLINED"
	NominationWithdrawn   NominationStatus = "WITHDRAWN"
)

// NominationStatuses are all the statuses, in the order a nomination goes.
var NominationStatuses = []NominationStatus{NominationNominated, NominationUnderReview, NominationAwarded, NominationDeclined, NominationWithdrawn}

// Open reports whether a nomination in status s still waits for an end.
func (s NominationStatus) Open() bool { return s == NominationNominated || s == NominationUnderReview }

// nominationMoves are the legal moves from each status.
var nominationMoves = map[NominationStatus][]NominationStatus{
	NominationNominated:   {NominationUnderReview, NominationWithdrawn},
	NominationUnderReview: {NominationAwarded, NominationDeclined, NominationWithdrawn},
}

// NominationMoves returns the statuses a nomination in status s can move to.
func NominationMoves(s NominationStatus) []NominationStatus { return nominationMoves[s] }

// MoveNomination checks that a nomination may go from status from to
// status to, or returns an EINVALID error naming the moves there are.
func MoveNomination(from, to NominationStatus) error {
	for _, s := range nominationMoves[from] {
		if s == to {
			return nil
		}
	}
	if len(nominationMoves[from]) == 0 {
		return Invalidf("status", "a nomination that is %s has ended; it moves no further.", from)
	}
	return Invalidf("status", "a nomination that is %s cannot move to %s; it can move to: %v.", from, to, nominationMoves[from])
}

// Nomination puts a person forward for an award of an expertise.
type Nomination struct {
	ID          int64            `db:"id"`
	PersonID    int64            `db:"person_id"`
	ExpertiseID int64            `db:"expertise_id"`
	LeadID      int64            `db:"lead_id"`
	Country     string           `db:"country"`
	Reason      string           `db:"reason"`
	Status      NominationStatus `db:"status"`
	MemberID    *int64           `db:"member_id"`
	AwardID     *int64           `db:"award_id"`
	CreatedAt   time.Time        `db:"created_at"`
	UpdatedAt   time.Time        `db:"updated_at"`
	DecidedAt   *time.Time       `db:"decided_at"`
}

// Normalize validates the nomination's reason and country.
func (n *Nomination) Normalize() error {
	var err error
	if n.Reason, err = normalizeName("reason", n.Reason, 4000); err != nil {
		return err
	}
	n.Country, err = NormalizeCountry("country", n.Country)
	return err
}

// CheckNominee applies the award rules to nominating a person who is
// member m (nil when the person is no member) for an expertise: the
// vendor's employees and the expertise's current MVPs cannot be nominated.
func CheckNominee(m *Member, awards []Award, expertiseID int64) error {
	if m == nil {
		return nil
	}
	if m.IsEmployee {
		return Invalidf("personId", "%s is an employee of the vendor; employees can never be nominated.", m.Name)
	}
	for _, a := range awards {
		if a.ExpertiseID == expertiseID && a.Status == AwardActive {
			return Invalidf("personId", "%s is a current MVP of this expertise (%d); renew that award instead.", m.Name, a.Year)
		}
	}
	return nil
}

// NominationEvent records one move of a nomination: from what to what, who
// and when, with a note.
type NominationEvent struct {
	ID           int64            `db:"id"`
	NominationID int64            `db:"nomination_id"`
	FromStatus   *string          `db:"from_status"`
	ToStatus     NominationStatus `db:"to_status"`
	Note         *string          `db:"note"`
	ActorName    string           `db:"actor_name"`
	ActorTokenID *int64           `db:"actor_token_id"`
	At           time.Time        `db:"at"`
}
