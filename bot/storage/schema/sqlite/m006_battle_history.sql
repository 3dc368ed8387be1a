-- m006: a group's finished battles, newest first, for /stats in a group (an index range scan).
CREATE INDEX battles_finished_chat ON battles(chat_id, ended_at DESC, id DESC) WHERE finished = 1;
