-- m001: users, decks, cards, questions, FSRS review states, reviews and quiz sessions.
-- Times are INTEGER unix seconds (UTC); local days are TEXT 'YYYY-MM-DD' in the user's time zone.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,          -- Telegram user id
    first_name          TEXT    NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL,
    active_deck_id      INTEGER REFERENCES decks(id) ON DELETE SET NULL,
    timezone            TEXT    NOT NULL DEFAULT 'UTC',
    session_size        INTEGER NOT NULL DEFAULT 10,
    new_per_day         INTEGER NOT NULL DEFAULT 10,
    question_mix        TEXT    NOT NULL DEFAULT 'mixed',
    desired_retention   REAL    NOT NULL DEFAULT 0.9,
    streak_current      INTEGER NOT NULL DEFAULT 0,
    streak_best         INTEGER NOT NULL DEFAULT 0,
    streak_last_day     TEXT,
    streak_freezes      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE decks (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,   -- NULL for a bundled deck
    slug        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX decks_bundled_slug ON decks(slug) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX decks_owned_slug ON decks(owner_id, slug) WHERE owner_id IS NOT NULL;

CREATE TABLE cards (
    id          INTEGER PRIMARY KEY,
    deck_id     INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    front       TEXT    NOT NULL,
    back        TEXT    NOT NULL,
    retired     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (deck_id, key)
);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    deck_id     INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
    card_id     INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    prompt      TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    distractors TEXT    NOT NULL DEFAULT '[]',   -- JSON list
    retired     INTEGER NOT NULL DEFAULT 0,      -- no longer made by the deck; kept so nothing is lost
    UNIQUE (deck_id, key)
);
CREATE INDEX questions_deck ON questions(deck_id, retired, kind);

CREATE TABLE review_states (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    deck_id     INTEGER NOT NULL,
    card_id     INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    step        INTEGER,
    stability   REAL,
    difficulty  REAL,
    due         INTEGER NOT NULL,
    last_review INTEGER,
    reps        INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;
-- "Next due question for this user in this deck" is one range scan of this index.
CREATE INDEX review_states_due ON review_states(user_id, deck_id, due);

CREATE TABLE quiz_sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    deck_id     INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    size        INTEGER NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,   -- the question being asked now
    correct     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX quiz_sessions_open ON quiz_sessions(user_id) WHERE finished_at IS NULL;

CREATE TABLE session_items (
    session_id  INTEGER NOT NULL REFERENCES quiz_sessions(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    options     TEXT    NOT NULL DEFAULT '[]',   -- JSON list of the answer buttons shown
    right_index INTEGER,
    message_id  INTEGER,
    shown_at    INTEGER,
    revealed    INTEGER NOT NULL DEFAULT 0,
    answered_at INTEGER,
    outcome     TEXT,                            -- right / wrong / close / again / hard / good / easy
    given       TEXT,                            -- what the user chose or typed
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;

CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question_id   INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    deck_id       INTEGER NOT NULL,
    card_id       INTEGER NOT NULL,
    session_id    INTEGER REFERENCES quiz_sessions(id) ON DELETE SET NULL,
    position      INTEGER,
    rating        INTEGER NOT NULL,
    correct       INTEGER,                       -- NULL for a self-graded question
    outcome       TEXT    NOT NULL,
    given         TEXT,
    reviewed_at   INTEGER NOT NULL,
    duration_ms   INTEGER,
    local_day     TEXT    NOT NULL,
    first_review  INTEGER NOT NULL,              -- 1 when the question was new
    -- the question's schedule after this review
    state         INTEGER NOT NULL,
    step          INTEGER,
    stability     REAL,
    difficulty    REAL,
    due           INTEGER NOT NULL,
    reps          INTEGER NOT NULL,
    lapses        INTEGER NOT NULL,
    -- the user's streak after this review
    streak_current INTEGER NOT NULL,
    streak_best    INTEGER NOT NULL,
    streak_freezes INTEGER NOT NULL,
    UNIQUE (session_id, position)                -- a quiz question is answered once, whatever is retried
);
CREATE INDEX reviews_user_time ON reviews(user_id, reviewed_at);

-- One INSERT into reviews is the whole write of an answer: these triggers carry it into the
-- schedule, the session and the streak inside that single statement's transaction.
CREATE TRIGGER reviews_apply_state AFTER INSERT ON reviews
BEGIN
    INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step, stability,
                               difficulty, due, last_review, reps, lapses)
    VALUES (NEW.user_id, NEW.question_id, NEW.deck_id, NEW.card_id, NEW.state, NEW.step,
            NEW.stability, NEW.difficulty, NEW.due, NEW.reviewed_at, NEW.reps, NEW.lapses)
    ON CONFLICT (user_id, question_id) DO UPDATE SET
        state = excluded.state, step = excluded.step, stability = excluded.stability,
        difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
        reps = excluded.reps, lapses = excluded.lapses;
    UPDATE users SET streak_current = NEW.streak_current, streak_best = NEW.streak_best,
                     streak_freezes = NEW.streak_freezes, streak_last_day = NEW.local_day
     WHERE id = NEW.user_id;
END;

CREATE TRIGGER reviews_advance_session AFTER INSERT ON reviews WHEN NEW.session_id IS NOT NULL
BEGIN
    UPDATE session_items SET answered_at = NEW.reviewed_at, outcome = NEW.outcome, given = NEW.given
     WHERE session_id = NEW.session_id AND position = NEW.position;
    UPDATE quiz_sessions
       SET position = NEW.position + 1,
           correct = correct + (NEW.correct IS 1 OR (NEW.correct IS NULL AND NEW.rating >= 2)),
           finished_at = CASE WHEN NEW.position + 1 >= size THEN NEW.reviewed_at END
     WHERE id = NEW.session_id;
END;
