-- Sign-in by SMS code: codes share the reset codes' table, each marked with what it opens,
-- so a sign-in code never sets a password and a reset code never opens a session.
ALTER TABLE password_resets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
