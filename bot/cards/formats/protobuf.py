"""Just enough protobuf to read the few fields an Anki collection keeps in binary blobs.

Anki stores note types, decks and deck presets as protobuf messages. An import reads a handful of
their fields (a note type's kind, a deck's preset, a preset's FSRS parameters) without the schema:
by field number, as the wire format lays them out. A damaged message reads as having no fields.
"""

from __future__ import annotations

import math
import struct

Value = int | bytes
_MAX_VARINT_SHIFT = 63


def _varint(blob: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = blob[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80 or shift > _MAX_VARINT_SHIFT:
            return value, position
        shift += 7


def fields(blob: object) -> list[tuple[int, Value]]:
    """Each field of a message in order, (number, value): an int for a varint, the raw bytes of
    anything else (length-delimited, 32-bit, 64-bit); none at all for a damaged message."""
    if not isinstance(blob, bytes):
        return []
    found: list[tuple[int, Value]] = []
    position = 0
    sizes = {1: 8, 5: 4}
    try:
        while position < len(blob):
            key, position = _varint(blob, position)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, position = _varint(blob, position)
                found.append((number, value))
                continue
            if wire == 2:
                size, position = _varint(blob, position)
            elif wire in sizes:
                size = sizes[wire]
            else:
                return []
            if position + size > len(blob):
                return []
            found.append((number, blob[position : position + size]))
            position += size
    except IndexError:
        return []
    return found


def varint_field(blob: object, number: int) -> int | None:
    """The first varint field with this number, if any."""
    return next((v for n, v in fields(blob) if n == number and isinstance(v, int)), None)


def message_field(blob: object, number: int) -> bytes | None:
    """The first length-delimited field with this number (an embedded message), if any."""
    return next((v for n, v in fields(blob) if n == number and isinstance(v, bytes)), None)


def float_field(blob: object, number: int) -> tuple[float, ...]:
    """A repeated float field, packed or not; only finite values (empty if any is not)."""
    values: list[float] = []
    for n, value in fields(blob):
        if n != number or not isinstance(value, bytes) or len(value) % 4:
            continue
        values.extend(struct.unpack(f"<{len(value) // 4}f", value))
    return tuple(values) if all(math.isfinite(v) for v in values) else ()
