"""How a battle's intents are shown: each rendered from the battle as it stands when delivered."""

from __future__ import annotations

from bot.clock import Clock
from bot.core.battle import PostRound, RevealRound
from bot.outbox.deliverer import Renderer, Screen
from bot.outbox.intents import Kind
from bot.outbox.media import MAX_CAPTION, ScreenMedia, captioned
from bot.services.battles import BattleService, RoundView
from bot.storage.outbox import OwedRow
from bot.views import battle as view
from bot.views.fmt import TEXT_LIMIT


def closed_round_text(shown: RoundView, room: int = TEXT_LIMIT) -> str:
    """A closed round's message within `room` characters: its reveal, or its cancel when the
    battle stopped it."""
    effect = shown.effect
    if isinstance(effect, RevealRound):
        return view.reveal_text(shown.row, effect, shown.total, room)
    return view.cancelled_text(shown.row, effect.round_no, shown.total)


class LobbyRenderer:
    """A battle's lobby: posted while open, edited as players join and once it closes."""

    def __init__(self, battles: BattleService) -> None:
        """Read battles through `battles`."""
        self.battles = battles

    async def render(self, intent: OwedRow) -> Screen | None:
        """The lobby as it stands, on its message (a new one while open and never posted)."""
        p = intent.payload
        lobby = await self.battles.lobby_of(int(p["battle"]))
        if lobby is None:
            return None
        battle, state = lobby.battle, lobby.state
        copy = p.get("message")
        if copy is not None and (lobby.closed is None or copy == battle.lobby_message_id):
            return None  # the lobby itself, or a copy whose buttons still work
        target = battle.lobby_message_id if copy is None else int(copy)
        text = view.lobby_text(
            battle.deck_title, state.config, state.players, battle.host_id, lobby.closed
        )
        if lobby.closed is not None:
            # Closed before it was ever posted: nobody can join any more, so nothing to show.
            return None if target is None else Screen(text, None, target)
        return Screen(text, view.lobby_keyboard(battle.id), target, battle.thread_id)

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """The lobby's message: edited from now on."""
        await self.battles.lobby_shown(int(intent.payload["battle"]), message_id)


class RoundRenderer:
    """A round's message: its question posted while the round is open, edited once it closes."""

    def __init__(self, battles: BattleService, clock: Clock) -> None:
        """Read battles through `battles`; time left by `clock`."""
        self.battles = battles
        self.clock = clock

    async def render(self, intent: OwedRow) -> Screen | None:
        """The round as it stands: its question with the time left, its reveal or its cancel."""
        p = intent.payload
        shown = await self.battles.round_of(int(p["battle"]), int(p["round"]))
        if shown is None:
            return None
        battle, row, effect = shown.battle, shown.row, shown.effect
        media = None
        if row.front_media is not None:
            # The question's length decides whether its message is a caption (the seconds'
            # digits aside: a wrong guess is corrected by the edit, bot.outbox.media).
            asked = view.round_text(row, row.round_no, shown.total, 0)
            # The front's other pictures go first, on the first attempt only (bot.outbox.quiz).
            more = row.front_more if intent.attempts == 0 else ()
            media = ScreenMedia(row.front_media, captioned(asked), more)
        copy = p.get("message")
        target = row.message_id if copy is None else int(copy)
        if isinstance(effect, PostRound):
            now = self.clock.now()
            # On screen already; or its time is up, and the tick that closes it owes the reveal.
            if target is not None or now >= effect.deadline:
                return None
            # The time actually left: less than a whole round when posted late (a takeover).
            seconds = view.deadline_hint(effect.deadline, now)
            text = view.round_text(row, effect.round_no, effect.total, seconds)
            keyboard = view.round_keyboard(battle.id, row)
            return Screen(text, keyboard, None, battle.thread_id, media=media)
        if copy is not None and copy == row.message_id:
            return None
        if target is None and not isinstance(effect, RevealRound):
            return None  # stopped before its question was ever shown: nothing to cancel
        # A reveal whose question was never shown stands on its own.
        # A caption holds less than a message: the reveal makes room for its results.
        room = MAX_CAPTION if media is not None and media.captioned else TEXT_LIMIT
        return Screen(closed_round_text(shown, room), None, target, battle.thread_id, media=media)

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """The round's message: its answers belong to it, its close edits it."""
        p = intent.payload
        if p.get("message") is None:
            await self.battles.round_shown(int(p["battle"]), int(p["round"]), message_id)


class PodiumRenderer:
    """A finished battle's final standings, posted once."""

    def __init__(self, battles: BattleService) -> None:
        """Read battles through `battles`."""
        self.battles = battles

    async def render(self, intent: OwedRow) -> Screen | None:
        """The standings, unless they are posted already."""
        podium = await self.battles.podium_of(int(intent.payload["battle"]))
        if podium is None or podium.message_id is not None:
            return None
        text = view.finish_text(podium.effect.standings, podium.effect.stopped)
        return Screen(text, None, None, podium.battle.thread_id)

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """The podium's message."""
        await self.battles.podium_shown(int(intent.payload["battle"]), message_id)


def battle_renderers(battles: BattleService) -> dict[str, Renderer]:
    """The renderers of every battle intent, by kind."""
    return {
        Kind.LOBBY: LobbyRenderer(battles),
        Kind.ROUND: RoundRenderer(battles, battles.clock),
        Kind.PODIUM: PodiumRenderer(battles),
    }
