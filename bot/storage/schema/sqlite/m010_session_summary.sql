-- m010: the message that summed a quiz session up. Until it is recorded, the session's last answer
-- is not fully delivered: a process stopped between writing that answer and sending the summary
-- leaves it NULL, and the answer's tap, delivered again, sends the summary then.
ALTER TABLE quiz_sessions ADD COLUMN summary_message_id INTEGER;
