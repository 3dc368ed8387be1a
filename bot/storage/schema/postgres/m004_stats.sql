-- m004: /stats and /export read a user's reviews question by question (the schedule just before
-- each review, the history of one question); this index makes that a range scan, not a sort.
CREATE INDEX reviews_user_question ON reviews(user_id, question_id, reviewed_at);
