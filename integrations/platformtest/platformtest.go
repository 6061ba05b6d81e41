// Package platformtest serves fake platform APIs for the clients' tests:
// an httptest server that answers each request as a route function says,
// with a status, headers and a body from testdata/, optionally after a
// delay, and records the requests it received.
package platformtest

import (
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Answer is what the fake API replies to one request.
type Answer struct {
	Status  int
	File    string // under testdata/; empty for Body
	Body    string
	Headers map[string]string
	Delay   time.Duration
	Gzip    bool // the body is sent gzipped, as Content-Encoding says
}

// Always answers every request with a.
func Always(a Answer) func(*http.Request) Answer {
	return func(*http.Request) Answer { return a }
}

// Server is a fake platform API.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// New starts a fake API, closed when the test ends. Answers from a file
// carry jsonType as their Content-Type; every answer carries fixed.
func New(t testing.TB, jsonType string, fixed map[string]string, route func(*http.Request) Answer) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		a := route(r)
		body := []byte(a.Body)
		if a.File != "" {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", a.File)); err != nil {
				http.Error(w, err.Error(), http.StatusTeapot)
				return
			}
			w.Header().Set("Content-Type", jsonType)
		}
		if a.Delay > 0 {
			select {
			case <-time.After(a.Delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range a.Headers {
			w.Header().Set(k, v)
		}
		for k, v := range fixed {
			w.Header().Set(k, v)
		}
		if a.Gzip {
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(a.Status)
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(body)
			_ = zw.Close()
			return
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}
