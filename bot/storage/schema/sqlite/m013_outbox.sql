-- m013: the outbox. What the bot owes a chat (a question to ask, an answer to reveal, a summary)
-- is written as an intent in the transaction that made it owed; one deliverer renders each from
-- the database as it is then, sends or edits, and records the outcome here. The process that
-- writes an intent holds it (lease_owner, lease_until) and delivers it at once; once the lease
-- has run out (the process died) any process takes it over. Times are wall-clock milliseconds,
-- like the leases'.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,                -- what is owed (bot.outbox.intents.Kind)
    dedupe      TEXT    NOT NULL UNIQUE,         -- the same intent written twice is owed once
    payload     TEXT    NOT NULL DEFAULT '{}',   -- JSON: which session, item, event
    created_at  INTEGER NOT NULL,
    lease_owner TEXT,                            -- the process delivering it
    lease_until INTEGER NOT NULL DEFAULT 0,      -- past it, any process may take it over
    attempts    INTEGER NOT NULL DEFAULT 0,      -- deliveries tried whose outcome was unknown
    retry_at    INTEGER NOT NULL DEFAULT 0,      -- not tried again before this instant
    outcome     TEXT,                            -- NULL while owed: sent, skipped, blocked, failed
    message_id  INTEGER,                         -- the message sent or edited
    done_at     INTEGER
);
-- A chat's owed intents in order, and the owed intents whose lease ran out: only owed rows.
CREATE INDEX outbox_owed ON outbox(chat_id, id) WHERE outcome IS NULL;
CREATE INDEX outbox_orphans ON outbox(lease_until) WHERE outcome IS NULL;
CREATE INDEX outbox_done ON outbox(done_at) WHERE outcome IS NOT NULL;

-- The update that started a session: handled again after a crash, it finds its own session and
-- owes nothing more than it did the first time.
ALTER TABLE quiz_sessions ADD COLUMN started_by INTEGER;
