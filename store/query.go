package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/lib/pq"

	"mvpgraph"
)

// colKind is the type of a column, for decoding cursor values.
type colKind int

const (
	kindText colKind = iota
	kindInt
	kindBool
	kindTime
)

// column is a filterable or sortable SQL expression. Expressions are fixed
// in code; user input only ever reaches SQL as a bound parameter.
type column struct {
	expr     string
	kind     colKind
	nullable bool
}

// sortKey is one column of an ordering, with the row's value for cursors.
type sortKey struct {
	column
	desc  bool
	value func(row any) any
}

// ordering is the columns rows are sorted by, ending with a unique key.
type ordering []sortKey

// orderSQL returns the ORDER BY terms; reverse flips every direction, for
// pages taken from the end. Missing values sort last ascending.
func (o ordering) orderSQL(reverse bool) string {
	terms := make([]string, len(o))
	for i, k := range o {
		desc := k.desc != reverse
		t := k.expr
		if desc {
			t += " DESC"
		} else {
			t += " ASC"
		}
		if k.nullable {
			if desc {
				t += " NULLS FIRST"
			} else {
				t += " NULLS LAST"
			}
		}
		terms[i] = t
	}
	return strings.Join(terms, ", ")
}

// cursor encodes the sort values of row.
func (o ordering) cursor(row any) string {
	vals := make([]any, len(o))
	for i, k := range o {
		v := k.value(row)
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339Nano)
		}
		vals[i] = v
	}
	b, _ := json.Marshal(vals)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decode reads a cursor made by cursor for the same ordering.
func (o ordering) decode(field, c string) ([]any, error) {
	bad := mvpgraph.Invalidf(field, "%q is not a cursor of this list with this ordering; use a cursor from the same query.", c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil || len(raw) != len(o) {
		return nil, bad
	}
	vals := make([]any, len(o))
	for i, k := range o {
		v := raw[i]
		if v == nil {
			if !k.nullable {
				return nil, bad
			}
			continue
		}
		var ok bool
		switch k.kind {
		case kindText:
			vals[i], ok = v.(string)
		case kindInt:
			var n json.Number
			if n, ok = v.(json.Number); ok {
				var err error
				vals[i], err = n.Int64()
				ok = err == nil
			}
		case kindBool:
			vals[i], ok = v.(bool)
		case kindTime:
			var s string
			if s, ok = v.(string); ok {
				t, err := time.Parse(time.RFC3339Nano, s)
				vals[i], ok = t, err == nil
			}
		}
		if !ok {
			return nil, bad
		}
	}
	return vals, nil
}

// after returns the condition for rows strictly after the cursor values in
// this ordering (before, when reverse is set): the usual expansion
// (a > x) OR (a = x AND b > y) OR ..., with NULLs placed last ascending.
func (o ordering) after(vals []any, reverse bool) sq.Sqlizer {
	var or sq.Or
	for i := range o {
		var and sq.And
		for j := 0; j < i; j++ {
			and = append(and, equalTo(o[j], vals[j]))
		}
		and = append(and, beyond(o[i], vals[i], o[i].desc != reverse))
		or = append(or, and)
	}
	return or
}

func equalTo(k sortKey, v any) sq.Sqlizer {
	if v == nil {
		return sq.Expr(k.expr + " IS NULL")
	}
	return sq.Expr(k.expr+" = ?", v)
}

// beyond is the condition for values strictly past v in one direction.
func beyond(k sortKey, v any, desc bool) sq.Sqlizer {
	switch {
	case !desc && v == nil: // NULLs are last: nothing lies beyond them
		return sq.Expr("1 = 0")
	case !desc && k.nullable:
		return sq.Or{sq.Expr(k.expr+" > ?", v), sq.Expr(k.expr + " IS NULL")}
	case !desc:
		return sq.Expr(k.expr+" > ?", v)
	case v == nil: // NULLs are first descending: every value lies beyond
		return sq.Expr(k.expr + " IS NOT NULL")
	}
	return sq.Expr(k.expr+" < ?", v)
}

// orderFields maps the GraphQL order fields of one list onto sort keys.
type orderFields map[string]sortKey

// build returns the ordering for orderBy, ending with the unique key.
func (f orderFields) build(orderBy []*mvpgraph.OrderBy, unique sortKey) (ordering, error) {
	var o ordering
	var seen []string
	for i, ob := range orderBy {
		if ob == nil {
			continue
		}
		k, ok := f[ob.Field]
		if !ok {
			return nil, mvpgraph.Invalidf(fmt.Sprintf("orderBy[%d].field", i), "%q cannot be ordered by here.", ob.Field)
		}
		if slices.Contains(seen, ob.Field) {
			continue
		}
		seen = append(seen, ob.Field)
		k.desc = ob.Direction == mvpgraph.Desc
		o = append(o, k)
	}
	return append(o, unique), nil
}

// Page is one page of a list, with a cursor per item.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNext     bool
	HasPrevious bool
}

// PageArgs ask for one page of a list: the first or last items, after or
// before a cursor of an earlier page.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Size returns the checked page size and whether the page is taken from the
// end (last/before).
func (p PageArgs) Size() (n int, backward bool, err error) {
	if p.First != nil && p.Last != nil {
		return 0, false, mvpgraph.Invalidf("first", "pass first or last, not both.")
	}
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", p.First}, {"last", p.Last}} {
		if a.v != nil && (*a.v < 0 || *a.v > MaxPageSize) {
			return 0, false, mvpgraph.Invalidf(a.name, "%s must be between 0 and %d; got %d. Page through larger results with the cursors.", a.name, MaxPageSize, *a.v)
		}
	}
	switch {
	case p.Last != nil:
		return *p.Last, true, nil
	case p.First != nil:
		return *p.First, false, nil
	case p.Before != nil && p.After == nil:
		return DefaultPageSize, true, nil
	}
	return DefaultPageSize, false, nil
}

// window describes the page asked for.
type window struct {
	size     int
	backward bool
	after    []any
	before   []any
}

func (o ordering) window(p PageArgs) (window, error) {
	var w window
	var err error
	if w.size, w.backward, err = p.Size(); err != nil {
		return w, err
	}
	if p.After != nil {
		if w.after, err = o.decode("after", *p.After); err != nil {
			return w, err
		}
	}
	if p.Before != nil {
		if w.before, err = o.decode("before", *p.Before); err != nil {
			return w, err
		}
	}
	return w, nil
}

// where adds the cursor conditions to b.
func (o ordering) where(b sq.SelectBuilder, w window) sq.SelectBuilder {
	if w.after != nil {
		b = b.Where(o.after(w.after, false))
	}
	if w.before != nil {
		b = b.Where(o.after(w.before, true))
	}
	return b
}

// finish trims the extra row fetched to learn whether more lie beyond, puts
// a backward page back in order, and makes the cursors.
func finish[T any](o ordering, w window, rows []T) Page[T] {
	p := Page[T]{}
	more := len(rows) > w.size
	if more {
		rows = rows[:w.size]
	}
	if w.backward {
		slices.Reverse(rows)
		p.HasPrevious, p.HasNext = more, w.before != nil
	} else {
		p.HasNext, p.HasPrevious = more, w.after != nil
	}
	p.Items = rows
	p.Cursors = make([]string, len(rows))
	for i := range rows {
		p.Cursors[i] = o.cursor(&rows[i])
	}
	return p
}

// listPage runs one page of base, which selects the rows and applies the
// filter.
func listPage[T any](ctx context.Context, s *Store, base sq.SelectBuilder, o ordering, p PageArgs) (Page[T], error) {
	w, err := o.window(p)
	if err != nil {
		return Page[T]{}, err
	}
	b := o.where(base, w).OrderBy(o.orderSQL(w.backward)).Limit(uint64(w.size + 1))
	var rows []T
	if err := s.selectAll(ctx, s.db, &rows, b); err != nil {
		return Page[T]{}, err
	}
	return finish(o, w, rows), nil
}

// listPages runs the same page of base for many parents in one statement:
// base must select a "parent_id" column computed by parentExpr, and each
// parent gets its own page through ROW_NUMBER() over a partition.
func listPages[T any](ctx context.Context, s *Store, base sq.SelectBuilder, parentExpr string, parentOf func(*T) int64, o ordering, p PageArgs) (map[int64]Page[T], error) {
	w, err := o.window(p)
	if err != nil {
		return nil, err
	}
	out := map[int64]Page[T]{}
	inner := o.where(base, w).Column(fmt.Sprintf("ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s) AS rn", parentExpr, o.orderSQL(w.backward)))
	b := s.sb.Select("*").FromSelect(inner, "paged").Where(sq.LtOrEq{"rn": w.size + 1}).OrderBy("parent_id", "rn")
	var rows []T
	if err := s.selectAll(ctx, s.db, &rows, b); err != nil {
		return nil, err
	}
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && parentOf(&rows[end]) == parentOf(&rows[start]) {
			end++
		}
		out[parentOf(&rows[start])] = finish(o, w, slices.Clone(rows[start:end]))
		start = end
	}
	return out, nil
}

// filter compiles the per-field operators of a where input.
type filter struct {
	s     *Store
	conds sq.And
	err   error
}

func (f *filter) text(expr string, x *mvpgraph.StringFilter) {
	if x == nil {
		return
	}
	if x.Eq != nil {
		f.conds = append(f.conds, sq.Expr(expr+" = ?", *x.Eq))
	}
	if x.Neq != nil {
		f.conds = append(f.conds, sq.Expr("("+expr+" <> ? OR "+expr+" IS NULL)", *x.Neq))
	}
	if x.In != nil {
		f.in(expr, len(x.In), x.In)
	}
	compareOps(f, expr, x.Gt, x.Gte, x.Lt, x.Lte)
	// The escape character is the same on both databases: \% and \_ match
	// a literal % and _.
	if x.Like != nil {
		f.conds = append(f.conds, sq.Expr(expr+` LIKE ? ESCAPE '\'`, *x.Like))
	}
	// Case-insensitive as lower(expr) LIKE lower(pattern) on both, which
	// PostgreSQL answers from an index on lower(expr) where there is one
	// (members' names); its ILIKE never uses an index.
	if x.Ilike != nil {
		f.conds = append(f.conds, sq.Expr("lower("+expr+`) LIKE lower(?) ESCAPE '\'`, *x.Ilike))
	}
	f.null(expr, x.IsNull)
}

func (f *filter) bool(expr string, x *mvpgraph.BooleanFilter) {
	if x == nil {
		return
	}
	if x.Eq != nil {
		f.conds = append(f.conds, sq.Expr(expr+" = ?", *x.Eq))
	}
	if x.Neq != nil {
		f.conds = append(f.conds, sq.Expr(expr+" <> ?", *x.Neq))
	}
}

// id compiles a global-ID filter on the ID column of objects of type typ.
func (f *filter) id(field, expr, typ string, x *mvpgraph.IDFilter) error {
	if x == nil {
		return nil
	}
	one := func(name, gid string) (int64, error) {
		return mvpgraph.ParseID(field+"."+name, typ, gid)
	}
	if x.Eq != nil {
		id, err := one("_eq", *x.Eq)
		if err != nil {
			return err
		}
		f.conds = append(f.conds, sq.Expr(expr+" = ?", id))
	}
	if x.Neq != nil {
		id, err := one("_neq", *x.Neq)
		if err != nil {
			return err
		}
		f.conds = append(f.conds, sq.Expr(expr+" <> ?", id))
	}
	if x.In != nil {
		ids := make([]int64, len(x.In))
		for i, gid := range x.In {
			var err error
			if ids[i], err = one("_in", gid); err != nil {
				return err
			}
		}
		f.in(expr, len(ids), ids)
	}
	return nil
}

func compareOps[V any](f *filter, expr string, gt, gte, lt, lte *V) {
	for _, c := range []struct {
		op string
		v  *V
	}{{">", gt}, {">=", gte}, {"<", lt}, {"<=", lte}} {
		if c.v != nil {
			f.conds = append(f.conds, sq.Expr(expr+" "+c.op+" ?", *c.v))
		}
	}
}

func (f *filter) null(expr string, isNull *bool) {
	if isNull == nil {
		return
	}
	if *isNull {
		f.conds = append(f.conds, sq.Expr(expr+" IS NULL"))
	} else {
		f.conds = append(f.conds, sq.Expr(expr+" IS NOT NULL"))
	}
}

// maxInList bounds _in lists so that one filter cannot bind unbounded
// parameters.
const maxInList = 1000

// in adds expr IN vals; an empty list matches nothing.
func (f *filter) in(expr string, n int, vals any) {
	switch {
	case n > maxInList && f.err == nil:
		f.err = mvpgraph.Invalidf("where", "_in lists at most %d values; got %d.", maxInList, n)
	case n == 0:
		f.conds = append(f.conds, sq.Expr("1 = 0"))
	default:
		f.conds = append(f.conds, sq.Eq{expr: vals})
	}
}

// combine compiles the _and, _or and _not of a where input through sub,
// which compiles one nested input.
func combine[W any](f *filter, field string, depth int, and, or []*W, not *W, sub func(w *W, field string, depth int) (sq.Sqlizer, error)) error {
	if depth > mvpgraph.MaxFilterDepth {
		return mvpgraph.Invalidf(field, "filters nest at most %d levels of _and, _or and _not.", mvpgraph.MaxFilterDepth)
	}
	if len(and) > 0 {
		var all sq.And
		for i, w := range and {
			c, err := sub(w, fmt.Sprintf("%s._and[%d]", field, i), depth+1)
			if err != nil {
				return err
			}
			all = append(all, c)
		}
		f.conds = append(f.conds, all)
	}
	if or != nil {
		any := sq.Or{sq.Expr("1 = 0")}
		for i, w := range or {
			c, err := sub(w, fmt.Sprintf("%s._or[%d]", field, i), depth+1)
			if err != nil {
				return err
			}
			any = append(any, c)
		}
		f.conds = append(f.conds, any)
	}
	if not != nil {
		c, err := sub(not, field+"._not", depth+1)
		if err != nil {
			return err
		}
		sqlStr, args, err := c.ToSql()
		if err != nil {
			return err
		}
		// A comparison with NULL is unknown, and NOT unknown is unknown too:
		// count unknown as false so that _not is the complement of its filter.
		f.conds = append(f.conds, sq.Expr("NOT COALESCE(("+sqlStr+"), FALSE)", args...))
	}
	return nil
}

// maxFilterParams bounds the values one filter binds, below what either
// database takes in one statement.
const maxFilterParams = 5000

// result returns the compiled conditions; an empty filter is always true.
func (f *filter) result() sq.Sqlizer {
	if len(f.conds) == 0 {
		return sq.Expr("1 = 1")
	}
	return f.conds
}

// checked returns the compiled filter of a whole where input, or an
// EINVALID error when it binds too many values.
func checked(cond sq.Sqlizer, err error) (sq.Sqlizer, error) {
	if err != nil {
		return nil, err
	}
	_, args, err := cond.ToSql()
	if err != nil {
		return nil, err
	}
	if len(args) > maxFilterParams {
		return nil, mvpgraph.Invalidf("where", "the filter compares against %d values; at most %d are allowed. Split the query.", len(args), maxFilterParams)
	}
	return cond, nil
}

// inArgs returns what goes inside the parentheses of an IN list of ids,
// and its arguments: on PostgreSQL one array parameter (so that every
// length shares a prepared statement and its plan), on SQLite a parameter
// per ID.
func (s *Store) inArgs(ids []int64) (string, []any) {
	if s.dialect == Postgres {
		return "SELECT unnest(CAST(? AS bigint[]))", []any{pq.Array(ids)}
	}
	if len(ids) == 0 {
		return "NULL", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}
