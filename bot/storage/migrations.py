"""Append-only, numbered schema migrations: `schema/mNNN_name.sql`, applied in name order.

Never edit a migration that has shipped; add the next number. Each file runs in one transaction.
"""

from __future__ import annotations

from importlib import resources


def _load() -> list[tuple[str, str]]:
    folder = resources.files("bot.storage") / "schema"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")), key=lambda e: e.name
    )
    return [(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8")) for entry in files]


MIGRATIONS: list[tuple[str, str]] = _load()
