"""Query plans on either backend, for the tests that pin a hot query to its index."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Database


async def sqlite_plan(db: Database, sql: str, params: Iterable[Any] = ()) -> list[str]:
    """The detail column of SQLite's EXPLAIN QUERY PLAN, one string per step."""
    assert db.dialect == "sqlite"
    return [str(row[3]) for row in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params)]


@dataclass(frozen=True, slots=True)
class PlanNode:
    """One node of a PostgreSQL plan: its type and, for a scan, the table and index it reads."""

    node: str
    relation: str | None
    index: str | None


def _walk(node: dict[str, Any]) -> Iterator[PlanNode]:
    yield PlanNode(node["Node Type"], node.get("Relation Name"), node.get("Index Name"))
    for child in node.get("Plans", ()):
        yield from _walk(child)


async def postgres_plan(db: Database, sql: str, params: Iterable[Any] = ()) -> list[PlanNode]:
    """Every node of the plan PostgreSQL picks when sequential and bitmap scans are off.

    The test tables hold a handful of rows, and on those a sequential scan (or a bitmap scan and
    a sort) is cheapest, whatever indexes exist. With both turned off the planner still falls back
    to them (and to a Sort node) when no index can serve the query, so what is left shows whether
    an index range scan, in the order asked for, is possible: what a full table would use.
    """
    assert db.dialect == "postgres"
    async with db.transaction():
        # SET LOCAL ends with this transaction: the pooled connection goes back unchanged.
        await db.execute("SET LOCAL enable_seqscan = off")
        await db.execute("SET LOCAL enable_bitmapscan = off")
        rows = await db.fetchall("EXPLAIN (FORMAT JSON) " + sql, params)
    document = rows[0][0]
    plan = json.loads(document) if isinstance(document, str) else document
    return list(_walk(plan[0]["Plan"]))


def indexes_used(nodes: Iterable[PlanNode]) -> set[str]:
    """The indexes a PostgreSQL plan reads."""
    return {n.index for n in nodes if n.index is not None}


def full_scans_or_sorts(nodes: Iterable[PlanNode]) -> list[PlanNode]:
    """The nodes of a PostgreSQL plan that read a whole table or sort rows."""
    return [n for n in nodes if n.node in ("Seq Scan", "Sort", "Incremental Sort")]
