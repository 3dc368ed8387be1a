-- m003: group revision battles, the questions of their rounds, and each group's all-time table.
CREATE TABLE battles (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    thread_id        INTEGER,                   -- forum topic the battle was started in
    deck_id          INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
    host_id          INTEGER NOT NULL,
    state            TEXT    NOT NULL,          -- JSON of bot.core.battle.BattleState.to_dict()
    version          INTEGER NOT NULL DEFAULT 0, -- compare-and-swap guard for every state write
    lobby_message_id INTEGER,
    next_wakeup      INTEGER,                   -- when the round timer next has work (unix s)
    finished         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    ended_at         INTEGER
);
-- One running battle per group.
CREATE UNIQUE INDEX battles_running_chat ON battles(chat_id) WHERE finished = 0;
-- The round timer's sweep: running battles whose wakeup has come.
CREATE INDEX battles_wakeup ON battles(next_wakeup) WHERE finished = 0;

CREATE TABLE battle_rounds (
    battle_id   INTEGER NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    round_no    INTEGER NOT NULL,               -- 1-based
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    options     TEXT    NOT NULL,               -- JSON list of the answer buttons
    right_index INTEGER NOT NULL,
    message_id  INTEGER,                        -- the message asking, then revealing, the round
    PRIMARY KEY (battle_id, round_no)
) WITHOUT ROWID;

-- A battle answer is written into the player's FSRS schedule once, whatever is retried.
CREATE TABLE battle_reviews (
    battle_id INTEGER NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    round_no  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    PRIMARY KEY (battle_id, round_no, user_id)
) WITHOUT ROWID;

CREATE TABLE group_leaderboard (
    chat_id  INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    points   INTEGER NOT NULL DEFAULT 0,
    battles  INTEGER NOT NULL DEFAULT 0,
    wins     INTEGER NOT NULL DEFAULT 0,
    right_answers INTEGER NOT NULL DEFAULT 0,   -- "right" is reserved in SQL
    answered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX group_leaderboard_points ON group_leaderboard(chat_id, points DESC);
