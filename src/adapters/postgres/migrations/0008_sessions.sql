-- Accounts and sessions: when each account was made, the operator role, and the
-- sessions that have not ended (each login's, renewed by its refresh token).

-- Accounts made before this migration are dated by it: when they were made is not known.
ALTER TABLE users
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN operator boolean NOT NULL DEFAULT false;

-- A session ended is deleted: its id is never used again, so "not found" is final.
-- No foreign key to users: deleting an account deletes its sessions itself, and
-- starting a session then takes no lock on the account's row.
CREATE TABLE sessions (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    generation integer NOT NULL,            -- how many times its refresh token was rotated
    expires_at double precision NOT NULL    -- Unix seconds: when its refresh token expires
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
