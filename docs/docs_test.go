// Package docs holds mvpgraph's documentation; its tests check that the
// documents hold together: every relative link and anchor resolves, and the
// architecture document names every package and only files that exist.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// documents are the README and every document here, by path from the
// repository's root.
func documents(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	require.NoError(t, err)
	out := []string{filepath.Join("..", "README.md"), filepath.Join("..", "bench", "README.md")}
	return append(out, files...)
}

var heading = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)

// anchors are the anchors GitHub gives a document's headings.
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if m := heading.FindStringSubmatch(line); m != nil && !inFence {
			out[slug(m[1])] = true
		}
	}
	return out
}

func slug(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var link = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)

func TestLinksResolve(t *testing.T) {
	checked := 0
	for _, doc := range documents(t) {
		b, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if regexp.MustCompile(`^[a-z]+:`).MatchString(target) {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			file := doc
			if path != "" {
				file = filepath.Join(filepath.Dir(doc), path)
				_, err := os.Stat(file)
				require.NoError(t, err, "%s links to %s, which does not exist", doc, target)
			}
			if anchor != "" {
				require.True(t, anchors(t, file)[anchor], "%s links to %s: %s has no heading #%s", doc, target, file, anchor)
			}
			checked++
		}
	}
	require.Greater(t, checked, 20, "the documents link to each other")
}

// TestArchitectureNamesThePackages: every Go package of the module is
// named in architecture.md, and every file or folder it names in backticks
// exists.
func TestArchitectureNamesThePackages(t *testing.T) {
	b, err := os.ReadFile("architecture.md")
	require.NoError(t, err)
	doc := string(b)
	root := ".."
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "web" && filepath.Dir(path) == root) {
			if name == "web" {
				require.Contains(t, doc, "web/", "architecture.md names web/")
			}
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		require.NoError(t, err)
		if dir == "." || dir == "docs" {
			return nil
		}
		require.Contains(t, doc, filepath.ToSlash(dir), "architecture.md names the package %s", dir)
		return nil
	})
	require.NoError(t, err)

	named := regexp.MustCompile("`([a-z][a-z0-9_./-]*(?:/|\\.go|\\.graphql|\\.yml|\\.md))`")
	checked := 0
	for _, m := range named.FindAllStringSubmatch(doc, -1) {
		p := m[1]
		if strings.ContainsAny(p, "*") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			// A file named within its package's folder, as `view.go` after
			// `resolvers/`.
			matches, _ := filepath.Glob(filepath.Join(root, "*", p))
			deeper, _ := filepath.Glob(filepath.Join(root, "*", "*", p))
			require.NotEmpty(t, append(matches, deeper...), "architecture.md names %s, which does not exist", p)
		}
		checked++
	}
	require.Greater(t, checked, 20, "the reading order names files")
}
