-- Cookie sessions (for pages) carry a CSRF token, stored hashed.
ALTER TABLE sessions ADD COLUMN csrf_hash TEXT;
