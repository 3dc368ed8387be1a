-- m007: the webhook inbox. Every update is stored (once: its update_id is the key) before Telegram
-- gets its 200, then handled by whichever bot process holds its chat's lease, in update_id order.
-- Times here are wall-clock milliseconds: they order processes, not the bot's business.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,            -- Telegram's update id: a redelivery is a no-op
    chat_key    INTEGER NOT NULL,               -- the chat (else user) whose updates run in order
    payload     TEXT    NOT NULL,               -- the update's JSON as Telegram sent it
    received_at INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,     -- handlings begun; above 1 means a takeover re-run
    done_at     INTEGER                         -- NULL while pending
);
-- A chat's pending updates in order, and the chats with any: only pending rows are indexed.
CREATE INDEX inbox_pending ON inbox(chat_key, update_id) WHERE done_at IS NULL;
-- The cleanup of handled rows is one range scan.
CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;

-- Who drains a chat's updates right now. A lease is taken only when free, expired or already
-- the taker's, renewed while it drains, and deleted when it is done; a process that dies leaves
-- it to expire, and another process takes the chat over.
CREATE TABLE chat_leases (
    chat_key   INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL,                -- host/pid/random of the process holding it
    expires_at INTEGER NOT NULL
);
