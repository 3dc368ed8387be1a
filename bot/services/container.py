"""The services one running bot shares, created at start-up (kept on the Runtime, bot.runtime)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

from bot.cards.formats import read_deck_file
from bot.cards.model import Deck
from bot.clock import Clock
from bot.config import Settings
from bot.services.battles import BattleService
from bot.services.catalogue import CatalogueService
from bot.services.daily import DailyService
from bot.services.deck_editor import DeckEditor
from bot.services.decks import DeckService
from bot.services.groups import GroupService
from bot.services.imports import ImportService
from bot.services.inline import InlineQuizService, signing_key
from bot.services.parameters import ParametersService
from bot.services.progress import ProgressService
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderService
from bot.services.settings import SettingsService
from bot.services.sharing import ShareService
from bot.services.stats import StatsService
from bot.services.userdata import UserDataService
from bot.services.users import UserService
from bot.storage.db import Database, open_database
from bot.storage.decks import sync_deck
from bot.storage.leases import new_owner
from bot.storage.outbox import Holder

if TYPE_CHECKING:
    from bot.outbox.deliverer import Deliverer

log = logging.getLogger(__name__)


def bundled_decks_folder() -> Path:
    """The folder of the bundled decks: `bot/decks/` once installed, `data/decks/` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    # A built wheel carries the decks inside the package (pyproject.toml maps data/decks/ to
    # bot.decks); a checkout, editable install or not, reads their one source at the repo's top.
    installed = package / "decks"
    return installed if installed.is_dir() else package.parent / "data" / "decks"


DATA_DECKS = bundled_decks_folder()
DEFAULT_DECK_SLUG = "khrushchev-reforms"


@dataclass
class Services:
    """Everything a handler may call."""

    settings: Settings
    db: Database
    clock: Clock
    users: UserService
    quiz: QuizService
    stats: StatsService
    user_settings: SettingsService
    userdata: UserDataService
    battles: BattleService
    reminders: ReminderService
    imports: ImportService
    decks: DeckService
    parameters: ParametersService
    catalogue: CatalogueService
    inline: InlineQuizService
    sharing: ShareService
    groups: GroupService
    daily: DailyService
    progress: ProgressService
    deck_editor: DeckEditor
    deliverer: Deliverer | None = None  # set once the bot exists (bot.app's post_init)

    def delivery(self) -> Deliverer:
        """The outbox's deliverer (the application made it at start-up)."""
        if self.deliverer is None:
            raise RuntimeError("the deliverer is made in post_init, with the bot")
        return self.deliverer


def read_bundled_decks(folder: Path = DATA_DECKS) -> list[tuple[str, Deck]]:
    """Every deck file in the bundled decks' folder, by slug (the file name without `.toml`)."""
    return [(path.stem, read_deck_file(path)) for path in sorted(folder.glob("*.toml"))]


async def load_bundled_decks(db: Database, now: int, folder: Path = DATA_DECKS) -> dict[str, int]:
    """Store every bundled deck (owned by nobody); returns their ids by slug."""
    decks = await asyncio.to_thread(read_bundled_decks, folder)
    return {slug: await sync_deck(db, deck, slug, None, now) for slug, deck in decks}


class DatabaseUnavailable(RuntimeError):
    """The database named by DATABASE_URL cannot be opened; the message says where and why."""


async def create_services(settings: Settings, clock: Clock, fuzz: bool = True) -> Services:
    """Open the database, load the bundled decks, and wire the services."""
    try:
        db = await open_database(settings.database_url)
    except (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # Refused connections, a wrong password, a file that is not a database: one clear line.
        reason = str(exc).strip() or type(exc).__name__
        raise DatabaseUnavailable(
            f"cannot open the database at {settings.database_location}: {reason}"
        ) from exc
    try:
        deck_ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    except Exception:
        await db.close()
        raise
    if not deck_ids:
        # A package installed without its decks: say so, not "coroutine raised StopIteration".
        await db.close()
        raise RuntimeError(f"no bundled decks in {DATA_DECKS}: reinstall the quizmaster package")
    default = deck_ids.get(DEFAULT_DECK_SLUG) or next(iter(deck_ids.values()))
    log.info(
        "database ready at %s with %d bundled deck(s)", settings.database_location, len(deck_ids)
    )
    # The intents a process writes are its own to deliver for one inbox lease: a dead process's
    # chats and messages are taken over alike.
    holder = Holder(new_owner(), settings.inbox_lease_seconds * 1000)
    groups = GroupService(db, clock, default_deck_id=default)
    quiz = QuizService(db, clock, default_deck_id=default, fuzz=fuzz, holder=holder)
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        users=UserService(db, clock),
        quiz=quiz,
        stats=StatsService(db, clock, default_deck_id=default),
        user_settings=SettingsService(db, clock, default_deck_id=default),
        userdata=UserDataService(db, clock),
        battles=BattleService(db, clock, default_deck_id=default, fuzz=fuzz, holder=holder),
        reminders=ReminderService(db, clock, default_deck_id=default),
        imports=ImportService(db, clock),
        decks=DeckService(db, clock, default_deck_id=default),
        parameters=ParametersService(db, clock),
        catalogue=CatalogueService(db, clock),
        inline=InlineQuizService(db, clock, signing_key(settings.bot_token or "")),
        sharing=ShareService(db, clock),
        groups=groups,
        daily=DailyService(db, clock, groups, fuzz=fuzz),
        progress=ProgressService(db, clock, quiz),
        deck_editor=DeckEditor(db, clock, default_deck_id=default),
    )
