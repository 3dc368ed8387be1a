-- m012: who plays in which battle. A player's name and answers live in the battle's JSON state;
-- this index lets /forget find every battle a person is in without reading every state, and a
-- join is written here in the transaction that adds the player, so the two never disagree.
CREATE TABLE battle_players (
    battle_id INTEGER NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    PRIMARY KEY (battle_id, user_id)
);
CREATE INDEX battle_players_user ON battle_players(user_id);

-- The players of the battles stored so far, read from their states.
INSERT INTO battle_players (battle_id, user_id)
SELECT DISTINCT b.id, CAST(json_extract(p.value, '$[0]') AS INTEGER)
  FROM battles b, json_each(b.state, '$.players') p
 WHERE json_valid(b.state)
ON CONFLICT DO NOTHING;
