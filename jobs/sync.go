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
	// Claim is the claim that queued the batch: the batch syncs only the
	// accounts it still holds. Empty in batches queued before claims had
	// IDs.
	Claim string `json:"claim,omitempty"`
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
// longer ones put the batch off with River, freeing the worker, until
// wakeEarly before the allowance resets. River runs a batch put off some
// seconds after its time (its scheduler looks every 5 s, its producers
// every FetchPollInterval), so a batch put off until the reset itself
// would find the new window taken by batches waiting in their workers; put
// off until shortly before, it waits the rest in its worker and takes its
// turn at the reset with the others.
const (
	inlineWait = 8 * time.Second
	wakeEarly  = 7 * time.Second
)

// putOff puts a batch off until shortly before wait is over.
func putOff(wait time.Duration) error {
	return river.JobSnooze(max(0, wait-wakeEarly))
}

// A batch records what it fetched every flushEvery accounts or flushAfter,
// whichever comes first.
const (
	flushEvery = 100
	flushAfter = 10 * time.Second
)

// jobTimeout bounds one attempt of a batch. An attempt takes no new call
// after attemptBudget and hands the rest of its batch back to the queue, so
// that it ends well within jobTimeout; River takes a batch still running
// after RescueAfter, longer than both, for one a crashed process left.
const (
	jobTimeout    = 10 * time.Minute
	attemptBudget = 4 * time.Minute
)

// acquireBlock is how many requests a worker takes from the shared
// allowance at once: fewer transactions per request, at the cost of a few
// requests left unused when a batch ends early.
const acquireBlock = 10

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) (err error) {
	r, args := w.r, job.Args
	log := r.cfg.Logger.With("platform", args.Platform, "accounts", len(args.AccountIDs), "attempt", job.Attempt)
	began := time.Now()
	// While the batch runs, its claim lasts RunningLease past the batch's
	// last record of progress: if this process dies, a round takes the
	// accounts over soon after.
	if _, err := r.store.RenewClaims(ctx, args.Claim, args.AccountIDs, time.Now().Add(r.cfg.RunningLease)); err != nil {
		return err
	}
	// Only the accounts this batch's claim still holds: those unlinked
	// since drop out, and so do those an earlier attempt of it recorded
	// (their claim ended then) and those a newer round took since the
	// claim ran out, whose sync is another batch's now.
	held, err := r.store.ClaimedAccounts(ctx, args.Claim, args.AccountIDs)
	if err != nil {
		return err
	}
	var pending []mvpgraph.SocialAccount
	for _, a := range held {
		if a.Platform == args.Platform && a.Status != mvpgraph.AccountFrozen {
			pending = append(pending, a)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	src, ok := r.cfg.Sources[args.Platform]
	if !ok {
		// Queued before each platform had its own queue, on a process
		// that cannot sync it: a round queues the accounts again.
		return r.store.ReleaseClaims(ctx, args.Claim, accountIDs(pending))
	}
	defer func() {
		// The batch goes back to the queue, to be tried again (a transient
		// failure, a timeout, a shutdown): its accounts stay its own while
		// it waits there, as when it was queued.
		var snooze *river.JobSnoozeError
		var cancel *river.JobCancelError
		if err == nil || errors.As(err, &snooze) || errors.As(err, &cancel) || len(pending) == 0 {
			return
		}
		wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		if cerr := r.store.ExtendClaims(wctx, args.Claim, accountIDs(pending), time.Now().Add(r.cfg.Lease)); cerr != nil {
			log.WarnContext(ctx, "could not keep the batch's accounts while it waits to be tried again", "error", cerr)
		}
	}()

	var outcomes []store.Outcome
	var quota *mvpgraph.Quota
	lastFlush := time.Now()
	// The claim is renewed well within its lease, while the batch fetches
	// and while it waits for the allowance alike.
	renewAfter := min(flushAfter, r.cfg.RunningLease/4)
	// flush records what was fetched and what the API last said of the
	// quota, so that an interruption loses nothing already fetched, and
	// renews the claim on the accounts still to do, dropping any a round
	// has taken meanwhile. It writes even when the job's context has just
	// ended (a timeout, a shutdown): what was fetched is worth keeping.
	flush := func() error {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		lastFlush = time.Now()
		if err := r.store.SaveQuota(wctx, args.Platform, quota); err != nil {
			log.WarnContext(ctx, "could not save quota", "error", err)
		}
		quota = nil
		if len(outcomes) > 0 {
			err := r.store.RecordSync(wctx, outcomes)
			if err != nil {
				return err
			}
			r.cfg.Metrics.recorded(string(args.Platform), outcomes)
			outcomes = nil
		}
		if len(pending) == 0 {
			return nil
		}
		still, err := r.store.RenewClaims(wctx, args.Claim, accountIDs(pending), time.Now().Add(r.cfg.RunningLease))
		if err != nil {
			return err
		}
		if len(still) < len(pending) {
			kept := pending[:0]
			for _, a := range pending {
				if _, ok := still[a.ID]; ok {
					kept = append(kept, a)
				}
			}
			log.WarnContext(ctx, "the batch's claim ran out before it renewed it: a round took some of its accounts", "taken", len(pending)-len(kept))
			pending = kept
		}
		return nil
	}
	size := src.BatchSize()
	// Accounts a batch left out, to be looked up alone (MissingTeller);
	// they go at the end of pending.
	teller, _ := src.(mvpgraph.MissingTeller)
	lookAlone := teller != nil && teller.TellsMissingAlone()
	alone := map[int64]bool{}
	var grant store.Grant
	for len(pending) > 0 {
		if time.Since(began) > attemptBudget {
			// Long enough for one attempt: the rest goes back to the
			// queue, its accounts kept, and runs again at once.
			if err := flush(); err != nil {
				return err
			}
			if err := r.store.ExtendClaims(ctx, args.Claim, accountIDs(pending), time.Now().Add(r.cfg.Lease)); err != nil {
				return err
			}
			return river.JobSnooze(0)
		}
		n := 0
		for n < min(size, len(pending)) && !alone[pending[n].ID] {
			n++
		}
		chunk := pending[:max(n, 1)]
		if !grant.Until.IsZero() && !time.Now().Before(grant.Until) {
			grant.N = 0 // too late to send them inside their window
		}
		for grant.N == 0 {
			// What the API said of the last block tells the next.
			if err := r.store.SaveQuota(ctx, args.Platform, quota); err != nil {
				return err
			}
			quota = nil
			want := min(acquireBlock, (len(pending)+size-1)/size)
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
				if err := r.store.ExtendClaims(ctx, args.Claim, accountIDs(pending), time.Now().Add(wait+r.cfg.Lease)); err != nil {
					return err
				}
				return putOff(wait)
			}
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), flush())
			case <-time.After(wait):
			}
			if time.Since(lastFlush) > renewAfter {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if !grant.Until.IsZero() && !time.Now().Before(grant.Until) && !grant.Probe {
			// Taking the grant took so long that the request could land
			// in the next window: it is taken anew.
			grant.N = 0
			continue
		}
		probe := grant.Probe
		grant.N, grant.Probe = grant.N-1, false
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
		if probe {
			// Every process waits for the probe's answer: it is told at
			// once, even when shutting down.
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			var perr error
			if quota != nil {
				perr = r.store.SaveQuota(wctx, args.Platform, quota)
				quota = nil
			} else {
				perr = r.store.EndProbe(wctx, args.Platform, err == nil)
			}
			cancel()
			if perr != nil {
				log.WarnContext(ctx, "could not record the probe's answer", "error", perr)
			}
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return w.failed(ctx, job, accountIDs(pending), err)
		}
		pending = pending[len(chunk):]
		for _, l := range lookups {
			id, ok := byHandle[l.Handle]
			if !ok {
				continue
			}
			if lookAlone && len(chunk) > 1 && l.Err == nil && l.Status == mvpgraph.AccountNotFound {
				for _, a := range chunk {
					if a.ID == id {
						alone[id] = true
						pending = append(pending, a)
					}
				}
				continue
			}
			outcomes = append(outcomes, store.Outcome{AccountID: id, Lookup: l})
		}
		// Record as the batch goes, so that a long batch cut off loses
		// little, and a later attempt skips what was recorded.
		if len(outcomes) >= flushEvery || time.Since(lastFlush) > renewAfter {
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
		if cerr := r.store.ExtendClaims(ctx, job.Args.Claim, ids, time.Now().Add(wait+r.cfg.Lease)); cerr != nil {
			return cerr
		}
		return putOff(wait)
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
