"""The daily question in storage: one question per group and local day whatever the race, claims
that one process wins, answers kept once and only while open."""

from __future__ import annotations

from bot.cards.upload import read_upload
from bot.storage import daily as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from tests.media import media_package, png_bytes

T = 1_772_474_400  # Monday 2 March 2026, 18:00 UTC
GROUP = -100777


def new_day(day: str) -> store.NewDaily:
    """A drawn question for `day`."""
    return store.NewDaily(
        day, None, None, "Capital of France?", ["Paris", "Rome"], 0, "", "poll", T + 43_200, None
    )


async def test_a_local_day_gets_one_question_and_the_next_time_moves_on(db: Database) -> None:
    await store.set_daily(db, GROUP, "19:00", "Europe/Berlin", T, 720, None)
    assert await store.due_groups(db, T - 1) == []
    assert await store.due_groups(db, T) == [GROUP]
    first = await store.store_day(db, GROUP, T, T + 86_400, new_day("2026-03-02"), T)
    assert first is not None
    # A second process that read the same due time moves nothing and stores nothing.
    assert await store.store_day(db, GROUP, T, T + 86_400, new_day("2026-03-02"), T) is None
    settings = await store.daily_settings(db, GROUP)
    assert settings is not None and settings.next_at == T + 86_400
    # Even with the time moved by hand, the day keeps its one question (the unique key).
    await store.set_daily(db, GROUP, "19:00", "Europe/Berlin", T + 60, 720, None)
    assert await store.store_day(db, GROUP, T + 60, T + 86_400, new_day("2026-03-02"), T) is None
    assert await store.last_day(db, GROUP) == "2026-03-02"
    assert await store.due_groups(db, T + 120) == []


async def test_a_claim_is_won_once_and_answers_are_kept_once_while_open(db: Database) -> None:
    await store.set_daily(db, GROUP, "19:00", "UTC", T, 720, None)
    daily_id = await store.store_day(db, GROUP, T, T + 86_400, new_day("2026-03-02"), T)
    assert daily_id is not None
    assert await store.owed(db, T) == [(daily_id, "post")]
    row = await store.claim(db, daily_id, "post", T)
    assert row is not None and row.options == ["Paris", "Rome"]
    assert await store.claim(db, daily_id, "post", T + 1) is None  # held by the first
    await store.posted(db, daily_id, "poll", 42, "poll-1", T)
    assert await store.owed(db, T + 60) == []
    found = await store.by_poll(db, "poll-1")
    assert found is not None and found.id == daily_id
    assert await store.record_answer(db, daily_id, 1, "Ann", 0, True, T * 1000, None)
    assert not await store.record_answer(db, daily_id, 1, "Ann", 1, False, T * 1000 + 5, None)
    assert await store.owed(db, T + 43_200) == [(daily_id, "close")]
    closing = await store.claim(db, daily_id, "close", T + 43_200)
    assert closing is not None
    await store.closed(db, daily_id, T + 43_200)
    assert not await store.record_answer(db, daily_id, 2, "Ben", 0, True, T * 1000 + 9, None)
    assert await store.answers(db, daily_id) == [(1, "Ann", True, T * 1000)]
    assert await store.week_answers(db, GROUP, "2026-03-02", "2026-03-08") == [
        (daily_id, 1, "Ann", True, T * 1000)
    ]


async def test_a_dead_process_claim_is_taken_over_after_a_minute(db: Database) -> None:
    await store.set_daily(db, GROUP, "19:00", "UTC", T, 720, None)
    daily_id = await store.store_day(db, GROUP, T, T + 86_400, new_day("2026-03-02"), T)
    assert daily_id is not None
    assert await store.claim(db, daily_id, "post", T) is not None
    assert await store.claim(db, daily_id, "post", T + store.CLAIM_SECONDS - 1) is None
    assert await store.claim(db, daily_id, "post", T + store.CLAIM_SECONDS) is not None


async def test_a_picture_alone_is_asked_only_while_its_file_is_stored(db: Database) -> None:
    animals = ["cat", "dog", "bird", "fish", "cow"]
    upload = read_upload(
        media_package(
            [(f'<img src="{name}.png">', name) for name in animals],
            {f"{name}.png": png_bytes(i + 2, i + 2) for i, name in enumerate(animals)},
        ),
        "animals.apkg",
    )
    deck_id = await sync_deck(db, upload.deck, "animals", None, T, upload.media)
    asked = await store.askable(db, deck_id)
    assert len(asked) == 5 and all(q.prompt == "" for q in asked)
    shown = await store.front_media(db, asked[0].question_id)
    assert shown is not None and shown.more == ()
    assert shown.digest in {m.digest for m in upload.media}
    # A file no longer stored leaves its card nothing to ask.
    await db.execute("UPDATE cards SET front_media = 'gone' WHERE front_media = ?", (shown.digest,))
    assert len(await store.askable(db, deck_id)) == 4
