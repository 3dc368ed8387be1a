"""Telegram-like checks of what a bot sends: HTML parse mode, lengths, keyboards, callback data.

The HTML parser follows TDLib's byte-by-byte rules, so a bot that passes here meets the same
errors (wording and byte offsets) as on the real Bot API.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ANSWER_TEXT = 200
MAX_BUTTONS = 100

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins"}
    | {"tg-spoiler", "span", "tg-emoji", "pre", "code", "blockquote"}
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = frozenset(b" \t\r\n\v\f\0")  # TDLib counts the terminating NUL as space
_TRIM = " \t\r\n"


@dataclass(frozen=True)
class Entity:
    """A MessageEntity: type and UTF-16 offset/length, plus the type's extra field."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The Bot API JSON form."""
        body: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": self.type}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True)
class FormattedText:
    """Plain text after parsing plus its entities."""

    text: str
    entities: tuple[Entity, ...] = field(default=())

    def entities_json(self) -> list[dict[str, Any]]:
        """The entities as Bot API JSON."""
        return [e.to_json() for e in self.entities]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram measures text in."""
    return len(text.encode("utf-16-le")) // 2


def utf16_span(text: str, offset: int, length: int) -> tuple[int, int]:
    """Python string indices [start, end) of a UTF-16 offset/length inside `text`."""
    units = [0]
    for char in text:
        units.append(units[-1] + (2 if ord(char) > 0xFFFF else 1))
    return bisect_left(units, offset), bisect_left(units, offset + length)


class _HtmlError(Exception):
    pass


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    begin: int


def _decode_entity(data: bytes, pos: int) -> tuple[int, int] | None:
    """Decode `&...;` at `pos` like TDLib; (code point, next position) or None when unknown."""
    end = pos + 1
    value = 0
    if data[end] == ord("#"):
        end += 1
        if data[end] == ord("x"):
            end += 1
            while chr(data[end]) in "0123456789abcdefABCDEF" and data[end]:
                value = value * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while ord("0") <= data[end] <= ord("9"):
                value = value * 10 + data[end] - ord("0")
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        named = _NAMED.get(data[pos + 1 : end])
        if named is None:
            return None
        value = ord(named)
    if data[end] == ord(";"):
        end += 1
    if 0xD800 <= value <= 0xDFFF:
        raise _HtmlError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    return value, end


def _skip_spaces(data: bytes, i: int) -> int:
    while data[i] != 0 and data[i] in _SPACE:
        i += 1
    return i


def _attribute_value(data: bytes, i: int, tag: str, begin: int) -> tuple[str, int]:
    """Read an attribute value (name token or quoted string) starting at `i`."""
    if data[i] not in b"'\"":
        token = i
        while chr(data[i]).isascii() and (chr(data[i]).isalnum() or data[i] in b".-"):
            i += 1
        if data[i] not in _SPACE and data[i] != ord(">"):
            raise _HtmlError(f"Unexpected end of name token at byte offset {token}")
        return data[token:i].decode("utf-8", "replace").lower(), i
    quote = data[i]
    i += 1
    value = bytearray()
    while data[i] != quote and data[i] != 0:
        if data[i] == ord("&"):
            decoded = _decode_entity(data, i)
            if decoded is not None:
                value += chr(decoded[0]).encode("utf-8")
                i = decoded[1]
                continue
        value.append(data[i])
        i += 1
    if data[i] == quote:
        i += 1
    return value.decode("utf-8", "replace"), i


def _start_tag(data: bytes, i: int, begin: int) -> tuple[str, str, int]:
    """Parse `<tag attr=...>`; returns (tag, argument, index of the closing `>`)."""
    while data[i] not in _SPACE and data[i] != ord(">"):
        i += 1
    if data[i] == 0:
        raise _HtmlError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in _TAGS:
        raise _HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = ""
    while data[i] != ord(">"):
        i = _skip_spaces(data, i)
        if data[i] == ord(">"):
            break
        name_start = i
        while data[i] not in _SPACE and data[i] not in b"=>":
            i += 1
        name = data[name_start:i].decode("utf-8", "replace")
        if not name:
            raise _HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        i = _skip_spaces(data, i)
        if data[i] == 0:
            raise _HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if data[i] != ord("="):
            if tag == "blockquote" and name == "expandable":
                argument = "1"
                continue
            raise _HtmlError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {begin}"
            )
        i = _skip_spaces(data, i + 1)
        if data[i] == 0:
            raise _HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(data, i, tag, begin)
        if data[i] == 0:
            raise _HtmlError(f"Unclosed start tag at byte offset {begin}")
        if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id")):
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[9:]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[3:]
    if tag == "span" and argument != "spoiler":
        raise _HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    return tag, argument, i


def _link_url(url: str) -> str | None:
    """Telegram keeps a link only when its URL is usable; a bare host gets `http://`."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    if "://" in url or url.startswith(("tg:", "mailto:")):
        return url
    return f"http://{url}" if "." in url else None


def _close(entities: list[Entity], top: _Open, utf16: int, out: bytearray) -> None:
    """Turn a closed tag into an entity, merging <pre><code class=...> like Telegram."""
    if utf16 <= top.offset:
        return
    offset, length = top.offset, utf16 - top.offset
    tag = top.tag
    last = entities[-1] if entities else None
    same_span = last is not None and (last.offset, last.length) == (offset, length)
    if tag in _SIMPLE:
        entities.append(Entity(_SIMPLE[tag], offset, length))
    elif tag == "a":
        url = _link_url(top.argument or out[top.begin :].decode("utf-8", "replace"))
        if url is not None:
            entities.append(Entity("text_link", offset, length, url=url))
    elif tag == "pre":
        if same_span and last is not None and last.type == "code" and last.language:
            entities[-1] = Entity("pre", offset, length, language=last.language)
        else:
            entities.append(Entity("pre", offset, length))
    elif tag == "code":
        if same_span and last is not None and last.type == "pre" and top.argument:
            entities[-1] = Entity("pre", offset, length, language=top.argument)
        else:
            entities.append(Entity("code", offset, length, language=top.argument or None))
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append(Entity(kind, offset, length))
    elif tag == "tg-emoji":
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=top.argument))


def _parse(source: str) -> tuple[str, list[Entity]]:
    data = source.encode("utf-8") + b"\0"
    size = len(data) - 1
    out = bytearray()
    utf16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    i = 0
    while i < size:
        byte = data[i]
        if byte == ord("&"):
            decoded = _decode_entity(data, i)
            if decoded is not None:
                code, i = decoded
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                continue
        if byte != ord("<"):
            if byte & 0xC0 != 0x80:
                utf16 += 2 if byte >= 0xF0 else 1
            out.append(byte)
            i += 1
            continue
        begin = i
        i += 1
        if data[i] != ord("/"):
            tag, argument, i = _start_tag(data, i, begin)
            if tag == "tg-emoji" and not (argument.isdigit() and 0 < int(argument) < 2**63):
                raise _HtmlError("Invalid custom emoji identifier specified")
            stack.append(_Open(tag, argument, utf16, len(out)))
        else:
            if not stack:
                raise _HtmlError(f"Unexpected end tag at byte offset {begin}")
            while data[i] not in _SPACE and data[i] != ord(">"):
                i += 1
            end_name = data[begin + 2 : i].decode("utf-8", "replace")
            i = _skip_spaces(data, i)
            if data[i] != ord(">"):
                raise _HtmlError(f"Unclosed end tag at byte offset {begin}")
            top = stack[-1]
            if end_name and end_name.lower() != top.tag:
                raise _HtmlError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                    f'found "</{end_name}>"'
                )
            _close(entities, top, utf16, out)
            stack.pop()
        i += 1
    if stack:
        raise _HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    for n, entity in enumerate(entities):
        if entity.type == "code" and entity.language:
            entities[n] = Entity("code", entity.offset, entity.length)
    return out.decode("utf-8"), entities


def _trim(text: str, entities: list[Entity]) -> FormattedText:
    """Strip surrounding whitespace like Telegram, moving and clipping the entities."""
    stripped = text.strip(_TRIM)
    if not stripped:
        return FormattedText("")
    shift = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity.offset - shift, 0)
        end = min(entity.offset + entity.length - shift, total)
        if end > start:
            kept.append(
                Entity(
                    entity.type,
                    start,
                    end - start,
                    entity.url,
                    entity.language,
                    entity.custom_emoji_id,
                )
            )
    kept.sort(key=lambda e: (e.offset, -e.length))
    return FormattedText(stripped, tuple(kept))


def parse_html(source: str) -> FormattedText:
    """Parse HTML parse-mode text like Telegram; raises a 400 `can't parse entities` error."""
    try:
        text, entities = _parse(source)
    except _HtmlError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return _trim(text, entities)


def _given_entities(raw: Any) -> list[Entity]:
    """Entities passed explicitly with the text (no parse_mode)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request('can\'t parse entities: Field "entities" must be of type Array')
    result: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request("can't parse entities: MessageEntity must be an Object")
        result.append(
            Entity(
                item["type"],
                int(item.get("offset", 0)),
                int(item.get("length", 0)),
                item.get("url"),
                item.get("language"),
                item.get("custom_emoji_id"),
            )
        )
    return result


def format_text(text: str, parse_mode: str | None, entities: Any = None) -> FormattedText:
    """Apply `parse_mode` (HTML only, like this project) or explicit entities, then trim."""
    mode = (parse_mode or "").strip()
    if not mode:
        return _trim(text, _given_entities(entities))
    if mode.lower() == "html":
        return parse_html(text)
    raise bad_request(f"unsupported parse_mode {mode!r} in the sandbox")


def check_message_text(formatted: FormattedText) -> None:
    """Telegram's 1–4096 UTF-16 units rule for message text."""
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(formatted: FormattedText) -> None:
    """Telegram's 1024 UTF-16 units rule for captions."""
    if utf16_len(formatted.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def check_answer_text(text: str | None) -> None:
    """answerCallbackQuery text is at most 200 characters."""
    if text is not None and utf16_len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")


def _string_field(button: dict[str, Any], name: str, required: bool) -> str:
    if name not in button:
        if required:
            raise _HtmlError(f'Can\'t find field "{name}"')
        return ""
    value = button[name]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _HtmlError(f'Field "{name}" must be of type String')
    return str(value)


_OTHER_BUTTON_KINDS = (
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "login_url",
    "copy_text",
)
# Telegram opens a Mini App over https only; the sandbox also lets one on this machine be opened
# over http (offline play serves it on 127.0.0.1).
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


def web_app_url_ok(url: str) -> bool:
    """Whether a Mini App may be opened at `url` (https; http on this machine in the sandbox)."""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    return bool(parts.hostname) and (parts.scheme == "https" or local)


def _web_app(button: dict[str, Any]) -> dict[str, str]:
    info = button["web_app"]
    if not isinstance(info, dict):
        raise _HtmlError('Field "web_app" must be of type Object')
    url = _string_field(info, "url", required=True)
    if not web_app_url_ok(url):
        raise _HtmlError(f"Web App URL '{url}' is invalid: Only HTTPS links are allowed")
    return {"url": url}


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _HtmlError("InlineKeyboardButton must be an Object")
    text = _string_field(button, "text", required=True)
    url = _string_field(button, "url", required=False)
    if url:
        return {"text": text, "url": url}
    data = _string_field(button, "callback_data", required=False)
    if data:
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
        return {"text": text, "callback_data": data}
    if "web_app" in button:
        return {"text": text, "web_app": _web_app(button)}
    for kind in _OTHER_BUTTON_KINDS:
        if kind in button:
            return {"text": text, kind: button[kind]}
    raise _HtmlError("Text buttons are unallowed in the inline keyboard")


def _inline_keyboard(rows: Any) -> dict[str, Any] | None:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" must be of type Array')
    result: list[list[dict[str, Any]]] = []
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        try:
            result.append([_inline_button(button) for button in row])
        except _HtmlError as exc:
            raise bad_request(f"can't parse inline keyboard button: {exc}") from None
    if sum(len(row) for row in result) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    if not any(result):
        return None
    if any(not row[0]["text"] for row in result if row):
        raise bad_request("BUTTON_TEXT_INVALID")
    return {"inline_keyboard": result}


def check_web_app_buttons(markup: dict[str, Any] | None, chat_type: str) -> None:
    """Telegram's refusal of a Mini App button anywhere but in a private chat."""
    if markup is None or chat_type == "private":
        return
    for row in markup.get("inline_keyboard", []):
        if any("web_app" in button for button in row):
            raise bad_request("BUTTON_TYPE_INVALID")


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate `reply_markup` (JSON text or object); the normalised markup or None."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in raw:
        return _inline_keyboard(raw["inline_keyboard"])
    if "keyboard" in raw:
        if not isinstance(raw["keyboard"], list) or not all(
            isinstance(row, list) for row in raw["keyboard"]
        ):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        return {"keyboard": raw["keyboard"]} if any(raw["keyboard"]) else None
    if raw.get("remove_keyboard") or raw.get("hide_keyboard"):
        return {"remove_keyboard": True}
    if raw.get("force_reply"):
        return {"force_reply": True}
    return None
