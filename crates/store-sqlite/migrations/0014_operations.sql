-- /metrics counts failed jobs and parked messages on every scrape: partial indexes hold just
-- those rows, so the count does not read the millions of finished ones.
CREATE INDEX jobs_failed ON jobs(id) WHERE status = 'failed';
CREATE INDEX outbox_parked ON outbox(id) WHERE status = 'parked';
