-- m023: the other files a card shows (bot.cards.formats.apkg_media), as content hashes of `media`
-- separated by spaces, in order: `front_more` the front's pictures after its first (sent as an
-- album with the question), `back_media` the back's pictures then its sound (sent with the answer).
-- NULL for none, and for every card stored before.
ALTER TABLE cards ADD COLUMN front_more TEXT;
ALTER TABLE cards ADD COLUMN back_media TEXT;
