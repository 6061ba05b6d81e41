// Package importer reads community activity from files: CSV with a header,
// or JSON Lines, one row at a time, each checked by the domain's rules
// (mvpgraph.ActivityRow.Check). The command line's import and the
// importActivities mutation share it.
package importer

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
)

// Columns are the fields of an import row, as CSV header names and
// JSON keys. The first six are required.
var Columns = []string{"space", "external_id", "kind", "occurred_at", "contributor_handle", "contributor_name", "member_handle", "url", "title", "score",
	"in_reply_to", "accepted", "contributor_url"}

// parseRow reads and checks one row's fields.
func parseRow(line int, f map[string]string) (mvpgraph.ActivityRow, error) {
	r := mvpgraph.ActivityRow{Line: line}
	get := func(k string) string { return strings.TrimSpace(f[k]) }
	for _, k := range Columns[:6] {
		if get(k) == "" {
			return r, fmt.Errorf("%s is missing", k)
		}
	}
	r.Space, r.ExternalID = get("space"), get("external_id")
	r.Kind = mvpgraph.ActivityKind(strings.ToUpper(get("kind")))
	if !r.Kind.Valid() {
		return r, fmt.Errorf("kind %q is not one of %v", get("kind"), mvpgraph.ActivityKinds)
	}
	t, err := time.Parse(time.RFC3339, get("occurred_at"))
	if err != nil {
		if t, err = time.Parse(time.DateOnly, get("occurred_at")); err != nil {
			return r, fmt.Errorf("occurred_at %q is not a date (2026-05-01) or an RFC 3339 time (2026-05-01T14:00:00Z)", get("occurred_at"))
		}
	}
	r.OccurredAt = t.UTC()
	if r.OccurredAt.Year() < 1980 || r.OccurredAt.After(time.Now().Add(48*time.Hour)) {
		return r, fmt.Errorf("occurred_at %s is before 1980 or in the future", get("occurred_at"))
	}
	r.ContributorHandle, r.ContributorName = get("contributor_handle"), get("contributor_name")
	r.MemberHandle, r.URL, r.Title = strings.ToLower(get("member_handle")), get("url"), get("title")
	if s := get("score"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return r, fmt.Errorf("score %q is not a number", s)
		}
		r.Score = &v
	}
	r.InReplyTo, r.ContributorURL = get("in_reply_to"), get("contributor_url")
	switch strings.ToLower(get("accepted")) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		r.Accepted = true
	default:
		return r, fmt.Errorf("accepted %q is not true or false", get("accepted"))
	}
	return r, r.Check()
}

// Activities reads an import file: CSV with a header naming the columns
// (any order; Columns), or JSON Lines with those keys. It returns the
// rows that read well and, for the others, the line and the reason; a
// header that lacks a required column fails the whole file.
func Activities(r io.Reader, format string) ([]mvpgraph.ActivityRow, []mvpgraph.RowError, error) {
	var rows []mvpgraph.ActivityRow
	var bad []mvpgraph.RowError
	add := func(line int, f map[string]string) {
		row, err := parseRow(line, f)
		if err != nil {
			bad = append(bad, mvpgraph.RowError{Line: line, Reason: err.Error()})
			return
		}
		rows = append(rows, row)
	}
	switch strings.ToUpper(format) {
	case "CSV":
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			return nil, nil, mvpgraph.Invalidf("file", "the file has no CSV header: %v", err)
		}
		index := map[string]int{}
		for i, h := range header {
			index[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		var missing []string
		for _, c := range Columns[:6] {
			if _, ok := index[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return nil, nil, mvpgraph.Invalidf("file", "the CSV header lacks %s; it needs %s.", strings.Join(missing, ", "), strings.Join(Columns[:6], ", "))
		}
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					bad = append(bad, mvpgraph.RowError{Line: pe.StartLine, Reason: "not valid CSV: " + pe.Err.Error()})
					if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
						continue
					}
				}
				return rows, append(bad, mvpgraph.RowError{Line: 0, Reason: "the rest of the file could not be read"}), nil
			}
			line, _ := cr.FieldPos(0)
			f := map[string]string{}
			for c, i := range index {
				if i < len(rec) {
					f[c] = rec[i]
				}
			}
			add(line, f)
		}
	case "JSONL", "JSON_LINES":
		dec := json.NewDecoder(r)
		for line := 1; ; line++ {
			var raw map[string]any
			err := dec.Decode(&raw)
			if err == io.EOF {
				break
			}
			if err != nil {
				var se *json.SyntaxError
				if errors.As(err, &se) {
					return rows, append(bad, mvpgraph.RowError{Line: line, Reason: "not valid JSON; the rest of the file was not read"}), nil
				}
				bad = append(bad, mvpgraph.RowError{Line: line, Reason: "not a JSON object"})
				continue
			}
			f := map[string]string{}
			for k, v := range raw {
				switch x := v.(type) {
				case string:
					f[k] = x
				case float64:
					f[k] = strconv.FormatFloat(x, 'f', -1, 64)
				case nil:
				default:
					f[k] = fmt.Sprint(x)
				}
			}
			add(line, f)
		}
	default:
		return nil, nil, mvpgraph.Invalidf("format", "format %q is not CSV or JSONL.", format)
	}
	return rows, bad, nil
}
