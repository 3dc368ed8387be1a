"""Reminder storage: the indexed due query, claims that win once, blocking and coming back."""

from __future__ import annotations

from bot.storage import reminders as store
from bot.storage.db import Database
from bot.storage.reminders import Claim
from bot.storage.users import upsert_user
from tests.storage.plans import full_scans_or_sorts, indexes_used, postgres_plan, sqlite_plan

T = 1_772_442_000  # 2026-03-02 09:00 UTC
DAY = 86_400


async def users_with_reminders(db: Database, *at: int) -> list[int]:
    ids = []
    for n, next_at in enumerate(at, start=1):
        await upsert_user(db, n, f"User {n}", T)
        await store.set_reminder(db, n, "09:00", next_at)
        ids.append(n)
    return ids


async def test_the_due_query_is_a_range_scan_of_the_partial_index(db: Database) -> None:
    # Users without a reminder are not in the index at all; the due count is a range of another.
    if db.dialect == "sqlite":
        details = await sqlite_plan(db, store.DUE_SQL, (1, T, T, 500))
        assert details[0].startswith("SEARCH u USING INDEX users_next_remind (next_remind_at"), (
            details
        )
        assert details[-1].startswith("SEARCH r USING COVERING INDEX review_states_due"), details
        assert not any(d.startswith("SCAN") or "TEMP B-TREE" in d for d in details), details
    else:
        nodes = await postgres_plan(db, store.DUE_SQL, (1, T, T, 500))
        assert {"users_next_remind", "review_states_due"} <= indexes_used(nodes), nodes
        assert full_scans_or_sorts(nodes) == [], nodes


async def test_due_reminders_come_oldest_first_and_only_when_due(db: Database) -> None:
    await users_with_reminders(db, T, T - 60, T + 1)
    await upsert_user(db, 9, "No reminder", T)
    due = await store.due_reminders(db, T, default_deck_id=1, limit=10)
    assert [d.user_id for d in due] == [2, 1]
    assert [d.next_remind_at for d in due] == [T - 60, T]
    assert [d.user_id for d in await store.due_reminders(db, T, 1, limit=1)] == [2]


async def test_a_claim_wins_once_and_moves_the_reminder_to_the_next_day(db: Database) -> None:
    await users_with_reminders(db, T)
    claim = Claim(1, T, T + DAY, "2026-03-02")
    assert await store.claim(db, [claim]) == {1}
    # The same claim again (a second sweep, or one after a restart) finds the row moved.
    assert await store.claim(db, [claim]) == set()
    assert await store.due_reminders(db, T, 1, 10) == []
    row = await db.fetchone("SELECT next_remind_at, last_remind_day FROM users WHERE id = 1")
    assert row is not None and tuple(row) == (T + DAY, "2026-03-02")


async def test_a_skipped_claim_keeps_the_last_sent_day(db: Database) -> None:
    await users_with_reminders(db, T)
    assert await store.claim(db, [Claim(1, T, T + DAY, "2026-03-02")]) == {1}
    assert await store.claim(db, [Claim(1, T + DAY, T + 2 * DAY, None)]) == {1}
    row = await db.fetchone("SELECT next_remind_at, last_remind_day FROM users WHERE id = 1")
    assert row is not None and tuple(row) == (T + 2 * DAY, "2026-03-02")


async def test_claims_lose_for_reminders_changed_since_they_were_read(db: Database) -> None:
    await users_with_reminders(db, T, T, T)
    await store.set_reminder(db, 2, "20:00", T + 3600)  # the user changed it meanwhile
    claims = [Claim(n, T, T + DAY, "2026-03-02") for n in (1, 2, 3)]
    assert await store.claim(db, claims) == {1, 3}
    row = await db.fetchone("SELECT next_remind_at, remind_time FROM users WHERE id = 2")
    assert row is not None and tuple(row) == (T + 3600, "20:00")


async def test_many_claims_span_several_statements(db: Database) -> None:
    count = store.CLAIMS_PER_STATEMENT + 7
    for n in range(1, count + 1):
        await upsert_user(db, n, "U", T)
    await db.execute("UPDATE users SET remind_time = '09:00', next_remind_at = ?", (T,))
    claims = [Claim(n, T, T + DAY, None) for n in range(1, count + 1)]
    assert len(await store.claim(db, claims)) == count
    assert await store.due_reminders(db, T, 1, count) == []


async def test_blocked_users_lose_their_reminder_until_they_set_it_again(db: Database) -> None:
    await users_with_reminders(db, T, T)
    await store.deactivate(db, [1])
    off = await store.get_setting(db, 1)
    assert off is not None
    assert (off.remind_time, off.next_remind_at, off.active) == (None, None, False)
    assert [d.user_id for d in await store.due_reminders(db, T, 1, 10)] == [2]
    await upsert_user(db, 1, "User 1", T + 10)  # they write again
    back = await store.get_setting(db, 1)
    assert back is not None and back.active is True and back.remind_time is None


async def test_the_offer_is_made_until_recorded_and_never_when_a_reminder_is_set(
    db: Database,
) -> None:
    await upsert_user(db, 1, "A", T)
    await upsert_user(db, 2, "B", T)
    await db.execute("UPDATE users SET timezone = 'Europe/Paris' WHERE id = 1")
    assert await store.offer_zone(db, 1) == "Europe/Paris"
    await store.mark_offered(db, 1)
    assert await store.offer_zone(db, 1) is None
    await db.execute("UPDATE users SET remind_time = '08:00' WHERE id = 2")
    assert await store.offer_zone(db, 2) is None
