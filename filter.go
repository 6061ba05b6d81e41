package mvpgraph

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StringFilter compares a text field. Every operator set must hold.
type StringFilter struct {
	Eq     *string  `json:"_eq"`
	Neq    *string  `json:"_neq"`
	In     []string `json:"_in"`
	Gt     *string  `json:"_gt"`
	Gte    *string  `json:"_gte"`
	Lt     *string  `json:"_lt"`
	Lte    *string  `json:"_lte"`
	Like   *string  `json:"_like"`
	Ilike  *string  `json:"_ilike"`
	IsNull *bool    `json:"_isNull"`
}

// BooleanFilter compares a true/false field.
type BooleanFilter struct {
	Eq  *bool `json:"_eq"`
	Neq *bool `json:"_neq"`
}

// IDFilter compares a global ID.
type IDFilter struct {
	Eq  *string  `json:"_eq"`
	Neq *string  `json:"_neq"`
	In  []string `json:"_in"`
}

// MemberWhere selects members. Fields combine with AND.
type MemberWhere struct {
	And        []*MemberWhere `json:"_and"`
	Or         []*MemberWhere `json:"_or"`
	Not        *MemberWhere   `json:"_not"`
	ID         *IDFilter      `json:"id"`
	Handle     *StringFilter  `json:"handle"`
	Name       *StringFilter  `json:"name"`
	Email      *StringFilter  `json:"email"`
	Country    *StringFilter  `json:"country"`
	City       *StringFilter  `json:"city"`
	Bio        *StringFilter  `json:"bio"`
	Employer   *StringFilter  `json:"employer"`
	IsEmployee *BooleanFilter `json:"isEmployee"`
	IsMvp      *BooleanFilter `json:"isMvp"`
}

// ExpertiseWhere selects expertises.
type ExpertiseWhere struct {
	And      []*ExpertiseWhere `json:"_and"`
	Or       []*ExpertiseWhere `json:"_or"`
	Not      *ExpertiseWhere   `json:"_not"`
	ID       *IDFilter         `json:"id"`
	Name     *StringFilter     `json:"name"`
	Category *StringFilter     `json:"category"`
}

// LeadWhere selects leads.
type LeadWhere struct {
	And   []*LeadWhere  `json:"_and"`
	Or    []*LeadWhere  `json:"_or"`
	Not   *LeadWhere    `json:"_not"`
	ID    *IDFilter     `json:"id"`
	Name  *StringFilter `json:"name"`
	Email *StringFilter `json:"email"`
	Kind  *StringFilter `json:"kind"`
}

// ProductTeamWhere selects product teams.
type ProductTeamWhere struct {
	And  []*ProductTeamWhere `json:"_and"`
	Or   []*ProductTeamWhere `json:"_or"`
	Not  *ProductTeamWhere   `json:"_not"`
	ID   *IDFilter           `json:"id"`
	Name *StringFilter       `json:"name"`
}

// MaxFilterDepth bounds the nesting of _and, _or and _not in one filter.
const MaxFilterDepth = 8

// Bounds of one filter, checked before it reaches a database: the filters
// in one _and or _or, and the length of a text compared or a pattern.
const (
	MaxFilterWidth = 100
	MaxFilterText  = 1000
)

// CheckFilter checks a where input (MemberWhere, ExpertiseWhere, LeadWhere,
// ProductTeamWhere) before it is compiled, naming the field at fault: an
// _and or _or of more than MaxFilterWidth filters, a text longer than
// MaxFilterText characters, text that is not UTF-8 or holds a NUL, and a
// _like or _ilike pattern ending in a lone escape (\).
func CheckFilter(field string, where any) error {
	v := reflect.ValueOf(where)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		path := field + "." + name
		f := v.Field(i)
		switch x := f.Interface().(type) {
		case *StringFilter:
			if err := x.check(path); err != nil {
				return err
			}
		case *IDFilter:
			if x != nil {
				for _, s := range append([]*string{x.Eq, x.Neq}, ptrsOf(x.In)...) {
					if err := checkText(path, s, false); err != nil {
						return err
					}
				}
			}
		default:
			switch f.Kind() {
			case reflect.Slice:
				if f.Len() > MaxFilterWidth {
					return Invalidf(path, "%s combines at most %d filters; got %d. Use _in for a list of values.", name, MaxFilterWidth, f.Len())
				}
				for j := range f.Len() {
					if err := CheckFilter(fmt.Sprintf("%s[%d]", path, j), f.Index(j).Interface()); err != nil {
						return err
					}
				}
			case reflect.Pointer:
				if f.Type().Elem() == t {
					if err := CheckFilter(path, f.Interface()); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (x *StringFilter) check(field string) error {
	if x == nil {
		return nil
	}
	for _, c := range []struct {
		op      string
		v       *string
		pattern bool
	}{{"_eq", x.Eq, false}, {"_neq", x.Neq, false}, {"_gt", x.Gt, false}, {"_gte", x.Gte, false}, {"_lt", x.Lt, false}, {"_lte", x.Lte, false}, {"_like", x.Like, true}, {"_ilike", x.Ilike, true}} {
		if err := checkText(field+"."+c.op, c.v, c.pattern); err != nil {
			return err
		}
	}
	for i, v := range x.In {
		if err := checkText(fmt.Sprintf("%s._in[%d]", field, i), &v, false); err != nil {
			return err
		}
	}
	return nil
}

// checkText checks one text of a filter; a pattern may not end in a lone
// escape.
func checkText(field string, s *string, pattern bool) error {
	if s == nil {
		return nil
	}
	switch {
	case !utf8.ValidString(*s):
		return Invalidf(field, "%s is not valid UTF-8 text.", field)
	case strings.ContainsRune(*s, 0):
		return Invalidf(field, "%s contains a NUL character, which no stored text holds.", field)
	case utf8.RuneCountInString(*s) > MaxFilterText:
		return Invalidf(field, "%s is %d characters long; a filter compares at most %d.", field, utf8.RuneCountInString(*s), MaxFilterText)
	}
	if pattern {
		escapes := len(*s) - len(strings.TrimRight(*s, "\\"))
		if escapes%2 == 1 {
			return Invalidf(field, "%s ends in a lone \\, which escapes nothing; write \\\\ to match a backslash.", field)
		}
	}
	return nil
}

func ptrsOf(ss []string) []*string {
	out := make([]*string, len(ss))
	for i := range ss {
		out[i] = &ss[i]
	}
	return out
}

// Direction orders a column.
type Direction string

// Directions. Missing values sort last in ASC and first in DESC.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// OrderBy is one column of a multi-column ordering. Field is the name of a
// GraphQL order field, such as NAME; each store maps it to a column.
type OrderBy struct {
	Field     string    `json:"field"`
	Direction Direction `json:"direction"`
}

// GlobalID returns the opaque ID of the object of type typ with the given
// database ID.
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID returns the type and database ID inside a global ID. field
// names the input in the error.
func ParseGlobalID(field, gid string) (typ string, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err == nil {
		var ok bool
		var n string
		if typ, n, ok = strings.Cut(string(b), ":"); ok && typ != "" {
			if id, err = strconv.ParseInt(n, 10, 64); err == nil && id > 0 {
				return typ, id, nil
			}
		}
	}
	return "", 0, Invalidf(field, "%q is not an ID issued by this API; use the id field of an object you fetched.", gid)
}

// ParseID returns the database ID inside a global ID that must be of type
// typ. An ID of another type is EINVALID, since it can never name a typ.
func ParseID(field, typ, gid string) (int64, error) {
	t, id, err := ParseGlobalID(field, gid)
	if err != nil {
		return 0, err
	}
	if t != typ {
		return 0, Invalidf(field, "%q is the ID of a %s, not of a %s.", gid, t, typ)
	}
	return id, nil
}

// String describes o for messages.
func (o OrderBy) String() string { return fmt.Sprintf("%s %s", o.Field, o.Direction) }

// UsesPersonalData reports whether a member filter compares personal data
// (email, employer): a filter is a way to read what it compares.
func (w *MemberWhere) UsesPersonalData() bool {
	if w == nil {
		return false
	}
	if w.Email != nil || w.Employer != nil || w.Not.UsesPersonalData() {
		return true
	}
	for _, list := range [][]*MemberWhere{w.And, w.Or} {
		for _, x := range list {
			if x.UsesPersonalData() {
				return true
			}
		}
	}
	return false
}

// UsesStaffData reports whether a lead filter compares staff emails.
func (w *LeadWhere) UsesStaffData() bool {
	if w == nil {
		return false
	}
	if w.Email != nil || w.Not.UsesStaffData() {
		return true
	}
	for _, list := range [][]*LeadWhere{w.And, w.Or} {
		for _, x := range list {
			if x.UsesStaffData() {
				return true
			}
		}
	}
	return false
}
