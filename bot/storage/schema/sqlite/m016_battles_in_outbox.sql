-- m016: a battle's messages go through the outbox like everything else the bot owes a chat: the
-- transition that owes a lobby, a round's message or the podium writes its intent, and the one
-- deliverer shows it. The messages owed but not shown yet move over; the claims go.
INSERT INTO outbox (chat_id, kind, dedupe, payload, created_at)
SELECT chat_id, 'battle.lobby', 'lobby:' || id, json_object('battle', id), CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM battles WHERE lobby_owed = 1 AND finished = 0
ON CONFLICT (dedupe) DO NOTHING;
INSERT INTO outbox (chat_id, kind, dedupe, payload, created_at)
SELECT b.chat_id, 'battle.round', 'round:' || r.battle_id || ':' || r.round_no,
       json_object('battle', r.battle_id, 'round', r.round_no), CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM battle_rounds r JOIN battles b ON b.id = r.battle_id
 WHERE r.view_shown < r.view_owed
 ORDER BY r.battle_id, r.round_no
ON CONFLICT (dedupe) DO NOTHING;
INSERT INTO outbox (chat_id, kind, dedupe, payload, created_at)
SELECT chat_id, 'battle.podium', 'podium:' || id, json_object('battle', id), CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM battles WHERE podium_owed = 1
ON CONFLICT (dedupe) DO NOTHING;
DROP INDEX battle_rounds_owed;
DROP INDEX battles_podium_owed;
DROP INDEX battles_lobby_owed;
ALTER TABLE battle_rounds DROP COLUMN view_owed;
ALTER TABLE battle_rounds DROP COLUMN view_shown;
ALTER TABLE battle_rounds DROP COLUMN post_claimed_until;
ALTER TABLE battles DROP COLUMN podium_owed;
ALTER TABLE battles DROP COLUMN podium_claimed_until;
ALTER TABLE battles DROP COLUMN lobby_owed;
ALTER TABLE battles DROP COLUMN lobby_claimed_until;
