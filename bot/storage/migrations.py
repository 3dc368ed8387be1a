"""Append-only, numbered schema migrations, one folder per backend: `schema/<dialect>/mNNN_name.sql`.

Both folders hold the same names, applied in name order: a change to the schema is written once
for SQLite and once for PostgreSQL under the same number. Never edit a migration that has shipped;
add the next number. Each file runs in one transaction.
"""

from __future__ import annotations

from importlib import resources

DIALECTS = ("sqlite", "postgres")


def load_migrations(dialect: str) -> list[tuple[str, str]]:
    """(name, SQL text) of every migration of one backend, in the order they apply."""
    folder = resources.files("bot.storage") / "schema" / dialect
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")), key=lambda e: e.name
    )
    return [(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8")) for entry in files]


MIGRATIONS: dict[str, list[tuple[str, str]]] = {d: load_migrations(d) for d in DIALECTS}
