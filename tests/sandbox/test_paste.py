"""Lines from the terminal become entries: typed lines one by one, a paste as one message."""

from __future__ import annotations

import pytest

from bot.sandbox.paste import PASTE_END, PASTE_START, Entry, LineAssembler, split_message


def _feed(*lines: str) -> list[Entry]:
    assembler = LineAssembler()
    entries = [entry for line in lines if (entry := assembler.feed(line)) is not None]
    last = assembler.flush()
    return entries + ([last] if last else [])


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["/start", "1"], [Entry("/start"), Entry("1")]),
        # A paste that ends without a newline: Enter after it sends it.
        ([f"{PASTE_START}a :: b", f"c :: d{PASTE_END}"], [Entry("a :: b\nc :: d", pasted=True)]),
        # A paste that ends with a newline: the closing marker starts the next line.
        ([f"{PASTE_START}a", "b", PASTE_END], [Entry("a\nb", pasted=True)]),
        # Typed before and after the paste, on the same line: all one message.
        ([f"x {PASTE_START}a", f"b{PASTE_END} y"], [Entry("x a\nb y", pasted=True)]),
        ([f"{PASTE_START}one line{PASTE_END}", "2"], [Entry("one line", pasted=True), Entry("2")]),
        # Blank lines around a paste are trimmed, as Telegram does; inside they stay.
        ([f"{PASTE_START}", "a", "", "b", "", PASTE_END], [Entry("a\n\nb", pasted=True)]),
        (
            [":paste", "a", "  :quit", ":end", ":quit"],
            [Entry("a\n  :quit", pasted=True), Entry(":quit")],
        ),
        # Input that ends inside a paste or block still sends what came.
        ([":paste", "a", "b"], [Entry("a\nb", pasted=True)]),
        ([f"{PASTE_START}a", "b"], [Entry("a\nb", pasted=True)]),
        ([":paste", ":end"], []),
    ],
)
def test_lines_become_entries(lines: list[str], expected: list[Entry]) -> None:
    assert _feed(*lines) == expected


def test_long_pastes_are_split_at_line_breaks_as_telegram_clients_do() -> None:
    text = "\n".join(f"card {n} :: back {n}" for n in range(400))
    parts = split_message(text, limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts) == text
    assert split_message("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_message("short") == ["short"]
