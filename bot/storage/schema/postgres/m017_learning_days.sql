-- m017: learning days. A user's day starts at this hour of their local time (4 am by default, as
-- in Anki): FSRS counts the learning days between reviews, a question in the review state falls
-- due at the start of its due day, and streaks, "new per day" and /stats count the same days.
-- Schedules already stored are kept as they are: each one moves onto learning days at its next
-- review, so nothing studied is rescheduled by surprise.
ALTER TABLE users ADD COLUMN day_start_hour INTEGER NOT NULL DEFAULT 4
    CHECK (day_start_hour BETWEEN 0 AND 23);
