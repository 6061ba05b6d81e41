package mvpgraph

import (
	"time"
)

// AwardStatus is where an award stands.
type AwardStatus string

// Award statuses. An award is ACTIVE for its award year; when the year ends it
// becomes ALUMNI (renewed or not); RETIRED ends it early, as when the MVP
// joins the vendor.
const (
	AwardActive  AwardStatus = "ACTIVE"
	AwardAlumni  AwardStatus = "ALUMNI"
	AwardRetired AwardStatus = "RETIRED"
)

// Valid reports whether s is a known status.
func (s AwardStatus) Valid() bool {
	return s == AwardActive || s == AwardAlumni || s == AwardRetired
}

// AwardAction is what changed an award's standing.
type AwardAction string

// Award actions: given (for a year, or recorded as history), renewed (the
// ended year's award and the next year's both record it), retired early.
const (
	AwardGiven   AwardAction = "AWARD"
	AwardRenewal AwardAction = "RENEW"
	AwardRetire  AwardAction = "RETIRE"
)

// AwardEvent is one change of an award's standing: what, the status it
// left the award in, who made it and when.
type AwardEvent struct {
	ID           int64       `db:"id"`
	AwardID      int64       `db:"award_id"`
	Action       AwardAction `db:"action"`
	Status       AwardStatus `db:"status"`
	ActorName    string      `db:"actor_name"`
	ActorTokenID *int64      `db:"actor_token_id"`
	At           time.Time   `db:"at"`
}

// Award recognises a member for an expertise for one award year.
type Award struct {
	ID          int64       `db:"id"`
	MemberID    int64       `db:"member_id"`
	ExpertiseID int64       `db:"expertise_id"`
	Year        int         `db:"year"`
	Status      AwardStatus `db:"status"`
	CreatedAt   time.Time   `db:"created_at"`
	UpdatedAt   time.Time   `db:"updated_at"`
}

// Award years the program accepts.
const (
	MinAwardYear = 1993
	MaxAwardYear = 2100
)

// NewAward applies the award rules to awarding expertiseID for year to
// member, given the member's existing awards and the current award year,
// and returns the award to store: an employee is never awarded; years run
// from MinAwardYear to next year; there is one award per member, expertise
// and year. An award for the current or next year is ACTIVE, and at most one
// per member and expertise may be (the next year comes through renewal); an
// award for an ended year is recorded as ALUMNI history.
func NewAward(member Member, existing []Award, expertiseID int64, year, currentYear int) (Award, error) {
	if member.IsEmployee {
		return Award{}, Invalidf("memberId", "%s is an employee of the vendor; employees can never be awarded.", member.Handle)
	}
	if year < MinAwardYear || year > currentYear+1 {
		return Award{}, Invalidf("year", "award year %d is outside %d to %d (next year).", year, MinAwardYear, currentYear+1)
	}
	a := Award{MemberID: member.ID, ExpertiseID: expertiseID, Year: year, Status: AwardActive}
	if year < currentYear {
		a.Status = AwardAlumni
	}
	for _, e := range existing {
		if e.MemberID != member.ID || e.ExpertiseID != expertiseID {
			continue
		}
		if e.Year == year {
			return Award{}, Errorf(ECONFLICT, "%s already has an award for this expertise in %d.", member.Handle, year)
		}
		if e.Status == AwardActive && a.Status == AwardActive {
			return Award{}, Errorf(ECONFLICT, "%s already holds an active award for this expertise (%d); renew that award instead.", member.Handle, e.Year)
		}
	}
	return a, nil
}

// CheckRecord applies the award rules to an award recorded with its
// status, as a program loaded whole records its history: a known status, a
// year the program accepts, and never an active award for an employee of
// the vendor.
func CheckRecord(a Award, employee bool) error {
	switch {
	case !a.Status.Valid():
		return Invalidf("status", "award status %q is not ACTIVE, ALUMNI or RETIRED.", a.Status)
	case a.Year < MinAwardYear || a.Year > MaxAwardYear:
		return Invalidf("year", "award year %d is outside %d to %d.", a.Year, MinAwardYear, MaxAwardYear)
	case a.Status == AwardActive && employee:
		return Invalidf("memberId", "member %d is an employee of the vendor; employees can never hold an active award.", a.MemberID)
	}
	return nil
}

// Renewal returns the award that renews a for the next award year, and a
// with its year ended. Only an active award can be renewed, and never for
// an employee.
func Renewal(member Member, a Award) (ended, next Award, err error) {
	if a.Status != AwardActive {
		return a, Award{}, Invalidf("awardId", "only an active award can be renewed; this award is %s.", a.Status)
	}
	if member.IsEmployee {
		return a, Award{}, Invalidf("awardId", "%s is an employee of the vendor; employees can never be awarded.", member.Handle)
	}
	if a.Year+1 > MaxAwardYear { // beyond any current year
		return a, Award{}, Invalidf("awardId", "award year %d is the last the program accepts.", a.Year)
	}
	ended = a
	ended.Status = AwardAlumni
	next = Award{MemberID: a.MemberID, ExpertiseID: a.ExpertiseID, Year: a.Year + 1, Status: AwardActive}
	return ended, next, nil
}

// Retirement returns a retired, or an error when a is not active.
func Retirement(a Award) (Award, error) {
	if a.Status != AwardActive {
		return a, Invalidf("awardId", "only an active award can be retired; this award is %s.", a.Status)
	}
	a.Status = AwardRetired
	return a, nil
}

// AwardsRetiredOnEmployment returns the awards to retire when a member
// becomes an employee of the vendor: every active one. It returns none when
// the member stays or stops being an employee.
func AwardsRetiredOnEmployment(wasEmployee, isEmployee bool, awards []Award) []Award {
	if wasEmployee || !isEmployee {
		return nil
	}
	var out []Award
	for _, a := range awards {
		if a.Status == AwardActive {
			a.Status = AwardRetired
			out = append(out, a)
		}
	}
	return out
}
