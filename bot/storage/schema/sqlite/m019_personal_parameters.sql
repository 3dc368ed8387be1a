-- m019: each learner's own FSRS parameters (bot.core.personal_parameters).
-- `users.reviews_logged` counts a user's answers in `reviews` (kept by a trigger, so finding who
-- is due a fit reads no review log); `users.fsrs_defaults` is their choice in /settings to
-- schedule with FSRS's default parameters even once their own are fitted.
ALTER TABLE users ADD COLUMN reviews_logged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN fsrs_defaults INTEGER NOT NULL DEFAULT 0
    CHECK (fsrs_defaults IN (0, 1));
UPDATE users SET reviews_logged = (SELECT COUNT(*) FROM reviews r WHERE r.user_id = users.id);
CREATE TRIGGER reviews_count AFTER INSERT ON reviews
BEGIN
    UPDATE users SET reviews_logged = reviews_logged + 1 WHERE id = NEW.user_id;
END;

-- A user's last fit: the parameters kept (JSON list of FSRS's 21 weights; NULL when the
-- defaults predicted their answers as well), when, on how many answers (`reviews`; `logged` is
-- `users.reviews_logged` then, what the next fit is due by), and the mean log loss of the kept
-- parameters and of the defaults on those answers, so /stats shows them without fitting again.
CREATE TABLE fsrs_fits (
    user_id          INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    parameters       TEXT,
    fitted_at        INTEGER NOT NULL,
    reviews          INTEGER NOT NULL,
    logged           INTEGER NOT NULL,
    log_loss         REAL,
    default_log_loss REAL,
    -- 'fit': fitted to the user's answers here; 'anki': the FSRS parameters of an Anki preset
    -- that came with an imported package (no log loss: not fitted here), until the first fit
    source           TEXT    NOT NULL DEFAULT 'fit' CHECK (source IN ('fit', 'anki'))
);
