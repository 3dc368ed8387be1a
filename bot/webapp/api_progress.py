"""The Mini App's JSON API for progress (routes under /app/api/).

- `GET /app/api/progress`: a year's reviews per learning day, a month's forecast, each deck's
  retention, the hardest cards.
- `POST /app/api/review` `{"card_ids": [...]}`: a quiz of those cards starts in the private chat.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.services.progress import MAX_REVIEW_CARDS, ProgressReport
from bot.services.quiz import PickRefused
from bot.views.webapp_progress import sentence
from bot.webapp.context import services_of, web_user

# Difficulty is FSRS's 1 to 10; one decimal is all a reader can tell apart.
DIFFICULTY_DIGITS = 1


def add_routes(app: web.Application) -> None:
    """Add this module's routes to the Mini App's aiohttp application."""
    app.router.add_get("/app/api/progress", progress)
    app.router.add_post("/app/api/review", review)


def error(status: int, code: str, key: str) -> web.Response:
    """An API error: its code for the page, its sentence for the reader."""
    return web.json_response({"error": {"code": code, "message": sentence(key)}}, status=status)


def report_json(report: ProgressReport) -> dict[str, Any]:
    """The progress report as the page reads it."""
    return {
        "heatmap": [{"day": d.day.isoformat(), "reviews": d.count} for d in report.heatmap],
        "forecast": [{"day": d.day.isoformat(), "due": d.count} for d in report.forecast],
        "decks": [
            {
                "id": d.deck_id,
                "title": d.title,
                "retention": d.retention,
                "reviews": d.reviews,
                "due": d.due,
            }
            for d in report.decks
        ],
        "hardest": [
            {
                "card_id": c.card_id,
                "deck_id": c.deck_id,
                "deck_title": c.deck_title,
                "front": c.front,
                "lapses": c.lapses,
                "difficulty": round(c.difficulty, DIFFICULTY_DIGITS),
            }
            for c in report.hardest
        ],
    }


async def progress(request: web.Request) -> web.Response:
    """GET /app/api/progress: the reader's progress now."""
    user = web_user(request)
    report = await services_of(request).progress.report(user.id, user.first_name)
    return web.json_response(report_json(report))


def card_ids_of(body: object) -> list[int] | None:
    """The card ids a review request names: 1 to 20 whole numbers, or None when it names none."""
    if not isinstance(body, dict):
        return None
    ids = body.get("card_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_REVIEW_CARDS:
        return None
    # bool is an int in Python; true is no card id.
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return ids


async def review(request: web.Request) -> web.Response:
    """POST /app/api/review: start a quiz of the picked cards in the reader's private chat."""
    user = web_user(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error(400, "bad_request", "progress.bad_cards")
    card_ids = card_ids_of(body)
    if card_ids is None:
        return error(400, "bad_request", "progress.bad_cards")
    services = services_of(request)
    refused = await services.progress.review_now(user.id, user.first_name, card_ids)
    if refused is PickRefused.NOT_YOURS:
        return error(403, "not_yours", "progress.not_yours")
    if refused is PickRefused.NO_QUESTION:
        return error(422, "no_question", "progress.no_question")
    if refused is PickRefused.NO_CHAT:
        return error(409, "no_chat", "progress.no_chat")
    # The first question is owed to the chat already; sending it now spares waiting for a sweep.
    if services.deliverer is not None:
        await services.deliverer.deliver(user.id)
    return web.json_response({"started": True})
