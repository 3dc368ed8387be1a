"""The database keeps instants as unix seconds; services speak tz-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def unix(when: datetime) -> int:
    """A tz-aware datetime as whole unix seconds."""
    return int(when.timestamp())


def from_unix(seconds: int) -> datetime:
    """Unix seconds as a tz-aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
