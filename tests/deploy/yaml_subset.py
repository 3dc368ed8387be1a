"""A reader for the small part of YAML that compose.yaml is written in, so that the deployment
tests need no YAML library: block mappings and block sequences by indentation (spaces only),
`# comments`, plain, single- and double-quoted scalars, and flow sequences of quoted strings.

Anything outside that part (tabs, anchors, aliases, tags, block scalars, flow mappings, sequences
of mappings, a key given twice) is refused with the line number, rather than read wrongly: every
document this reads is read by a YAML parser the same way, all scalars as strings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

Node = dict[str, "Node"] | list["Node"] | str | None

_KEY = re.compile(r"^([A-Za-z0-9_.-]+):(?: +(.*))?$")
_REFUSED_START = ("&", "*", "!", "|", ">", "{", "%", "@", "`")


class YamlSubsetError(ValueError):
    """The text uses YAML this reader does not take."""


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str


def _strip_comment(text: str) -> str:
    """`text` without a trailing ` # comment` (outside quotes)."""
    quote: str | None = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] == " "):
            return text[:index].rstrip()
    return text.rstrip()


def _lines(text: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw:
            raise YamlSubsetError(f"line {number}: a tab")
        content = _strip_comment(raw)
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip(" "))
        lines.append(_Line(number, indent, content.strip()))
    return lines


def _scalar(text: str, number: int) -> Node:
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            raise YamlSubsetError(f"line {number}: an unclosed double-quoted string")
        value = json.loads(text)  # YAML's double-quoted escapes are JSON's, for what we write
        assert isinstance(value, str)
        return value
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise YamlSubsetError(f"line {number}: an unclosed single-quoted string")
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        items = json.loads(text)  # a flow sequence of double-quoted strings is a JSON array
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise YamlSubsetError(f"line {number}: a flow sequence of anything but strings")
        return items
    if text.startswith(_REFUSED_START) or ": " in text or text.endswith(":"):
        raise YamlSubsetError(f"line {number}: not in the subset: {text!r}")
    return text


def _block(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    """The node whose lines begin at `start`, all indented by `indent`; returns it and the next index."""
    first = lines[start]
    if first.text.startswith("- ") or first.text == "-":
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _sequence(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    items: list[Node] = []
    index = start
    while index < len(lines) and lines[index].indent == indent:
        line = lines[index]
        if not line.text.startswith("- "):
            raise YamlSubsetError(f"line {line.number}: a mapping key among sequence items")
        item = line.text[2:].strip()
        if _KEY.match(item):
            raise YamlSubsetError(f"line {line.number}: a mapping inside a sequence")
        items.append(_scalar(item, line.number))
        index += 1
    return items, index


def _mapping(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    mapping: dict[str, Node] = {}
    index = start
    while index < len(lines) and lines[index].indent == indent:
        line = lines[index]
        match = _KEY.match(line.text)
        if match is None:
            raise YamlSubsetError(f"line {line.number}: expected `key: value`, got {line.text!r}")
        key, value_text = match.group(1), match.group(2)
        if key in mapping:
            raise YamlSubsetError(f"line {line.number}: {key!r} given twice")
        index += 1
        if value_text:
            mapping[key] = _scalar(value_text, line.number)
        elif index < len(lines) and lines[index].indent > indent:
            mapping[key], index = _block(lines, index, lines[index].indent)
        elif (
            index < len(lines)
            and lines[index].indent == indent
            and (lines[index].text.startswith("- "))
        ):
            # YAML lets a mapping's sequence sit at the key's own indentation.
            mapping[key], index = _sequence(lines, index, indent)
        else:
            mapping[key] = None
    if index < len(lines) and lines[index].indent > indent:
        raise YamlSubsetError(f"line {lines[index].number}: unexpected indentation")
    return mapping, index


def load(text: str) -> Node:
    """The document in `text`, as dicts, lists, strings and None."""
    lines = _lines(text)
    if not lines:
        return None
    if lines[0].indent != 0:
        raise YamlSubsetError(f"line {lines[0].number}: the document starts indented")
    node, index = _block(lines, 0, 0)
    if index != len(lines):
        raise YamlSubsetError(f"line {lines[index].number}: unexpected indentation")
    return node
