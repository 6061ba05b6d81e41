// Package feed reads the reach of blogs from their RSS or Atom feeds (JSON
// Feed too), parsed with github.com/mmcdole/gofeed. A handle is the feed's
// absolute URL; no credential is needed, and Config.BaseURL is ignored,
// since every feed is its own address.
//
// Reach: Posts is the number of items dated within the last 90 days, and
// LastPostAt the newest item's date. An item's date is its published date,
// else its updated date, so that editing an old post does not make it
// new; items without either are not counted. Dates more than a day ahead
// are ignored (scheduled posts, broken clocks); the day allows for feeds
// that get their time zone wrong. Followers, Following, Views and
// Engagement are nil: a feed has none of them.
package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"

	"mvpgraph"
	"mvpgraph/integrations"
)

const (
	// window is how far back posts count.
	window = 90 * 24 * time.Hour
	// slack is how far ahead an item's date may be and still count.
	slack = 24 * time.Hour
	// maxBody bounds a feed; a larger one is the feed's failure.
	maxBody = 10 << 20
)

// Client reads feeds. It is safe for concurrent use.
type Client struct {
	cfg  integrations.Config
	http *http.Client
}

var _ mvpgraph.ReachSource = (*Client)(nil)

// New returns a client. It needs nothing from c but, optionally, the
// HTTPClient or Timeout and the clock. Without an HTTPClient, the client
// refuses to connect to loopback, private and link-local addresses: feed
// URLs come from members, and must not reach into the network the server
// runs in.
func New(c integrations.Config) (*Client, error) {
	cl := &Client{cfg: c, http: c.HTTPClient}
	if cl.http == nil {
		cl.http = integrations.PublicClient(c.Timeout)
	}
	return cl, nil
}

// Platform is Blog.
func (c *Client) Platform() mvpgraph.Platform { return mvpgraph.Blog }

// BatchSize is 1: each feed is its own request.
func (c *Client) BatchSize() int { return 1 }

// Fetch reads each feed. A feed that cannot be read for a reason of its
// own (not a feed, refused, too large) gets the error in its Lookup; a
// timeout, a 5xx or a 429 fails the call.
func (c *Client) Fetch(ctx context.Context, handles []string) ([]mvpgraph.Lookup, *mvpgraph.Quota, error) {
	lookups := make([]mvpgraph.Lookup, 0, len(handles))
	for _, h := range handles {
		l, _, err := c.read(ctx, h)
		if err != nil {
			return nil, nil, err
		}
		lookups = append(lookups, l)
	}
	return lookups, nil, nil
}

// read fetches and parses one feed.
func (c *Client) read(ctx context.Context, feedURL string) (mvpgraph.Lookup, *gofeed.Feed, error) {
	l := mvpgraph.Lookup{Handle: feedURL}
	u, err := url.Parse(feedURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.Err = fmt.Errorf("%q is not a feed URL; store the absolute http(s) address of the RSS or Atom feed", feedURL)
		return l, nil, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		l.Err = fmt.Errorf("cannot request the feed: %w", err)
		return l, nil, nil
	}
	req.Header.Set("User-Agent", "mvpgraph feed reader")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")

	resp, err := c.http.Do(req)
	if err != nil {
		l, err = c.unreachable(ctx, l, u.Hostname(), err)
		return l, nil, err
	}
	defer resp.Body.Close()
	now := c.cfg.Clock()

	switch s := resp.StatusCode; {
	case s == http.StatusNotFound || s == http.StatusGone:
		l.Status = mvpgraph.AccountNotFound
		return l, nil, nil
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500:
		return l, nil, integrations.StatusError(s, retryAfter(resp.Header.Get("Retry-After"), now), now, "feed host "+u.Hostname())
	case s != http.StatusOK:
		l.Err = fmt.Errorf("the feed answered HTTP %d (%s); check its URL", s, http.StatusText(s))
		return l, nil, nil
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		l, err = c.unreachable(ctx, l, u.Hostname(), err)
		return l, nil, err
	}
	if len(body) > maxBody {
		l.Err = fmt.Errorf("the feed is larger than %d MiB; point the handle at a shorter feed", maxBody>>20)
		return l, nil, nil
	}
	parser := gofeed.NewParser()
	parser.KeepOriginalFeed = true // for its authors' addresses
	f, err := parser.Parse(bytes.NewReader(body))
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		l.Err = errors.New("the address does not serve an RSS or Atom feed; store the feed's URL, not the blog's page")
		return l, nil, nil
	case err != nil:
		l.Err = fmt.Errorf("the feed is malformed (%v); check the URL, or wait for the blog to repair its feed", err)
		return l, nil, nil
	}

	l.Status = mvpgraph.AccountActive
	l.Reach = reachOf(f.Items, now)
	return l, f, nil
}

// Activities reads a community space's feed (a forum's, a newsgroup
// gateway's, a blog's) and returns its items published after since, as
// POST activity of the space: each item's GUID (or link) is its external
// ID, its author the contributor.
func (c *Client) Activities(ctx context.Context, space, feedURL string, since time.Time) ([]mvpgraph.ActivityRow, error) {
	l, f, err := c.read(ctx, feedURL)
	if err != nil {
		return nil, err
	}
	if l.Err != nil {
		return nil, l.Err
	}
	if l.Status != mvpgraph.AccountActive || f == nil {
		return nil, fmt.Errorf("the feed %s is gone (HTTP 404 or 410)", feedURL)
	}
	var rows []mvpgraph.ActivityRow
	profiles := authorURLs(f)
	for i, it := range f.Items {
		at := it.PublishedParsed
		if at == nil {
			at = it.UpdatedParsed
		}
		if at == nil || !at.After(since) {
			continue
		}
		id := it.GUID
		if id == "" {
			id = it.Link
		}
		if id == "" {
			continue
		}
		who, name := "anonymous", "Anonymous"
		if len(it.Authors) > 0 && it.Authors[0] != nil {
			if it.Authors[0].Name != "" {
				who, name = it.Authors[0].Name, it.Authors[0].Name
			}
			if it.Authors[0].Email != "" {
				who = it.Authors[0].Email
			}
		}
		rows = append(rows, mvpgraph.ActivityRow{Space: space, ExternalID: truncate(id, 200), Kind: "POST", OccurredAt: at.UTC(),
			ContributorHandle: truncate(who, 200), ContributorName: truncate(name, 200), URL: truncate(it.Link, 2048), Title: truncate(it.Title, 1000),
			InReplyTo: inReplyTo(it, id), ContributorURL: mvpgraph.ProfileURL(profiles[i])})
	}
	return rows, nil
}

// authorURLs is the address each item's first author gives, item by item,
// or the feed's author's: Atom's <author><uri> (RFC 4287) and JSON Feed's
// author url; RSS has none. The parser keeps the feed as read for them,
// its items in the order of the universal feed's.
func authorURLs(f *gofeed.Feed) []string {
	out := make([]string, len(f.Items))
	switch o := f.OriginalFeed().(type) {
	case *atom.Feed:
		if len(o.Entries) != len(out) {
			return out
		}
		var feedAuthor string
		if len(o.Authors) > 0 && o.Authors[0] != nil {
			feedAuthor = o.Authors[0].URI
		}
		for i, e := range o.Entries {
			out[i] = feedAuthor
			if e != nil && len(e.Authors) > 0 && e.Authors[0] != nil {
				out[i] = e.Authors[0].URI
			}
		}
	case *jsonfeed.Feed:
		if len(o.Items) != len(out) {
			return out
		}
		first := func(one *jsonfeed.Author, many []*jsonfeed.Author) string {
			if len(many) > 0 && many[0] != nil {
				return many[0].URL
			}
			if one != nil {
				return one.URL
			}
			return ""
		}
		feedAuthor := first(o.Author, o.Authors)
		for i, it := range o.Items {
			out[i] = feedAuthor
			if it != nil {
				if u := first(it.Author, it.Authors); u != "" {
					out[i] = u
				}
			}
		}
	}
	return out
}

// inReplyTo is the entry an item replies to, by Atom threading's
// <thr:in-reply-to ref="..."/> (RFC 4685), whatever the prefix the feed
// binds the namespace to; "" for none, or for an item naming itself.
func inReplyTo(it *gofeed.Item, self string) string {
	for _, ext := range it.Extensions {
		for _, e := range ext["in-reply-to"] {
			if ref := strings.TrimSpace(e.Attrs["ref"]); ref != "" && ref != self && utf8.RuneCountInString(ref) <= 200 {
				return ref
			}
		}
	}
	return ""
}

// truncate cuts s to n characters, on a character boundary.
func truncate(s string, n int) string { return mvpgraph.CutText(s, n) }

// unreachable sorts a failed request: a timeout or a broken connection
// fails the call, a host that does not exist or is private fails the feed.
func (c *Client) unreachable(ctx context.Context, l mvpgraph.Lookup, host string, err error) (mvpgraph.Lookup, error) {
	var dns *net.DNSError
	switch {
	case ctx.Err() != nil:
		return l, ctx.Err()
	case errors.As(err, &dns) && dns.IsNotFound:
		l.Err = fmt.Errorf("the feed's host %s does not resolve; check the URL", host)
	case errors.Is(err, integrations.ErrPrivateAddress):
		l.Err = fmt.Errorf("the feed's host %s is a private address; store a public feed URL", host)
	default:
		ne := integrations.NetError(ctx, err)
		if mvpgraph.IsTransient(ne) {
			return l, ne
		}
		l.Err = fmt.Errorf("cannot fetch the feed: %w", ne) // a bad certificate, too many redirects
	}
	return l, nil
}

// reachOf counts the posts of the window and finds the newest.
func reachOf(items []*gofeed.Item, now time.Time) mvpgraph.Reach {
	var posts int64
	var last *time.Time
	for _, it := range items {
		t := it.PublishedParsed
		if t == nil {
			t = it.UpdatedParsed
		}
		if t == nil || t.After(now.Add(slack)) {
			continue
		}
		if t.After(now.Add(-window)) {
			posts++
		}
		if last == nil || t.After(*last) {
			last = t
		}
	}
	r := mvpgraph.Reach{Posts: &posts}
	if last != nil {
		utc := last.UTC()
		r.LastPostAt = &utc
	}
	return r
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date;
// zero when absent or unreadable.
func retryAfter(v string, now time.Time) time.Time {
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return now.Add(time.Duration(n) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}
