"""Anki field HTML to plain text: line breaks kept, lists as bullets, entities decoded, media counted.

Anki stores fields as HTML fragments. Text is what a quiz needs: `<br>`, `<div>`, `<p>` become line
breaks, `<li>` a "- " bullet, entities (`&nbsp;`, `&lt;`) their characters. Images, sounds and
videos cannot be shown in a text quiz; they are dropped and counted so the import can say so.
LaTeX (`[latex]…[/latex]`, `\\(…\\)`, `[$]…[/$]`) is ordinary text here and stays as written.

`field_to_html` keeps a field's formatting as Telegram HTML: the field is first cleaned by nh3
(Ammonia's allow-list: no attributes, no links, no scripts, tags balanced), then its bold, italic,
underline, strike and code become Telegram's tags and its formulas readable text. Its text is the
plain text's, so what is shown and what is graded never disagree.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from bot.cards.model import MAX_SIDE_CHARS
from bot.cards.richtext import html_text, readable_latex

_SOUND = re.compile(r"\[sound:[^\]]*\]", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_MEDIA_TAGS = frozenset({"img", "audio", "video", "object", "embed", "iframe", "svg"})
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass(frozen=True, slots=True)
class FieldText:
    """A field as plain text, and how many media references were dropped from it."""

    text: str
    media: int


class _TextExtractor(HTMLParser):
    """Collects text with block tags turned into line breaks; counts media elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media = 0
        self._hidden = 0
        self._pre = 0
        self._line_start = True

    def _newline(self) -> None:
        # A block boundary ends the current line once; only <br> adds empty lines.
        if not self._line_start:
            self.parts.append("\n")
            self._line_start = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a tag: line breaks for blocks, a bullet for list items, a count for media."""
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
            self._line_start = True
        elif tag in _BLOCK_TAGS:
            self._newline()
        elif tag == "li":
            self._newline()
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        if tag in _MEDIA_TAGS and not self._hidden:
            self.media += 1
        if tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag (`<br/>`, `<img/>`) opens and closes at once."""
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close a tag: blocks end their line."""
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self._newline()
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        """Text: HTML collapses runs of white space (line breaks included) except inside <pre>."""
        if self._hidden:
            return
        self.parts.append(data if self._pre else re.sub(r"[ \t\r\n\f]+", " ", data))
        if data.strip():
            self._line_start = False


# Telegram's tag for each formatting tag kept; code and pre hold no other tag.
_FORMATTING = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "kbd": "code",
    "tt": "code",
    "samp": "code",
}
_CLEAN_TAGS = (
    set(_FORMATTING)
    | _BLOCK_TAGS
    | {"br", "li", "td", "th", "tbody", "thead", "span", "sub", "sup"}
)


# Formatting is kept for sides a quiz can show whole; a field this long or a side's markup this
# long (deep nesting) is shown as its text, which also bounds the time a hostile field costs.
MAX_FORMATTED_FIELD = 16 * MAX_SIDE_CHARS
MAX_MARKUP_CHARS = 2 * MAX_SIDE_CHARS
_EMPTY_TAG = re.compile(r"<(\w+)>(\s*)</\1>")


class _HtmlExtractor(_TextExtractor):
    """The text extractor that also writes Telegram's formatting tags, always balanced."""

    def __init__(self) -> None:
        super().__init__()
        self._open: list[str] = []  # Telegram tags open, outermost first
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Formatting tags open their Telegram tag; the others act as in plain text."""
        if tag == "pre":
            self._close_all()
        super().handle_starttag(tag, attrs)
        wanted = "code" if tag == "pre" else _FORMATTING.get(tag)
        if wanted is None or self._hidden or self._code:
            return
        if wanted == "code":
            self._close_all()
            self._code += 1
        self._open.append(wanted)
        self.parts.append(f"<{wanted}>")

    def handle_endtag(self, tag: str) -> None:
        """A formatting tag closes its Telegram tag and reopens those opened inside it."""
        super().handle_endtag(tag)
        wanted = "code" if tag == "pre" else _FORMATTING.get(tag)
        if wanted is None or wanted not in self._open:
            return
        if wanted == "code":
            self._close_all()
            return
        if self._code:
            return
        at = len(self._open) - 1 - self._open[::-1].index(wanted)
        inner = self._open[at + 1 :]
        for name in reversed(self._open[at:]):
            self.parts.append(f"</{name}>")
        del self._open[at:]
        for name in inner:
            self.parts.append(f"<{name}>")
        self._open.extend(inner)

    def handle_data(self, data: str) -> None:
        """Text escaped for Telegram, its formulas readable."""
        if self._hidden:
            return
        start = len(self.parts)
        super().handle_data(readable_latex(data))
        self.parts[start:] = [html.escape(part, quote=False) for part in self.parts[start:]]

    def _close_all(self) -> None:
        self.parts.extend(f"</{name}>" for name in reversed(self._open))
        self._open.clear()
        self._code = 0

    def result(self) -> str:
        """The Telegram HTML written, every tag closed."""
        self._close_all()
        return "".join(self.parts)


def field_to_html(field: str, text: str | None = None) -> str | None:
    """A field's formatting as Telegram HTML, or None when it has none to keep (or its text
    would differ from the plain text's, `text` when the caller has it)."""
    if "<" not in field or len(field) > MAX_FORMATTED_FIELD:
        return None
    plain = field_to_text(field).text if text is None else text
    if len(plain) > MAX_SIDE_CHARS:
        return None
    cleaned = nh3.clean(_SOUND.sub("", field), tags=_CLEAN_TAGS, attributes={})
    extractor = _HtmlExtractor()
    try:
        extractor.feed(cleaned)
        extractor.close()
    except (AssertionError, ValueError):
        return None
    markup = extractor.result()
    # Formatting around nothing (`<i> <b></b></i>`), however deep, is no formatting.
    while (emptied := _EMPTY_TAG.sub(r"\2", markup)) != markup:
        markup = emptied
    markup = _tidy("\n".join(" ".join(line.split()) for line in markup.split("\n")))
    if "<" not in markup or len(markup) > MAX_MARKUP_CHARS:
        return None
    if _tidy(html_text(markup)) != readable_latex(plain):
        return None
    return markup


def field_to_text(field: str) -> FieldText:
    """Plain text of one Anki field: lines kept, entities decoded, media removed and counted."""
    field, sounds = _SOUND.subn("", field)
    extractor = _TextExtractor()
    try:
        extractor.feed(field)
        extractor.close()
        raw, media = "".join(extractor.parts), extractor.media
    except (AssertionError, ValueError):
        # html.parser gives up on some malformed markup; fall back to dropping the tags.
        raw = html.unescape(re.sub(r"<[^>]*>", " ", field))
        media = len(re.findall(r"<(?:img|audio|video)\b", field, re.IGNORECASE))
    return FieldText(_tidy(raw), media + sounds)


def _tidy(raw: str) -> str:
    text = raw.translate(_INVISIBLE).replace("\u00a0", " ")
    lines = [" ".join(line.split()) if line.strip() else "" for line in text.split("\n")]
    # Keep at most one empty line between paragraphs, none at the edges.
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()
