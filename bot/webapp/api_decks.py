"""The Mini App's JSON API for decks (routes under /app/api/).

Handlers are thin: read the path and a strictly checked JSON body, call the deck editor
(bot.services.deck_editor), render JSON. Errors are `{"error": {"code", "message"}}` with the
sentence in the reader's language (the server's middleware makes it current).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from aiohttp import web
from telegram import InputFile
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.cards.uploaded_picture import checked_picture
from bot.services.deck_editor import DeckEditor, DeckView, EditorError
from bot.storage.deck_edits import StoredCard
from bot.views.webapp_deck_errors import error_message
from bot.webapp.context import BOT_APP, services_of, web_user

# Database ids are 64-bit: a longer number in a path names nothing.
MAX_ID = 2**63 - 1
DECK = r"/app/api/decks/{deck_id:\d{1,19}}"
CARD = DECK + r"/cards/{card_id:\d{1,19}}"
# The one write whose body is not JSON (the server's write guard lets an image through here).
PICTURE_PATH = re.compile(r"^/app/api/decks/\d{1,19}/cards/\d{1,19}/picture$")
# The uploaded picture's bytes, as the write guard read them (within its 5 MB cap).
UPLOADED: web.RequestKey[bytes] = web.RequestKey("picture_upload", bytes)


def _editor(request: web.Request) -> DeckEditor:
    return services_of(request).deck_editor


def _error_body(
    code: str, field: str | None = None, reason: str | None = None, deck_limit: int = 0
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": error_message(code, field, reason, deck_limit),
    }
    if field is not None:
        error["field"] = field
        error["reason"] = reason
    return {"error": error}


def _bad_request() -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps(_error_body("bad_request")), content_type="application/json"
    )


def _refused(request: web.Request, refusal: EditorError) -> web.Response:
    """The JSON response for a refusal (a 409 "changed" carries the card as it is now)."""
    body = _error_body(refusal.code, refusal.field, refusal.reason, _editor(request).max_own_decks)
    if refusal.card is not None:
        body["card"] = card_json(refusal.card)
    return web.json_response(body, status=refusal.status)


def deck_json(view: DeckView) -> dict[str, Any]:
    """A deck as the API shows it."""
    deck = view.deck
    return {
        "id": deck.id,
        "title": deck.title,
        "cards": deck.cards,
        "editable": view.editable,
        "active": view.active,
        "follows": deck.follows,
        "bundled": deck.owner_id is None,
    }


def card_json(card: StoredCard) -> dict[str, Any]:
    """A card as the API shows it."""
    return {
        "id": card.id,
        "position": card.position,
        "front": card.card.front,
        "back": card.card.back,
        "picture": card.picture,
    }


def _path_id(request: web.Request, name: str) -> int:
    value = int(request.match_info[name])
    if value > MAX_ID:
        raise web.HTTPNotFound(
            text=json.dumps(_error_body("not_found")), content_type="application/json"
        )
    return value


def _query_int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise _bad_request()
    return int(raw)


async def _body(
    request: web.Request, required: Mapping[str, type], optional: Mapping[str, type] = {}
) -> dict[str, Any]:
    """The request's JSON object, with exactly these fields of these types (else 400)."""
    raw = await request.read()
    if not raw.strip() and not required:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bad_request() from None
    if not isinstance(data, dict):
        raise _bad_request()
    allowed = {**required, **optional}
    if not set(required) <= set(data) or not set(data) <= set(allowed):
        raise _bad_request()
    for name, value in data.items():
        # type() rather than isinstance(): JSON true is no position, 1 is no keep_schedule.
        if type(value) is not allowed[name]:
            raise _bad_request()
    return data


async def list_decks(request: web.Request) -> web.Response:
    """GET /app/api/decks?q=: the person's decks then the bundled ones."""
    user = web_user(request)
    views = await _editor(request).decks(user.id, request.query.get("q", ""))
    return web.json_response({"decks": [deck_json(v) for v in views]})


async def create_deck(request: web.Request) -> web.Response:
    """POST /app/api/decks {"title"}: a new empty deck."""
    user = web_user(request)
    body = await _body(request, {"title": str})
    made = await _editor(request).create(user.id, user.first_name, body["title"])
    if isinstance(made, EditorError):
        return _refused(request, made)
    return web.json_response({"deck": deck_json(made)}, status=201)


async def get_deck(request: web.Request) -> web.Response:
    """GET /app/api/decks/{id}."""
    user = web_user(request)
    found = await _editor(request).deck(user.id, _path_id(request, "deck_id"))
    if isinstance(found, EditorError):
        return _refused(request, found)
    return web.json_response({"deck": deck_json(found)})


async def rename_deck(request: web.Request) -> web.Response:
    """PATCH /app/api/decks/{id} {"title"}."""
    user = web_user(request)
    deck_id = _path_id(request, "deck_id")
    body = await _body(request, {"title": str})
    editor = _editor(request)
    done = await editor.rename(user.id, deck_id, body["title"])
    if isinstance(done, EditorError):
        return _refused(request, done)
    found = await editor.deck(user.id, deck_id)
    if isinstance(found, EditorError):
        return _refused(request, found)
    return web.json_response(
        {"deck": deck_json(found), "stopped_following": done.stopped_following}
    )


async def delete_deck(request: web.Request) -> web.Response:
    """DELETE /app/api/decks/{id}."""
    user = web_user(request)
    refused = await _editor(request).delete(user.id, _path_id(request, "deck_id"))
    if refused is not None:
        return _refused(request, refused)
    return web.json_response({"ok": True})


async def use_deck(request: web.Request) -> web.Response:
    """POST /app/api/decks/{id}/use: the next /quiz asks this deck."""
    user = web_user(request)
    deck_id = _path_id(request, "deck_id")
    await _body(request, {})
    used = await _editor(request).use(user.id, user.first_name, deck_id)
    if isinstance(used, EditorError):
        return _refused(request, used)
    return web.json_response({"deck": deck_json(used)})


async def list_cards(request: web.Request) -> web.Response:
    """GET /app/api/decks/{id}/cards?q=&offset=&limit=."""
    user = web_user(request)
    deck_id = _path_id(request, "deck_id")
    offset = _query_int(request, "offset", 0)
    limit = _query_int(request, "limit", 50)
    page = await _editor(request).cards(user.id, deck_id, request.query.get("q", ""), offset, limit)
    if isinstance(page, EditorError):
        return _refused(request, page)
    return web.json_response(
        {
            "cards": [card_json(c) for c in page.cards],
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
        }
    )


async def add_card(request: web.Request) -> web.Response:
    """POST /app/api/decks/{id}/cards {"front", "back", "position"?}."""
    user = web_user(request)
    deck_id = _path_id(request, "deck_id")
    body = await _body(request, {"front": str, "back": str}, {"position": int})
    saved = await _editor(request).add_card(
        user.id, deck_id, body["front"], body["back"], body.get("position")
    )
    if isinstance(saved, EditorError):
        return _refused(request, saved)
    return web.json_response(
        {
            "card": card_json(saved.card),
            "schedule": saved.schedule,
            "stopped_following": saved.stopped_following,
        },
        status=201,
    )


async def get_card(request: web.Request) -> web.Response:
    """GET /app/api/decks/{id}/cards/{card_id}."""
    user = web_user(request)
    found = await _editor(request).card(
        user.id, _path_id(request, "deck_id"), _path_id(request, "card_id")
    )
    if isinstance(found, EditorError):
        return _refused(request, found)
    return web.json_response({"card": card_json(found)})


async def edit_card(request: web.Request) -> web.Response:
    """PUT /app/api/decks/{id}/cards/{card_id} {"front", "back", "was", "keep_schedule"}."""
    user = web_user(request)
    deck_id, card_id = _path_id(request, "deck_id"), _path_id(request, "card_id")
    body = await _body(request, {"front": str, "back": str, "was": dict}, {"keep_schedule": bool})
    was = body["was"]
    if set(was) != {"front", "back"} or not all(type(v) is str for v in was.values()):
        raise _bad_request()
    saved = await _editor(request).edit_card(
        user.id,
        deck_id,
        card_id,
        body["front"],
        body["back"],
        (was["front"], was["back"]),
        body.get("keep_schedule", False),
    )
    if isinstance(saved, EditorError):
        return _refused(request, saved)
    return web.json_response(
        {
            "card": card_json(saved.card),
            "schedule": saved.schedule,
            "stopped_following": saved.stopped_following,
        }
    )


async def delete_card(request: web.Request) -> web.Response:
    """DELETE /app/api/decks/{id}/cards/{card_id}: retired, its schedule kept."""
    user = web_user(request)
    done = await _editor(request).delete_card(
        user.id, _path_id(request, "deck_id"), _path_id(request, "card_id")
    )
    if isinstance(done, EditorError):
        return _refused(request, done)
    return web.json_response({"ok": True, "stopped_following": done.stopped_following})


async def move_card(request: web.Request) -> web.Response:
    """POST /app/api/decks/{id}/cards/{card_id}/move {"position"}."""
    user = web_user(request)
    deck_id, card_id = _path_id(request, "deck_id"), _path_id(request, "card_id")
    body = await _body(request, {"position": int})
    done = await _editor(request).move_card(user.id, deck_id, card_id, body["position"])
    if isinstance(done, EditorError):
        return _refused(request, done)
    return web.json_response({"ok": True, "stopped_following": done.stopped_following})


async def card_picture(request: web.Request) -> web.Response:
    """GET /app/api/decks/{id}/cards/{card_id}/picture: the front's picture."""
    user = web_user(request)
    found = await _editor(request).picture(
        user.id, _path_id(request, "deck_id"), _path_id(request, "card_id")
    )
    if isinstance(found, EditorError):
        return _refused(request, found)
    mime, data = found
    return web.Response(body=data, content_type=mime)


async def put_picture(request: web.Request) -> web.Response:
    """PUT /app/api/decks/{id}/cards/{card_id}/picture, the image as the body: the front's new
    picture (type and size already checked by the server's write guard)."""
    user = web_user(request)
    deck_id, card_id = _path_id(request, "deck_id"), _path_id(request, "card_id")
    # Checked by its bytes whatever the Content-Type said.
    uploaded = request.get(UPLOADED)
    picture = checked_picture(uploaded if uploaded is not None else await request.read())
    if picture is None:
        return web.json_response(_error_body("not_a_picture"), status=422)
    saved = await _editor(request).set_picture(user.id, deck_id, card_id, picture)
    if isinstance(saved, EditorError):
        return _refused(request, saved)
    return web.json_response({"card": card_json(saved.card), "schedule": saved.schedule})


async def delete_picture(request: web.Request) -> web.Response:
    """DELETE /app/api/decks/{id}/cards/{card_id}/picture: the front shows no picture."""
    user = web_user(request)
    deck_id, card_id = _path_id(request, "deck_id"), _path_id(request, "card_id")
    saved = await _editor(request).set_picture(user.id, deck_id, card_id, None)
    if isinstance(saved, EditorError):
        return _refused(request, saved)
    return web.json_response({"card": card_json(saved.card), "schedule": saved.schedule})


def _attachment(filename: str) -> str:
    """A Content-Disposition naming the file: ASCII for old clients, UTF-8 (RFC 6266) for all."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "deck.csv"
    if ascii_name.startswith("."):
        ascii_name = "deck" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def download_deck(request: web.Request) -> web.Response:
    """GET /app/api/decks/{id}/export: the deck's file as a download."""
    user = web_user(request)
    made = await _editor(request).export(user.id, _path_id(request, "deck_id"))
    if isinstance(made, EditorError):
        return _refused(request, made)
    return web.Response(
        body=made.data,
        content_type=made.mime,
        charset="utf-8",
        headers={"Content-Disposition": _attachment(made.filename)},
    )


async def send_deck(request: web.Request) -> web.Response:
    """POST /app/api/decks/{id}/export: the bot sends the deck's file into the private chat."""
    user = web_user(request)
    deck_id = _path_id(request, "deck_id")
    await _body(request, {})
    made = await _editor(request).export(user.id, deck_id)
    if isinstance(made, EditorError):
        return _refused(request, made)
    bot = request.config_dict[BOT_APP].bot
    try:
        await bot.send_document(
            chat_id=user.id, document=InputFile(made.data, filename=made.filename)
        )
    except (Forbidden, BadRequest):
        # The person blocked the bot, or never opened a chat with it.
        return web.json_response(_error_body("no_chat"), status=409)
    except TelegramError:
        # Telegram out of reach or asking to slow down: nothing was sent, the page may try again.
        return web.json_response(_error_body("not_sent"), status=503)
    return web.json_response({"sent": True})


def add_routes(app: web.Application) -> None:
    """Add this module's routes to the Mini App's aiohttp application."""
    app.router.add_get("/app/api/decks", list_decks)
    app.router.add_post("/app/api/decks", create_deck)
    app.router.add_get(DECK, get_deck)
    app.router.add_patch(DECK, rename_deck)
    app.router.add_delete(DECK, delete_deck)
    app.router.add_post(DECK + "/use", use_deck)
    app.router.add_get(DECK + "/export", download_deck)
    app.router.add_post(DECK + "/export", send_deck)
    app.router.add_get(DECK + "/cards", list_cards)
    app.router.add_post(DECK + "/cards", add_card)
    app.router.add_get(CARD, get_card)
    app.router.add_put(CARD, edit_card)
    app.router.add_delete(CARD, delete_card)
    app.router.add_post(CARD + "/move", move_card)
    app.router.add_get(CARD + "/picture", card_picture)
    app.router.add_put(CARD + "/picture", put_picture)
    app.router.add_delete(CARD + "/picture", delete_picture)
