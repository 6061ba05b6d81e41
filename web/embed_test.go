package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"mvpgraph/web"
)

// TestPagesAndAssets: both pages are served with a policy that keeps them
// to this server, and every asset they name is there, cached for good.
func TestPagesAndAssets(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	ref := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)
	for _, page := range []string{"/", "/graphiql"} {
		resp, body := get(page)
		require.Equal(t, http.StatusOK, resp.StatusCode, page)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "connect-src 'self'")
		require.NotRegexp(t, `(?:src|href)="(?:https?:)?//`, body, "%s loads nothing from elsewhere", page)
		assets := ref.FindAllStringSubmatch(body, -1)
		require.NotEmpty(t, assets, page)
		for _, a := range assets {
			resp, _ := get(a[1])
			require.Equal(t, http.StatusOK, resp.StatusCode, a[1])
			require.Contains(t, resp.Header.Get("Cache-Control"), "immutable", a[1])
		}
	}
	resp, _ := get("/assets/missing.js")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get("/assets/")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "no listing of the assets")
}
