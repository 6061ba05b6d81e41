// Package facebook reads the reach of Facebook Pages through the Graph API,
// with github.com/huandu/facebook/v2: up to 50 pages a call, as
// GET /<version>/?ids=a,b&fields=followers_count,fan_count,name.
//
// Reach: Followers is followers_count (people who follow the Page);
// Engagement is fan_count, the Page's like count, as a float: it is how
// many people chose to like the Page, the nearest thing to an engagement
// figure the Page node gives, and it is not a follower count, so it must
// not be added to Followers. Following, Posts, Views and LastPostAt are nil.
//
// Facebook does not tell a restricted or unpublished Page from a missing
// one, so Lookups are ACTIVE or NOT_FOUND, never SUSPENDED.
package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"mvpgraph"
	"mvpgraph/integrations"
)

// APIVersion is the Graph API version called. Facebook keeps a version for
// about two years; move it on before it expires.
const APIVersion = "v23.0"

// fields are the Page fields asked for; name only makes answers readable
// when debugging.
const fields = "followers_count,fan_count,name"

// batchSize is how many ids one ?ids= call takes.
const batchSize = 50

// Client reads Pages with one access token. It is safe for concurrent use.
type Client struct {
	cfg     integrations.Config
	http    *http.Client
	session *fb.Session // a template: each call works on a copy
	token   string
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client. Config.Token must be an app or Page access token;
// it goes in the Authorization header, never in a URL, so it cannot leak
// through logged URLs. Config.BaseURL replaces https://graph.facebook.com.
func New(c integrations.Config) (*Client, error) {
	if c.Token == "" {
		return nil, fmt.Errorf("facebook: no access token; set %s to an app or Page access token",
			integrations.EnvName(mvpgraph.Facebook, "TOKEN"))
	}
	s := &fb.Session{Version: APIVersion}
	s.SetAccessToken(c.Token)
	s.UseAuthorizationHeader()
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("facebook: %s is not an absolute http(s) URL; fix or unset it",
				integrations.EnvName(mvpgraph.Facebook, "BASE_URL"))
		}
		s.BaseURL = strings.TrimRight(c.BaseURL, "/") + "/" // the library wants the slash
	}
	return &Client{cfg: c, http: c.Client(), session: s, token: c.Token}, nil
}

// Platform is Facebook.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.Facebook }

// BatchSize is 50, the most ids the Graph API takes in one ?ids= call.
func (c *Client) BatchSize() int { return batchSize }

// Fetch looks up Pages by username or numeric ID.
//
// One id that does not exist fails a whole ?ids= call (code 803, or 100
// naming the object). Fetch then marks the ids the error names as
// NOT_FOUND and asks again for the others; when the error names none of
// them (a person's profile among the Pages fails the call with code 100,
// "nonexisting field"), it asks for each id alone, and the id that still
// fails alone gets the error in its Lookup. A batch with a bad id costs a
// few calls more, but every Page that exists is still read.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	out := make([]mvpgraph.Lookup, len(handles))
	var ids []string
	seen := map[string]bool{}
	for i, h := range handles {
		out[i].Handle = h
		if h == "" || strings.ContainsAny(h, ",/?&#% ") {
			out[i].Err = fmt.Errorf("%q is not a Facebook Page username or ID; store the name from the Page's URL", h)
			continue
		}
		if !seen[h] {
			seen[h] = true
			ids = append(ids, h)
		}
	}

	found := map[string]mvpgraph.Lookup{}
	var quota *mvpgraph.Quota
	for start := 0; start < len(ids); start += batchSize {
		chunk := ids[start:min(start+batchSize, len(ids))]
		if err := c.lookup(ctx, chunk, found, &quota); err != nil {
			return nil, quota, err
		}
	}
	for i := range out {
		if out[i].Err == nil {
			l := found[out[i].Handle]
			l.Handle = out[i].Handle
			out[i] = l
		}
	}
	return out, quota, nil
}

// page is the part of a Page node read.
type page struct {
	FollowersCount *int64 `facebook:"followers_count"`
	FanCount       *int64 `facebook:"fan_count"`
}

// lookup reads ids into found. When an error is about some of the ids
// asked for (missing, or not a Page), it narrows the call down so that one
// bad id does not fail the others.
func (c *Client) lookup(ctx context.Context, ids []string, found map[string]mvpgraph.Lookup, quota **mvpgraph.Quota) error {
	res, call, err := c.get(ctx, ids)
	if q := c.quotaOf(call.header); q != nil {
		*quota = q
	}
	if err == nil {
		for _, id := range ids {
			found[id] = c.decode(res, id)
		}
		return nil
	}

	names, isMissing := missingIDs(err)
	notPage, isNotPage := notAPage(err)
	if !isMissing && !isNotPage {
		return c.classify(ctx, err, call)
	}
	if len(ids) == 1 {
		if isMissing {
			found[ids[0]] = mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}
		} else {
			found[ids[0]] = mvpgraph.Lookup{Err: fmt.Errorf("%q is not a Facebook Page (%s); store a Page's name or ID",
				ids[0], c.clean(notPage))}
		}
		return nil
	}
	var gone, rest []string
	for _, id := range ids {
		if names[strings.ToLower(id)] {
			gone = append(gone, id)
		} else {
			rest = append(rest, id)
		}
	}
	if len(gone) == 0 {
		// Facebook did not say which id is at fault: ask for each alone.
		for _, id := range ids {
			if err := c.lookup(ctx, []string{id}, found, quota); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range gone {
		found[id] = mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}
	}
	if len(rest) == 0 {
		return nil
	}
	return c.lookup(ctx, rest, found, quota)
}

// decode reads one Page of an ?ids= answer, keyed by the id as asked.
func (c *Client) decode(res fb.Result, id string) mvpgraph.Lookup {
	node, ok := res.GetField(id).(map[string]any) // GetField, since page names contain dots
	if !ok {
		return mvpgraph.Lookup{Status: mvpgraph.AccountNotFound}
	}
	var p page
	if err := fb.Result(node).Decode(&p); err != nil {
		return mvpgraph.Lookup{Err: fmt.Errorf("facebook answered an unreadable Page %q: %w", id, err)}
	}
	l := mvpgraph.Lookup{Status: mvpgraph.AccountActive}
	l.Reach.Followers = p.FollowersCount
	if p.FanCount != nil {
		likes := float64(*p.FanCount)
		l.Reach.Engagement = &likes
	}
	return l
}

// call is what came back on the wire, which the library keeps to itself.
type call struct {
	status int
	header http.Header
}

// recorder is the library's HTTP client, noting the status and headers.
type recorder struct {
	*http.Client
	call *call
}

func (r recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.Client.Do(req)
	if resp != nil {
		r.call.status, r.call.header = resp.StatusCode, resp.Header
	}
	return resp, err
}

// get sends one ?ids= call.
func (c *Client) get(ctx context.Context, ids []string) (fb.Result, *call, error) {
	rec := recorder{Client: c.http, call: &call{}}
	s := c.session.WithContext(ctx)
	s.HttpClient = rec
	res, err := s.Get("/", fb.Params{"ids": strings.Join(ids, ","), "fields": fields})
	return res, rec.call, err
}

// Graph API error codes, from
// https://developers.facebook.com/docs/graph-api/guides/error-handling.
var rateCodes = map[int]bool{
	4:     true, // application request limit
	17:    true, // user request limit
	32:    true, // Page request limit
	613:   true, // calls within one hour exceeded
	80001: true, // Page business use case limit
}

// classify turns a failed call into the error Fetch returns.
func (c *Client) classify(ctx context.Context, err error, call *call) error {
	now := c.cfg.Clock()
	var fe *fb.Error
	if errors.As(err, &fe) {
		msg := c.clean(fe.Message)
		switch {
		case rateCodes[fe.Code]:
			return &mvpgraph.RateLimitError{Reset: c.rateReset(call.header, now), Err: fmt.Errorf("facebook: %s (code %d)", msg, fe.Code)}
		case fe.Code == 190 || fe.Code == 102:
			return mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED,
				"Facebook refused the access token (%s); put a valid app or Page access token in %s",
				msg, integrations.EnvName(mvpgraph.Facebook, "TOKEN"))
		case fe.Code == 10 || (fe.Code >= 200 && fe.Code < 300):
			return mvpgraph.Errorf(mvpgraph.EFORBIDDEN,
				"the Facebook access token lacks a permission (%s); grant the app Page Public Content Access or pages_read_engagement",
				msg)
		case fe.Code == 1 || fe.Code == 2 || fe.IsTransient || call.status >= 500:
			return &mvpgraph.TransientError{Err: fmt.Errorf("facebook: %s (code %d)", msg, fe.Code)}
		}
		return fmt.Errorf("facebook: %s (code %d, subcode %d)", msg, fe.Code, fe.ErrorSubcode)
	}
	var ue *fb.UnmarshalError
	if errors.As(err, &ue) {
		if call.status >= 400 {
			return integrations.StatusError(call.status, time.Time{}, now, "Facebook answered with a body that is not Graph API JSON")
		}
		return &mvpgraph.TransientError{Err: fmt.Errorf("facebook answered malformed JSON: %w", ue.Err)}
	}
	return integrations.NetError(ctx, err)
}

// clean takes the token out of a message, should Facebook ever echo it.
func (c *Client) clean(msg string) string {
	return strings.ReplaceAll(msg, c.token, "[token]")
}

var (
	// "(#803) Some of the aliases you requested do not exist: a,b"
	aliasesMissing = regexp.MustCompile(`do not exist: (.+)$`)
	// "Unsupported get request. Object with ID 'a' does not exist, ..."
	objectMissing = regexp.MustCompile(`Object with ID '([^']+)' does not exist`)
	// "(#803) Cannot query users by their username (a)": a person, not a Page
	userAlias = regexp.MustCompile(`Cannot query users by their username \(([^)]+)\)`)
)

// missingIDs reports whether err says requested objects do not exist, and
// which ones (lower-case), when it says.
func missingIDs(err error) (map[string]bool, bool) {
	var fe *fb.Error
	if !errors.As(err, &fe) {
		return nil, false
	}
	msg := fe.Message
	if fe.Code != 803 && !(fe.Code == 100 && (fe.ErrorSubcode == 33 || strings.Contains(msg, "not exist"))) {
		return nil, false
	}
	names := map[string]bool{}
	if m := aliasesMissing.FindStringSubmatch(msg); m != nil {
		for _, n := range strings.Split(m[1], ",") {
			names[strings.ToLower(strings.TrimSpace(n))] = true
		}
	}
	for _, re := range []*regexp.Regexp{objectMissing, userAlias} {
		if m := re.FindStringSubmatch(msg); m != nil {
			names[strings.ToLower(m[1])] = true
		}
	}
	return names, true
}

// notAPage reports whether err says an id asked for is some other kind of
// node, such as a person's profile: "(#100) Tried accessing nonexisting
// field (followers_count) on node type (User)". On node type Page the
// same message means the fields are wrong, which is no single id's fault.
func notAPage(err error) (string, bool) {
	var fe *fb.Error
	if !errors.As(err, &fe) || fe.Code != 100 {
		return "", false
	}
	if strings.Contains(fe.Message, "on node type (") && !strings.Contains(fe.Message, "on node type (Page)") {
		return fe.Message, true
	}
	return "", false
}

// usage is X-App-Usage: percentages of the app's hourly allowance.
type usage struct {
	CallCount    int `json:"call_count"`
	TotalCPUTime int `json:"total_cputime"`
	TotalTime    int `json:"total_time"`
}

func (u usage) max() int { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) }

// quotaOf reads X-App-Usage as a quota out of 100 (per cent); nil when the
// header is absent. The window is a rolling hour, so Reset is set only
// when the allowance is spent: an hour from now at the latest.
func (c *Client) quotaOf(h http.Header) *mvpgraph.Quota {
	var u usage
	if h == nil || json.Unmarshal([]byte(h.Get("X-App-Usage")), &u) != nil {
		return nil
	}
	q := &mvpgraph.Quota{Limit: 100, Remaining: max(0, 100-u.max())}
	if q.Remaining == 0 {
		q.Reset = c.cfg.Clock().Add(time.Hour)
	}
	return q
}

// rateReset is when a rate-limited app may call again: what
// X-Business-Use-Case-Usage estimates, else an hour, the window of every
// Graph API limit.
func (c *Client) rateReset(h http.Header, now time.Time) time.Time {
	var buc map[string][]fb.RateLimiting
	if h != nil && json.Unmarshal([]byte(h.Get("X-Business-Use-Case-Usage")), &buc) == nil {
		minutes := 0
		for _, limits := range buc {
			for _, l := range limits {
				minutes = max(minutes, l.EstimatedTimeToRegainAccess)
			}
		}
		if minutes > 0 {
			return now.Add(time.Duration(minutes) * time.Minute)
		}
	}
	return now.Add(time.Hour)
}
