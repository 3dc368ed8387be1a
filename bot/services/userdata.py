"""The user's own data: /export hands it over, /forget deletes it."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from bot.clock import Clock
from bot.core.battle_state import FORMER_PLAYER_NAME, BattleState
from bot.storage import battles as battle_store
from bot.storage import userdata as store
from bot.storage.db import Database
from bot.storage.userdata import ProgressRow, ReviewRow
from bot.storage.users import get_user

log = logging.getLogger(__name__)
# Forgotten players are stood in for by negative ids (Telegram's user ids are positive), drawn at
# random: one per /forget, shared by all its battles and tables, tied to nobody.
STAND_IN_RANGE = 2**62
MAX_TRIES = 5


class _JoinedMeanwhile(Exception):
    """A battle took the person in while they were being forgotten: start over, that one too."""


@dataclass(frozen=True, slots=True)
class UserExport:
    """Everything the user's progress consists of: schedules and the review log."""

    timezone: str
    progress: list[ProgressRow]
    reviews: list[ReviewRow]

    @property
    def empty(self) -> bool:
        """True when there is nothing to hand over yet."""
        return not self.progress and not self.reviews


@dataclass
class UserDataService:
    """Export and erasure of one user's data."""

    db: Database
    clock: Clock

    async def export(self, user_id: int) -> UserExport:
        """The user's schedules and review log."""
        user = await get_user(self.db, user_id)
        progress = await store.progress_rows(self.db, user_id)
        reviews = await store.review_rows(self.db, user_id)
        return UserExport(user.timezone if user else "UTC", progress, reviews)

    async def forget(self, user_id: int) -> int:
        """Delete every row about the user; returns how many rows went (or changed hands).

        In the battles they played, their seat, answers and points go to a nameless stand-in, as
        do their lines in groups' tables: a finished battle's podium and a group's totals still
        add up, and nothing names them. One transaction, in the order battle writers lock rows
        (battles, then users): their battles first, so a transition read before fails its
        compare-and-swap and is made again without them; then their rows, then their user row,
        whose delete waits for any battle write taking them in at that moment (it holds their
        row, see `save_transition`). Their places in battles go last: one in a battle not handed
        over shows such a write came first, and the whole thing is done again, that battle too.
        """
        stand_in = -1 - secrets.randbelow(STAND_IN_RANGE)
        for _attempt in range(MAX_TRIES):
            try:
                async with self.db.transaction():
                    handed, changed = await self._hand_over_battles(user_id, stand_in)
                    removed = await store.forget_user(self.db, user_id)
                    played = await battle_store.drop_player(self.db, user_id)
                    if not set(played) <= handed:
                        raise _JoinedMeanwhile
            except _JoinedMeanwhile:
                log.info("a battle took in a user being forgotten; forgetting again")
                continue
            removed += len(played)
            log.info("forgot a user: %d rows deleted, %d handed to a stand-in", removed, changed)
            return removed + changed
        raise RuntimeError("a user could not be forgotten: battles kept taking them in")

    async def _hand_over_battles(self, user_id: int, stand_in: int) -> tuple[set[int], int]:
        """Give the user's seat in every battle, and their lines in groups' tables, to a stand-in;
        returns the battles handed over and how many rows changed."""
        ids = await battle_store.battles_of(self.db, user_id)
        changed = 0
        for battle_id, stored in await battle_store.lock_states(self.db, ids):
            try:
                state = BattleState.from_dict(stored)
            except ValueError:
                log.warning("battle %s has a state that cannot be read; left as it is", battle_id)
                continue
            anonymous = state.forgetting(user_id, stand_in).to_dict()
            await battle_store.replace_player(self.db, battle_id, anonymous, user_id, stand_in)
            changed += 1
        changed += await battle_store.hand_over_lines(
            self.db, user_id, stand_in, FORMER_PLAYER_NAME
        )
        return set(ids), changed
