"""Bot API methods about the bot itself, its commands, chats, members and webhook settings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.api_messages import find_chat
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.params import Args
from bot.sandbox.validate import web_app_url_ok
from bot.sandbox.world import ChatRecord

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}

_MUTED = {
    f"can_{right}": False
    for right in (
        "change_info",
        "invite_users",
        "pin_messages",
        "manage_topics",
        "send_messages",
        "send_audios",
        "send_documents",
        "send_photos",
        "send_videos",
        "send_video_notes",
        "send_voice_notes",
        "send_polls",
        "send_other_messages",
        "add_web_page_previews",
        "edit_tag",
        "react_to_messages",
    )
}


@dataclass
class WebhookState:
    """What setWebhook stored."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


async def get_me(srv: SandboxServer, args: Args) -> Any:
    """getMe."""
    body = srv.world.bot.to_json()
    body.update(
        can_join_groups=True,
        can_read_all_group_messages=not srv.privacy_mode,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return body


def _command_key(args: Args) -> tuple[str, str]:
    scope = args.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("BotCommandScope must be an Object")
    return json.dumps(scope, sort_keys=True), args.string("language_code") or ""


async def set_my_commands(srv: SandboxServer, args: Args) -> Any:
    """setMyCommands: stored per scope and language."""
    commands = args.json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request('field "commands" must be of type Array')
    cleaned: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("BotCommand must be an Object")
        name = str(item.get("command", "")).removeprefix("/")
        description = str(item.get("description", ""))
        if not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    if len(cleaned) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    srv.commands[_command_key(args)] = cleaned
    return True


async def get_my_commands(srv: SandboxServer, args: Args) -> Any:
    """getMyCommands."""
    return srv.commands.get(_command_key(args), [])


async def delete_my_commands(srv: SandboxServer, args: Args) -> Any:
    """deleteMyCommands."""
    srv.commands.pop(_command_key(args), None)
    return True


# Telegram's limits on the texts setMyDescription and setMyShortDescription take.
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120


def _language(args: Args) -> str:
    language = args.string("language_code") or ""
    # An ISO 639-1 code or nothing, as Telegram asks.
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("LANG_CODE_INVALID")
    return language


def _about(args: Args, name: str, limit: int) -> str:
    text = args.string(name) or ""
    # Telegram counts characters (UTF-16 code units for the few outside the BMP; none here).
    if len(text) > limit:
        raise bad_request(f"{name.replace('_', ' ')} is too long")
    return text


async def set_my_description(srv: SandboxServer, args: Args) -> Any:
    """setMyDescription: stored per language; an empty text removes it."""
    text = _about(args, "description", MAX_DESCRIPTION)
    srv.descriptions[_language(args)] = text
    return True


async def get_my_description(srv: SandboxServer, args: Args) -> Any:
    """getMyDescription: the language's own text, else the default one, else empty."""
    language = _language(args)
    return {"description": srv.descriptions.get(language) or srv.descriptions.get("", "")}


DEFAULT_MENU_BUTTON = {"type": "default"}


def _menu_button(raw: Any) -> dict[str, Any]:
    """A MenuButton as Telegram takes it: commands, default, or a web_app with text and URL."""
    if raw is None:
        return dict(DEFAULT_MENU_BUTTON)
    if not isinstance(raw, dict):
        raise bad_request("can't parse menu button: object expected")
    kind = raw.get("type")
    if kind in ("commands", "default"):
        return {"type": kind}
    if kind != "web_app":
        raise bad_request("can't parse menu button: unsupported button type")
    text, info = raw.get("text"), raw.get("web_app")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not web_app_url_ok(url):
        raise bad_request("BUTTON_URL_INVALID")
    return {"type": "web_app", "text": text, "web_app": {"url": url}}


async def set_chat_menu_button(srv: SandboxServer, args: Args) -> Any:
    """setChatMenuButton: a private chat's menu button, or everyone's default (no chat_id)."""
    button = _menu_button(args.json("menu_button", "can't parse menu button JSON object"))
    srv.menu_buttons[args.integer("chat_id") or 0] = button
    return True


async def get_chat_menu_button(srv: SandboxServer, args: Args) -> Any:
    """getChatMenuButton: the chat's own button, else the default one."""
    chat_id = args.integer("chat_id") or 0
    return srv.menu_buttons.get(chat_id) or srv.menu_buttons.get(0, DEFAULT_MENU_BUTTON)


async def set_my_short_description(srv: SandboxServer, args: Args) -> Any:
    """setMyShortDescription: stored per language; an empty text removes it."""
    text = _about(args, "short_description", MAX_SHORT_DESCRIPTION)
    srv.short_descriptions[_language(args)] = text
    return True


async def get_my_short_description(srv: SandboxServer, args: Args) -> Any:
    """getMyShortDescription: the language's own text, else the default one, else empty."""
    language = _language(args)
    text = srv.short_descriptions.get(language) or srv.short_descriptions.get("", "")
    return {"short_description": text}


async def get_chat(srv: SandboxServer, args: Args) -> Any:
    """getChat: a ChatFullInfo with the fields PTB requires."""
    chat = find_chat(srv, args)
    body = srv.world.chat_json(chat)
    body.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    return body


def member_json(srv: SandboxServer, chat: ChatRecord, user_id: int) -> dict[str, Any]:
    """The Bot API ChatMember object of `user_id` in `chat`."""
    user = srv.world.users[user_id].to_json()
    status = chat.members.get(user_id, "left")
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **_ADMIN_RIGHTS}
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status == "restricted":
        # A muted member: still in the group, allowed nothing.
        return {"status": "restricted", "user": user, "is_member": True, "until_date": 0, **_MUTED}
    return {"status": status, "user": user}


async def get_chat_member(srv: SandboxServer, args: Args) -> Any:
    """getChatMember."""
    chat = find_chat(srv, args)
    user_id = args.integer("user_id")
    if user_id is None or user_id not in srv.world.users:
        raise bad_request("user not found")
    if chat.type == "private" and user_id == srv.world.bot.id:
        return {"status": "member", "user": srv.world.bot.to_json()}
    return member_json(srv, chat, user_id)


async def get_chat_administrators(srv: SandboxServer, args: Args) -> Any:
    """getChatAdministrators: the creator and administrators (the bot too, if it is one)."""
    chat = find_chat(srv, args)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [uid for uid, s in chat.members.items() if s in ("creator", "administrator")]
    return [member_json(srv, chat, uid) for uid in admins]


async def get_chat_member_count(srv: SandboxServer, args: Args) -> Any:
    """getChatMemberCount."""
    chat = find_chat(srv, args)
    return sum(1 for s in chat.members.values() if s in ("creator", "administrator", "member"))


async def set_webhook(srv: SandboxServer, args: Args) -> Any:
    """setWebhook: stored; updates are POSTed to it when the server has webhook delivery on."""
    url = args.string("url") or ""
    if not url:
        return await delete_webhook(srv, args)
    local_http = srv.webhook_delivery and url.startswith("http://")  # local test receivers
    if not url.startswith("https://") and not local_http:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    connections = args.integer("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    secret = args.string("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: Secret token contains unallowed characters")
    allowed = args.json("allowed_updates", "can't parse allowed_updates JSON object")
    srv.webhook = WebhookState(url, secret, connections, allowed if allowed else None)
    if args.flag("drop_pending_updates"):
        srv.world.updates.clear()
    srv.abort_long_poll("Conflict: terminated by setWebhook request")
    srv.start_webhook_delivery()
    return True


async def delete_webhook(srv: SandboxServer, args: Args) -> Any:
    """deleteWebhook (optionally dropping pending updates)."""
    srv.webhook = WebhookState()
    if args.flag("drop_pending_updates"):
        srv.world.updates.clear()
    return True


async def get_webhook_info(srv: SandboxServer, args: Args) -> Any:
    """getWebhookInfo."""
    hook = srv.webhook
    body: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(srv.world.updates),
    }
    if hook.url:
        body["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            body["allowed_updates"] = hook.allowed_updates
        if hook.last_error_message:
            body["last_error_date"] = hook.last_error_date
            body["last_error_message"] = hook.last_error_message
    return body


def conflict(description: str) -> ApiError:
    """A 409 Conflict."""
    return ApiError(409, description)
