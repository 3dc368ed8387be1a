-- m014: a battle's lobby is owed like its rounds and podium: from the /battle that stored the battle
-- until it is posted (or given up, once the lobby closed), and claimed before it is sent, so a
-- process that dies between storing the battle and Telegram leaves the lobby to another one's sweep.
ALTER TABLE battles ADD COLUMN lobby_owed INTEGER NOT NULL DEFAULT 0;
-- Wall-clock ms: a process is posting the lobby until then (renewed while it sends); past it, any
-- process may take the posting over.
ALTER TABLE battles ADD COLUMN lobby_claimed_until INTEGER;
-- The battle sweep's look for owed lobbies: only owed rows are indexed.
CREATE INDEX battles_lobby_owed ON battles(id) WHERE lobby_owed = 1;
