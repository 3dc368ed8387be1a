-- m024: links that share an owner's deck (t.me/<bot>?start=d_<token>), and where each deck added
-- from one came from. A deck keeps at most one active link; a revoked one stays to say so.
CREATE TABLE deck_links (
    token       TEXT    PRIMARY KEY,          -- secrets.token_urlsafe: looked up by exact match
    deck_id     INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
    owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    follow      INTEGER NOT NULL DEFAULT 0,   -- 1: who adds it follows the owner's later edits
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER                       -- NULL while people can add the deck
);
CREATE UNIQUE INDEX deck_links_active ON deck_links(deck_id) WHERE revoked_at IS NULL;
CREATE INDEX deck_links_owner ON deck_links(owner_id) WHERE revoked_at IS NULL;
CREATE TABLE deck_sources (
    deck_id        INTEGER PRIMARY KEY REFERENCES decks(id) ON DELETE CASCADE,  -- the added deck
    -- the owner's deck it came from; NULL once that is deleted (the added deck stays, a copy)
    source_deck_id INTEGER REFERENCES decks(id) ON DELETE SET NULL,
    follows        INTEGER NOT NULL DEFAULT 0,  -- 1: the owner's later edits reach it
    added_at       INTEGER NOT NULL
);
CREATE INDEX deck_sources_source ON deck_sources(source_deck_id);
