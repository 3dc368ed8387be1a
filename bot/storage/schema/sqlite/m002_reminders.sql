-- m002: daily reminders. The time is the user's local wall-clock time; the next firing instant is
-- stored in UTC so that one indexed range query finds every reminder due now.
ALTER TABLE users ADD COLUMN remind_time TEXT;                        -- 'HH:MM' local, NULL = off
ALTER TABLE users ADD COLUMN next_remind_at INTEGER;                  -- unix seconds UTC, NULL = none
ALTER TABLE users ADD COLUMN last_remind_day TEXT;                    -- local 'YYYY-MM-DD' last sent
ALTER TABLE users ADD COLUMN remind_offered INTEGER NOT NULL DEFAULT 0;  -- the one-time offer made
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;       -- 0 after "bot was blocked"

-- Only users with a reminder are in the index, so the sweep's range scan touches nobody else.
CREATE INDEX users_next_remind ON users(next_remind_at) WHERE next_remind_at IS NOT NULL;
