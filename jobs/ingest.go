package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"mvpgraph"
	"mvpgraph/store"
)

// ActivityFeed reads a community space's source (a feed URL, or a Stack
// Exchange site:tag): the items published after since. The clients of
// integrations/feed and integrations/stackexchange implement it.
type ActivityFeed interface {
	Activities(ctx context.Context, space, feedURL string, since time.Time) ([]mvpgraph.ActivityRow, error)
}

// IngestArgs reads one space's feed.
type IngestArgs struct {
	SpaceID int64 `json:"space_id"`
}

// Kind names the job in River.
func (IngestArgs) Kind() string { return "ingest_feed" }

type ingestWorker struct {
	river.WorkerDefaults[IngestArgs]
	r *Runner
}

// Work imports what the feed published since the last read; the import is
// idempotent, so a retry or an overlap adds nothing twice.
func (w *ingestWorker) Work(ctx context.Context, job *river.Job[IngestArgs]) error {
	r := w.r
	spaces, err := r.store.SpacesByIDs(ctx, []int64{job.Args.SpaceID})
	if err != nil || len(spaces) == 0 {
		return err
	}
	sp := spaces[0]
	var source ActivityFeed
	var from string
	switch {
	case sp.FeedURL != nil && r.cfg.Feeds != nil:
		source, from = r.cfg.Feeds, *sp.FeedURL
	case sp.StackExchangeTag != nil && r.cfg.Tags != nil:
		source, from = r.cfg.Tags, *sp.StackExchangeTag
	default:
		return nil
	}
	var since time.Time
	if sp.IngestedUntil != nil {
		since = *sp.IngestedUntil
	}
	rows, err := source.Activities(ctx, sp.Name, from, since)
	if err != nil {
		if mvpgraph.IsTransient(err) {
			return err
		}
		r.cfg.Logger.WarnContext(ctx, "feed not read", "space", sp.Name, "error", err)
		return river.JobCancel(err)
	}
	res, err := r.store.ImportActivities(ctx, rows, nil, false, store.Importer{Actor: mvpgraph.Principal{Name: "feed: " + from}})
	if err != nil {
		return err
	}
	newest := since
	for _, row := range rows {
		if row.OccurredAt.After(newest) {
			newest = row.OccurredAt
		}
	}
	if newest.After(since) {
		if err := r.store.SetIngestedUntil(ctx, sp.ID, newest); err != nil {
			return err
		}
	}
	if res.Imported > 0 || len(res.Rejected) > 0 {
		r.cfg.Logger.InfoContext(ctx, "feed read", "space", sp.Name, "imported", res.Imported, "rejected", len(res.Rejected))
	}
	return nil
}

// IngestRound queues the feeds not read within the feed interval. It
// returns how many it queued.
func (r *Runner) IngestRound(ctx context.Context) (int, error) {
	if r.cfg.Feeds == nil && r.cfg.Tags == nil {
		return 0, nil
	}
	return r.store.ClaimFeeds(ctx, r.cfg.FeedInterval, func(ctx context.Context, tx *sql.Tx, ids []int64) error {
		params := make([]river.InsertManyParams, len(ids))
		for i, id := range ids {
			params[i] = river.InsertManyParams{Args: IngestArgs{SpaceID: id}}
		}
		if _, err := r.client.InsertManyTx(ctx, tx, params); err != nil {
			return fmt.Errorf("queue feeds: %w", err)
		}
		return nil
	})
}
