"""The decks API through the real Mini App server beside the real bot (sandbox Bot API, both
backends): a signed initData edits a deck card by card, the edit is what /quiz then asks, and the
deck sent to the chat is the file the download gives."""

from __future__ import annotations

from tests.webapp.conftest import Live


async def test_a_deck_edited_in_the_mini_app_is_what_quiz_asks_and_what_the_chat_gets(
    live: Live,
) -> None:
    ann = live.sandbox.user("Ann")
    await ann.send("/start")
    await ann.wait_for(lambda m: "Quizmaster" in m.text)
    status, made, _ = await live.call(ann, "POST", "/decks", {"title": "Greetings"})
    assert status == 201, made
    deck_id = made["deck"]["id"]
    status, added, _ = await live.call(
        ann, "POST", f"/decks/{deck_id}/cards", {"front": "hola", "back": "hello"}
    )
    assert status == 201, added
    card = added["card"]
    status, edited, _ = await live.call(
        ann,
        "PUT",
        f"/decks/{deck_id}/cards/{card['id']}",
        {
            "front": "¡hola!",
            "back": "hello there",
            "was": {"front": "hola", "back": "hello"},
            "keep_schedule": True,
        },
    )
    assert status == 200 and edited["schedule"] == "kept" and edited["card"]["id"] == card["id"]
    status, used, _ = await live.call(ann, "POST", f"/decks/{deck_id}/use")
    assert status == 200 and used["deck"]["active"] is True
    await ann.send("/quiz")
    question = await ann.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert "¡hola!" in question.text
    # The deck sent into the chat is the file the download gives.
    status, _json, downloaded = await live.call(ann, "GET", f"/decks/{deck_id}/export")
    assert status == 200 and b"hello there" in downloaded
    status, sent, _ = await live.call(ann, "POST", f"/decks/{deck_id}/export")
    assert (status, sent) == (200, {"sent": True})
    document = (await ann.wait_for(lambda m: m.document is not None)).document
    assert document is not None and document.data == downloaded
    assert document.filename == "Greetings.csv"


async def test_sending_to_a_chat_never_opened_says_so(live: Live) -> None:
    ben = live.sandbox.user("Ben")
    status, made, _ = await live.call(ben, "POST", "/decks", {"title": "Mine"})
    assert status == 201, made
    status, refused, _ = await live.call(ben, "POST", f"/decks/{made['deck']['id']}/export")
    assert status == 409 and refused["error"]["code"] == "no_chat"
    assert "/start" in refused["error"]["message"]
