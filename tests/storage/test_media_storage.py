"""Media read from an Anki package: carried by the preview, stored with the deck in one
transaction, kept when questions are remade, and its Telegram `file_id` remembered per bot."""

from __future__ import annotations

import pytest

from bot.cards.model import Card
from bot.cards.upload import decode_upload, encode_upload, read_upload
from bot.storage import decks
from bot.storage.db import Database
from bot.storage.decks import remake_questions, sync_deck
from bot.storage.media import media_bytes, media_info, remember_file_id
from tests.media import ELF, media_package, mp3_bytes, png_bytes

NOW = 1_772_442_000
BOT = 4242


def _package() -> bytes:
    return media_package(
        [
            ('<img src="cat.png"> What animal?', "cat"),
            ("Which word? [sound:dog.mp3]", "dog"),
            ('<img src="evil.png"> Liar', "evil"),
            ("Plain front", "plain"),
        ],
        {"cat.png": png_bytes(), "dog.mp3": mp3_bytes(), "evil.png": ELF},
    )


def test_a_package_keeps_its_pictures_and_sounds_through_the_preview() -> None:
    upload = decode_upload(encode_upload(read_upload(_package(), "animals.apkg")))
    by_front = {card.front: card.front_media for card in upload.deck.cards}
    kinds = {m.digest: m.kind for m in upload.media}
    assert kinds[by_front["What animal?"] or ""] == "photo"
    assert kinds[by_front["Which word?"] or ""] == "audio"
    assert by_front["Liar"] is None and by_front["Plain front"] is None
    assert {m.data for m in upload.media} == {png_bytes(), mp3_bytes()}
    warnings = " ".join(upload.deck.warnings)
    assert "2 cards show a picture or sound" in warnings
    assert "1 media files skipped: not a PNG" in warnings


async def test_media_is_stored_once_and_its_file_id_remembered(db: Database) -> None:
    upload = read_upload(_package(), "animals.apkg")
    deck_id = await sync_deck(db, upload.deck, "animals", None, NOW, upload.media)
    await sync_deck(db, upload.deck, "animals", None, NOW, upload.media)  # again: no conflict
    await remake_questions(db, deck_id, NOW + 60)
    rows = await db.fetchall(
        "SELECT front_media FROM cards WHERE deck_id = ? AND front_media IS NOT NULL", (deck_id,)
    )
    assert len(rows) == 2
    digest = next(m.digest for m in upload.media if m.kind == "photo")
    info = await media_info(db, digest, BOT)
    assert info is not None and (info.mime, info.file_id) == ("image/png", None)
    assert await media_bytes(db, digest) == png_bytes()
    await remember_file_id(db, digest, BOT, "AgAD-first")
    await remember_file_id(db, digest, BOT, "AgAD-second")
    info = await media_info(db, digest, BOT)
    assert info is not None and info.file_id == "AgAD-second"
    other = await media_info(db, digest, BOT + 1)
    assert other is not None and other.file_id is None


async def test_a_failed_save_stores_no_media(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    upload = read_upload(_package(), "animals.apkg")

    def broken(card: Card) -> str:
        raise RuntimeError("the save fails after the media was written")

    monkeypatch.setattr(decks, "card_key", broken)
    with pytest.raises(RuntimeError):
        await sync_deck(db, upload.deck, "animals", None, NOW, upload.media)
    row = await db.fetchone("SELECT COUNT(*) FROM media")
    assert row is not None and row[0] == 0
