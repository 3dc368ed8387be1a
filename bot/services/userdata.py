"""The user's own data: /export hands it over, /forget deletes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.storage import userdata as store
from bot.storage.db import Database
from bot.storage.userdata import ProgressRow, ReviewRow
from bot.storage.users import get_user

log = logging.getLogger(__name__)


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
        """Delete every row about the user; returns how many rows went."""
        removed = await store.forget_user(self.db, user_id)
        log.info("forgot a user: %d rows deleted", removed)
        return removed
