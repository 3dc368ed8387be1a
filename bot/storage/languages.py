"""The language each chat reads the bot in (table chat_languages, migration m020)."""

from __future__ import annotations

from bot.storage.db import Database


async def language_of(db: Database, chat_id: int) -> str | None:
    """The stored language of a chat (a private chat's id is its user's), or None."""
    row = await db.fetchone("SELECT language FROM chat_languages WHERE chat_id = ?", (chat_id,))
    return str(row[0]) if row else None


async def language_for_update(
    db: Database, chat_id: int, detected: str | None, private: bool, default: str
) -> str:
    """The language an update of `chat_id` is answered in, stored on first contact.

    `detected` is the interface language of the sender's Telegram (None when it is not one of
    ours). A private chat follows its user's Telegram until they choose with /language; a group
    keeps the language of whoever first spoke to the bot there until an admin chooses.
    """
    row = await db.fetchone(
        "SELECT language, chosen FROM chat_languages WHERE chat_id = ?", (chat_id,)
    )
    if row is None:
        language = detected or default
        await db.execute(
            """INSERT INTO chat_languages (chat_id, language) VALUES (?, ?)
               ON CONFLICT (chat_id) DO NOTHING""",
            (chat_id, language),
        )
        return language
    stored, chosen = str(row[0]), bool(row[1])
    if private and not chosen and detected is not None and detected != stored:
        # Their Telegram now speaks another language, and they never picked one here.
        await db.execute(
            "UPDATE chat_languages SET language = ? WHERE chat_id = ? AND chosen = 0",
            (detected, chat_id),
        )
        return detected
    return stored


async def choose_language(db: Database, chat_id: int, language: str) -> None:
    """Store the language someone picked with /language for a chat."""
    await db.execute(
        """INSERT INTO chat_languages (chat_id, language, chosen) VALUES (?, ?, 1)
           ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, chosen = 1""",
        (chat_id, language),
    )


async def languages_of(db: Database, chat_ids: list[int]) -> dict[int, str]:
    """The stored language of each of `chat_ids` that has one (one query for a batch)."""
    if not chat_ids:
        return {}
    marks = ", ".join("?" for _ in chat_ids)
    rows = await db.fetchall(
        f"SELECT chat_id, language FROM chat_languages WHERE chat_id IN ({marks})", chat_ids
    )
    return {int(row[0]): str(row[1]) for row in rows}
