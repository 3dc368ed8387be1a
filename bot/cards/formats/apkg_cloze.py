"""Anki cloze deletions: `{{c1::answer::hint}}`, nested ones included, one card per cloze number.

The field is parsed once into a tree (text and deletions), in a single pass with a stack, so an
unclosed `{{c1::` simply stays text. For cloze number n the front shows every deletion n as `___`
(or `___ (hint)`) and reveals the others; the back is the answer text of the deletions n.
Rendering works on the field's HTML; callers turn the results into text afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MASK = "___"
MAX_DEPTH = 8  # deeper `{{c1::{{c2::…` nesting is read as text
_TOKEN = re.compile(r"\{\{c(\d{1,4})::|::|\}\}")


@dataclass(slots=True)
class Deletion:
    """One `{{cN::…}}`: its number, its content (text and nested deletions) and an optional hint."""

    number: int
    body: list[Node] = field(default_factory=list)
    hint: list[str] | None = None
    opening: str = ""


Node = str | Deletion


def parse_cloze(text: str) -> list[Node]:
    """The field as a list of text pieces and deletions."""
    root = Deletion(0)
    stack = [root]
    position = 0
    for match in _TOKEN.finditer(text):
        _add_text(stack[-1], text[position : match.start()])
        position = match.end()
        piece, top = match.group(0), stack[-1]
        if piece.startswith("{{"):
            if top.hint is None and len(stack) <= MAX_DEPTH:
                stack.append(Deletion(int(match.group(1)), opening=piece))
            else:
                _add_text(top, piece)
        elif piece == "::" and top is not root and top.hint is None:
            top.hint = []
        elif piece == "}}" and top is not root:
            stack.pop()
            stack[-1].body.append(top)
        else:
            _add_text(top, piece)
    _add_text(stack[-1], text[position:])
    # Unclosed deletions are plain text: put their opening and content back in place.
    while len(stack) > 1:
        open_one = stack.pop()
        parent = stack[-1]
        parent.body.append(open_one.opening)
        parent.body.extend(open_one.body)
        if open_one.hint is not None:
            parent.body.append("::" + "".join(open_one.hint))
    return root.body


def _add_text(target: Deletion, text: str) -> None:
    if not text:
        return
    if target.hint is not None:
        target.hint.append(text)
    else:
        target.body.append(text)


def cloze_numbers(nodes: list[Node]) -> list[int]:
    """The distinct cloze numbers (1 and up) in order, each one a card."""
    found: set[int] = set()

    def walk(items: list[Node]) -> None:
        for item in items:
            if isinstance(item, Deletion):
                if item.number >= 1:
                    found.add(item.number)
                walk(item.body)

    walk(nodes)
    return sorted(found)


def render_front(nodes: list[Node], number: int) -> str:
    """The field with deletion `number` masked and every other deletion revealed."""
    parts: list[str] = []
    for item in nodes:
        if isinstance(item, str):
            parts.append(item)
        elif item.number == number:
            hint = "".join(item.hint or []).strip()
            parts.append(f"{MASK} ({hint})" if hint else MASK)
        else:
            parts.append(render_front(item.body, number))
    return "".join(parts)


def reveal(nodes: list[Node]) -> str:
    """The field with every deletion revealed (what Anki shows on the back)."""
    return "".join(item if isinstance(item, str) else reveal(item.body) for item in nodes)


def answers(nodes: list[Node], number: int) -> list[str]:
    """The content of each deletion `number`, in order, nested deletions revealed."""
    found: list[str] = []
    for item in nodes:
        if isinstance(item, Deletion):
            if item.number == number:
                found.append(reveal(item.body))
            else:
                found.extend(answers(item.body, number))
    return found


def has_cloze(text: str) -> bool:
    """Whether the text holds at least one well-formed deletion."""
    return bool(cloze_numbers(parse_cloze(text)))
