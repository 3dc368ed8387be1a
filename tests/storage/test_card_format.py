"""A card's formatted sides: stored beside its text, kept when questions are remade and when an
import preview is saved, and absent (NULL) for plain cards and decks stored before."""

from __future__ import annotations

from bot.cards.model import Card, Deck
from bot.cards.upload import Upload, decode_upload, encode_upload
from bot.storage.db import Database
from bot.storage.decks import remake_questions, sync_deck

NOW = 1_772_442_000
FORMATTED = Card("Hom-set", "The set of arrows", front_html="<b>Hom-set</b>", back_html=None)
PLAIN = Card("Plain", "text", reverse=True)


async def _stored(db: Database, deck_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = await db.fetchall(
        "SELECT front, front_html, back_html FROM cards WHERE deck_id = ? ORDER BY position",
        (deck_id,),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def test_formatting_is_stored_and_kept_when_questions_are_remade(db: Database) -> None:
    deck_id = await sync_deck(db, Deck("Rich", (FORMATTED, PLAIN)), "rich", None, NOW)
    expected = [("Hom-set", "<b>Hom-set</b>", None), ("Plain", None, None)]
    assert await _stored(db, deck_id) == expected
    await remake_questions(db, deck_id, NOW + 60)
    assert await _stored(db, deck_id) == expected


def test_an_import_preview_keeps_formatting_and_reads_older_previews() -> None:
    upload = Upload(Deck("Rich", (FORMATTED, PLAIN)))
    assert decode_upload(encode_upload(upload)).deck.cards == (FORMATTED, PLAIN)
    older = '{"title":"Old","cards":[["a","b",1],["c","d"]],"warnings":[],"reviews":[]}'
    assert decode_upload(older).deck.cards == (Card("a", "b", True), Card("c", "d"))
