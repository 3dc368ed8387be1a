-- m009: a battle's messages are owed by the transition that stored them, and claimed before they
-- are shown, so exactly one process posts each round and the podium, and another process (or a
-- restart) takes over from one that died between the transition and Telegram.
-- Views of a round's message, in order: 0 nothing, 1 the question with its buttons, 2 its close
-- (the reveal, or the cancel of a stopped battle). The transition writes what the stored state
-- owes; whoever shows it writes what the message shows. Rows from before this are owed nothing.
ALTER TABLE battle_rounds ADD COLUMN view_owed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE battle_rounds ADD COLUMN view_shown INTEGER NOT NULL DEFAULT 0;
-- Wall-clock ms: a process is showing the round's message until then (renewed while it sends);
-- past it, any process may take the showing over.
ALTER TABLE battle_rounds ADD COLUMN post_claimed_until INTEGER;
-- The final standings: owed (1) from the transition that ended a battle past its lobby until
-- posted, the message that shows them, and the claim on posting them (wall-clock ms).
ALTER TABLE battles ADD COLUMN podium_owed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE battles ADD COLUMN podium_message_id INTEGER;
ALTER TABLE battles ADD COLUMN podium_claimed_until INTEGER;
-- The battle sweep's look for owed messages: only owed rows are indexed.
CREATE INDEX battle_rounds_owed ON battle_rounds(battle_id, round_no) WHERE view_shown < view_owed;
CREATE INDEX battles_podium_owed ON battles(id) WHERE podium_owed = 1;
