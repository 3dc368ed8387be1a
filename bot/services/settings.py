"""/settings: the choices a user has, and changing one of them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.views import Refusal
from bot.storage import parameters as parameter_store
from bot.storage import reminders as reminder_store
from bot.storage import settings as store
from bot.storage.db import Database
from bot.storage.decks import DeckInfo
from bot.storage.parameters import NOT_STARTED, FitStanding
from bot.storage.users import UserRecord, get_user, upsert_user
from bot.views import refusals

SESSION_SIZES = (5, 10, 20)
NEW_PER_DAY = (0, 5, 10, 20, 50)
MIXES = ("mixed", "choice", "typed", "selfgraded")  # the keys of quiz.KINDS_BY_MIX
RETENTIONS = (0.80, 0.85, 0.90, 0.95)
DAY_STARTS = (0, 2, 3, 4, 5, 6)  # the local hour a learning day starts at (Anki's default: 4)
# Which FSRS parameters schedule the user's answers: their own once fitted, or FSRS's defaults.
PARAMETER_CHOICES = {"personal": 0, "default": 1}  # the value of users.fsrs_defaults
MAX_DECK_BUTTONS = 24


@dataclass(frozen=True, slots=True)
class SettingsView:
    """The user's settings as the menu shows them, with the decks they can pick."""

    user: UserRecord
    deck_id: int
    deck_title: str
    decks: tuple[DeckInfo, ...]
    remind_time: str | None = None
    parameters: FitStanding = NOT_STARTED  # their own FSRS parameters


def parse_choice(section: str, raw: str) -> tuple[str, int | float | str] | None:
    """The column and value a settings button stands for, or None if it is not on offer.

    Values travel as text in callback data: retention as a percentage ("85"), the rest as is.
    """
    if section == "mix":
        return ("question_mix", raw) if raw in MIXES else None
    if section == "fsrs":
        choice = PARAMETER_CHOICES.get(raw)
        return None if choice is None else ("fsrs_defaults", choice)
    if not raw.isdigit() or len(raw) > 12:
        return None
    number = int(raw)
    if section == "size":
        return ("session_size", number) if number in SESSION_SIZES else None
    if section == "new":
        return ("new_per_day", number) if number in NEW_PER_DAY else None
    if section == "ret":
        value = number / 100
        return ("desired_retention", value) if value in RETENTIONS else None
    if section == "deck":
        return ("active_deck_id", number)
    if section == "day":
        return ("day_start_hour", number) if number in DAY_STARTS else None
    return None


@dataclass
class SettingsService:
    """Reads and changes one user's settings."""

    db: Database
    clock: Clock
    default_deck_id: int

    async def view(self, user_id: int, first_name: str | None = None) -> SettingsView:
        """The settings menu's content (the user is created on first contact)."""
        user = await get_user(self.db, user_id)
        if user is None or first_name is not None:
            user = await upsert_user(
                self.db, user_id, first_name or "", int(self.clock.now().timestamp())
            )
        decks = tuple(await store.choosable_decks(self.db, user_id))
        deck_id = user.active_deck_id or self.default_deck_id
        title = next((d.title for d in decks if d.id == deck_id), "—")
        reminder = await reminder_store.get_setting(self.db, user_id)
        remind_time = reminder.remind_time if reminder is not None else None
        parameters = await parameter_store.standing(self.db, user_id)
        return SettingsView(user, deck_id, title, decks, remind_time, parameters or NOT_STARTED)

    async def change(self, user_id: int, section: str, raw: str) -> SettingsView | Refusal:
        """Store one choice from the menu; anything not on offer is refused, nothing changes."""
        choice = parse_choice(section, raw)
        if choice is None:
            return Refusal(refusals.CHOICE_GONE)
        column, value = choice
        if column == "active_deck_id":
            decks = await store.choosable_decks(self.db, user_id)
            if all(d.id != value for d in decks):
                return Refusal(refusals.CHOICE_GONE)
        # Choices that shape a session end the open one, so the next /quiz obeys them at once.
        shapes_session = column not in ("desired_retention", "day_start_hour", "fsrs_defaults")
        now = int(self.clock.now().timestamp())
        saved = await store.save_setting(
            self.db, user_id, column, value, now if shapes_session else None
        )
        if not saved:
            return Refusal(refusals.START_FIRST)
        return await self.view(user_id)
