"""Quizlet's export with its rows on one line: `term<TAB>definition;term<TAB>definition;…`.

Quizlet exports a set as text, a tab between term and definition and a new line between cards by
default; its options put a comma (or any text) between term and definition and a semicolon (or
any text) between cards. Tab or comma with new lines are CSV as any other; a semicolon between
cards puts the whole set on one line, which is turned into one card a line here.
"""

from __future__ import annotations

# A one-line set splits into at least this many cards (one "a,b;c" is no set).
MIN_CARDS = 2


def one_line_set(text: str) -> str | None:
    """The set as `term<TAB>definition` lines if `text` is a one-line Quizlet export with `;`
    between cards (and a tab or a comma between term and definition); None if it is not."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1 or ";" not in lines[0]:
        return None
    records = lines[0].split(";")
    if not records[-1].strip():
        records.pop()  # Quizlet ends every card with the separator, the last one too
    if len(records) < MIN_CARDS:
        return None
    if all(record.count("\t") == 1 for record in records):
        pairs = [record.split("\t") for record in records]
    elif all(record.count(",") == 1 and "\t" not in record for record in records):
        pairs = [record.split(",") for record in records]
    else:
        return None
    # As the default export writes them: a tab between term and definition, a card a line.
    return "".join(f"{term.strip()}\t{definition.strip()}\n" for term, definition in pairs)
