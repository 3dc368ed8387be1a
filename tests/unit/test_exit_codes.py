"""The exit codes README lists are the ones bot/exit_codes.py defines, each with one meaning."""

from __future__ import annotations

import re
from pathlib import Path

from bot import exit_codes
from bot.exit_codes import (
    EXIT_BAD_SETTINGS,
    EXIT_CONFLICT,
    EXIT_DATABASE_GONE,
    EXIT_STOP_FORCED,
    EXIT_TOKEN_REFUSED,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def defined() -> dict[str, int]:
    """Every EXIT_* constant of bot/exit_codes.py."""
    return {name: value for name, value in vars(exit_codes).items() if name.startswith("EXIT_")}


def exit_code_section() -> str:
    """README's *Exit codes* section."""
    text = README.read_text(encoding="utf-8")
    return text.split("### Exit codes\n", 1)[1].split("\n#", 1)[0]


def test_each_code_has_one_meaning() -> None:
    # The watchdog's forced stop is the one alias: it is reported as a failure.
    codes = {name: value for name, value in defined().items() if name != "EXIT_STOP_FORCED"}
    assert len(set(codes.values())) == len(codes)
    assert EXIT_STOP_FORCED == exit_codes.EXIT_FAILURE


def test_readme_lists_every_code() -> None:
    rows = re.findall(r"^\| (\d+) \|", exit_code_section(), flags=re.MULTILINE)
    assert sorted(int(row) for row in rows) == sorted(set(defined().values()))


def test_readme_keeps_systemd_from_restarting_what_a_restart_cannot_mend() -> None:
    line = re.search(r"^RestartPreventExitStatus=(.+)$", exit_code_section(), flags=re.MULTILINE)
    assert line is not None
    codes = {int(code) for code in line.group(1).split()}
    assert codes == {EXIT_BAD_SETTINGS, EXIT_TOKEN_REFUSED, EXIT_DATABASE_GONE, EXIT_CONFLICT}
