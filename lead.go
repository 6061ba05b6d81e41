package mvpgraph

import (
	"time"
)

// LeadKind says what a lead owns.
type LeadKind string

// A US lead owns expertises and looks after the US-based MVPs of them; an
// international lead owns countries and looks after every MVP living there.
const (
	LeadUS            LeadKind = "US"
	LeadInternational LeadKind = "INTERNATIONAL"
)

// Valid reports whether k is a known kind.
func (k LeadKind) Valid() bool { return k == LeadUS || k == LeadInternational }

// USCountry is the country whose MVPs are looked after by expertise.
const USCountry = "US"

// Lead is a vendor employee who works with MVPs.
type Lead struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Email     string    `db:"email"`
	Kind      LeadKind  `db:"kind"`
	CreatedAt time.Time `db:"created_at"`
}

// Normalize validates l in place.
func (l *Lead) Normalize() error {
	var err error
	if l.Name, err = normalizeName("name", l.Name, 200); err != nil {
		return err
	}
	if l.Email, err = NormalizeEmail("email", l.Email); err != nil {
		return err
	}
	if !l.Kind.Valid() {
		return Invalidf("kind", "lead kind %q is neither US nor INTERNATIONAL.", l.Kind)
	}
	return nil
}

// CheckExpertiseAssignment applies the ownership rule to giving an expertise
// to lead, whose current owner is owner (0 for none): only a US lead owns
// expertises, and an owned expertise moves only when reassign is set.
func CheckExpertiseAssignment(lead Lead, expertise string, owner int64, reassign bool) error {
	if lead.Kind != LeadUS {
		return Invalidf("leadId", "%s is an international lead; only US leads own expertises (international leads own countries).", lead.Name)
	}
	if owner != 0 && owner != lead.ID && !reassign {
		return Errorf(ECONFLICT, "expertise %q already has a US lead; set reassign: true to move it to %s.", expertise, lead.Name)
	}
	return nil
}

// CheckCountryAssignment applies the ownership rule to giving a country to
// lead, whose current owner is owner (0 for none): only an international lead
// owns countries, the US is covered by expertise, and an owned country moves
// only when reassign is set.
func CheckCountryAssignment(lead Lead, country string, owner int64, reassign bool) error {
	if lead.Kind != LeadInternational {
		return Invalidf("leadId", "%s is a US lead; only international leads own countries (US leads own expertises).", lead.Name)
	}
	if country == USCountry {
		return Invalidf("country", "US-based MVPs are looked after by the US lead of each expertise; the US cannot be assigned to an international lead.")
	}
	if owner != 0 && owner != lead.ID && !reassign {
		return Errorf(ECONFLICT, "country %s already has an international lead; set reassign: true to move it to %s.", country, lead.Name)
	}
	return nil
}

// LeadOfAward is the lead rule: it returns the lead an award of expertise
// to member belongs to, the expertise's US lead for a US-based member, the
// country's international lead for others; 0 when there is none. An MVP's
// leads are the leads of the MVP's active awards. This is the rule's one
// statement in Go; the store states it once in SQL, for many members at
// once (store/member.go, leadRule), and a store test checks the two agree.
func LeadOfAward(member Member, expertiseID int64, usLeadOf map[int64]int64, intlLeadOf map[string]int64) int64 {
	if member.Country == USCountry {
		return usLeadOf[expertiseID]
	}
	return intlLeadOf[member.Country]
}
