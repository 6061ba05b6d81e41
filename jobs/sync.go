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
	feeds, ferr := w.r.IngestRound(ctx)
	if feeds > 0 {
		w.r.cfg.Logger.InfoContext(ctx, "queued community feeds", "spaces", feeds)
	}
	return errors.Join(err, ferr)
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	r *Runner
}

// Timeout bounds one attempt of a batch (River's default is a minute).
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return jobTimeout }

// inlineWait is the longest wait for the allowance a worker sleeps through;
// longer ones put the batch off with River, freeing the worker.
const inlineWait = 2 * time.Second

// A batch records what it fetched every flushEvery accounts or flushAfter,
// whichever comes first.
const (
	flushEvery = 100
	flushAfter = 10 * time.Second
)

// jobTimeout bounds one attempt of a batch; the rate limits can make a
// batch of a hundred one-at-a-time accounts take long.
const jobTimeout = 30 * time.Minute

// acquireBlock is how many requests a worker takes from the shared
// allowance at once: fewer transactions per request, at the cost of a few
// requests left unused when a batch ends early.
const acquireBlock = 10

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	r, args := w.r, job.Args
	log := r.cfg.Logger.With("platform", args.Platform, "accounts", len(args.AccountIDs), "attempt", job.Attempt)
	all, err := r.store.SocialAccountsByIDs(ctx, args.AccountIDs)
	if err != nil {
		return err
	}
	// Accounts unlinked or frozen since the batch was queued drop out, and
	// so do those an earlier attempt of this batch already recorded (their
	// claim ended then).
	var accounts []mvpgraph.SocialAccount
	for _, a := range all {
		if a.Platform == args.Platform && a.Status != mvpgraph.AccountFrozen && a.ClaimedUntil != nil {
			accounts = append(accounts, a)
		}
	}
	if len(accounts) == 0 {
		return nil
	}
	src, ok := r.cfg.Sources[args.Platform]
	if !ok {
		return r.store.ReleaseClaims(ctx, accountIDs(accounts))
	}

	var outcomes []store.Outcome
	var quota *mvpgraph.Quota
	lastFlush := time.Now()
	// flush records what was fetched and what the API last said of the
	// quota, so that an interruption loses nothing already fetched. It
	// writes even when the job's context has just ended (a timeout, a
	// shutdown): what was fetched is worth keeping.
	flush := func() error {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		lastFlush = time.Now()
		if err := r.store.SaveQuota(wctx, args.Platform, quota); err != nil {
			log.WarnContext(ctx, "could not save quota", "error", err)
		}
		quota = nil
		if len(outcomes) == 0 {
			return nil
		}
		err := r.store.RecordSync(wctx, outcomes)
		if err == nil {
			r.cfg.Metrics.recorded(string(args.Platform), outcomes)
		}
		outcomes = nil
		return err
	}
	size := src.BatchSize()
	var grant store.Grant
	for start := 0; start < len(accounts); start += size {
		chunk := accounts[start:min(start+size, len(accounts))]
		if !grant.Until.IsZero() && !time.Now().Before(grant.Until) {
			grant.N = 0 // too late to send them inside their window
		}
		for grant.N == 0 {
			// What the API said of the last block tells the next.
			if err := r.store.SaveQuota(ctx, args.Platform, quota); err != nil {
				return err
			}
			quota = nil
			want := min(acquireBlock, (len(accounts)-start+size-1)/size)
			var err error
			if grant, err = r.store.AcquireRequests(ctx, args.Platform, want); err != nil {
				return errors.Join(err, flush())
			}
			if grant.N > 0 {
				break
			}
			wait := grant.Wait
			if wait > inlineWait {
				log.InfoContext(ctx, "allowance spent: rest of the batch put off", "wait", wait.Round(time.Second))
				if err := flush(); err != nil {
					return err
				}
				// The accounts stay this batch's until it runs again, so
				// that no round queues them meanwhile.
				if err := r.store.ExtendClaims(ctx, accountIDs(accounts[start:]), time.Now().Add(wait+r.cfg.Lease)); err != nil {
					return err
				}
				return river.JobSnooze(wait)
			}
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), flush())
			case <-time.After(wait):
			}
		}
		grant.N--
		handles := make([]string, len(chunk))
		byHandle := make(map[string]int64, len(chunk))
		for i, a := range chunk {
			handles[i] = a.Handle
			byHandle[a.Handle] = a.ID
		}
		lookups, q, err := src.Fetch(ctx, handles)
		if q != nil {
			quota = q
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return w.failed(ctx, job, accountIDs(accounts[start:]), err)
		}
		for _, l := range lookups {
			if id, ok := byHandle[l.Handle]; ok {
				outcomes = append(outcomes, store.Outcome{AccountID: id, Lookup: l})
			}
		}
		// Record as the batch goes, so that a long batch cut off loses
		// little, and a later attempt skips what was recorded.
		if len(outcomes) >= flushEvery || time.Since(lastFlush) > flushAfter {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	r.cfg.Metrics.batch(string(args.Platform), "ok")
	return r.store.RecordPlatformError(ctx, args.Platform, "")
}

func accountIDs(accounts []mvpgraph.SocialAccount) []int64 {
	ids := make([]int64, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return ids
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
		r.cfg.Metrics.batch(string(p), "rate_limited")
		log.WarnContext(ctx, "rate limited: platform paused", "until", reset)
		if perr := r.store.PausePlatform(ctx, p, reset, "rate limited: "+err.Error()); perr != nil {
			return perr
		}
		wait := max(time.Until(reset), time.Second)
		if cerr := r.store.ExtendClaims(ctx, ids, time.Now().Add(wait+r.cfg.Lease)); cerr != nil {
			return cerr
		}
		return river.JobSnooze(wait)
	}
	now := time.Now()
	switch {
	case mvpgraph.IsTransient(err) && job.Attempt < job.MaxAttempts:
		// A retry is coming: one sync's retries are one failure, counted
		// when they run out.
		r.cfg.Metrics.batch(string(p), "retry")
		log.WarnContext(ctx, "sync failed; will retry", "error", err)
		return err
	case mvpgraph.ErrorCode(err) == mvpgraph.EUNAUTHORIZED:
		log.ErrorContext(ctx, "credentials refused", "error", err)
		if perr := r.store.RecordPlatformError(ctx, p, err.Error()); perr != nil {
			return perr
		}
	default:
		log.ErrorContext(ctx, "sync failed", "error", err)
	}
	r.cfg.Metrics.batch(string(p), "failed")
	// No retry is coming: the accounts wait for a later round.
	if ferr := r.store.RecordFailure(ctx, ids, err.Error(), now.Add(r.cfg.Intervals[p]/4)); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}
