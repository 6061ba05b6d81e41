package store

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"mvpgraph"
)

// Service is how a syncing process serves a platform.
type Service struct {
	// Interval is how often the platform's accounts sync.
	Interval time.Duration
	// BatchSize is how many accounts one call to the platform takes.
	BatchSize int
}

// forgetWorkersAfter is how long the rows of a process that stopped beating
// are kept, as a trace for operators, before a heartbeat tidies them away.
const forgetWorkersAfter = 24 * time.Hour

// Heartbeat records that the syncing process worker serves the platforms of
// services, and keeps serving them until liveFor from now unless it beats
// again. A process that serves no platform records nothing.
func (s *Store) Heartbeat(ctx context.Context, worker string, services map[mvpgraph.Platform]Service, liveFor time.Duration) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		for p, svc := range services {
			secs := max(int64(svc.Interval/time.Second), 1)
			if _, err := s.exec(ctx, tx, s.sb.Insert("sync_workers").
				Columns("worker_id", "platform", "interval_seconds", "batch_size", "started_at", "beat_at", "expires_at").
				Values(worker, p, secs, max(svc.BatchSize, 1), now, now, now.Add(liveFor)).
				Suffix(`ON CONFLICT (worker_id, platform) DO UPDATE SET interval_seconds = excluded.interval_seconds,
					batch_size = excluded.batch_size, beat_at = excluded.beat_at, expires_at = excluded.expires_at`)); err != nil {
				return err
			}
		}
		_, err := s.exec(ctx, tx, s.sb.Delete("sync_workers").Where(sq.Lt{"expires_at": now.Add(-forgetWorkersAfter)}))
		return err
	})
	return mapError("record heartbeat", err)
}

// ServedPlatforms returns the platforms that live syncing processes serve,
// each with the shortest interval and the smallest batch among them. A
// platform missing from it is switched off.
func (s *Store) ServedPlatforms(ctx context.Context) (map[mvpgraph.Platform]Service, error) {
	var rows []struct {
		Platform  mvpgraph.Platform `db:"platform"`
		Seconds   int64             `db:"seconds"`
		BatchSize int               `db:"batch_size"`
	}
	err := s.selectAll(ctx, s.db, &rows, s.sb.Select("platform", "MIN(interval_seconds) AS seconds", "MIN(batch_size) AS batch_size").
		From("sync_workers").Where(sq.Gt{"expires_at": s.now()}).GroupBy("platform"))
	if err != nil {
		return nil, mapError("served platforms", err)
	}
	out := make(map[mvpgraph.Platform]Service, len(rows))
	for _, r := range rows {
		out[r.Platform] = Service{Interval: time.Duration(r.Seconds) * time.Second, BatchSize: r.BatchSize}
	}
	return out, nil
}
