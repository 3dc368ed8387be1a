-- m008: reminders to send, written in the same transaction as the claim that decided them, so a
-- process that dies between the decision and the send leaves the reminder here for another one.
CREATE TABLE reminder_sends (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    local_day     TEXT    NOT NULL,             -- the user's local 'YYYY-MM-DD' it is for
    due_count     INTEGER NOT NULL,             -- what the message says, as decided
    streak        INTEGER NOT NULL,
    studied_today INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,             -- unix seconds (the bot's clock) of the decision
    lease_owner   TEXT,                         -- the process sending it, while it does
    lease_until   INTEGER,                      -- wall-clock ms; past it, any process may take it
    attempts      INTEGER NOT NULL DEFAULT 0,   -- times taken for sending
    outcome       TEXT,                         -- NULL pending; sent, blocked, failed or expired
    done_at       INTEGER,                      -- unix seconds the outcome was recorded
    PRIMARY KEY (user_id, local_day)            -- one reminder per user and local day, whatever runs
);
-- The sender takes the oldest pending rows: only pending ones are indexed.
CREATE INDEX reminder_sends_pending ON reminder_sends(created_at) WHERE outcome IS NULL;
-- The cleanup of old rows is one range scan.
CREATE INDEX reminder_sends_created ON reminder_sends(created_at);

-- Work one process at a time does for all of them (the paced reminder sender: Telegram's 30
-- messages a second are per bot, not per process). Same rules as chat_leases.
CREATE TABLE job_leases (
    name       TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL                 -- wall-clock ms
);
