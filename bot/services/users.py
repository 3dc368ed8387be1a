"""Users: first contact, settings, streak as shown."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.core.streaks import Streak, StreakView, view_streak
from bot.storage import users as store
from bot.storage.db import Database
from bot.storage.users import UserRecord


@dataclass
class UserService:
    """Creates users on first contact and reads them back."""

    db: Database
    clock: Clock

    async def touch(self, user_id: int, first_name: str) -> UserRecord:
        """The user's record, created on first contact; their name is kept current."""
        return await store.upsert_user(
            self.db, user_id, first_name, int(self.clock.now().timestamp())
        )

    def streak_view(self, user: UserRecord) -> StreakView:
        """The user's streak as it stands on their learning day now."""
        today = user.days.day_of(self.clock.now())
        return view_streak(stored_streak(user), today)


def stored_streak(user: UserRecord) -> Streak:
    """The streak value kept on the user's record."""
    return Streak(
        current=user.streak_current,
        best=user.streak_best,
        last_day=user.streak_last_day,
        freezes=user.streak_freezes,
    )
