"""The outbox: intents the bot owes a chat, written with the change that made them owed.

An intent is written inside the transaction of its state change (`Owed.write`), so a change is
never stored without what it owes the chat, nor the other way round. The writing process holds
each row it writes (a lease in the row: `lease_owner`, `lease_until`) and delivers it at once, so
the usual path costs no claim. A deliverer reads a chat's rows with `take` — its own, and any whose
lease ran out (their process died), extending the lease on all of them in the same statement —
renders each from the database as it is then, and records the outcome with `finish`, only while
the row is still its own. A row whose outcome was unknown (a timeout) waits until `retry_at`.

An intent's `dedupe` key makes writing it twice owe it once: written again, it is owed anew (an
edit that must show a newer state), which every intent tolerates, since each renders the state as
it is. Every time here is wall-clock milliseconds, like the leases': the outbox orders processes
and deliveries, never the bot's business.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.storage.db import Database, Row

SENT = "sent"  # sent or edited (an edit Telegram found already made counts)
SKIPPED = "skipped"  # no longer owed when its turn came (the state moved on)
BLOCKED = "blocked"  # the person blocked the bot, or the chat is gone
FAILED = "failed"  # Telegram refused it for good (logged)
EXPIRED = "expired"  # its outcome stayed unknown too long (the Bot API unreachable for hours)

CLEANUP_CHUNK = 5000
# Kinds sent in bulk by a paced sender (Telegram allows the bot 30 messages a second), taken with
# `take_paced`; the per-chat deliverer leaves them alone.
PACED_KINDS = ("reminder",)
_NOT_PACED = "kind NOT IN (" + ", ".join(f"'{k}'" for k in PACED_KINDS) + ")"


def wall_ms() -> int:
    """Now on the wall clock, in milliseconds."""
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class Intent:
    """A message owed to a chat: its kind, what identifies it, and what rendering it needs."""

    chat_id: int
    kind: str
    dedupe: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    once: bool = False  # written again, it stays as it is (a new message asked for once)


@dataclass(frozen=True, slots=True)
class Holder:
    """The process that writes intents and delivers them: its name and how long it holds them."""

    owner: str
    lease_ms: int


@dataclass(frozen=True, slots=True)
class Owed:
    """Intents to write with a state change, held by the process writing them."""

    intents: Sequence[Intent]
    holder: Holder

    async def write(self, db: Database, now_ms: int | None = None) -> None:
        """Owe the intents (call inside the transaction of the change that owes them)."""
        now = wall_ms() if now_ms is None else now_ms
        again = [intent for intent in self.intents if not intent.once]
        once = [intent for intent in self.intents if intent.once]
        # One statement each: a new intent is added; one written before is owed anew, or (once)
        # left as it is.
        if again:
            await db.execute(*self._insert(again, now, _OWED_ANEW))
        if once:
            await db.execute(*self._insert(once, now, "DO NOTHING"))

    def _insert(
        self, intents: Sequence[Intent], now: int, on_conflict: str
    ) -> tuple[str, list[Any]]:
        values = ", ".join("(?, ?, ?, ?, ?, ?, ?)" for _ in intents)
        params: list[Any] = []
        for intent in intents:
            payload = json.dumps(dict(intent.payload), ensure_ascii=False, sort_keys=True)
            params += [intent.chat_id, intent.kind, intent.dedupe, payload, now]
            # A holder of no lease writes rows any sender may take at once.
            held_until = now + self.holder.lease_ms if self.holder.lease_ms else 0
            params += [self.holder.owner, held_until]
        sql = (
            "INSERT INTO outbox (chat_id, kind, dedupe, payload, created_at, lease_owner, "
            f"lease_until) VALUES {values} ON CONFLICT (dedupe) {on_conflict}"
        )
        return sql, params


_OWED_ANEW = """DO UPDATE SET chat_id = excluded.chat_id, payload = excluded.payload,
    created_at = excluded.created_at,
    lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, attempts = 0,
    retry_at = 0, outcome = NULL, message_id = NULL, done_at = NULL"""


@dataclass(frozen=True, slots=True)
class OwedRow:
    """An intent not delivered yet, as stored."""

    id: int
    chat_id: int
    kind: str
    payload: Mapping[str, Any]
    attempts: int
    created_at: int


def _owed(row: Row) -> OwedRow:
    return OwedRow(
        int(row[0]), int(row[1]), str(row[2]), json.loads(row[3]), int(row[4]), int(row[5])
    )


async def take(db: Database, chat_id: int, holder: Holder, now_ms: int) -> list[OwedRow]:
    """The chat's owed intents this process may deliver now, oldest first: its own and those whose
    lease ran out, each (re)leased to it in the same statement."""
    rows = await db.fetchall(
        f"""UPDATE outbox SET lease_owner = ?, lease_until = ?
             WHERE chat_id = ? AND outcome IS NULL AND retry_at <= ? AND {_NOT_PACED}
               AND (lease_owner = ? OR lease_until <= ?)
         RETURNING id, chat_id, kind, payload, attempts, created_at""",
        (holder.owner, now_ms + holder.lease_ms, chat_id, now_ms, holder.owner, now_ms),
    )
    # RETURNING follows no ORDER BY.
    return sorted((_owed(r) for r in rows), key=lambda r: r.id)


async def take_paced(
    db: Database, kind: str, holder: Holder, limit: int, now_ms: int
) -> list[OwedRow]:
    """Lease up to `limit` free owed intents of a paced kind, oldest first, counting the take in
    `attempts` (a row whose senders keep dying is given up by its caller). Concurrent senders
    take disjoint rows (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer)."""
    until = now_ms + holder.lease_ms
    # Not the sender's own rows either: they are on their way already.
    free = "outcome IS NULL AND kind = ? AND retry_at <= ? AND lease_until <= ?"
    if db.dialect == "postgres":
        sql = f"""UPDATE outbox AS o SET lease_owner = ?, lease_until = ?, attempts = o.attempts + 1
                    FROM (SELECT id FROM outbox WHERE {free} ORDER BY id LIMIT ?
                            FOR UPDATE SKIP LOCKED) AS t
                   WHERE o.id = t.id
               RETURNING o.id, o.chat_id, o.kind, o.payload, o.attempts, o.created_at"""
    else:
        sql = f"""UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
                   WHERE id IN (SELECT id FROM outbox WHERE {free} ORDER BY id LIMIT ?)
               RETURNING id, chat_id, kind, payload, attempts, created_at"""
    rows = await db.fetchall(sql, (holder.owner, until, kind, now_ms, now_ms, limit))
    return sorted((_owed(r) for r in rows), key=lambda r: r.id)


async def finish(
    db: Database, row: OwedRow, owner: str, outcome: str, message_id: int | None, now_ms: int
) -> bool:
    """Record the outcome of the intent as it was taken; False when it is no longer that: taken
    over by another process, or owed anew by a newer change (written again since: `created_at`
    moved), which then shows the newer state in turn."""
    changed = await db.execute(
        "UPDATE outbox SET outcome = ?, message_id = ?, done_at = ?, lease_until = 0 "
        "WHERE id = ? AND lease_owner = ? AND created_at = ? AND outcome IS NULL",
        (outcome, message_id, now_ms, row.id, owner, row.created_at),
    )
    return changed == 1


async def postpone(db: Database, row: OwedRow, owner: str, until_ms: int) -> int:
    """Count one more delivery of unknown outcome; any process may try again from `until_ms`.
    The attempts so far (0 when the row is no longer as taken, see `finish`)."""
    found = await db.fetchone(
        "UPDATE outbox SET attempts = attempts + 1, retry_at = ?, lease_until = 0 "
        "WHERE id = ? AND lease_owner = ? AND created_at = ? AND outcome IS NULL "
        "RETURNING attempts",
        (until_ms, row.id, owner, row.created_at),
    )
    return 0 if found is None else int(found[0])


async def release(db: Database, chat_id: int, owner: str) -> int:
    """Give back `owner`'s undelivered rows of a chat (it stops delivering them); how many."""
    return await db.execute(
        "UPDATE outbox SET lease_until = 0 "
        "WHERE chat_id = ? AND lease_owner = ? AND outcome IS NULL AND lease_until > 0",
        (chat_id, owner),
    )


async def orphaned_chats(db: Database, now_ms: int, limit: int) -> list[int]:
    """Chats owed an intent that is due and held by no live process (a range scan of
    outbox_orphans)."""
    rows = await db.fetchall(
        "SELECT DISTINCT chat_id FROM outbox "
        f"WHERE outcome IS NULL AND lease_until <= ? AND retry_at <= ? AND {_NOT_PACED} LIMIT ?",
        (now_ms, now_ms, limit),
    )
    return [int(r[0]) for r in rows]


async def holders(db: Database) -> set[str]:
    """The processes holding owed intents."""
    rows = await db.fetchall(
        "SELECT DISTINCT lease_owner FROM outbox "
        "WHERE outcome IS NULL AND lease_owner IS NOT NULL AND lease_until > 0"
    )
    return {str(r[0]) for r in rows}


async def release_owner(db: Database, owner: str) -> int:
    """Free every owed intent a process holds (it is known to be gone); how many."""
    return await db.execute(
        "UPDATE outbox SET lease_until = 0 "
        "WHERE lease_owner = ? AND outcome IS NULL AND lease_until > 0",
        (owner,),
    )


async def owed_count(db: Database, kind: str | None = None) -> int:
    """How many intents (of a kind) are owed, across chats."""
    if kind is None:
        row = await db.fetchone("SELECT COUNT(*) FROM outbox WHERE outcome IS NULL")
    else:
        row = await db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE outcome IS NULL AND kind = ?", (kind,)
        )
    return 0 if row is None else int(row[0])


async def cleanup(db: Database, done_before: int) -> int:
    """Delete delivered rows finished before `done_before`; how many went."""
    return await db.execute(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
        "WHERE outcome IS NOT NULL AND done_at < ? LIMIT ?)",
        (done_before, CLEANUP_CHUNK),
    )
