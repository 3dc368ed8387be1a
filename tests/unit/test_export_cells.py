"""/export's cells: what a spreadsheet would run as a formula is written to be shown instead."""

from __future__ import annotations

import pytest

from bot.views.userdata import cell


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("", ""),
        ("2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z"),
        ("1.5", "1.5"),
    ],
)
def test_a_leading_formula_character_gets_a_quote_and_nothing_else_changes(
    text: str, written: str
) -> None:
    assert cell(text) == written
