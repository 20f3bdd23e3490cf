-- The review clock pauses while the subscriber is asked for information: the working days it
-- was paused, in total, shown with the deadline.
ALTER TABLE termination_requests ADD COLUMN review_paused_days BIGINT NOT NULL DEFAULT 0;
