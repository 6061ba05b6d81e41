package stackexchange

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mvpgraph"
)

// post is the part of a question or answer read
// (https://api.stackexchange.com/docs/types/question).
type post struct {
	QuestionID   int64  `json:"question_id"`
	AnswerID     int64  `json:"answer_id"`
	Title        string `json:"title"`
	Link         string `json:"link"`
	CreationDate int64  `json:"creation_date"`
	Score        int    `json:"score"`
	IsAccepted   bool   `json:"is_accepted"`
	Owner        struct {
		UserID      int64  `json:"user_id"`
		DisplayName string `json:"display_name"`
		Link        string `json:"link"` // the user's page on the site
	} `json:"owner"`
}

// Activities reads a tag's questions created after since on a site, and
// the answers to them, as the activity of a community space. source is
// "site:tag", such as "stackoverflow:dynamics-crm". A question's score is
// its votes; an answer's, its votes plus 10 when accepted.
func (c *Client) Activities(ctx context.Context, space, source string, since time.Time) ([]mvpgraph.ActivityRow, error) {
	site, tag, ok := strings.Cut(source, ":")
	if !ok || site == "" || tag == "" {
		return nil, fmt.Errorf("%q is not site:tag, such as stackoverflow:dynamics-crm", source)
	}
	q := url.Values{"tagged": {tag}, "sort": {"creation"}, "order": {"asc"}, "pagesize": {"100"}, "filter": {"default"}}
	if !since.IsZero() {
		q.Set("fromdate", strconv.FormatInt(since.Unix()+1, 10))
	}
	raw, _, err := c.call(ctx, site, "/2.3/questions", q)
	if err != nil {
		return nil, err
	}
	var questions []post
	if err := json.Unmarshal(raw, &questions); err != nil {
		return nil, &mvpgraph.TransientError{Err: fmt.Errorf("stack exchange questions: %w", err)}
	}
	var rows []mvpgraph.ActivityRow
	ids := make([]string, 0, len(questions))
	for _, p := range questions {
		rows = append(rows, row(space, site, "q", p.QuestionID, "QUESTION", p, float64(p.Score)))
		ids = append(ids, strconv.FormatInt(p.QuestionID, 10))
	}
	if len(ids) == 0 {
		return rows, nil
	}
	raw, _, err = c.call(ctx, site, "/2.3/questions/"+strings.Join(ids, ";")+"/answers",
		url.Values{"sort": {"creation"}, "order": {"asc"}, "pagesize": {"100"}, "filter": {"default"}})
	if err != nil {
		return nil, err
	}
	var answers []post
	if err := json.Unmarshal(raw, &answers); err != nil {
		return nil, &mvpgraph.TransientError{Err: fmt.Errorf("stack exchange answers: %w", err)}
	}
	for _, p := range answers {
		score := float64(p.Score)
		if p.IsAccepted {
			score += 10
		}
		r := row(space, site, "a", p.AnswerID, "ANSWER", p, score)
		// The answer replies to its question, whose external ID is the
		// question's with its prefix, and may be the accepted one.
		r.InReplyTo, r.Accepted = "q"+strconv.FormatInt(p.QuestionID, 10), p.IsAccepted
		rows = append(rows, r)
	}
	return rows, nil
}

func row(space, site, prefix string, id int64, kind mvpgraph.ActivityKind, p post, score float64) mvpgraph.ActivityRow {
	who := strconv.FormatInt(p.Owner.UserID, 10)
	name := html.UnescapeString(p.Owner.DisplayName)
	if p.Owner.UserID == 0 {
		who, name = "deleted", "Deleted user"
	}
	link := p.Link
	if link == "" {
		link = fmt.Sprintf("https://%s/%s/%d", stackSiteHost(site), prefix, id)
	}
	return mvpgraph.ActivityRow{
		Space: space, ExternalID: prefix + strconv.FormatInt(id, 10), Kind: kind,
		OccurredAt: time.Unix(p.CreationDate, 0).UTC(), ContributorHandle: site + ":" + who, ContributorName: name,
		URL: mvpgraph.CutText(link, 2048), Title: mvpgraph.CutText(html.UnescapeString(p.Title), 1000), Score: &score,
		ContributorURL: mvpgraph.ProfileURL(p.Owner.Link),
	}
}

func stackSiteHost(site string) string {
	switch site {
	case "stackoverflow", "superuser", "serverfault", "askubuntu", "stackapps":
		return site + ".com"
	}
	return site + ".stackexchange.com"
}
