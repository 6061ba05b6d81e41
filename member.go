package mvpgraph

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Member is a person known to the program: an MVP while an award is active,
// an alumnus once all awards ended, or neither. Email is personal data.
type Member struct {
	ID         int64     `db:"id"`
	Handle     string    `db:"handle"`
	Name       string    `db:"name"`
	Email      *string   `db:"email"`
	Country    string    `db:"country"`
	City       *string   `db:"city"`
	Bio        *string   `db:"bio"`
	Employer   *string   `db:"employer"`
	IsEmployee bool      `db:"is_employee"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`

	// IsMVP is derived by the store: the member holds an active award.
	IsMVP bool `db:"is_mvp"`
}

// MemberUpdate names the fields to change on a member; nil leaves a field
// as it is. An empty string clears an optional text field.
type MemberUpdate struct {
	Handle     *string
	Name       *string
	Email      *string
	Country    *string
	City       *string
	Bio        *string
	Employer   *string
	IsEmployee *bool
}

var handlePattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9._-]{0,38}[a-z0-9])?$`)

// NormalizeHandle lower-cases a handle and checks its form: 1 to 40 letters,
// digits, dots, dashes or underscores, starting and ending with a letter or
// digit.
func NormalizeHandle(field, h string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(h))
	if !handlePattern.MatchString(n) {
		return "", Invalidf(field, "%q is not a valid handle: use 1 to 40 letters, digits, '.', '-' or '_', starting and ending with a letter or digit.", h)
	}
	return n, nil
}

// NormalizeEmail checks an address and returns it trimmed, with the domain
// lower-cased.
func NormalizeEmail(field, e string) (string, error) {
	e = strings.TrimSpace(e)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", Invalidf(field, "%q is not an email address such as name@example.com.", e)
	}
	at := strings.LastIndexByte(e, '@')
	return e[:at] + strings.ToLower(e[at:]), nil
}

// normalizeName trims a required display name and checks its length.
func normalizeName(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalidf(field, "%s must not be empty.", field)
	}
	if len([]rune(s)) > max {
		return "", Invalidf(field, "%s is longer than %d characters.", field, max)
	}
	return s, nil
}

// normalizeOptional trims an optional text; blank becomes nil.
func normalizeOptional(field string, s *string, max int) (*string, error) {
	if s == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil, nil
	}
	if len([]rune(t)) > max {
		return nil, Invalidf(field, "%s is longer than %d characters.", field, max)
	}
	return &t, nil
}

// Normalize validates m in place: it checks and normalises each field and
// returns an EINVALID error naming the first field at fault.
func (m *Member) Normalize() error {
	var err error
	if m.Handle, err = NormalizeHandle("handle", m.Handle); err != nil {
		return err
	}
	if m.Name, err = normalizeName("name", m.Name, 200); err != nil {
		return err
	}
	if m.Email != nil && strings.TrimSpace(*m.Email) != "" {
		e, err := NormalizeEmail("email", *m.Email)
		if err != nil {
			return err
		}
		m.Email = &e
	} else {
		m.Email = nil
	}
	if m.Country, err = NormalizeCountry("country", m.Country); err != nil {
		return err
	}
	if m.City, err = normalizeOptional("city", m.City, 200); err != nil {
		return err
	}
	if m.Bio, err = normalizeOptional("bio", m.Bio, 4000); err != nil {
		return err
	}
	if m.Employer, err = normalizeOptional("employer", m.Employer, 200); err != nil {
		return err
	}
	return nil
}

// Apply returns a copy of m with the update applied and normalised.
func (u MemberUpdate) Apply(m Member) (Member, error) {
	if u.Handle != nil {
		m.Handle = *u.Handle
	}
	if u.Name != nil {
		m.Name = *u.Name
	}
	if u.Email != nil {
		m.Email = u.Email
	}
	if u.Country != nil {
		m.Country = *u.Country
	}
	if u.City != nil {
		m.City = u.City
	}
	if u.Bio != nil {
		m.Bio = u.Bio
	}
	if u.Employer != nil {
		m.Employer = u.Employer
	}
	if u.IsEmployee != nil {
		m.IsEmployee = *u.IsEmployee
	}
	return m, m.Normalize()
}
