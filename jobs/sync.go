package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"mvpgraph"
	"mvpgraph/store"
)

// SyncArgs is a batch of one platform's accounts to sync.
type SyncArgs struct {
	Platform   mvpgraph.Platform `json:"platform"`
	AccountIDs []int64           `json:"account_ids"`
}

// Kind names the job in River.
func (SyncArgs) Kind() string { return "sync_reach" }

// RoundArgs starts a round: find the accounts due and queue them.
type RoundArgs struct{}

// Kind names the job in River.
func (RoundArgs) Kind() string { return "sync_round" }

type roundWorker struct {
	river.WorkerDefaults[RoundArgs]
	r *Runner
}

func (w *roundWorker) Work(ctx context.Context, _ *river.Job[RoundArgs]) error {
	n, err := w.r.Round(ctx)
	if n > 0 {
		w.r.cfg.Logger.InfoContext(ctx, "queued accounts due for sync", "accounts", n)
	}
	return err
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	r *Runner
}

// inlineWait is the longest wait for the allowance a worker sleeps through;
// longer ones put the batch off with River, freeing the worker.
const inlineWait = 2 * time.Second

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	r, args := w.r, job.Args
	log := r.cfg.Logger.With("platform", args.Platform, "accounts", len(args.AccountIDs), "attempt", job.Attempt)
	all, err := r.store.SocialAccountsByIDs(ctx, args.AccountIDs)
	if err != nil {
		return err
	}
	// Accounts unlinked or frozen since the batch was queued drop out.
	var accounts []mvpgraph.SocialAccount
	for _, a := range all {
		if a.Platform == args.Platform && a.Status != mvpgraph.AccountFrozen {
			accounts = append(accounts, a)
		}
	}
	if len(accounts) == 0 {
		return nil
	}
	ids := make([]int64, len(accounts))
	handles := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i], handles[i] = a.ID, a.Handle
	}
	src, ok := r.cfg.Sources[args.Platform]
	if !ok {
		return r.store.ReleaseClaims(ctx, ids)
	}

	for {
		wait, err := r.store.AcquireRequest(ctx, args.Platform, 1)
		if err != nil {
			return err
		}
		if wait == 0 {
			break
		}
		if wait > inlineWait {
			log.InfoContext(ctx, "allowance spent: batch put off", "wait", wait.Round(time.Second))
			return river.JobSnooze(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}

	lookups, quota, err := src.Fetch(ctx, handles)
	if qerr := r.store.SaveQuota(ctx, args.Platform, quota); qerr != nil {
		log.WarnContext(ctx, "could not save quota", "error", qerr)
	}
	if err != nil {
		return w.failed(ctx, job, ids, err)
	}
	outcomes := make([]store.Outcome, 0, len(lookups))
	byHandle := map[string]int64{}
	for i, h := range handles {
		byHandle[h] = ids[i]
	}
	for _, l := range lookups {
		if id, ok := byHandle[l.Handle]; ok {
			outcomes = append(outcomes, store.Outcome{AccountID: id, Lookup: l})
		}
	}
	if err := r.store.RecordSync(ctx, outcomes); err != nil {
		return err
	}
	return r.store.RecordPlatformError(ctx, args.Platform, "")
}

// failed decides what a failed call means for the batch: a rate limit
// pauses the platform for every process and puts the batch off until the
// reset; a transient failure is retried with backoff until the attempts run
// out; refused credentials and anything else end the batch, recorded
// against its accounts.
func (w *syncWorker) failed(ctx context.Context, job *river.Job[SyncArgs], ids []int64, err error) error {
	r, p := w.r, job.Args.Platform
	log := r.cfg.Logger.With("platform", p, "accounts", len(ids), "attempt", job.Attempt)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Shutting down, or the job ran out of time: River tries again.
		return err
	}
	if reset, ok := mvpgraph.RateLimitReset(err); ok {
		log.WarnContext(ctx, "rate limited: platform paused", "until", reset)
		if perr := r.store.PausePlatform(ctx, p, reset, "rate limited: "+err.Error()); perr != nil {
			return perr
		}
		return river.JobSnooze(max(time.Until(reset), time.Second))
	}
	now := time.Now()
	switch {
	case mvpgraph.IsTransient(err) && job.Attempt < job.MaxAttempts:
		log.WarnContext(ctx, "sync failed; will retry", "error", err)
		if ferr := r.store.RecordFailure(ctx, ids, err.Error(), time.Time{}); ferr != nil {
			return ferr
		}
		return err
	case mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED:
		log.ErrorContext(ctx, "credentials refused", "error", err)
		if perr := r.store.RecordPlatformError(ctx, p, err.Error()); perr != nil {
			return perr
		}
	default:
		log.ErrorContext(ctx, "sync failed", "error", err)
	}
	// No retry is coming: the accounts wait for a later round.
	if ferr := r.store.RecordFailure(ctx, ids, err.Error(), now.Add(r.cfg.Intervals[p]/4)); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}
