-- m015: reminders go through the outbox like everything else the bot owes a chat. A reminder is
-- an intent of the paced kind 'reminder' (sent by the one paced sender, 30 a second for the whole
-- bot), owed once per user and local day; the reminders queued but not sent yet move over, and
-- reminder_sends goes.
CREATE INDEX outbox_paced ON outbox(kind, id) WHERE outcome IS NULL;
INSERT INTO outbox (chat_id, kind, dedupe, payload, created_at, attempts)
SELECT user_id, 'reminder', 'reminder:' || user_id || ':' || local_day,
       json_object('local_day', local_day, 'due_count', due_count, 'streak', streak, 'studied_today', studied_today, 'decided_at', created_at),
       created_at * 1000, attempts
  FROM reminder_sends
 WHERE outcome IS NULL
ON CONFLICT (dedupe) DO NOTHING;
DROP TABLE reminder_sends;
