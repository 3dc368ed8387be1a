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
from tests.media import ELF, media_package, mp3_bytes, opus_bytes, png_bytes

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
    warnings = " ".join(str(w) for w in upload.deck.warnings)
    assert "2 cards show a picture or sound" in warnings
    assert "1 media file skipped: not a PNG" in warnings


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


def _sides_package() -> bytes:
    return media_package(
        [
            ('<img src="a.png"><img src="b.png"><img src="c.png"> Three dots', "dots"),
            ("Say cat", 'cat <img src="cat.png"> [sound:cat.ogg]'),
        ],
        {
            "a.png": png_bytes(2, 2),
            "b.png": png_bytes(3, 3),
            "c.png": png_bytes(4, 4),
            "cat.png": png_bytes(5, 5),
            "cat.ogg": opus_bytes(),
        },
    )


async def test_a_fronts_other_pictures_and_the_backs_files_are_stored_in_order(
    db: Database,
) -> None:
    upload = decode_upload(encode_upload(read_upload(_sides_package(), "sides.apkg")))
    dots, cat = upload.deck.cards
    assert len(dots.front_more) == 2 and len(cat.back_media) == 2
    deck_id = await sync_deck(db, upload.deck, "sides", None, NOW, upload.media)
    await remake_questions(db, deck_id, NOW + 60)  # read back from the cards table and kept
    rows = await db.fetchall(
        "SELECT front, front_media, front_more, back_media FROM cards WHERE deck_id = ? "
        "ORDER BY position",
        (deck_id,),
    )
    assert [tuple(r) for r in rows] == [
        ("Three dots", dots.front_media, " ".join(dots.front_more), None),
        ("Say cat", None, None, " ".join(cat.back_media)),
    ]
    info = await media_info(db, cat.back_media[1], BOT)
    assert info is not None and info.size == len(opus_bytes())


async def test_cards_stored_before_show_no_other_files(db: Database) -> None:
    upload = read_upload(_package(), "animals.apkg")
    deck_id = await sync_deck(db, upload.deck, "animals", None, NOW, upload.media)
    # A card stored before m023 has NULL in both columns, and is read as showing nothing more.
    await db.execute(
        "UPDATE cards SET front_more = NULL, back_media = NULL WHERE deck_id = ?", (deck_id,)
    )
    await remake_questions(db, deck_id, NOW + 60)
    rows = await db.fetchall(
        "SELECT front_more, back_media FROM cards WHERE deck_id = ?", (deck_id,)
    )
    assert {tuple(r) for r in rows} == {(None, None)}
