package facebook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mvpgraph"
	"mvpgraph/integrations"
	"mvpgraph/integrations/conformance"
	"mvpgraph/integrations/facebook"
	"mvpgraph/integrations/platformtest"
)

const token = "EAAGm0PX4ZCpsBAFakePageToken123"

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// reply is what the fake Graph API answers.
type reply struct {
	status  int
	file    string // under testdata/
	headers map[string]string
	delay   time.Duration
}

type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) all() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func (s *seen) ids() []string {
	var ids []string
	for _, r := range s.all() {
		ids = append(ids, r.URL.Query().Get("ids"))
	}
	return ids
}

// graph starts a fake Graph API; answer picks the reply by the ids asked.
func graph(t *testing.T, answer func(ids string) reply) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		rep := answer(r.URL.Query().Get("ids"))
		if rep.delay > 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(rep.delay):
			}
			return
		}
		for k, v := range rep.headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(rep.status)
		body, err := os.ReadFile(filepath.Join("testdata", rep.file))
		if err != nil {
			t.Errorf("read testdata: %v", err)
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func newClient(t *testing.T, srv *httptest.Server) *facebook.Client {
	t.Helper()
	cl, err := facebook.New(integrations.Config{
		BaseURL: srv.URL,
		Token:   token,
		Timeout: 200 * time.Millisecond,
		Now:     func() time.Time { return now },
	})
	require.NoError(t, err)
	return cl
}

func ptr[T any](v T) *T { return &v }

type answer = platformtest.Answer

var (
	cocaCola = mvpgraph.Lookup{Handle: "cocacola", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
		Followers: ptr[int64](110254581), Engagement: ptr(108042374.0),
	}}
	facebookApp = mvpgraph.Lookup{Handle: "20531316728", Status: mvpgraph.AccountActive, Reach: mvpgraph.Reach{
		Followers: ptr[int64](188412339), Engagement: ptr(187500532.0),
	}}
)

// TestConformance runs the suite every platform client passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	spent := map[string]string{"X-App-Usage": `{"call_count":100,"total_cputime":20,"total_time":35}`}
	conformance.Run(t, conformance.Platform{
		Client: func(t *testing.T, baseURL string, timeout time.Duration) mvpgraph.ReachSource {
			cl, err := facebook.New(integrations.Config{BaseURL: baseURL, Token: token, Timeout: timeout, Now: func() time.Time { return now }})
			require.NoError(t, err)
			return cl
		},
		ContentType: "application/json; charset=UTF-8",
		Secret:      token,
		Known:       []string{"cocacola", "20531316728"},
		Reach:       []mvpgraph.Reach{cocaCola.Reach, facebookApp.Reach},
		Missing:     "nosuchpage.xyz",
		// A batch naming a missing alias fails with code 803, naming it;
		// the client asks again without it.
		Found: func(r *http.Request) answer {
			switch ids := r.URL.Query().Get("ids"); {
			case strings.Contains(ids, "nosuchpage.xyz"):
				return answer{Status: http.StatusNotFound, File: "error_alias_missing.json"}
			case ids == "cocacola":
				return answer{Status: http.StatusOK, File: "page_cocacola.json"}
			case ids == "20531316728":
				return answer{Status: http.StatusOK, File: "page_facebookapp.json"}
			}
			return answer{Status: http.StatusOK, File: "pages.json"}
		},
		RateLimited: conformance.Limit{Answer: answer{Status: http.StatusForbidden, File: "error_app_limit.json", Headers: spent}, Reset: now.Add(time.Hour)},
		// The answer still comes, but the app has used its hour.
		QuotaSpent:  &conformance.Limit{Answer: answer{Status: http.StatusOK, File: "page_cocacola.json", Headers: spent}, Reset: now.Add(time.Hour)},
		ServerError: answer{Status: http.StatusServiceUnavailable, File: "error_service.json"},
		Malformed:   answer{Status: http.StatusOK, File: "malformed.json"},
		Refused:     &answer{Status: http.StatusBadRequest, File: "error_token_expired.json"},
		Without: map[string]string{
			"suspended": "the Graph API answers a restricted or unpublished Page as it does a missing one",
		},
	})
}

func TestFetch(t *testing.T) {
	t.Parallel()
	srv, s := graph(t, func(string) reply {
		return reply{status: 200, file: "pages.json", headers: map[string]string{
			"X-App-Usage": `{"call_count":28,"total_cputime":25,"total_time":30}`,
		}}
	})
	cl := newClient(t, srv)

	got, quota, err := cl.Fetch(context.Background(), []string{"cocacola", "20531316728"})
	require.NoError(t, err)
	require.Equal(t, []mvpgraph.Lookup{cocaCola, facebookApp}, got)
	require.Equal(t, &mvpgraph.Quota{Limit: 100, Remaining: 70}, quota)

	reqs := s.all()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, "/"+facebook.APIVersion+"/", r.URL.Path)
	q := r.URL.Query()
	require.Equal(t, "cocacola,20531316728", q.Get("ids"))
	require.Equal(t, "followers_count,fan_count,name", q.Get("fields"))
	require.Equal(t, "json", q.Get("format"))
	require.False(t, q.Has("access_token"), "the token stays out of the URL")
	require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
}

func TestFetchMissingPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handles []string
		answers map[string]reply // by ids
		want    []mvpgraph.Lookup
		calls   []string // ids of each call, in order
		errAt   int      // index of a Lookup with Err, or -1
	}{
		{
			name:    "alias named by code 803",
			handles: []string{"cocacola", "nosuchpage.xyz", "20531316728"},
			answers: map[string]reply{
				"cocacola,nosuchpage.xyz,20531316728": {status: 404, file: "error_alias_missing.json"},
				"cocacola,20531316728":                {status: 200, file: "pages.json"},
			},
			want:  []mvpgraph.Lookup{cocaCola, {Handle: "nosuchpage.xyz", Status: mvpgraph.AccountNotFound}, facebookApp},
			calls: []string{"cocacola,nosuchpage.xyz,20531316728", "cocacola,20531316728"},
			errAt: -1,
		},
		{
			name:    "numeric id named by code 100",
			handles: []string{"99999999999", "cocacola"},
			answers: map[string]reply{
				"99999999999,cocacola": {status: 400, file: "error_object_missing.json"},
				"cocacola":             {status: 200, file: "page_cocacola.json"},
			},
			want:  []mvpgraph.Lookup{{Handle: "99999999999", Status: mvpgraph.AccountNotFound}, cocaCola},
			calls: []string{"99999999999,cocacola", "cocacola"},
			errAt: -1,
		},
		{
			name:    "a person's profile, not named: each id alone",
			handles: []string{"cocacola", "100004123456789", "20531316728"},
			answers: map[string]reply{
				"cocacola,100004123456789,20531316728": {status: 400, file: "error_not_a_page.json"},
				"cocacola":                             {status: 200, file: "page_cocacola.json"},
				"100004123456789":                      {status: 400, file: "error_not_a_page.json"},
				"20531316728":                          {status: 200, file: "page_facebookapp.json"},
			},
			want:  []mvpgraph.Lookup{cocaCola, {Handle: "100004123456789"}, facebookApp},
			calls: []string{"cocacola,100004123456789,20531316728", "cocacola", "100004123456789", "20531316728"},
			errAt: 1,
		},
		{
			name:    "single missing alias",
			handles: []string{"nosuchpage.xyz"},
			answers: map[string]reply{"nosuchpage.xyz": {status: 404, file: "error_alias_missing.json"}},
			want:    []mvpgraph.Lookup{{Handle: "nosuchpage.xyz", Status: mvpgraph.AccountNotFound}},
			calls:   []string{"nosuchpage.xyz"},
			errAt:   -1,
		},
		{
			name:    "repeated handle asked once",
			handles: []string{"cocacola", "cocacola"},
			answers: map[string]reply{"cocacola": {status: 200, file: "page_cocacola.json"}},
			want:    []mvpgraph.Lookup{cocaCola, cocaCola},
			calls:   []string{"cocacola"},
			errAt:   -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, s := graph(t, func(ids string) reply {
				rep, ok := tt.answers[ids]
				if !ok {
					t.Errorf("unexpected call with ids=%s", ids)
					return reply{status: 500, file: "error_unknown.json"}
				}
				return rep
			})
			cl := newClient(t, srv)

			got, _, err := cl.Fetch(context.Background(), tt.handles)
			require.NoError(t, err)
			if tt.errAt >= 0 {
				require.Error(t, got[tt.errAt].Err)
				require.Contains(t, got[tt.errAt].Err.Error(), "is not a Facebook Page")
				got[tt.errAt].Err = nil
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.calls, s.ids())
		})
	}
}

func TestFetchFailures(t *testing.T) {
	t.Parallel()
	transient := func(t *testing.T, err error) { require.True(t, mvpgraph.IsTransient(err), "got %v", err) }
	limitedUntil := func(reset time.Time) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			at, ok := mvpgraph.RateLimitReset(err)
			require.True(t, ok, "want a RateLimitError, got %v", err)
			require.Equal(t, reset, at)
		}
	}
	code := func(c string) func(*testing.T, error) {
		return func(t *testing.T, err error) { require.Equal(t, c, mvpgraph.ErrorCode(err), "got %v", err) }
	}
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"user limit (code 17)", reply{status: 403, file: "error_user_limit.json"}, limitedUntil(now.Add(time.Hour))},
		{"Page limit (code 32) with an estimate", reply{status: 403, file: "error_page_limit.json", headers: map[string]string{
			"X-Business-Use-Case-Usage": `{"20531316728":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":25,"estimated_time_to_regain_access":17}]}`,
		}}, limitedUntil(now.Add(17 * time.Minute))},
		{"hourly limit (code 613)", reply{status: 400, file: "error_hourly_limit.json"}, limitedUntil(now.Add(time.Hour))},
		{"expired token (code 190)", reply{status: 400, file: "error_token_expired.json"}, code(mvpgraph.EUNAUTHORIZED)},
		{"unparseable token (code 190)", reply{status: 400, file: "error_token_invalid.json"}, code(mvpgraph.EUNAUTHORIZED)},
		{"missing permission (code 10)", reply{status: 403, file: "error_permission.json"}, code(mvpgraph.EFORBIDDEN)},
		{"fields the Page node lacks (code 100)", reply{status: 400, file: "error_unknown_field.json"}, func(t *testing.T, err error) {
			require.False(t, mvpgraph.IsTransient(err))
			require.Equal(t, mvpgraph.EINTERNAL, mvpgraph.ErrorCode(err))
			require.ErrorContains(t, err, "nonexisting field (fan_count)")
		}},
		{"unknown error (code 1)", reply{status: 500, file: "error_unknown.json"}, transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := graph(t, func(string) reply { return tt.reply })
			cl := newClient(t, srv)

			got, _, err := cl.Fetch(context.Background(), []string{"cocacola", "20531316728"})
			require.Error(t, err)
			require.Nil(t, got)
			require.NotContains(t, err.Error(), token)
			tt.check(t, err)
		})
	}
}

func TestFetchQuotaOnRateLimit(t *testing.T) {
	t.Parallel()
	srv, _ := graph(t, func(string) reply {
		return reply{status: 403, file: "error_app_limit.json", headers: map[string]string{
			"X-App-Usage": `{"call_count":104,"total_cputime":20,"total_time":35}`,
		}}
	})
	cl := newClient(t, srv)

	_, quota, err := cl.Fetch(context.Background(), []string{"cocacola"})
	require.Error(t, err)
	require.Equal(t, &mvpgraph.Quota{Limit: 100, Remaining: 0, Reset: now.Add(time.Hour)}, quota)
}

func TestNewNeedsToken(t *testing.T) {
	t.Parallel()
	_, err := facebook.New(integrations.Config{})
	require.ErrorContains(t, err, "MVPGRAPH_FACEBOOK_TOKEN")
}
