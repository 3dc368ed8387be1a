"""Group battles: their stored state (written compare-and-swap), rounds, reviews and leaderboard."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Database, Row
from bot.storage.media import split_digests
from bot.storage.outbox import Owed
from bot.storage.parameters import SCHEDULING_JOIN, parameters_from_json
from bot.storage.quiz import ReviewWrite, StoredState, insert_review

_BATTLE_COLUMNS = """b.id, b.chat_id, b.thread_id, b.deck_id, d.title, b.host_id, b.state, b.version,
    b.lobby_message_id, b.finished"""


@dataclass(frozen=True, slots=True)
class BattleRow:
    """A battle as stored; `state` is the JSON-ready dict of `BattleState.to_dict()`."""

    id: int
    chat_id: int
    thread_id: int | None
    deck_id: int
    deck_title: str
    host_id: int
    state: dict[str, Any]
    version: int
    lobby_message_id: int | None
    finished: bool

    @classmethod
    def from_row(cls, row: Row) -> BattleRow:
        """Build from a row selected with `_BATTLE_COLUMNS`."""
        return cls(
            id=row[0],
            chat_id=row[1],
            thread_id=row[2],
            deck_id=row[3],
            deck_title=row[4],
            host_id=row[5],
            state=json.loads(row[6]),
            version=row[7],
            lobby_message_id=row[8],
            finished=bool(row[9]),
        )


@dataclass(frozen=True, slots=True)
class NewRound:
    """A round chosen at the start: its question and the answer buttons it will show."""

    round_no: int
    question_id: int
    options: list[str]
    right_index: int


@dataclass(frozen=True, slots=True)
class RoundRow:
    """A round as shown: question, card back, buttons and the message that shows it."""

    round_no: int
    question_id: int
    question_key: str
    card_id: int
    kind: str
    prompt: str
    answer: str
    back: str
    options: list[str]
    right_index: int
    message_id: int | None
    front_media: str | None = None  # the hash of the card's picture or sound, shown with it
    front: str = ""  # the card's front, and its sides' formatting (bot.cards.richtext), if any
    front_html: str | None = None
    back_html: str | None = None
    front_more: tuple[str, ...] = ()  # the front's other pictures (an album before the round)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A choice or cloze question a battle may ask, with what its answer buttons are made from."""

    question_id: int
    question_key: str
    card_key: str
    kind: str
    answer: str
    distractors: list[str]


@dataclass(frozen=True, slots=True)
class MemoryRow:
    """One player's FSRS memory of one card (over the card's questions)."""

    user_id: int
    card_key: str
    difficulty: float
    stability: float
    lapses: int
    due: bool


@dataclass(frozen=True, slots=True)
class ReviewerRow:
    """What a review write needs about the player and their schedule for one question."""

    user_id: int
    state: StoredState | None
    timezone: str
    desired_retention: float
    streak_current: int
    streak_best: int
    streak_last_day: str | None
    streak_freezes: int
    day_start_hour: int
    parameters: tuple[float, ...] | None = None  # the player's own FSRS parameters, None: defaults


@dataclass(frozen=True, slots=True)
class LeaderboardDelta:
    """What one finished battle adds to a player's line in the group's table."""

    user_id: int
    name: str
    points: int
    won: bool
    right: int
    answered: int


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """A player's all-time line in a group's table."""

    user_id: int
    name: str
    points: int
    battles: int
    wins: int
    right: int
    answered: int


class _Conflict(Exception):
    """Another writer changed the battle first: roll back and let the caller retry."""


class PlayerGone(Exception):
    """A player a write would add was deleted meanwhile (/forget): nothing was written."""


async def _hold_users(db: Database, user_ids: Sequence[int]) -> bool:
    """Whether all these users exist, held so until the transaction ends: on PostgreSQL a share
    lock makes /forget's delete of one of them wait for this transaction (and see what it wrote),
    or this one wait for the delete (and find them gone); SQLite runs one writer at a time."""
    wanted = sorted(set(user_ids))
    marks = ",".join("?" * len(wanted))
    lock = " FOR SHARE" if db.dialect == "postgres" else ""
    rows = await db.fetchall(f"SELECT id FROM users WHERE id IN ({marks}){lock}", wanted)
    return len(rows) == len(wanted)


async def _add_players(db: Database, battle_id: int, user_ids: Sequence[int]) -> None:
    """Record that these users play in the battle, once they are known to exist (PlayerGone)."""
    if not user_ids:
        return
    if not await _hold_users(db, user_ids):
        raise PlayerGone
    await db.executemany(
        "INSERT INTO battle_players (battle_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(battle_id, user_id) for user_id in user_ids],
    )


async def create_battle(
    db: Database,
    chat_id: int,
    thread_id: int | None,
    deck_id: int,
    host_id: int,
    state: dict[str, Any],
    next_wakeup: int | None,
    now: int,
    owed: Callable[[int], Owed],
) -> int | None:
    """Store a new battle with its host as first player, and what it owes the group (`owed` of
    its id: the lobby); None when the group already has one running (PlayerGone when the host
    was just forgotten)."""
    async with db.transaction():
        # The one conflict possible is battles_running_chat: the group already has one running.
        row = await db.fetchone(
            """INSERT INTO battles (chat_id, thread_id, deck_id, host_id, state, next_wakeup,
                                    created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id""",
            (chat_id, thread_id, deck_id, host_id, json.dumps(state), next_wakeup, now),
        )
        if row is None:
            return None
        await _add_players(db, int(row[0]), [host_id])
        await owed(int(row[0])).write(db)
    return int(row[0])


async def running_battle(db: Database, chat_id: int) -> BattleRow | None:
    """The group's running battle, if any."""
    row = await db.fetchone(
        f"""SELECT {_BATTLE_COLUMNS} FROM battles b JOIN decks d ON d.id = b.deck_id
             WHERE b.chat_id = ? AND b.finished = 0""",
        (chat_id,),
    )
    return BattleRow.from_row(row) if row else None


async def load_battle(db: Database, battle_id: int) -> BattleRow | None:
    """A battle by id, running or not."""
    row = await db.fetchone(
        f"SELECT {_BATTLE_COLUMNS} FROM battles b JOIN decks d ON d.id = b.deck_id WHERE b.id = ?",
        (battle_id,),
    )
    return BattleRow.from_row(row) if row else None


async def due_battles(db: Database, now: int, limit: int = 100) -> list[int]:
    """Ids of running battles whose timer is due (an index range scan)."""
    rows = await db.fetchall(
        "SELECT id FROM battles WHERE finished = 0 AND next_wakeup <= ? "
        "ORDER BY next_wakeup LIMIT ?",
        (now, limit),
    )
    return [int(r[0]) for r in rows]


async def set_lobby_message(db: Database, battle_id: int, message_id: int) -> None:
    """Record the message that shows the lobby, unless one is known already (edited as players
    join)."""
    await db.execute(
        "UPDATE battles SET lobby_message_id = ? WHERE id = ? AND lobby_message_id IS NULL",
        (message_id, battle_id),
    )


async def set_round_message(db: Database, battle_id: int, round_no: int, message_id: int) -> None:
    """Record the message that shows a round, unless one is known already."""
    await db.execute(
        """UPDATE battle_rounds SET message_id = ?
            WHERE battle_id = ? AND round_no = ? AND message_id IS NULL""",
        (message_id, battle_id, round_no),
    )


async def podium_message(db: Database, battle_id: int) -> int | None:
    """The message that shows the battle's final standings, once posted."""
    row = await db.fetchone("SELECT podium_message_id FROM battles WHERE id = ?", (battle_id,))
    return None if row is None or row[0] is None else int(row[0])


async def set_podium_message(db: Database, battle_id: int, message_id: int) -> None:
    """Record the message that shows the final standings, unless one is known already."""
    await db.execute(
        "UPDATE battles SET podium_message_id = ? WHERE id = ? AND podium_message_id IS NULL",
        (message_id, battle_id),
    )


async def shown_on(
    db: Database, battle_id: int, round_no: int, chat_id: int, message_id: int
) -> bool:
    """Whether this message of this chat is the battle's lobby (round 0) or that round's message."""
    if round_no == 0:
        row = await db.fetchone(
            "SELECT 1 FROM battles WHERE id = ? AND chat_id = ? AND lobby_message_id = ?",
            (battle_id, chat_id, message_id),
        )
    else:
        row = await db.fetchone(
            """SELECT 1 FROM battle_rounds r JOIN battles b ON b.id = r.battle_id
                WHERE r.battle_id = ? AND r.round_no = ? AND r.message_id = ?
                  AND b.chat_id = ?""",
            (battle_id, round_no, message_id, chat_id),
        )
    return row is not None


async def round_rows(db: Database, battle_id: int) -> dict[int, RoundRow]:
    """Every chosen round of a battle, by round number."""
    rows = await db.fetchall(
        """SELECT r.round_no, r.question_id, q.key, q.card_id, q.kind, q.prompt, q.answer, c.back,
                  r.options, r.right_index, r.message_id, c.front_media, c.front, c.front_html,
                  c.back_html, c.front_more
             FROM battle_rounds r
             JOIN questions q ON q.id = r.question_id
             JOIN cards c ON c.id = q.card_id
            WHERE r.battle_id = ? ORDER BY r.round_no""",
        (battle_id,),
    )
    return {
        r[0]: RoundRow(
            round_no=r[0],
            question_id=r[1],
            question_key=r[2],
            card_id=r[3],
            kind=r[4],
            prompt=r[5],
            answer=r[6],
            back=r[7],
            options=json.loads(r[8]),
            right_index=r[9],
            message_id=r[10],
            front_media=r[11],
            front=r[12],
            front_html=r[13],
            back_html=r[14],
            front_more=split_digests(r[15]),
        )
        for r in rows
    }


async def candidates(db: Database, deck_id: int) -> list[Candidate]:
    """The deck's live questions asked with options (choice, identify, cloze), in deck order."""
    rows = await db.fetchall(
        """SELECT q.id, q.key, c.key, q.kind, q.answer, q.distractors
             FROM questions q JOIN cards c ON c.id = q.card_id
            WHERE q.deck_id = ? AND q.retired = 0 AND c.retired = 0
              AND q.kind IN ('choice', 'identify', 'cloze') AND q.distractors <> '[]'
            ORDER BY c.position, q.id""",
        (deck_id,),
    )
    return [Candidate(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]


async def card_memories(
    db: Database, deck_id: int, user_ids: Sequence[int], now: int
) -> list[MemoryRow]:
    """Each player's memory of each card of the deck they have reviewed (the hardest question)."""
    if not user_ids:
        return []
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetchall(
        f"""SELECT r.user_id, c.key, MAX(COALESCE(r.difficulty, 5.0)),
                   MIN(COALESCE(r.stability, 0.0)), SUM(r.lapses),
                   MAX(CASE WHEN r.due <= ? THEN 1 ELSE 0 END)
              FROM review_states r JOIN cards c ON c.id = r.card_id
             WHERE r.deck_id = ? AND r.user_id IN ({marks})
             GROUP BY r.user_id, r.card_id, c.key""",
        (now, deck_id, *user_ids),
    )
    return [MemoryRow(r[0], r[1], float(r[2]), float(r[3]), int(r[4]), bool(r[5])) for r in rows]


async def reviewer(db: Database, user_id: int, question_id: int) -> ReviewerRow | None:
    """The player's settings, streak, parameters and schedule for a question; None for an
    unknown user."""
    row = await db.fetchone(
        f"""SELECT u.id, u.timezone, u.desired_retention, u.streak_current, u.streak_best,
                   u.streak_last_day, u.streak_freezes,
                   r.state, r.step, r.stability, r.difficulty, r.due, r.last_review, r.reps,
                   r.lapses, u.day_start_hour, pf.parameters
              FROM users u
              LEFT JOIN review_states r ON r.user_id = u.id AND r.question_id = ?
              {SCHEDULING_JOIN}
             WHERE u.id = ?""",
        (question_id, user_id),
    )
    if row is None:
        return None
    state = None
    if row[7] is not None:
        state = StoredState(row[7], row[8], row[9], row[10], row[11], row[12], row[13], row[14])
    return ReviewerRow(
        row[0],
        state,
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[15],
        parameters_from_json(row[16]),
    )


async def save_transition(
    db: Database,
    battle: BattleRow,
    state: dict[str, Any],
    next_wakeup: int | None,
    ended_at: int | None,
    *,
    new_rounds: Sequence[NewRound] = (),
    reviews: Sequence[tuple[int, ReviewWrite]] = (),
    leaderboard: Sequence[LeaderboardDelta] = (),
    owed: Owed | None = None,
    joined: Sequence[int] = (),
) -> bool:
    """Write a transition if nobody wrote the battle since it was read (False: reload and retry).

    Everything a transition changes is one transaction: the state, the players it adds
    (`joined`), the rounds chosen at the start, the answers' reviews (each at most once per
    battle, round and player), the messages it owes the group (`owed`: intents of the outbox)
    and, when the battle ends, the group's leaderboard: so points reach the table exactly once,
    and a process that dies before showing the transition leaves its messages owed to the others.

    /forget rewrites the battles a person plays in (bumping their version) before deleting them:
    a transition read before that fails its compare-and-swap and is made again from the state
    without them, and a player added meanwhile is found gone (PlayerGone), never written back.
    """
    finished = ended_at is not None
    try:
        async with db.transaction():
            changed = await db.execute(
                """UPDATE battles SET state = ?, version = version + 1, next_wakeup = ?,
                                      finished = ?, ended_at = ?
                    WHERE id = ? AND version = ? AND finished = 0""",
                (
                    json.dumps(state),
                    next_wakeup,
                    int(finished),
                    ended_at,
                    battle.id,
                    battle.version,
                ),
            )
            if changed != 1:
                raise _Conflict
            await _add_players(db, battle.id, joined)
            await db.executemany(
                "INSERT INTO battle_rounds (battle_id, round_no, question_id, options, right_index) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        battle.id,
                        r.round_no,
                        r.question_id,
                        json.dumps(r.options, ensure_ascii=False),
                        r.right_index,
                    )
                    for r in new_rounds
                ],
            )
            if owed is not None:
                await owed.write(db)
            for round_no, write in reviews:
                inserted = await db.execute(
                    "INSERT INTO battle_reviews (battle_id, round_no, user_id) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (battle.id, round_no, write.user_id),
                )
                if inserted == 1:
                    await insert_review(db, write)
            # A line for a person who is no more (a forgotten user's id) is never written back;
            # the stand-ins of forgotten players (negative ids) keep the totals whole.
            await db.executemany(
                """INSERT INTO group_leaderboard (chat_id, user_id, name, points, battles, wins,
                                                  right_answers, answered)
                   SELECT ?, ?, ?, ?, 1, ?, ?, ?
                    WHERE CAST(? AS BIGINT) < 0 OR EXISTS (SELECT 1 FROM users WHERE id = ?)
                   ON CONFLICT (chat_id, user_id) DO UPDATE SET
                       name = excluded.name, points = group_leaderboard.points + excluded.points,
                       battles = group_leaderboard.battles + 1, wins = group_leaderboard.wins + excluded.wins,
                       right_answers = group_leaderboard.right_answers + excluded.right_answers,
                       answered = group_leaderboard.answered + excluded.answered""",
                [
                    (
                        battle.chat_id,
                        d.user_id,
                        d.name,
                        d.points,
                        int(d.won),
                        d.right,
                        d.answered,
                        d.user_id,
                        d.user_id,
                    )
                    for d in leaderboard
                ],
            )
    except _Conflict:
        return False
    return True


async def leaderboard(db: Database, chat_id: int, limit: int = 10) -> list[LeaderRow]:
    """The group's all-time table: most points first."""
    rows = await db.fetchall(
        """SELECT user_id, name, points, battles, wins, right_answers, answered
             FROM group_leaderboard WHERE chat_id = ?
            ORDER BY points DESC, wins DESC, right_answers DESC, user_id LIMIT ?""",
        (chat_id, limit),
    )
    return [LeaderRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


async def migrate_chat(
    db: Database, old_chat_id: int, new_chat_id: int, owed: Owed | None = None
) -> bool:
    """Move a group's battles and leaderboard to its new (supergroup) id; False if nothing moved.

    Idempotent: both migration service messages, and a ChatMigrated error, may report the move.
    Lines already under the new id are added to, never overwritten. The battles' messages stay
    behind in the old chat, and their ids mean other messages in the new one: they are forgotten,
    so a round's close is posted anew instead of editing whatever has that id there; what the
    group is owed moves with it, and `owed` (a question on screen, an open lobby) is owed again,
    to be shown in the new chat as it stands.
    """
    async with db.transaction():
        # The battles' rows first, as a battle's transition takes them (then its rounds, then the
        # table): writers that lock rows in the same order may wait, but never deadlock.
        await db.execute(
            "UPDATE battles SET lobby_message_id = NULL WHERE chat_id = ?", (old_chat_id,)
        )
        await db.execute(
            """UPDATE battle_rounds SET message_id = NULL
                WHERE battle_id IN (SELECT id FROM battles WHERE chat_id = ?)""",
            (old_chat_id,),
        )
        if db.dialect == "postgres":
            # Both migration messages may be handled at once. Under READ COMMITTED the second
            # INSERT … SELECT would still read the old lines (the first has not committed) and add
            # them to the new ones a second time. Locking the old lines first makes the second move
            # wait, then find them deleted: as on SQLite, where BEGIN IMMEDIATE serialises the two.
            await db.execute(
                "SELECT 1 FROM group_leaderboard WHERE chat_id = ? FOR UPDATE", (old_chat_id,)
            )
        moved = await db.execute(
            "UPDATE battles SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
        )
        # What the group is owed goes with it, to be shown in the new chat.
        await db.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND outcome IS NULL",
            (new_chat_id, old_chat_id),
        )
        if owed is not None and moved:
            await owed.write(db)
        await db.execute(
            """INSERT INTO group_leaderboard (chat_id, user_id, name, points, battles, wins,
                                              right_answers, answered)
               SELECT ?, user_id, name, points, battles, wins, right_answers, answered
                 FROM group_leaderboard WHERE chat_id = ?
               ON CONFLICT (chat_id, user_id) DO UPDATE SET
                   points = group_leaderboard.points + excluded.points, battles = group_leaderboard.battles + excluded.battles,
                   wins = group_leaderboard.wins + excluded.wins,
                   right_answers = group_leaderboard.right_answers + excluded.right_answers,
                   answered = group_leaderboard.answered + excluded.answered""",
            (new_chat_id, old_chat_id),
        )
        moved += await db.execute("DELETE FROM group_leaderboard WHERE chat_id = ?", (old_chat_id,))
    return moved > 0


async def battles_of(db: Database, user_id: int) -> list[int]:
    """Ids of every battle the user plays or played in (an index range scan)."""
    rows = await db.fetchall(
        "SELECT battle_id FROM battle_players WHERE user_id = ? ORDER BY battle_id", (user_id,)
    )
    return [int(r[0]) for r in rows]


async def drop_player(db: Database, user_id: int) -> list[int]:
    """Delete the user's places in battles; returns the battles they were in."""
    rows = await db.fetchall(
        "DELETE FROM battle_players WHERE user_id = ? RETURNING battle_id", (user_id,)
    )
    return [int(r[0]) for r in rows]


async def lock_states(db: Database, battle_ids: Sequence[int]) -> list[tuple[int, dict[str, Any]]]:
    """(id, state) of these battles, locked until the transaction ends (in id order, as every
    writer takes them; SQLite's one writer needs no lock)."""
    if not battle_ids:
        return []
    marks = ",".join("?" * len(battle_ids))
    lock = " FOR UPDATE" if db.dialect == "postgres" else ""
    rows = await db.fetchall(
        f"SELECT id, state FROM battles WHERE id IN ({marks}) ORDER BY id{lock}", battle_ids
    )
    return [(int(r[0]), json.loads(r[1])) for r in rows]


async def replace_player(
    db: Database, battle_id: int, state: dict[str, Any], user_id: int, stand_in: int
) -> None:
    """Store a battle's state with the user replaced by a stand-in, as a new version (so that a
    transition read before fails its compare-and-swap), the host's seat included."""
    await db.execute(
        """UPDATE battles SET state = ?, version = version + 1,
                              host_id = CASE WHEN host_id = ? THEN ? ELSE host_id END
            WHERE id = ?""",
        (json.dumps(state), user_id, stand_in, battle_id),
    )


async def hand_over_lines(db: Database, user_id: int, stand_in: int, name: str) -> int:
    """Give the user's lines in every group's table to a stand-in of that name; returns how many."""
    return await db.execute(
        "UPDATE group_leaderboard SET user_id = ?, name = ? WHERE user_id = ?",
        (stand_in, name, user_id),
    )


@dataclass(frozen=True, slots=True)
class FinishedBattle:
    """A finished battle as stored: when it ended and its final state (`BattleState.to_dict()`)."""

    id: int
    ended_at: int
    state: dict[str, Any]


async def finished_battles(db: Database, chat_id: int, limit: int = 5) -> list[FinishedBattle]:
    """The group's latest battles that got past the lobby, newest first."""
    # A lobby that closed without a start chose no rounds: it is no battle to list.
    rows = await db.fetchall(
        """SELECT b.id, b.ended_at, b.state FROM battles b
            WHERE b.chat_id = ? AND b.finished = 1
              AND EXISTS (SELECT 1 FROM battle_rounds r WHERE r.battle_id = b.id)
            ORDER BY b.ended_at DESC, b.id DESC LIMIT ?""",
        (chat_id, limit),
    )
    return [FinishedBattle(r[0], r[1], json.loads(r[2])) for r in rows]
