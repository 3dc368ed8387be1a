-- m025: what a group chose for itself (the deck its battles and daily question use, the daily
-- question's local time and zone) and the daily question itself: one row per group and local day
-- (the unique key that keeps a restart from posting a day twice), with the answers it received.
CREATE TABLE group_settings (
    chat_id       INTEGER PRIMARY KEY,
    -- NULL: the bundled default (never chosen, or the chosen deck was deleted by its owner)
    deck_id       INTEGER REFERENCES decks(id) ON DELETE SET NULL,
    deck_title    TEXT,                       -- the chosen deck's title, to name it once it is gone
    timezone      TEXT,                       -- IANA zone of the daily question; NULL = UTC
    daily_time    TEXT,                       -- 'HH:MM' local; NULL = no daily question
    daily_next_at INTEGER,                    -- unix s of the next question to post
    daily_minutes INTEGER NOT NULL DEFAULT 720, -- how long a question stays open
    thread_id     INTEGER                     -- forum topic /dailyq was turned on in
);
CREATE INDEX group_settings_daily ON group_settings(daily_next_at) WHERE daily_next_at IS NOT NULL;
CREATE TABLE daily_questions (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,             -- the group's local 'YYYY-MM-DD'
    thread_id   INTEGER,
    question_id INTEGER REFERENCES questions(id) ON DELETE SET NULL,
    prompt      TEXT    NOT NULL,
    options     TEXT    NOT NULL,             -- JSON list of the options shown
    right_index INTEGER NOT NULL,
    explanation TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL DEFAULT 'poll' CHECK (kind IN ('poll', 'buttons')),
    poll_id     TEXT,
    message_id  INTEGER,
    claimed_at  INTEGER,                      -- a process is posting or closing it since
    posted_at   INTEGER,
    close_at    INTEGER NOT NULL,
    closed_at   INTEGER,
    weekly      TEXT,                         -- JSON of last week's table posted with it
    created_at  INTEGER NOT NULL,
    UNIQUE (chat_id, day)
);
CREATE UNIQUE INDEX daily_questions_poll ON daily_questions(poll_id) WHERE poll_id IS NOT NULL;
CREATE INDEX daily_questions_open ON daily_questions(close_at) WHERE closed_at IS NULL;
CREATE TABLE daily_answers (
    daily_id    INTEGER NOT NULL REFERENCES daily_questions(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    option      INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,             -- unix ms, to tell who was first
    PRIMARY KEY (daily_id, user_id)
);
