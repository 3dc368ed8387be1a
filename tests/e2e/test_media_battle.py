"""A battle round in a group shows the card's picture: the round is a photo with the question as
caption and the answer buttons, and its reveal edits that caption."""

from __future__ import annotations

import hashlib

import pytest

from bot.cards.formats.apkg_media import MediaFile
from bot.sandbox.server import SandboxServer
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
