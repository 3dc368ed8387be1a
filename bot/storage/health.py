"""The few queries the operations endpoints need: a liveness ping and a count of running battles."""

from __future__ import annotations

from bot.storage.db import Database


async def ping(db: Database) -> None:
    """Run a trivial query; raises when the database cannot answer or keep what it is told."""
    problem = db.problem()
    if problem is not None:
        raise RuntimeError(problem)
    await db.fetchone("SELECT 1")


async def running_battles(db: Database) -> int:
    """How many group battles are not finished (served by the battles_running partial index)."""
    row = await db.fetchone("SELECT COUNT(*) FROM battles WHERE finished = 0")
    return int(row[0]) if row is not None else 0
