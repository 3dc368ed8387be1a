-- m020: the language each chat reads the bot in (bot.views.i18n). A private chat's id is its
-- user's id, so this is the user's language; a group's row is its own. `chosen` is 1 once someone
-- picked it with /language (a group's admin in a group): until then the language follows the
-- `language_code` Telegram sends with the person's updates (in a group: whoever first spoke to
-- the bot there), and is kept here so screens rendered outside an update (the outbox, reminders)
-- speak it too.
CREATE TABLE chat_languages (
    chat_id  BIGINT  PRIMARY KEY,
    language TEXT    NOT NULL,
    chosen   INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1))
);
