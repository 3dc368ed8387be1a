-- m005: decks users bring. An import is read, shown as a preview, and kept here until the user
-- taps Save or Cancel (or a day passes), so a restart between preview and Save loses nothing.
CREATE TABLE pending_imports (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    filename    TEXT,                            -- NULL for pasted text
    title       TEXT    NOT NULL,
    cards       INTEGER NOT NULL,
    reviews     INTEGER NOT NULL DEFAULT 0,      -- Anki review history carried along
    payload     TEXT    NOT NULL                 -- JSON: the parsed deck and its review history
);
CREATE INDEX pending_imports_user ON pending_imports(user_id, created_at);
-- The expiry sweep is one range scan of this index.
CREATE INDEX pending_imports_created ON pending_imports(created_at);
