"""An Anki package with pictures and sounds, imported and played through the sandbox: each
question arrives as a photo or audio with the question as its caption and its buttons, the reveal
edits that caption, and a file is uploaded once per bot (then sent by its file_id)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.outbox import media
from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.test_import import upload
from tests.media import ELF, media_package, mp3_bytes, opus_bytes, png_bytes


def edited(message: SandboxMessage, text: str) -> Callable[[SandboxMessage], bool]:
    """A matcher for `message` once it shows `text`."""
    return lambda m: m.message_id == message.message_id and text in m.text


def asked(number: int, total: int) -> Callable[[SandboxMessage], bool]:
    """A matcher for a question's first showing."""
    return lambda m: f"Question {number}/{total}" in m.text and not m.edited


async def _saved(alice: SandboxUser, bot: RunningBot, data: bytes, name: str) -> SandboxMessage:
    preview = await upload(alice, name, data)
    await alice.tap("Save", message=preview)
    await alice.wait_for(edited(preview, "✅"))
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'selfgraded', new_per_day = 20 WHERE id = ?",
        (alice.id,),
    )
    return preview


async def _play(alice: SandboxUser, total: int) -> list[SandboxMessage]:
    """Answer every question of a quiz with Good; the questions as first shown."""
    await alice.send("/quiz")
    questions = []
    for number in range(1, total + 1):
        question = await alice.wait_for(asked(number, total))
        questions.append(question)
        await alice.tap("Show answer", message=question)
        revealed = await alice.wait_for(edited(question, "How well"))
        await alice.tap("Good", message=revealed)
        await alice.wait_for(edited(question, "Graded"))
    return questions


async def test_pictures_and_sounds_arrive_with_their_questions(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    data = media_package(
        [
            ('<img src="cat.png"> Which animal?', "cat"),
            ("Which word? [sound:dog.mp3]", "dog"),
            ('<img src="evil.png"> Liar', "evil"),
        ],
        {"cat.png": png_bytes(), "dog.mp3": mp3_bytes(), "evil.png": ELF},
    )
    preview = await _saved(alice, bot, data, "animals.apkg")
    assert "2 cards show a picture or sound" in preview.text
    assert "not a PNG, JPEG, GIF or WebP picture" in preview.text
    first = await _play(alice, 3)
    photo = next(q for q in first if q.photo is not None)
    sound = next(q for q in first if q.audio is not None)
    plain = next(q for q in first if q.photo is None and q.audio is None)
    assert photo.photo == png_bytes() and "Which animal?" in photo.text
    assert photo.labels == sound.labels == ["👀 Show answer"]
    assert sound.audio == mp3_bytes() and "Which word?" in sound.text
    assert "Liar" in plain.text
    # The reveal and the grade edited the caption of the photo's own message.
    graded = next(m for m in alice.messages if m.message_id == photo.message_id)
    assert "Graded" in graded.text and graded.photo == png_bytes()
    stored = await bot.services.db.fetchall("SELECT COUNT(*) FROM media_file_ids")
    assert stored[0][0] == 2

    await bot.services.db.execute("UPDATE review_states SET due = 0 WHERE user_id = ?", (alice.id,))
    again = await _play(alice, 3)
    photo_again = next(q for q in again if q.photo is not None)
    sound_again = next(q for q in again if q.audio is not None)
    # Sent by the file_id Telegram gave the first upload: the same file, not a new one.
    assert photo_again.file_id == photo.file_id and sound_again.file_id == sound.file_id


async def test_a_question_too_long_for_a_caption_follows_its_picture(
    sandbox: SandboxServer, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A front is cut to 900 characters in a question, so most fit a caption: a smaller limit
    # here makes this one too long for it.
    monkeypatch.setattr(media, "MAX_CAPTION", 200)
    alice = sandbox.user("Alice")
    long_front = "Which animal is this? " + "It has whiskers and purrs. " * 10
    data = media_package([(f'<img src="cat.png"> {long_front}', "cat")], {"cat.png": png_bytes()})
    await _saved(alice, bot, data, "long.apkg")
    (question,) = await _play(alice, 1)
    assert question.photo is None and "whiskers" in question.text
    picture = next(m for m in alice.messages if m.photo is not None)
    assert picture.message_id == question.message_id - 1 and picture.text == ""
    assert picture.labels == [] and question.labels == ["👀 Show answer"]


async def test_hostile_media_is_refused_with_a_reason_and_nothing_half_stored(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    many = {f"{i}.png": png_bytes() for i in range(1000)}
    notes = [(f'<img src="{name}"> card {name}', "back") for name in many]
    preview = await _saved(alice, bot, media_package(notes, many), "tiny.apkg")
    assert "more than 500 (the limit)" in preview.text
    assert "imported as text" in preview.text
    stored = await bot.services.db.fetchall("SELECT COUNT(*) FROM media")
    assert stored[0][0] == 0
    rows = await bot.services.db.fetchall(
        "SELECT COUNT(*) FROM cards WHERE front_media IS NOT NULL"
    )
    assert rows[0][0] == 0


async def test_a_picture_telegram_refuses_costs_only_the_picture(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    broken_jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # JPEG by its first bytes, no image inside
    data = media_package([('<img src="x.jpg"> Broken', "picture")], {"x.jpg": broken_jpeg})
    await _saved(alice, bot, data, "broken.apkg")
    (question,) = await _play(alice, 1)
    assert question.photo is None and "Broken" in question.text
    assert question.labels == ["👀 Show answer"]


async def test_a_picture_or_sound_alone_is_the_question_with_other_backs_as_options(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    # The most common language-deck card: nothing on the front but the picture or the sound.
    alice = sandbox.user("Alice")
    animals = ["cat", "dog", "bird", "fish"]
    pictures = {f"{name}.png": png_bytes(i + 2, i + 2) for i, name in enumerate(animals)}
    notes = [(f'<img src="{name}.png">', name) for name in animals]
    notes.append(("[sound:cow.mp3]", "cow"))
    data = media_package(notes, {**pictures, "cow.mp3": mp3_bytes()})
    preview = await _saved(alice, bot, data, "animals.apkg")
    assert "5 of them have no text on the front" in preview.text
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'choice' WHERE id = ?", (alice.id,)
    )
    answer_of = {picture: name[: -len(".png")] for name, picture in pictures.items()}
    await alice.send("/quiz")
    seen: set[str] = set()
    for number in range(1, 6):
        question = await alice.wait_for(asked(number, 5))
        assert "What is this?" in question.text
        assert "picture " not in question.text and "sound " not in question.text
        if question.photo is not None:
            right = answer_of[question.photo]
        else:
            assert question.audio == mp3_bytes()
            right = "cow"
        # Four answer buttons, each another card's back: never a label.
        assert right in question.labels and len(question.labels) == 4
        assert set(question.labels) <= {*animals, "cow"}
        await alice.tap(right, message=question)
        await alice.wait_for(edited(question, "Right!"))
        seen.add(right)
    assert seen == {*animals, "cow"}


async def test_the_backs_picture_and_voice_arrive_once_after_the_answer(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    answer = png_bytes(5, 5)
    data = media_package(
        [("Say cat", 'cat <img src="cat.png"> [sound:cat.ogg]')],
        {"cat.png": answer, "cat.ogg": opus_bytes()},
    )
    await _saved(alice, bot, data, "say.apkg")
    await alice.send("/quiz")
    question = await alice.wait_for(asked(1, 1))
    assert question.photo is None and question.voice is None and "Say cat" in question.text
    assert not any(m.photo or m.voice for m in alice.messages)  # nothing of the back before
    await alice.tap("Show answer", message=question)
    revealed = await alice.wait_for(edited(question, "How well"))
    voice = await alice.wait_for(lambda m: m.voice is not None, since=question)
    picture = await alice.wait_for(lambda m: m.photo is not None, since=question)
    # The verdict first, then the back's picture, then its sound as a voice message to play.
    assert question.message_id < picture.message_id < voice.message_id
    assert picture.photo == answer and voice.voice == opus_bytes()
    assert picture.labels == voice.labels == [] and picture.text == voice.text == ""
    await alice.tap("Good", message=revealed)
    await alice.wait_for(edited(question, "Graded"))
    await alice.wait_for(lambda m: "Session complete" in m.text or "done" in m.text.lower())
    # Shown once: the grade that followed sent neither again.
    assert [m.message_id for m in alice.messages if m.photo or m.voice] == [
        picture.message_id,
        voice.message_id,
    ]


async def test_a_front_with_three_pictures_sends_an_album_then_the_question(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    pictures = [png_bytes(2, 2), png_bytes(3, 3), png_bytes(4, 4)]
    data = media_package(
        [('<img src="a.png"><img src="b.png"><img src="c.png"> Which three?', "dots")],
        {"a.png": pictures[0], "b.png": pictures[1], "c.png": pictures[2]},
    )
    await _saved(alice, bot, data, "dots.apkg")
    (question,) = await _play(alice, 1)
    album = [m for m in alice.messages if m.media_group_id is not None]
    # The first picture carries the question and its buttons; the other two arrive just before
    # it as one album (an album takes no buttons).
    assert question.photo == pictures[0] and "Which three?" in question.text
    assert question.labels == ["👀 Show answer"] and question.media_group_id is None
    assert [m.photo for m in album] == pictures[1:]
    assert [m.message_id for m in album] == [question.message_id - 2, question.message_id - 1]
    assert len({m.media_group_id for m in album}) == 1 and all(m.text == "" for m in album)
    stored = await bot.services.db.fetchall("SELECT COUNT(*) FROM media_file_ids")
    assert stored[0][0] == 3  # every picture uploaded once, then sent by its file_id

    await bot.services.db.execute("UPDATE review_states SET due = 0 WHERE user_id = ?", (alice.id,))
    (again,) = await _play(alice, 1)
    album_again = [m for m in alice.messages if m.media_group_id is not None][2:]
    assert [m.file_id for m in album_again] == [m.file_id for m in album]
    assert again.file_id == question.file_id


async def test_files_whose_send_lost_its_answer_are_not_shown_twice(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    pictures = [png_bytes(2, 2), png_bytes(3, 3), png_bytes(4, 4)]
    data = media_package(
        [
            ('<img src="a.png"><img src="b.png"><img src="c.png"> Which three?', "dots"),
            ("Say cat", "cat [sound:cat.ogg]"),
        ],
        {"a.png": pictures[0], "b.png": pictures[1], "c.png": pictures[2], "cat.ogg": opus_bytes()},
    )
    await _saved(alice, bot, data, "lost.apkg")
    await bot.services.db.execute("UPDATE users SET new_per_day = 1 WHERE id = ?", (alice.id,))
    # Telegram shows the album and the question, but the question's answer never comes back:
    # the question is sent again once the Bot API answers, without its album a second time.
    sandbox.faults.drop_after_apply("sendPhoto")
    await alice.send("/quiz")
    await alice.wait_for(asked(1, 1))
    await sandbox.settle()
    await asyncio.sleep(1.1)  # the outbox's first backoff, on the wall clock
    await bot.services.delivery().sweep()
    await sandbox.settle()
    questions = [m for m in alice.messages if "Which three?" in m.text]
    album = [m for m in alice.messages if m.media_group_id is not None]
    assert len(questions) == 2 and all(q.labels == ["👀 Show answer"] for q in questions)
    assert [m.photo for m in album] == pictures[1:]  # once


async def test_a_backs_pictures_come_as_one_album_and_a_lost_voice_is_not_sent_again(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    maps = [png_bytes(6, 6), png_bytes(7, 7)]
    data = media_package(
        [
            ("Where is Lima?", 'Peru <img src="a.png"><img src="b.png">'),
            ("Say dog", "dog [sound:dog.ogg]"),
        ],
        {"a.png": maps[0], "b.png": maps[1], "dog.ogg": opus_bytes(300)},
    )
    await _saved(alice, bot, data, "backs.apkg")
    # The voice message reaches the chat but its answer is lost: it is not sent a second time.
    sandbox.faults.drop_after_apply("sendVoice")
    await alice.send("/quiz")
    for number in (1, 2):
        question = await alice.wait_for(asked(number, 2))
        await alice.tap("Show answer", message=question)
        revealed = await alice.wait_for(edited(question, "How well"))
        await sandbox.settle()
        await alice.tap("Good", message=revealed)
        await alice.wait_for(edited(question, "Graded"))
    await asyncio.sleep(1.1)  # the outbox's first backoff, on the wall clock
    await bot.services.delivery().sweep()
    await sandbox.settle()
    album = [m for m in alice.messages if m.media_group_id is not None]
    assert [m.photo for m in album] == maps and len({m.media_group_id for m in album}) == 1
    assert [m.voice for m in alice.messages if m.voice is not None] == [opus_bytes(300)]
    assert sum(1 for m in alice.messages if m.photo is not None) == 2  # the album's, once
