-- m011: questions that teach.
-- Typed answers a question takes besides its answer (the other glosses of a back, a year alone …).
ALTER TABLE questions ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]';
-- Which version of the question maker made a deck's questions: an older one is made again, by key,
-- so schedules carry on (see bot/cards/questions.py, QUESTIONS_VERSION).
ALTER TABLE decks ADD COLUMN questions_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX questions_card ON questions(card_id);

-- When the user first answered each question: a card is new on the day its first question was.
ALTER TABLE review_states ADD COLUMN first_review BIGINT;
UPDATE review_states s SET first_review = f.first
  FROM (SELECT user_id, question_id, MIN(reviewed_at) AS first FROM reviews
         GROUP BY user_id, question_id) f
 WHERE f.user_id = s.user_id AND f.question_id = s.question_id;
-- "Has the user met this card, and when did they last answer any of its questions" per card.
CREATE INDEX review_states_card ON review_states(user_id, card_id);

-- A missed question comes back once at the end of its session: the copy is marked as a retry.
ALTER TABLE session_items ADD COLUMN retry INTEGER NOT NULL DEFAULT 0;

-- A typed answer graded wrong that the learner overrode with "I was right": the schedule before it
-- (JSON, NULL for a new question) lets the answer be scheduled again as Good.
ALTER TABLE reviews ADD COLUMN prior TEXT;
ALTER TABLE reviews ADD COLUMN overridden_at BIGINT;

CREATE OR REPLACE FUNCTION reviews_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step, stability,
                               difficulty, due, last_review, reps, lapses, first_review)
    VALUES (NEW.user_id, NEW.question_id, NEW.deck_id, NEW.card_id, NEW.state, NEW.step,
            NEW.stability, NEW.difficulty, NEW.due, NEW.reviewed_at, NEW.reps, NEW.lapses,
            NEW.reviewed_at)
    ON CONFLICT (user_id, question_id) DO UPDATE SET
        state = excluded.state, step = excluded.step, stability = excluded.stability,
        difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
        reps = excluded.reps, lapses = excluded.lapses,
        first_review = COALESCE(review_states.first_review, excluded.first_review);
    UPDATE users SET streak_current = NEW.streak_current, streak_best = NEW.streak_best,
                     streak_freezes = NEW.streak_freezes, streak_last_day = NEW.local_day
     WHERE id = NEW.user_id;
    IF NEW.session_id IS NOT NULL THEN
        UPDATE session_items SET answered_at = NEW.reviewed_at, outcome = NEW.outcome,
                                 given = NEW.given
         WHERE session_id = NEW.session_id AND position = NEW.position;
        UPDATE quiz_sessions
           SET position = NEW.position + 1,
               correct = correct + CASE WHEN NEW.correct = 1
                                          OR (NEW.correct IS NULL AND NEW.rating >= 2)
                                        THEN 1 ELSE 0 END,
               finished_at = CASE WHEN NEW.position + 1 >= size THEN NEW.reviewed_at END
         WHERE id = NEW.session_id;
    END IF;
    RETURN NULL;
END
$$;
