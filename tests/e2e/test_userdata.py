"""/export and /forget end to end: the CSVs read back to the stored data, and forgetting leaves
no row about the user anywhere."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from tests.e2e.battle_helpers import current_round, podium, start_battle, tap, tick
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer, shown_question


def read_csv(message: SandboxMessage) -> list[dict[str, str]]:
    assert message.document is not None
    return list(csv.DictReader(io.StringIO(message.document.data.decode("utf-8-sig"))))


def ts(text: str) -> int | None:
    if not text:
        return None
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def num(text: str) -> float | None:
    return float(text) if text else None


async def study(user: SandboxUser, bot: RunningBot, answers: tuple[bool, ...]) -> None:
    sent = await user.send("/quiz")
    await user.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent)
    for right in answers:
        await answer(user, bot.services, right=right)
    await user.wait_for(lambda m: m.text.startswith(f"Question {len(answers) + 1}/"))


async def test_export_sends_two_csvs_that_read_back_to_the_stored_data(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await study(alice, bot, (True, False, True, True))
    sent = await alice.send("/export")
    progress_doc = await alice.wait_for(lambda m: m.document is not None, since=sent)
    reviews_doc = await alice.wait_for(
        lambda m: m.document is not None and m.message_id > progress_doc.message_id
    )
    assert progress_doc.document is not None and reviews_doc.document is not None
    assert progress_doc.document.filename == "quizmaster-progress-2026-03-02.csv"
    assert reviews_doc.document.filename == "quizmaster-reviews-2026-03-02.csv"
    db = bot.services.db

    progress = read_csv(progress_doc)
    stored = await db.fetchall(
        """SELECT r.question_id, q.prompt, r.state, r.due, r.stability, r.difficulty, r.reps,
                  r.lapses, r.last_review
             FROM review_states r JOIN questions q ON q.id = r.question_id
            WHERE r.user_id = ? ORDER BY r.question_id""",
        (alice.id,),
    )
    assert len(progress) == len(stored) == 4
    names = {1: "learning", 2: "review", 3: "relearning"}
    read_back = sorted(
        (
            int(p["question_id"]),
            p["question"],
            p["state"],
            ts(p["due"]),
            num(p["stability"]),
            num(p["difficulty"]),
            int(p["reviews"]),
            int(p["lapses"]),
            ts(p["last_review"]),
        )
        for p in progress
    )
    assert read_back == [(r[0], r[1], names[r[2]], *r[3:]) for r in stored]
    assert len({p["deck"] for p in progress}) == 1

    reviews = read_csv(reviews_doc)
    logged = await db.fetchall(
        "SELECT id, reviewed_at, question_id, rating, correct, outcome, due, stability "
        "FROM reviews WHERE user_id = ? ORDER BY reviewed_at, id",
        (alice.id,),
    )
    assert [
        (
            int(r["review_id"]),
            ts(r["reviewed_at"]),
            int(r["question_id"]),
            int(r["rating"]),
            {"yes": 1, "no": 0, "": None}[r["correct"]],
            r["outcome"],
            ts(r["due_after"]),
            num(r["stability_after"]),
        )
        for r in reviews
    ] == [tuple(row) for row in logged]
    assert [r["rating"] for r in reviews].count("1") == 1


async def test_export_with_nothing_to_export(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/export")
    reply = await alice.wait_for(lambda m: "Nothing to export" in m.text)
    assert reply.document is None


async def rows_mentioning(db: Database, user_id: int, name: str) -> list[tuple[str, str]]:
    """(table, column) of every value in the database that is the user's id or their name."""
    if db.dialect == "sqlite":
        columns = await db.fetchall(
            """SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"""
        )
        # SQLite compares a column with the id as a number and as text, whatever its type.
        match = '"{column}" = ? OR "{column}" = ? OR CAST("{column}" AS TEXT) LIKE ?'
        params: tuple[object, ...] = (user_id, str(user_id), f"%{name}%")
    else:
        columns = await db.fetchall(
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"""
        )
        # PostgreSQL columns are typed: every one is compared as text.
        match = 'CAST("{column}" AS TEXT) = ? OR CAST("{column}" AS TEXT) LIKE ?'
        params = (str(user_id), f"%{name}%")
    found = []
    for table, column in columns:
        hits = await db.fetchone(
            f'SELECT COUNT(*) FROM "{table}" WHERE ' + match.format(column=column), params
        )
        if hits and hits[0]:
            found.append((str(table), str(column)))
    return found


async def test_forget_deletes_every_row_about_the_user_and_starts_afresh(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob = sandbox.user("Zenobia"), sandbox.user("Bob")
    db = bot.services.db
    await study(alice, bot, (True, False))
    await study(bob, bot, (True,))
    await alice.send("/settings")
    menu = await alice.wait_for(lambda m: "⚙️ Settings" in m.text)
    await alice.tap("Questions per session", message=menu)
    await alice.wait_for(lambda m: m.message_id == menu.message_id and "5" in m.labels)
    await alice.tap("5", message=menu)
    await alice.wait_for(lambda m: "Saved" in m.text)
    await sync_deck(
        db,
        Deck("Mine", (Card("a", "b"), Card("c", "d"))),
        "mine",
        alice.id,
        int(clock.now().timestamp()),
    )
    # a table of a feature still to come, naming the user only by a column's name
    await db.execute("CREATE TABLE later_feature (id BIGINT PRIMARY KEY, player_user_id BIGINT)")
    await db.execute(
        "INSERT INTO later_feature (id, player_user_id) VALUES (1, ?), (2, ?)", (alice.id, bob.id)
    )
    assert await rows_mentioning(db, alice.id, "Zenobia")
    bob_before = await rows_mentioning(db, bob.id, "Bob")

    await alice.send("/forget")
    ask = await alice.wait_for(lambda m: "Delete everything" in m.text)
    toast = await alice.tap("Yes, delete everything", message=ask)
    assert toast == "Deleted"
    done = await alice.wait_for(lambda m: m.message_id == ask.message_id and "Done" in m.text)
    assert not done.buttons

    assert await rows_mentioning(db, alice.id, "Zenobia") == []
    assert await rows_mentioning(db, bob.id, "Bob") == bob_before
    # an old quiz button of the forgotten session is refused politely
    question = next(m for m in alice.messages if m.text.startswith("Question 3/") and m.buttons)
    assert await alice.tap(question.labels[0], message=question) == "This question is closed"

    # afterwards the bot treats her as new: default settings, every question new
    sent = await alice.send("/quiz")
    first = await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent)
    assert first.text.startswith("Question 1/9")
    row = await db.fetchone(
        "SELECT session_size, streak_current FROM users WHERE id = ?", (alice.id,)
    )
    assert row is not None and tuple(row) == (10, 0)
    reviews = await db.fetchone("SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,))
    assert reviews is not None and reviews[0] == 0


async def test_forget_cancelled_keeps_everything(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    await study(alice, bot, (True,))
    await alice.send("/forget")
    ask = await alice.wait_for(lambda m: "Delete everything" in m.text)
    await alice.tap("No, keep my data", message=ask)
    await alice.wait_for(
        lambda m: m.message_id == ask.message_id and "Nothing was deleted" in m.text
    )
    row = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert row is not None and row[0] == 1


FORMULAS = (
    '=HYPERLINK("http://example.com/x","Click me")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
)


async def test_export_neutralises_cells_a_spreadsheet_would_run(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    now = int(clock.now().timestamp())
    cards = tuple(Card(f"{text} front", f"{text} back") for text in FORMULAS)
    await sync_deck(bot.services.db, Deck(FORMULAS[0], cards), "formulas", alice.id, now)
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "HYPERLINK" in m.text)
    await alice.tap("HYPERLINK", message=listing)
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "✅ =HYPER" in m.text)
    sent = await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent)
    for _ in range(3):
        on_screen = await shown_question(bot.services, alice.id)
        if on_screen.typed:
            await alice.send(FORMULAS[1])  # the answer given is the user's text too
        else:
            await answer(alice, bot.services, right=False)
        await alice.wait_for(lambda m: "Question" in m.text, since=on_screen.message_id)
    sent = await alice.send("/export")
    progress = await alice.wait_for(lambda m: m.document is not None, since=sent)
    reviews = await alice.wait_for(
        lambda m: m.document is not None and m.message_id > progress.message_id
    )
    rows = read_csv(progress) + read_csv(reviews)
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {row["deck"] for row in rows} == {"'" + FORMULAS[0]}
    quoted = {c for c in cells if c.startswith("'")}
    assert any(c.startswith("'=HYPERLINK") for c in quoted) and len(quoted) > 1


async def play_round(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    group: SandboxChat,
    number: int,
    right: tuple[SandboxUser, ...],
    wrong: tuple[SandboxUser, ...] = (),
) -> None:
    """Round `number`: these players right at 2 s, those wrong; then the round closes."""
    played = await current_round(sandbox, bot, group, number)
    clock.advance(timedelta(seconds=2))
    for player in right:
        await tap(sandbox, player, group, played.right, played.message_id)
    for player in wrong:
        await tap(sandbox, player, group, played.wrong, played.message_id)
    await tick(sandbox, bot, clock, 20)


async def test_forget_takes_the_person_out_of_battles_even_one_running_at_that_moment(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob, zenobia = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Zenobia")
    group = sandbox.group("Revision club", members=[alice, bob, zenobia], supergroup=True)
    db = bot.services.db
    await zenobia.send("/start")
    await zenobia.wait_for(lambda m: "Quizmaster" in m.text)
    # A finished battle Zenobia won, then one she is playing when she asks to be forgotten.
    await start_battle(sandbox, alice, group, (bob, zenobia))
    for number in (1, 2, 3):
        await play_round(sandbox, bot, clock, group, number, (zenobia,), (alice, bob))
    await group.wait_for(lambda m: "Battle over" in m.text)
    await tick(sandbox, bot, clock, 5)
    await start_battle(sandbox, alice, group, (bob, zenobia))
    await play_round(sandbox, bot, clock, group, 1, (zenobia, bob), (alice,))
    r2 = await current_round(sandbox, bot, group, 2)
    clock.advance(timedelta(seconds=1))
    await tap(sandbox, zenobia, group, r2.right, r2.message_id)
    running = await db.fetchone("SELECT state FROM battles WHERE finished = 0")
    assert running is not None and "Zenobia" in running[0]

    await zenobia.send("/forget")
    ask = await zenobia.wait_for(lambda m: "Delete everything" in m.text)
    assert await zenobia.tap("Yes, delete everything", message=ask) == "Deleted"
    await zenobia.wait_for(lambda m: m.message_id == ask.message_id and "Done" in m.text)
    assert await rows_mentioning(db, zenobia.id, "Zenobia") == []

    # The running battle goes on with her points under no name, and never writes her back.
    clock.advance(timedelta(seconds=1))
    await tap(sandbox, bob, group, r2.right, r2.message_id)
    await tap(sandbox, alice, group, r2.wrong, r2.message_id)
    await tick(sandbox, bot, clock, 20)
    await play_round(sandbox, bot, clock, group, 3, (alice, bob))
    final = await group.wait_for(lambda m: "Battle over" in m.text and m.text.count("pts") == 3)
    assert podium(final.text) == [
        "🥇 Bob — 3150 pts · 3/3 right",
        "🥈 a former player — 2025 pts · 2/3 right",
        "🥉 Alice — 950 pts · 1/3 right",
    ]
    assert await rows_mentioning(db, zenobia.id, "Zenobia") == []
    sent = await bob.send("/stats", chat=group)
    board = await group.wait_for(lambda m: "Last battles" in m.text, since=sent)
    assert "Zenobia" not in board.text
    lines = board.text.splitlines()
    # Her two battles' points, 3150 and 2025, still add up in the group's table.
    assert lines[2] == "1. a former player — 5175 pts · 1 win in 2 battles · 100% right"
    assert lines[-2:] == [
        "• 2026-03-02 · 3 rounds · Bob, a former player, Alice — 🥇 Bob (3150 pts)",
        "• 2026-03-02 · 3 rounds · a former player, Alice, Bob — 🥇 a former player (3150 pts)",
    ]
