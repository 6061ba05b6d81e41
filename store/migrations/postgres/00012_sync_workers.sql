-- +goose Up
-- The platforms each syncing process serves, with a heartbeat: a platform
-- is served while some process's row for it has not expired. Every process
-- reads whether a platform is switched on from here, not from its own
-- environment, so that an API replica started without credentials does not
-- take a platform for switched off.
CREATE TABLE sync_workers (
    worker_id        TEXT NOT NULL,
    platform         TEXT NOT NULL,
    -- How often the process syncs the platform's accounts, and how many one
    -- call takes: a round run by another process queues by them.
    interval_seconds BIGINT NOT NULL CHECK (interval_seconds > 0),
    batch_size       INTEGER NOT NULL CHECK (batch_size > 0),
    started_at       TIMESTAMPTZ NOT NULL,
    beat_at          TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (worker_id, platform)
);
CREATE INDEX sync_workers_live_idx ON sync_workers (expires_at);

-- +goose Down
DROP TABLE sync_workers;
