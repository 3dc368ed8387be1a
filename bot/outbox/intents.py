"""The kinds of intent, and the intents services write (plain data: no Telegram, no SQL).

Each intent names what it shows by ids; its renderer reads the rest from the database when it is
delivered, so what reaches the chat is the state as it is then, not as it was when owed.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.streaks import FreezeEarned, FreezeUsed, StreakEvent
from bot.storage.outbox import Intent


class Kind(StrEnum):
    """What an intent shows."""

    ITEM = "quiz.item"  # a session's question as it stands: asked, revealed, answered or closed
    SUMMARY = "quiz.summary"  # a finished session's summary as it stands
    STREAK = "quiz.streak"  # streak news an answer brought (a freeze used or earned)
    OFFER = "quiz.offer"  # the one-time offer of a daily reminder
    BACK = "quiz.back"  # the pictures and sound of an answered card's back
    REMINDER = "reminder"  # the daily reminder, sent by the paced sender (storage PACED_KINDS)
    LOBBY = "battle.lobby"  # a battle's lobby as it stands: open with its buttons, or closed
    ROUND = "battle.round"  # a battle round's message as it stands: asked, revealed or cancelled
    PODIUM = "battle.podium"  # a finished battle's final standings


def item(chat_id: int, session_id: int, position: int) -> Intent:
    """The question's own message: sent when it has none yet, else edited to its state now."""
    return Intent(
        chat_id,
        Kind.ITEM,
        f"item:{session_id}:{position}",
        {"session": session_id, "position": position},
    )


def item_on(chat_id: int, session_id: int, position: int, message_id: int) -> Intent:
    """Another message showing the question (a copy sent twice): edited to its state now."""
    return Intent(
        chat_id,
        Kind.ITEM,
        f"item:{session_id}:{position}:on:{message_id}",
        {"session": session_id, "position": position, "message": message_id},
    )


def item_again(chat_id: int, session_id: int, position: int, update_id: int) -> Intent:
    """The question asked in a new message (a session resumed by update `update_id`), which then
    stands for it; that update handled again asks it no third time."""
    return Intent(
        chat_id,
        Kind.ITEM,
        f"item:{session_id}:{position}:new:{update_id}",
        {"session": session_id, "position": position, "fresh": True},
        once=True,
    )


def back_media(chat_id: int, session_id: int, position: int) -> Intent:
    """The card's back pictures and sound, sent once when its answer is shown."""
    return Intent(
        chat_id,
        Kind.BACK,
        f"back:{session_id}:{position}",
        {"session": session_id, "position": position},
        once=True,
    )


def summary(chat_id: int, session_id: int) -> Intent:
    """The session's summary: sent once it is over, edited when its figures change."""
    return Intent(chat_id, Kind.SUMMARY, f"summary:{session_id}", {"session": session_id})


def streak_news(
    chat_id: int, session_id: int, position: int, events: tuple[StreakEvent, ...]
) -> Intent | None:
    """The streak news worth a message of its own, if an answer brought any."""
    news: list[list[int]] = []
    for event in events:
        if isinstance(event, FreezeUsed):
            news.append([0, event.saved_streak])
        elif isinstance(event, FreezeEarned):
            news.append([1, event.streak_days, event.held])
    if not news:
        return None
    return Intent(chat_id, Kind.STREAK, f"streak:{session_id}:{position}", {"news": news})


def offer(chat_id: int, user_id: int) -> Intent:
    """The daily-reminder offer, owed once per user ever."""
    return Intent(chat_id, Kind.OFFER, f"offer:{user_id}", {"user": user_id})


def reminder(
    user_id: int, local_day: str, due_count: int, streak: int, studied_today: bool, decided_at: int
) -> Intent:
    """The daily reminder as decided at `decided_at` (unix seconds), owed once per local day."""
    return Intent(
        user_id,
        Kind.REMINDER,
        f"reminder:{user_id}:{local_day}",
        {
            "local_day": local_day,
            "due_count": due_count,
            "streak": streak,
            "studied_today": studied_today,
            "decided_at": decided_at,
        },
        once=True,
    )


def lobby(chat_id: int, battle_id: int) -> Intent:
    """The battle's lobby: posted when it has no message yet, else edited to how it stands."""
    return Intent(chat_id, Kind.LOBBY, f"lobby:{battle_id}", {"battle": battle_id})


def lobby_on(chat_id: int, battle_id: int, message_id: int) -> Intent:
    """Another message showing the lobby (a copy posted twice): closed like the lobby."""
    return Intent(
        chat_id,
        Kind.LOBBY,
        f"lobby:{battle_id}:on:{message_id}",
        {"battle": battle_id, "message": message_id},
    )


def battle_round(chat_id: int, battle_id: int, round_no: int) -> Intent:
    """A round's message: its question posted while the round is open, edited once it closes."""
    return Intent(
        chat_id,
        Kind.ROUND,
        f"round:{battle_id}:{round_no}",
        {"battle": battle_id, "round": round_no},
    )


def battle_round_on(chat_id: int, battle_id: int, round_no: int, message_id: int) -> Intent:
    """Another message showing a round (a copy posted twice): closed like the round."""
    return Intent(
        chat_id,
        Kind.ROUND,
        f"round:{battle_id}:{round_no}:on:{message_id}",
        {"battle": battle_id, "round": round_no, "message": message_id},
    )


def podium(chat_id: int, battle_id: int) -> Intent:
    """The battle's final standings, posted once."""
    return Intent(chat_id, Kind.PODIUM, f"podium:{battle_id}", {"battle": battle_id}, once=True)
