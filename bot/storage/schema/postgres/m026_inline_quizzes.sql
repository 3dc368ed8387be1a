-- m026: questions posted into any chat through inline mode (`@bot query`), keyed by the
-- `inline_message_id` Telegram gives such a message, and one answer per person who tapped it.
-- The tally row is made by the first tap (no chosen_inline_result needed). `pending` says the
-- message shows fewer answers than are stored and `edited_at` when it was last edited: edits are
-- spaced out so that a popular question stays within Telegram's edit limits.
CREATE TABLE inline_quizzes (
    inline_message_id TEXT PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    language TEXT NOT NULL,  -- the language the message is written in (edits keep it)
    created_at BIGINT NOT NULL,
    first_right_id BIGINT,
    first_right_name TEXT,
    edited_at BIGINT,
    pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inline_quizzes_pending ON inline_quizzes (edited_at) WHERE pending = 1;
CREATE TABLE inline_answers (
    inline_message_id TEXT NOT NULL REFERENCES inline_quizzes (inline_message_id)
        ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    choice INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (inline_message_id, user_id)
);
