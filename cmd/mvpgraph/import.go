package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mvpgraph"
	"mvpgraph/importer"
	"mvpgraph/store"
)

// importCmd imports community activity from a CSV or JSON Lines file.
func (m *Main) importCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "activities" {
		return errors.New("import needs what to import: mvpgraph import activities FILE")
	}
	fs, dbURL := m.flags("import activities")
	format := fs.String("format", "", "csv or jsonl (default: by the file's extension)")
	allOrNothing := fs.Bool("all-or-nothing", false, "import nothing when any row is bad")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import activities needs one FILE")
	}
	path := fs.Arg(0)
	if *format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			*format = "csv"
		case ".jsonl", ".ndjson":
			*format = "jsonl"
		default:
			return fmt.Errorf("cannot tell the format of %s from its extension: give --format csv or --format jsonl", path)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, bad, err := importer.Activities(f, *format)
	if err != nil {
		return fmt.Errorf("%s: %s", path, mvpgraph.ErrorMessage(err))
	}
	s, err := m.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.ImportActivities(ctx, rows, bad, *allOrNothing, store.Importer{Actor: mvpgraph.Principal{Name: "mvpgraph import " + filepath.Base(path)}})
	if err != nil {
		return err
	}
	for _, r := range res.Rejected {
		fmt.Fprintf(m.stderr, "%s:%d: %s\n", path, r.Line, r.Reason)
	}
	switch {
	case *allOrNothing && len(res.Rejected) > 0:
		fmt.Fprintf(m.stdout, "imported nothing: %d bad row(s), listed above; fix them or import without --all-or-nothing\n", len(res.Rejected))
		return errors.New("bad rows")
	default:
		fmt.Fprintf(m.stdout, "imported %d new activities, %d already there, %d rejected\n", res.Imported, res.Duplicates, len(res.Rejected))
	}
	if len(res.Rejected) > 0 {
		return errors.New("some rows were rejected")
	}
	return nil
}
