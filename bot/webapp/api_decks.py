"""The Mini App's JSON API for decks (routes under /app/api/)."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application) -> None:
    """Add this module's routes to the Mini App's aiohttp application."""
