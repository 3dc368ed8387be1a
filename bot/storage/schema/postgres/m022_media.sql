-- m022: pictures and sounds a card shows with its question (bot.cards.formats.apkg_media), stored
-- once by the SHA-256 of their bytes so that every process can send them, and the `file_id`
-- Telegram gave each bot for a file after its first upload (so it is uploaded once per bot).
CREATE TABLE media (
    digest TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'audio')),
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE media_file_ids (
    digest TEXT NOT NULL REFERENCES media (digest),
    bot_id BIGINT NOT NULL,
    file_id TEXT NOT NULL,
    PRIMARY KEY (digest, bot_id)
);
ALTER TABLE cards ADD COLUMN front_media TEXT;
