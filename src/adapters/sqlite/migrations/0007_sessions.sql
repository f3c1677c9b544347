-- Accounts and sessions: when each account was made, the operator role, and the
-- sessions that have not ended (each login's, renewed by its refresh token).

-- Accounts made before this migration are dated by it: when they were made is not known.
ALTER TABLE users ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
UPDATE users SET created_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now');

ALTER TABLE users ADD COLUMN operator INTEGER NOT NULL DEFAULT 0 CHECK (operator IN (0, 1));

-- A session ended is deleted: its id is never used again, so "not found" is final.
-- No foreign key to users: deleting an account deletes its sessions itself.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    generation INTEGER NOT NULL,  -- how many times its refresh token was rotated
    expires_at REAL NOT NULL      -- Unix seconds: when its refresh token expires
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
