package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

// example is a fenced block of the README or of docs/.
type example struct {
	file, text string
}

// docExamples returns the blocks fenced as lang in README.md and docs/*.md.
func docExamples(t *testing.T, lang string) []example {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	files = append([]string{filepath.Join("..", "..", "README.md")}, files...)
	block := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []example
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range block.FindAllStringSubmatch(string(b), -1) {
			out = append(out, example{file: filepath.Base(f), text: m[1]})
		}
	}
	require.NotEmpty(t, out, "the README and docs have %s examples", lang)
	return out
}

// words splits a command line as a POSIX shell does for the plain words,
// single- and double-quoted strings the examples use; a # starts a comment.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	in, quote, started := false, byte(0), false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, started = c, true
		case c == ' ' || c == '\t':
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		case c == '#' && !started:
			in = true
		default:
			started = true
			cur.WriteByte(c)
		}
		if in {
			break
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

// TestDocsCommands runs the token commands of the README's and docs/'
// shell examples, as written, on the demo program. The serve command is
// what TestServeDemo runs; import and seed examples name the reader's own
// files and sizes, and their commands are tested in TestImportCommand and
// TestMigrateAndSeedCommands.
func TestDocsCommands(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	env := map[string]string{"MVPGRAPH_DATABASE_URL": dbURL}
	run := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		m := NewMain(&out, &errs, func(k string) string { return env[k] })
		err := m.Run(context.Background(), args)
		return out.String() + errs.String(), err
	}
	_, err := run("seed", "--demo")
	require.NoError(t, err)
	ran := 0
	for _, ex := range docExamples(t, "sh") {
		for _, line := range strings.Split(ex.text, "\n") {
			w := words(line)
			for len(w) > 0 && strings.Contains(w[0], "=") {
				w = w[1:] // an environment setting before the command
			}
			if len(w) < 4 || w[0] != "go" || w[1] != "run" || w[2] != "./cmd/mvpgraph" || w[3] != "token" {
				continue
			}
			out, err := run(w[3:]...)
			require.NoError(t, err, "%s: %s\n%s", ex.file, line, out)
			ran++
		}
	}
	require.GreaterOrEqual(t, ran, 5, "the token commands of the docs ran")
}
