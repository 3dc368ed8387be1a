"""The language each chat reads the bot in (table chat_languages, migration m020)."""

from __future__ import annotations

from bot.storage.db import Database


async def language_of(db: Database, chat_id: int) -> str | None:
    """The stored language of a chat (a private chat's id is its user's), or None."""
    row = await db.fetchone("SELECT language FROM chat_languages WHERE chat_id = ?", (chat_id,))
    return str(row[0]) if row else None


async def language_for_update(
    db: Database,
    chat_id: int,
    detected: str | None,
    private: bool,
    default: str,
    recount: bool = False,
    sender: int | None = None,
) -> str:
    """The language an update of `chat_id` is answered in, stored on first contact.

    `detected` is the interface language of the sender's Telegram (None when it is not one of
    ours). A private chat follows its user's Telegram until they choose with /language. A group
    starts in the language of whoever first spoke to the bot there; until an admin chooses, it
    follows the majority of its battle players, counted again when `recount` (a command, say: a
    battle's taps do not pay for the count). So that a player who never wrote to the bot privately
    counts too, the `sender` of a group update with a `detected` language gets their own (private
    chat's) row the first time, read in the same query as the group's.
    """
    if private or sender is None or detected is None:
        row = await db.fetchone(
            "SELECT language, chosen FROM chat_languages WHERE chat_id = ?", (chat_id,)
        )
    else:
        rows = await db.fetchall(
            "SELECT chat_id, language, chosen FROM chat_languages WHERE chat_id IN (?, ?)",
            (chat_id, sender),
        )
        row = next(((r[1], r[2]) for r in rows if int(r[0]) == chat_id), None)
        if all(int(r[0]) != sender for r in rows):
            await db.execute(
                """INSERT INTO chat_languages (chat_id, language) VALUES (?, ?)
                   ON CONFLICT (chat_id) DO NOTHING""",
                (sender, detected),
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
    if not private and not chosen and recount:
        majority = await _players_majority(db, chat_id, stored)
        if majority != stored:
            await db.execute(
                "UPDATE chat_languages SET language = ? WHERE chat_id = ? AND chosen = 0",
                (majority, chat_id),
            )
            return majority
    return stored


async def _players_majority(db: Database, chat_id: int, current: str) -> str:
    """The language most of a group's battle players read the bot in (`current` on a tie, or
    when none of them has one stored)."""
    rows = await db.fetchall(
        """SELECT language, COUNT(*) FROM chat_languages
            WHERE chat_id IN (SELECT p.user_id FROM battle_players p
                                JOIN battles b ON b.id = p.battle_id
                               WHERE b.chat_id = ?)
            GROUP BY language""",
        (chat_id,),
    )
    counts = {str(row[0]): int(row[1]) for row in rows}
    if not counts or counts.get(current, 0) == max(counts.values()):
        return current
    return max(sorted(counts), key=lambda language: counts[language])


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
