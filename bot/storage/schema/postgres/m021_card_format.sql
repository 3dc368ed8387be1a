-- m021: a card side's formatting. An Anki note's bold, italic, underline, strike and code are kept
-- as Telegram HTML (sanitised when imported, bot.cards.richtext), beside the plain `front` and
-- `back` that questions are made from and answers graded against. NULL: the side is plain text.
ALTER TABLE cards ADD COLUMN front_html TEXT;
ALTER TABLE cards ADD COLUMN back_html TEXT;
