-- +goose Up
-- Until a platform has said what it allows, every process together sends
-- it one request, the probe: probe_until is when the one in flight is given
-- up for lost (its process may have died), and another may go.
ALTER TABLE platform_states ADD COLUMN probe_until TIMESTAMPTZ;
-- The platform answered without saying any allowance: nothing to wait for.
ALTER TABLE platform_states ADD COLUMN unmetered BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE platform_states DROP COLUMN unmetered;
ALTER TABLE platform_states DROP COLUMN probe_until;
