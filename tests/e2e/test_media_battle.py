"""A battle round in a group shows the card's picture: the round is a photo with the question as
caption and the answer buttons, and its reveal edits that caption. Its front and back keep the
card's formatting."""

from __future__ import annotations

import hashlib
import html

import pytest

from bot.cards.formats.apkg_media import MediaFile
from bot.sandbox.server import SandboxServer
from bot.sandbox.validate import parse_html
from bot.storage.media import store_media
from tests.e2e.battle_helpers import current_round, message, start_battle, tap
from tests.e2e.conftest import RunningBot
from tests.media import png_bytes

pytestmark = pytest.mark.telegram_limits


async def test_a_round_shows_the_cards_picture(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Picture club", members=[alice, bob], supergroup=True)
    picture = png_bytes(3, 3)
    digest = hashlib.sha256(picture).hexdigest()
    db = bot.services.db
    async with db.transaction():
        await store_media(db, [MediaFile(digest, "photo", "image/png", picture)], 0)
    await db.execute("UPDATE cards SET front_media = ?", (digest,))  # every card shows it
    await start_battle(sandbox, alice, group, (bob,), "3 20")
    r1 = await current_round(sandbox, bot, group, 1)
    shown = message(group, r1.message_id)
    assert shown.photo == picture and shown.text.startswith("⚔️ Round 1/3")
    assert shown.labels[:2] == ["A", "B"]
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await tap(sandbox, bob, group, r1.wrong, r1.message_id)
    reveal = message(group, r1.message_id)
    assert reveal.photo == picture and reveal.edited and reveal.buttons == []
    assert "✅ Alice" in reveal.text


async def test_a_round_and_its_reveal_show_the_cards_formatting(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Bold club", members=[alice, bob], supergroup=True)
    db = bot.services.db
    for card_id, front, back in await db.fetchall("SELECT id, front, back FROM cards"):
        await db.execute(
            "UPDATE cards SET front_html = ?, back_html = ? WHERE id = ?",
            (
                f"<b>{html.escape(front, quote=False)}</b>",
                f"<b>{html.escape(back, quote=False)}</b>",
                card_id,
            ),
        )
    # Only rounds that ask a whole side (one with a blank keeps no formatting, or it would
    # show what the blank hides).
    await db.execute(
        """UPDATE questions SET distractors = '[]'
            WHERE prompt NOT IN (SELECT c.front FROM cards c WHERE c.id = questions.card_id
                                 UNION SELECT c.back FROM cards c WHERE c.id = questions.card_id)"""
    )
    await start_battle(sandbox, alice, group, (bob,), "3 20")
    r1 = await current_round(sandbox, bot, group, 1)
    row = await db.fetchone(
        """SELECT q.prompt, c.front, c.back FROM battle_rounds r
             JOIN questions q ON q.id = r.question_id JOIN cards c ON c.id = q.card_id
            WHERE r.message_id = ?""",
        (r1.message_id,),
    )
    assert row is not None
    prompt, front, back = row
    shown = message(group, r1.message_id)
    parse_html(shown.html)  # what Telegram itself would parse
    # The side asked (a front, or a back whose front is to be picked) shows in bold, as the
    # deck has it.
    assert prompt in (front, back)
    assert f"<b>{html.escape(prompt, quote=False)}</b>" in shown.html
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await tap(sandbox, bob, group, r1.wrong, r1.message_id)
    reveal = message(group, r1.message_id)
    parse_html(reveal.html)
    assert f"<i><b>{html.escape(back, quote=False)}</b></i>" in reveal.html
