package jobs

import (
	"context"
	"errors"
	"time"

	"mvpgraph/store"
)

// historyLoop keeps the reach history until ctx ends: at once and then
// every HistoryEvery.
func (r *Runner) historyLoop(ctx context.Context) {
	defer close(r.historyDone)
	t := time.NewTicker(r.cfg.HistoryEvery)
	defer t.Stop()
	for {
		r.keepHistory(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keepHistory goes on with a move of the history to its partitions that
// is not done, then makes the coming months' partitions and applies the
// retention. Only one process moves at a time; the others find it taken
// and try again on their next turn. A move stopped with the process
// resumes where it was.
func (r *Runner) keepHistory(ctx context.Context) {
	log := r.cfg.Logger
	pending, err := r.store.HistoryMovePending(ctx)
	if err != nil {
		log.Warn("could not read the reach history's move", "error", err)
		return
	}
	if pending {
		log.Info("moving reach history to its monthly partitions")
		var last time.Time
		done, err := r.store.MoveHistory(ctx, store.MoveBatch, func(moved int64) {
			if time.Since(last) >= time.Minute {
				log.Info("moving reach history", "snapshots_moved", moved)
				last = time.Now()
			}
		})
		switch {
		case errors.Is(err, context.Canceled):
			log.Info("stopped moving reach history; the next start resumes it")
			return
		case err != nil:
			log.Warn("could not move reach history; trying again later", "error", err)
			return
		case !done:
			log.Info("reach history's move is in another process's hands, or its old table was busy; trying again later")
			return
		}
		log.Info("reach history is in its monthly partitions")
	}
	kept, err := r.store.KeepHistory(ctx, r.cfg.HistoryKeep)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("could not keep reach history", "keep", r.cfg.HistoryKeep.String(), "error", err)
		}
		return
	}
	if len(kept.Dropped) > 0 || len(kept.Thinned) > 0 || kept.Deleted > 0 {
		log.Info("kept reach history", "keep", r.cfg.HistoryKeep.String(), "months_dropped", kept.Dropped, "months_thinned", kept.Thinned, "snapshots_deleted", kept.Deleted)
	}
}
