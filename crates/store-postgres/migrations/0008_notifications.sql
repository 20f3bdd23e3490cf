-- The outbox becomes a queue with retries: a message is claimed with a lease (`sending`),
-- sent, and recorded `sent` with the provider's id, or put back with the time of its next
-- attempt, or `parked` with its error for an admin to resend. A dedupe key keeps an event
-- from being queued twice (a reminder job that runs again); delivery receipts find their
-- message by the provider's id.

ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN locked_until BIGINT;
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
ALTER TABLE outbox ADD COLUMN delivery TEXT;
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT;
ALTER TABLE outbox ADD COLUMN request_id BIGINT;
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE UNIQUE INDEX outbox_dedupe ON outbox(dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX outbox_provider ON outbox(provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX outbox_request ON outbox(request_id) WHERE request_id IS NOT NULL;
