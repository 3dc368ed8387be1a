-- m019: each learner's own FSRS parameters (bot.core.personal_parameters).
-- `users.reviews_logged` counts a user's answers in `reviews` (kept by a trigger, so finding who
-- is due a fit reads no review log); `users.fsrs_defaults` is their choice in /settings to
-- schedule with FSRS's default parameters even once their own are fitted.
ALTER TABLE users ADD COLUMN reviews_logged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN fsrs_defaults INTEGER NOT NULL DEFAULT 0
    CHECK (fsrs_defaults IN (0, 1));
UPDATE users u SET reviews_logged = c.n
  FROM (SELECT user_id, COUNT(*) AS n FROM reviews GROUP BY user_id) c
 WHERE c.user_id = u.id;
CREATE FUNCTION reviews_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET reviews_logged = reviews_logged + 1 WHERE id = NEW.user_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER reviews_count AFTER INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_count();

-- A user's last fit: the parameters kept (JSON list of FSRS's 21 weights; NULL when the
-- defaults predicted their answers as well), when, on how many answers (`reviews`; `logged` is
-- `users.reviews_logged` then, what the next fit is due by), and the mean log loss of the kept
-- parameters and of the defaults on those answers, so /stats shows them without fitting again.
CREATE TABLE fsrs_fits (
    user_id          BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    parameters       TEXT,
    fitted_at        BIGINT  NOT NULL,
    reviews          INTEGER NOT NULL,
    logged           INTEGER NOT NULL,
    log_loss         DOUBLE PRECISION,
    default_log_loss DOUBLE PRECISION,
    -- 'fit': fitted to the user's answers here; 'anki': the FSRS parameters of an Anki preset
    -- that came with an imported package (no log loss: not fitted here), until the first fit
    source           TEXT    NOT NULL DEFAULT 'fit' CHECK (source IN ('fit', 'anki'))
);
