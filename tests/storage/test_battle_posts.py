"""Battle messages owed and claimed, on each backend: a round or podium whose transition was stored
by a process that died before showing it is owed to the others, claimed by one at a time, and
taken over once the claim has run out; what is shown comes from the stored state."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.core.battle import BattleConfig, CancelRound, PostRound, RevealRound
from bot.services.battles import POST_LEASE, BattleService, Lobby, Outcome, View
from bot.services.container import load_bundled_decks
from bot.storage import battles as store
from bot.storage.db import Database
from bot.views.battle import deadline_hint

GROUP = -100123
ALICE, BOB = 1001, 1002
NOW_S = 1_772_442_000.0  # the wall clock of the processes' claims, apart from the bot's clock


class Wall:
    """A wall clock shared by the processes, moved by hand."""

    def __init__(self) -> None:
        self.now = NOW_S

    def __call__(self) -> float:
        return self.now

    def pass_lease(self) -> None:
        """Let a claim run out unrenewed: its holder died."""
        self.now += POST_LEASE.total_seconds()


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
async def pair(db: Database, clock: ManualClock, wall: Wall) -> tuple[BattleService, BattleService]:
    """Two bot processes' battle services on one database: the first one dies in each test."""
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    deck = ids["khrushchev-reforms"]
    return (
        BattleService(db, clock, deck, fuzz=False, rng=random.Random(1), wall=wall),
        BattleService(db, clock, deck, fuzz=False, rng=random.Random(2), wall=wall),
    )


async def started(battles: BattleService, seconds: int = 20) -> int:
    """A battle of Alice and Bob whose first round is stored open and never shown."""
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, seconds))
    assert isinstance(lobby, Lobby)
    await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
    assert isinstance(await battles.start(GROUP, lobby.battle.id, ALICE, "Alice"), Outcome)
    return lobby.battle.id


async def right_option(db: Database, battle_id: int, round_no: int) -> int:
    return (await store.round_rows(db, battle_id))[round_no].right_index


async def test_a_round_whose_opener_died_is_owed_and_shown_by_one_claim_at_a_time(
    pair: tuple[BattleService, BattleService], wall: Wall, db: Database
) -> None:
    dead, alive = pair
    battle_id = await started(dead)
    assert await alive.owed() == ([(battle_id, 1)], [])
    # The opener claimed it and died before Telegram answered: the others wait out its claim.
    assert await dead.claim_round(battle_id, 1) is not None
    assert await alive.owed() == ([], [])
    assert await alive.claim_round(battle_id, 1) is None
    wall.pass_lease()
    assert await alive.owed() == ([(battle_id, 1)], [])
    claim = await alive.claim_round(battle_id, 1)
    assert claim is not None and claim.view is View.QUESTION
    assert isinstance(claim.effect, PostRound) and claim.effect.round_no == 1
    assert claim.row.message_id is None and claim.total == 3
    assert await dead.claim_round(battle_id, 1) is None  # one holder at a time
    assert await alive.round_shown(battle_id, 1, View.QUESTION, 77) is False
    assert (await store.round_rows(db, battle_id))[1].message_id == 77
    wall.pass_lease()
    assert await alive.owed() == ([], [])
    assert await dead.claim_round(battle_id, 1) is None  # shown: nothing is owed any more


async def test_a_round_taken_over_late_shows_the_time_left_and_its_reveal_when_too_late(
    pair: tuple[BattleService, BattleService], clock: ManualClock, wall: Wall
) -> None:
    dead, alive = pair
    battle_id = await started(dead, seconds=20)
    clock.advance(timedelta(seconds=12))
    claim = await alive.claim_round(battle_id, 1)
    assert claim is not None and isinstance(claim.effect, PostRound)
    assert deadline_hint(claim.effect.deadline, clock.now()) == 8  # not a fresh 20 s
    # Telegram turned the send away for now (a 429): the claim runs out, the deadline passes.
    clock.advance(timedelta(seconds=9))
    wall.pass_lease()
    closed = await alive.tick(battle_id)
    assert closed is not None and [type(e) for e in closed.effects] == [RevealRound]
    # The close is owed now, to a message never posted: the reveal has to stand on its own.
    claim = await alive.claim_round(battle_id, 1)
    assert claim is not None and claim.view is View.CLOSED
    assert isinstance(claim.effect, RevealRound) and claim.row.message_id is None
    assert [r.option for r in claim.effect.results] == [None, None]


async def test_an_open_round_past_its_deadline_is_left_to_the_tick_that_closes_it(
    pair: tuple[BattleService, BattleService], clock: ManualClock
) -> None:
    dead, alive = pair
    battle_id = await started(dead, seconds=10)
    clock.advance(timedelta(seconds=10))
    assert await alive.claim_round(battle_id, 1) is None  # no question with 0 s left
    assert await alive.owed() == ([(battle_id, 1)], [])  # and no claim left behind
    await alive.tick(battle_id)
    claim = await alive.claim_round(battle_id, 1)
    assert claim is not None and isinstance(claim.effect, RevealRound)


async def test_a_round_that_closes_while_its_question_is_on_its_way_is_closed_by_the_same_claimer(
    pair: tuple[BattleService, BattleService], db: Database
) -> None:
    dead, alive = pair
    battle_id = await started(dead)
    asking = await alive.claim_round(battle_id, 1)
    assert asking is not None and asking.view is View.QUESTION
    right = await right_option(db, battle_id, 1)
    await dead.answer(GROUP, battle_id, ALICE, "Alice", 1, right)
    everyone = await dead.answer(GROUP, battle_id, BOB, "Bob", 1, right)
    assert isinstance(everyone, Outcome) and RevealRound in {type(e) for e in everyone.effects}
    assert await dead.claim_round(battle_id, 1) is None  # the question is still on its way
    assert await alive.round_shown(battle_id, 1, View.QUESTION, 501) is True  # more is owed
    closing = await alive.claim_round(battle_id, 1)
    assert closing is not None and closing.view is View.CLOSED
    assert isinstance(closing.effect, RevealRound) and closing.row.message_id == 501
    assert [r.correct for r in closing.effect.results] == [True, True]
    assert await alive.round_shown(battle_id, 1, View.CLOSED, 501) is False
    assert await alive.owed() == ([], [])


async def test_a_finished_battle_owes_its_podium_until_one_claim_posts_it(
    pair: tuple[BattleService, BattleService], clock: ManualClock, wall: Wall, db: Database
) -> None:
    dead, alive = pair
    battle_id = await started(dead)
    for round_no in (1, 2, 3):
        right = await right_option(db, battle_id, round_no)
        await dead.answer(GROUP, battle_id, ALICE, "Alice", round_no, right)
        await dead.answer(GROUP, battle_id, BOB, "Bob", round_no, right)
        clock.advance(timedelta(seconds=10))
        await dead.tick(battle_id)  # the next round (none after the third)
    row = await store.load_battle(db, battle_id)
    assert row is not None and row.finished
    assert (await alive.owed())[1] == [battle_id]
    podium = await dead.claim_podium(battle_id)  # ... and dies before Telegram answers
    assert podium is not None and not podium.effect.stopped
    assert podium.effect.standings.rounds_played == 3
    assert await alive.claim_podium(battle_id) is None
    assert (await alive.owed())[1] == []
    wall.pass_lease()
    taken = await alive.claim_podium(battle_id)
    assert taken is not None and taken.effect.standings == podium.effect.standings
    assert await dead.claim_podium(battle_id) is None
    await alive.podium_posted(battle_id, 900)
    wall.pass_lease()
    assert (await alive.owed())[1] == []
    assert await dead.claim_podium(battle_id) is None
    posted = await db.fetchone("SELECT podium_message_id FROM battles WHERE id = ?", (battle_id,))
    assert posted is not None and posted[0] == 900


async def test_a_stopped_battle_owes_the_cancel_of_its_open_round_and_its_podium(
    pair: tuple[BattleService, BattleService],
) -> None:
    dead, alive = pair
    battle_id = await started(dead)
    await alive.round_shown(battle_id, 1, View.QUESTION, 700)

    async def no() -> bool:
        return False

    assert isinstance(await dead.stop(GROUP, ALICE, no), Outcome)
    assert await alive.owed() == ([(battle_id, 1)], [battle_id])
    cancel = await alive.claim_round(battle_id, 1)
    assert cancel is not None and isinstance(cancel.effect, CancelRound)
    assert cancel.row.message_id == 700
    podium = await alive.claim_podium(battle_id)
    assert podium is not None and podium.effect.stopped
    assert podium.effect.standings.rounds_played == 0


async def test_a_lobby_closed_without_a_battle_owes_nothing_and_old_debts_are_dropped(
    pair: tuple[BattleService, BattleService], clock: ManualClock
) -> None:
    dead, alive = pair
    lobby = await dead.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    clock.advance(timedelta(seconds=60))
    await dead.tick(lobby.battle.id)  # closes: nobody joined
    assert await alive.owed() == ([], [])
    battle_id = await started(dead)

    async def no() -> bool:
        return False

    await dead.stop(GROUP, ALICE, no)
    assert await alive.owed() == ([(battle_id, 1)], [battle_id])
    # Nobody could show them for ten minutes: too late to mean anything, they are given up.
    clock.advance(timedelta(minutes=10, seconds=1))
    assert await alive.owed() == ([], [])


async def test_a_lobby_whose_poster_died_is_owed_claimed_once_and_given_up_once_closed(
    pair: tuple[BattleService, BattleService], wall: Wall, db: Database, clock: ManualClock
) -> None:
    dead, alive = pair
    lobby = await dead.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    battle_id = lobby.battle.id
    assert await alive.owed_lobbies() == [battle_id]
    # The /battle claimed it and died before Telegram answered: the others wait out its claim.
    assert await dead.claim_lobby(battle_id) is not None
    assert await alive.owed_lobbies() == []
    assert await alive.claim_lobby(battle_id) is None
    wall.pass_lease()
    claim = await alive.claim_lobby(battle_id)
    assert claim is not None and [p.name for p in claim.state.players] == ["Alice"]
    await alive.lobby_posted(battle_id, 55)
    # A copy tapped later (the dead one's, sent after all) is no lobby over the recorded one.
    await alive.lobby_posted(battle_id, 56)
    assert (await store.load_battle(db, battle_id)).lobby_message_id == 55  # type: ignore[union-attr]
    wall.pass_lease()
    assert await alive.owed_lobbies() == []
    assert await alive.claim_lobby(battle_id) is None

    # A lobby that closed before anyone posted it is given up: nobody could join it any more.
    await alive.stop(GROUP, ALICE, _never)
    other = await dead.create(GROUP, None, BOB, "Bob", BattleConfig(3, 20))
    assert isinstance(other, Lobby)
    clock.advance(timedelta(minutes=2))
    assert await alive.tick(other.battle.id) is not None  # closed: too few players
    assert await alive.claim_lobby(other.battle.id) is None
    assert await alive.owed_lobbies() == []


async def _never() -> bool:
    return False


async def test_a_copy_of_a_closed_round_or_lobby_is_shown_closed_the_recorded_one_is_left(
    pair: tuple[BattleService, BattleService], db: Database
) -> None:
    _, alive = pair
    battle_id = await started(alive)
    await alive.lobby_posted(battle_id, 10)
    assert await alive.round_shown(battle_id, 1, View.QUESTION, 11) is False
    # Round 1 open: a copy of it still answers the round, so it is left as it is.
    assert await alive.stale_copy(battle_id, 1, 12) is None
    copy = await alive.stale_copy(battle_id, 0, 9)
    assert copy is not None and copy.lobby is not None and copy.lobby.value == "started"
    assert await alive.stale_copy(battle_id, 0, 10) is None  # the lobby itself
    right = await right_option(db, battle_id, 1)
    await alive.answer(GROUP, battle_id, ALICE, "Alice", 1, right)
    await alive.answer(GROUP, battle_id, BOB, "Bob", 1, right)
    copy = await alive.stale_copy(battle_id, 1, 12)
    assert copy is not None and copy.round is not None
    assert isinstance(copy.round.effect, RevealRound) and copy.round.effect.round_no == 1
    assert await alive.stale_copy(battle_id, 1, 11) is None  # the round's own message
    assert await alive.stale_copy(battle_id, 2, 13) is None  # not asked yet
