"""Leases: which bot process does a piece of work right now, decided by the database alone.

A lease is a row (key, owner, expires_at). It is taken with one upsert that wins only when the
row is absent, expired, or already the taker's, so of any number of processes racing for a key
exactly one holds it at a time. The holder renews it while it works and deletes it when done; a
process that dies (kill -9) simply stops renewing, and once `expires_at` has passed any other
process may take the key over. Times are wall-clock milliseconds (`time.time()`): leases order
processes, which share no clock but the wall's, and never the bot's business time.

A lease is only as good as its length: a holder stalled past its expiry (a frozen VM, a stopped
process) may find its work taken over while it still runs. Holders therefore check, before each
step, that their lease is still theirs and still comfortably within its time.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Hashable
from dataclasses import dataclass

from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class LeaseTable:
    """A table of leases and its key column (names are constants, never user input)."""

    table: str
    key: str


CHAT_LEASES = LeaseTable("chat_leases", "chat_key")  # a chat's inbox, drained in order
JOB_LEASES = LeaseTable("job_leases", "name")  # work done by one process for all of them


def new_owner() -> str:
    """A name for one process's leases (host/pid/random): unique even when a restarted process
    gets its predecessor's pid, so it never mistakes the dead one's leases for its own."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def gone_from_this_host(owner: str) -> bool:
    """Whether `owner` names a process of this host that no longer runs.

    A bot restarted after a crash on the same machine need not wait for its predecessor's leases
    to expire: the kernel says that pid is gone. Owners on other hosts, owners in this very
    process (tests run several), and pids that exist (even reused by something else) all count
    as alive, so this can only make a takeover earlier when it is certainly safe.
    """
    host, sep, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    if not sep or host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the pid exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, under another user
    return False


async def take(
    db: Database, leases: LeaseTable, key: Hashable, owner: str, now_ms: int, lease_ms: int
) -> bool:
    """Take or extend the lease on `key` for `owner`; False while another owner's is live."""
    t, k = leases.table, leases.key
    row = await db.fetchone(
        f"""INSERT INTO {t} ({k}, owner, expires_at) VALUES (?, ?, ?)
            ON CONFLICT ({k}) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
             WHERE {t}.expires_at <= ? OR {t}.owner = excluded.owner
            RETURNING owner""",
        (key, owner, now_ms + lease_ms, now_ms),
    )
    return row is not None


async def renew(
    db: Database, leases: LeaseTable, key: Hashable, owner: str, now_ms: int, lease_ms: int
) -> bool:
    """Extend `owner`'s lease on `key`; False when it is no longer theirs."""
    changed = await db.execute(
        f"UPDATE {leases.table} SET expires_at = ? WHERE {leases.key} = ? AND owner = ?",
        (now_ms + lease_ms, key, owner),
    )
    return changed == 1


async def renew_all(
    db: Database, leases: LeaseTable, owner: str, now_ms: int, lease_ms: int
) -> set[Hashable]:
    """Extend every lease `owner` holds in one statement; the keys still theirs."""
    rows = await db.fetchall(
        f"UPDATE {leases.table} SET expires_at = ? WHERE owner = ? RETURNING {leases.key}",
        (now_ms + lease_ms, owner),
    )
    return {row[0] for row in rows}


async def release(db: Database, leases: LeaseTable, key: Hashable, owner: str) -> bool:
    """Give the lease on `key` back (only if `owner` still holds it)."""
    changed = await db.execute(
        f"DELETE FROM {leases.table} WHERE {leases.key} = ? AND owner = ?", (key, owner)
    )
    return changed == 1


async def release_all(db: Database, leases: LeaseTable, owner: str) -> int:
    """Give back every lease `owner` holds (a clean stop); how many there were."""
    return await db.execute(f"DELETE FROM {leases.table} WHERE owner = ?", (owner,))


async def owners(db: Database, leases: LeaseTable) -> set[str]:
    """Every owner holding a lease in the table, live or expired."""
    rows = await db.fetchall(f"SELECT DISTINCT owner FROM {leases.table}")
    return {str(r[0]) for r in rows}


async def holder(db: Database, leases: LeaseTable, key: Hashable, now_ms: int) -> str | None:
    """The owner of the live lease on `key`, or None when it is free or expired."""
    row = await db.fetchone(
        f"SELECT owner FROM {leases.table} WHERE {leases.key} = ? AND expires_at > ?",
        (key, now_ms),
    )
    return None if row is None else str(row[0])
