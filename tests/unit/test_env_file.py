""".env is read as python-dotenv reads it; each value still passes the bot's own checks."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import pytest

from bot.config import JsonFormatter, SettingsError, load_settings, read_env_file

TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnn"  # shaped like a token, not one


def env_file(tmp_path: Path, text: str) -> Path:
    """A `.env` holding `text`."""
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_trailing_comment_after_the_token_is_not_part_of_it(tmp_path: Path) -> None:
    path = env_file(tmp_path, "BOT_TOKEN=123:abc  # my bot\n")
    assert read_env_file(path) == {"BOT_TOKEN": "123:abc"}
    loaded = load_settings({}, env_file(tmp_path, f"BOT_TOKEN={TOKEN}  # my bot\n"))
    assert loaded.bot_token == TOKEN


def test_comments_quotes_and_export(tmp_path: Path) -> None:
    path = env_file(
        tmp_path,
        "# the bot's settings\n"
        "\n"
        f"export BOT_TOKEN='{TOKEN}'\n"
        'DATABASE_URL="sqlite:///my quiz.sqlite3"  # spaces need the quotes\n'
        'WEBHOOK_SECRET="a#b"\n'
        "LOG_LEVEL = debug\n"
        "WEBHOOK_LISTEN=127.0.0.1:8081#no space: part of the value\n"
        "INBOX_LEASE_SECONDS=\n",
    )
    assert read_env_file(path) == {
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": "sqlite:///my quiz.sqlite3",
        "WEBHOOK_SECRET": "a#b",
        "LOG_LEVEL": "debug",
        "WEBHOOK_LISTEN": "127.0.0.1:8081#no space: part of the value",
        "INBOX_LEASE_SECONDS": "",
    }


def test_a_key_without_a_value_is_unset(tmp_path: Path) -> None:
    assert read_env_file(env_file(tmp_path, "BOT_TOKEN\nLOG_LEVEL=INFO\n")) == {"LOG_LEVEL": "INFO"}


def test_a_missing_file_is_no_settings(tmp_path: Path) -> None:
    assert read_env_file(tmp_path / ".env") == {}


def test_a_line_that_is_not_a_setting_is_refused_with_its_number(tmp_path: Path) -> None:
    path = env_file(tmp_path, "LOG_LEVEL=INFO\nthis is not a setting\n")
    with pytest.raises(SettingsError, match=r"\.env: line 2: expected KEY=value"):
        read_env_file(path)


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = env_file(tmp_path, "LOG_LEVEL=DEBUG\n")
    assert load_settings({"LOG_LEVEL": "WARNING"}, path).log_level == "WARNING"
    assert load_settings({}, path).log_level == "DEBUG"


def test_reading_the_file_leaves_the_process_environment_alone(tmp_path: Path) -> None:
    before = dict(os.environ)
    load_settings({}, env_file(tmp_path, "QUIZMASTER_TEST_ONLY=1\nLOG_LEVEL=ERROR\n"))
    assert dict(os.environ) == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("BOT_TOKEN=not a token  # mine", "BOT_TOKEN does not look like a bot token"),
        ("LOG_LEVEL='LOUD'", "LOG_LEVEL must be one of"),
        ("export INBOX_LEASE_SECONDS=1", "INBOX_LEASE_SECONDS must be a whole number"),
    ],
)
def test_values_from_the_file_pass_the_same_checks(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({}, env_file(tmp_path, line + "\n"))


def test_the_example_file_loads_as_the_defaults() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    assert load_settings({}, example) == load_settings({}, env_file=None)


def test_json_log_lines_carry_the_traceback_as_a_field() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed %s", ("it",), None)
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "bot.x", "failed it")
    assert entry["exc"].startswith("Traceback") and "ValueError: boom" in entry["exc"]
    assert entry["time"].endswith("+00:00")


@pytest.mark.parametrize("value", ["abc", "12.5", "1e9", "--5", "0"])
def test_an_operator_chat_must_be_a_chat_id(value: str) -> None:
    with pytest.raises(SettingsError, match="ADMIN_CHAT_ID must be a chat id"):
        load_settings({"ADMIN_CHAT_ID": value}, env_file=None)


def test_an_operator_chat_may_be_a_person_or_a_group() -> None:
    assert load_settings({"ADMIN_CHAT_ID": "-1001234567890"}, env_file=None).admin_chat_id == (
        -1001234567890
    )
    assert load_settings({"ADMIN_CHAT_ID": " 4242 "}, env_file=None).admin_chat_id == 4242
    assert load_settings({}, env_file=None).admin_chat_id is None
