package mvpgraph

import "time"

// Expertise is a product or technology an award is given for, grouped with
// others in an award category and backed by a product team.
type Expertise struct {
	ID            int64     `db:"id"`
	Name          string    `db:"name"`
	Category      string    `db:"category"`
	ProductTeamID *int64    `db:"product_team_id"`
	CreatedAt     time.Time `db:"created_at"`
}

// Normalize validates e in place.
func (e *Expertise) Normalize() error {
	var err error
	if e.Name, err = normalizeName("name", e.Name, 200); err != nil {
		return err
	}
	if e.Category, err = normalizeName("category", e.Category, 200); err != nil {
		return err
	}
	return nil
}

// ProductTeam is the vendor's team behind one or more expertises.
type ProductTeam struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
}

// Normalize validates t in place.
func (t *ProductTeam) Normalize() error {
	var err error
	t.Name, err = normalizeName("name", t.Name, 200)
	return err
}

// Contact is a person on a product team to whom questions are escalated.
type Contact struct {
	ID            int64  `db:"id"`
	ProductTeamID int64  `db:"product_team_id"`
	Name          string `db:"name"`
	Email         string `db:"email"`
	Role          string `db:"role"`
}

// Normalize validates c in place; field prefixes the names in errors.
func (c *Contact) Normalize(field string) error {
	var err error
	if c.Name, err = normalizeName(field+".name", c.Name, 200); err != nil {
		return err
	}
	if c.Email, err = NormalizeEmail(field+".email", c.Email); err != nil {
		return err
	}
	if c.Role, err = normalizeName(field+".role", c.Role, 200); err != nil {
		return err
	}
	return nil
}
