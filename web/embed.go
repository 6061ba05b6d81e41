// Package web serves the leads' page and the GraphiQL console: a Vite build
// of web/src (Preact and uPlot for the page, GraphiQL with CodeMirror for
// the console), committed in dist/ and embedded, so that the server needs
// no Node and the pages load nothing from elsewhere.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed dist
var dist embed.FS

// contentSecurityPolicy lets the pages load only this server's scripts,
// and talk only to it. Styles may be inline: GraphiQL and the charts set
// them from script.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Handler serves the page at /, the console at /graphiql and their assets
// at /assets/. Assets carry a content hash in their names, so they are
// cached for a year; the pages are revalidated on every load.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time
	}
	assets := http.FileServerFS(sub)
	page := func(name string) http.HandlerFunc {
		body, err := fs.ReadFile(sub, name)
		if err != nil {
			panic(err)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			_, _ = w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page("index.html"))
	mux.Handle("GET /graphiql", page("graphiql.html"))
	mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(w, r)
	})
	return mux
}
