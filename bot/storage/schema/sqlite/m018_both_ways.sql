-- m018: both directions of a card. A card meant both ways (an Anki "Basic (and reversed card)"
-- note) is also asked the other way round, its back shown and its front recalled, as a reverse
-- question with its own schedule. `cards.reverse` is the card's own word for it (from its
-- package); `decks.both_ways` is the owner's setting that asks every card of the deck both ways.
ALTER TABLE cards ADD COLUMN reverse INTEGER NOT NULL DEFAULT 0 CHECK (reverse IN (0, 1));
ALTER TABLE decks ADD COLUMN both_ways INTEGER NOT NULL DEFAULT 0 CHECK (both_ways IN (0, 1));
