"""A card's picture changed or removed through the real Mini App server beside the real bot
(sandbox Bot API, both backends): the upload is checked by its bytes, the quiz then shows it, and
the card keeps its schedule."""

from __future__ import annotations

import os
import struct
import zlib
from hashlib import sha256

from bot.cards.formats.apkg_media import MediaFile
from bot.cards.model import Card, Deck, media_front
from bot.sandbox.driver import SandboxUser
from bot.storage.decks import sync_deck
from bot.storage.media import store_media
from tests.media import png_bytes
from tests.webapp.conftest import Live


async def one_card_deck(live: Live, person: SandboxUser) -> tuple[int, int]:
    """A deck of `person`'s with the card hola → hello: the deck's and the card's ids."""
    status, made, _ = await live.call(person, "POST", "/decks", {"title": "Greetings"})
    assert status == 201, made
    deck_id = int(made["deck"]["id"])
    status, added, _ = await live.call(
        person, "POST", f"/decks/{deck_id}/cards", {"front": "hola", "back": "hello"}
    )
    assert status == 201, added
    return deck_id, int(added["card"]["id"])


async def test_an_uploaded_picture_is_served_and_shown_by_the_quiz(live: Live) -> None:
    ann = live.sandbox.user("Ann")
    await ann.send("/start")
    await ann.wait_for(lambda m: "Quizmaster" in m.text)
    deck_id, card_id = await one_card_deck(live, ann)
    picture = png_bytes(3, 2)
    path = f"/decks/{deck_id}/cards/{card_id}/picture"
    # The type claimed does not matter: the bytes are a PNG, and that is what is served.
    status, saved, _ = await live.call(ann, "PUT", path, raw=picture, content_type="image/jpeg")
    assert status == 200, saved
    assert (saved["card"]["id"], saved["card"]["picture"]) == (card_id, True)
    assert saved["schedule"] == "unchanged"
    status, _json, served = await live.call(ann, "GET", path)
    assert status == 200 and served == picture
    status, used, _ = await live.call(ann, "POST", f"/decks/{deck_id}/use")
    assert status == 200, used
    await ann.send("/quiz")
    question = await ann.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert question.photo == picture and "hola" in question.text


def padded_png(size: int) -> bytes:
    """A valid PNG of about `size` bytes: a tiny image with a private chunk of noise."""
    body = os.urandom(size)
    crc = zlib.crc32(b"prVt" + body) & 0xFFFFFFFF
    private = struct.pack(">I", len(body)) + b"prVt" + body + struct.pack(">I", crc)
    small = png_bytes()
    return small[:33] + private + small[33:]  # after the 8-byte signature and 25-byte IHDR


async def test_a_picture_of_a_few_megabytes_is_taken(live: Live) -> None:
    ann = live.sandbox.user("Ann")
    deck_id, card_id = await one_card_deck(live, ann)
    path = f"/decks/{deck_id}/cards/{card_id}/picture"
    picture = padded_png(4 * 1024 * 1024)  # far over the 64 KB any JSON write may send
    status, saved, _ = await live.call(ann, "PUT", path, raw=picture, content_type="image/png")
    assert status == 200, saved
    status, _json, served = await live.call(ann, "GET", path)
    assert status == 200 and served == picture


async def test_uploads_that_are_not_usable_pictures_are_refused(live: Live) -> None:
    ann, bob = live.sandbox.user("Ann"), live.sandbox.user("Bob")
    deck_id, card_id = await one_card_deck(live, ann)
    path = f"/decks/{deck_id}/cards/{card_id}/picture"
    status, refused, _ = await live.call(ann, "PUT", path, raw=b"not a picture at all")
    assert (status, refused["error"]["code"]) == (415, "picture_type")
    status, refused, _ = await live.call(
        ann, "PUT", path, raw=b"just some text", content_type="image/png"
    )
    assert (status, refused["error"]["code"]) == (422, "not_a_picture")
    assert "JPEG" in refused["error"]["message"]
    status, refused, _ = await live.call(
        ann, "PUT", path, raw=b"\0" * (6 * 1024 * 1024), content_type="image/png"
    )
    assert (status, refused["error"]["code"]) == (413, "picture_too_large")
    assert "5 MB" in refused["error"]["message"]
    status, refused, _ = await live.call(ann, "PUT", path, raw=b"text", content_type="text/plain")
    assert (status, refused["error"]["code"]) == (415, "picture_type")
    status, refused, _ = await live.call(
        bob, "PUT", path, raw=png_bytes(), content_type="image/png"
    )
    assert (status, refused["error"]["code"]) == (403, "not_yours")
    status, card, _ = await live.call(ann, "GET", f"/decks/{deck_id}/cards/{card_id}")
    assert status == 200 and card["card"]["picture"] is False  # nothing of it was stored


async def test_a_picture_is_removed_unless_the_front_is_only_the_picture(live: Live) -> None:
    ann = live.sandbox.user("Ann")
    deck_id, card_id = await one_card_deck(live, ann)
    path = f"/decks/{deck_id}/cards/{card_id}/picture"
    db = live.bot.services.db
    asked = "SELECT id, key FROM questions WHERE card_id = ? AND retired = 0 ORDER BY id"
    questions = await db.fetchall(asked, (card_id,))
    assert questions
    status, saved, _ = await live.call(ann, "PUT", path, raw=png_bytes(), content_type="image/png")
    assert status == 200, saved
    status, removed, _ = await live.call(ann, "DELETE", path)
    assert status == 200, removed
    assert (removed["card"]["id"], removed["card"]["picture"]) == (card_id, False)
    assert removed["schedule"] == "unchanged"
    status, _json, _ = await live.call(ann, "GET", path)
    assert status == 404
    # The same questions, under the same keys: their schedules are untouched.
    assert await db.fetchall(asked, (card_id,)) == questions

    # A card whose front is only its picture (as an Anki import makes them) keeps it.
    now = int(live.clock.now().timestamp())
    picture = png_bytes(4, 4)
    digest = sha256(picture).hexdigest()
    await store_media(db, [MediaFile(digest, "photo", "image/png", picture)], now)
    owned = await db.fetchone("SELECT slug FROM decks WHERE id = ?", (deck_id,))
    assert owned is not None
    label = media_front("photo", "cat.png")
    await sync_deck(
        db,
        Deck("Greetings", (Card("hola", "hello"), Card(label, "cat", front_media=digest))),
        str(owned[0]),
        ann.id,
        now,
    )
    status, listed, _ = await live.call(ann, "GET", f"/decks/{deck_id}/cards")
    assert status == 200, listed
    cat = next(c for c in listed["cards"] if c["front"] == label)
    assert cat["picture"] is True
    status, refused, _ = await live.call(
        ann, "DELETE", f"/decks/{deck_id}/cards/{cat['id']}/picture"
    )
    assert status == 422
    assert refused["error"]["field"] == "front"
    assert "front text" in refused["error"]["message"]
    status, _json, still = await live.call(
        ann, "GET", f"/decks/{deck_id}/cards/{cat['id']}/picture"
    )
    assert status == 200 and still == picture
