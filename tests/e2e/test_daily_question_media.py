"""The daily group question shows the card's picture: a group playing an Anki deck of pictures
and formulas sees the day's picture (or typeset formula) right before the quiz poll, a picture
alone asks "What is this?", a question asked with buttons is the picture's caption, and a crash
between the picture and the poll never makes a second poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.outbox.media import bot_id as media_bot_id
from bot.sandbox.driver import SandboxChat
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import StoredMessage
from bot.services.daily import DailyService
from bot.storage.daily import DailyRow
from tests.e2e.battle_helpers import tap
from tests.e2e.conftest import RunningBot
from tests.e2e.test_daily_question import polls, sweep
from tests.e2e.test_group_deck import group_deck_message
from tests.e2e.test_media_cards import _saved
from tests.media import media_package, mp3_bytes, png_bytes

pytestmark = pytest.mark.telegram_limits

POST = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # no time zone known: 19:00 is UTC
PNG = b"\x89PNG\r\n\x1a\n"
CAT, DOG, BIRD, FISH = (png_bytes(n, n) for n in (3, 4, 5, 6))


def sent_by(group: SandboxChat, bot_id: int) -> list[StoredMessage]:
    """The bot's messages in the group, oldest first."""
    mine = (m for m in group.record.messages.values() if m.sender_id == bot_id)
    return sorted(mine, key=lambda m: m.message_id)


def photos(group: SandboxChat, bot_id: int) -> list[StoredMessage]:
    """The bot's photos in the group, oldest first."""
    return [m for m in sent_by(group, bot_id) if m.photo is not None]


async def test_the_days_picture_comes_right_before_its_poll_and_a_crash_between_posts_one_poll(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Picture club", members=[bob], admins=[alice])
    data = media_package(
        [
            ('<img src="cat.png"> Pet that purrs', "cat"),
            ('<img src="dog.png">', "dog"),  # the picture alone is the question
            (r"Square of [$]\alpha^2[/$]", "alpha"),
            (r"Half of [$]\beta^2[/$]", "beta"),
            ('<img src="bird.png"> Small brown bird', "sparrow"),
            ('<img src="fish.png"> Freshwater fish', "trout"),
        ],
        {"cat.png": CAT, "dog.png": DOG, "bird.png": BIRD, "fish.png": FISH},
        deck_name="Pictures",
    )
    await _saved(alice, bot, data, "pictures.apkg")
    _, _, shown = await group_deck_message(sandbox, alice, group)
    assert await tap(sandbox, alice, group, "Pictures", shown) == "The group now plays Pictures"
    clock.set(POST - timedelta(hours=1))
    sent = await alice.send("/dailyq 19:00", chat=group)
    await group.wait_for(lambda m: "Daily question: every day" in m.text, since=sent)
    bot_id = media_bot_id(bot.app.bot)

    # The first day the process dies between the picture and the poll: its claim is never given
    # back and the poll never arrives.
    async def dies(self: DailyService, row: DailyRow) -> None:
        return None

    monkeypatch.setattr(DailyService, "release", dies)
    sandbox.faults.drop("sendPoll", times=10)
    clock.set(POST)
    await sweep(sandbox, bot)
    assert polls(group) == [] and len(photos(group, bot_id)) == 1
    sandbox.faults.clear()
    monkeypatch.undo()
    await bot.restart()
    await sweep(sandbox, bot)  # the dead process's claim is still fresh: nothing yet
    assert polls(group) == []
    clock.advance(timedelta(minutes=2))
    await sweep(sandbox, bot)
    await sweep(sandbox, bot)
    # The picture again (documented), then the day's one poll right after it.
    assert len(polls(group)) == 1 and len(photos(group, bot_id)) == 2

    seen: list[bytes] = []
    for day in range(4):
        if day:
            clock.set(POST + timedelta(days=day))
            await sweep(sandbox, bot)
        assert len(polls(group)) == day + 1
        poll = polls(group)[-1]
        assert poll.poll is not None
        mine = sent_by(group, bot_id)
        picture = mine[mine.index(poll) - 1]
        assert picture.photo is not None, "the poll comes right after the card's picture"
        assert picture.caption is not None and "Question of the day" in picture.caption.text
        seen.append(picture.photo.data)
        if picture.photo.data == DOG:
            assert poll.poll["question"] == "What is this?"
        elif picture.photo.data == CAT:
            assert "Pet that purrs" in poll.poll["question"]
        else:
            assert picture.photo.data.startswith(PNG)  # the typeset formula
            assert "[$]" not in poll.poll["question"]
        clock.set(POST + timedelta(days=day, hours=12))
        await sweep(sandbox, bot)
        assert poll.poll["is_closed"] is True
    # A picture with words, a picture alone ("What is this?") and a typeset formula, each once.
    assert len(set(seen)) == 4 and DOG in seen
    assert any(shown not in (CAT, DOG, BIRD, FISH) for shown in seen)

    # A question asked with buttons is the picture's caption, with the buttons under it.
    clock.set(POST + timedelta(days=4))
    daily_id = await bot.services.daily.prepare(group.id)
    assert daily_id is not None
    await bot.services.db.execute(
        "UPDATE daily_questions SET kind = 'buttons' WHERE id = ?", (daily_id,)
    )
    await sweep(sandbox, bot)
    assert len(polls(group)) == 4
    asked = group.messages[-1]
    assert asked.photo is not None and asked.text.startswith("❓ Question of the day")
    assert len(asked.labels) >= 2
    assert await tap(sandbox, bob, group, asked.labels[0], asked.message_id) == "Locked in"


async def test_a_sound_alone_comes_before_a_poll_asking_what_it_is(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    group = sandbox.group("Sound club", admins=[alice])
    animals = ["cat", "dog", "bird", "fish", "cow"]
    sounds = {f"{name}.mp3": mp3_bytes(i + 1) for i, name in enumerate(animals)}
    data = media_package([(f"[sound:{name}.mp3]", name) for name in animals], sounds, "Sounds")
    await _saved(alice, bot, data, "sounds.apkg")
    _, _, shown = await group_deck_message(sandbox, alice, group)
    assert await tap(sandbox, alice, group, "Sounds", shown) == "The group now plays Sounds"
    clock.set(POST - timedelta(hours=1))
    sent = await alice.send("/dailyq 19:00", chat=group)
    await group.wait_for(lambda m: "Daily question: every day" in m.text, since=sent)
    clock.set(POST)
    await sweep(sandbox, bot)
    (poll,) = polls(group)
    assert poll.poll is not None and poll.poll["question"] == "What is this?"
    mine = sent_by(group, media_bot_id(bot.app.bot))
    sound = mine[mine.index(poll) - 1]
    assert sound.audio is not None and sound.audio.data in sounds.values()
    right = poll.poll["options"][poll.poll["correct_option_ids"][0]]["text"]
    assert sounds[f"{right}.mp3"] == sound.audio.data  # the poll's answer is what it plays
