"""DATABASE_URL: SQLite by default, PostgreSQL by URL, a clear error otherwise, no password shown."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.storage.postgres import numbered, rows_changed


def settings(**env: str) -> Settings:
    """Settings from exactly `env` (no .env file)."""
    return load_settings(env, env_file=None)


def test_sqlite_is_the_default() -> None:
    loaded = settings()
    assert loaded.database_url == "sqlite:///quizbot.sqlite3"
    assert loaded.database_location == "quizbot.sqlite3"


def test_a_postgresql_url_selects_the_server() -> None:
    loaded = settings(DATABASE_URL="postgresql://bot:s3cret@db.internal:5432/quiz")
    assert loaded.database_url == "postgresql://bot:s3cret@db.internal:5432/quiz"
    assert loaded.database_location == "postgresql://bot:***@db.internal:5432/quiz"


def test_the_password_never_shows_in_repr() -> None:
    loaded = settings(DATABASE_URL="postgres://bot:s3cret@db.internal/quiz")
    assert "s3cret" not in repr(loaded)
    assert "db.internal" in repr(loaded)


@pytest.mark.parametrize(
    "url", ["sqlite:///", "mysql://root@localhost/quiz", "quiz.sqlite3", "postgresql://"]
)
def test_an_unusable_url_is_refused_with_both_forms_named(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(DATABASE_URL=url)
    message = str(caught.value)
    assert "sqlite:///" in message and "postgresql://" in message


def test_a_refused_url_does_not_echo_its_password() -> None:
    with pytest.raises(SettingsError) as caught:
        settings(DATABASE_URL="mysql://root:hunter2@localhost/quiz")
    assert "hunter2" not in str(caught.value)


def test_placeholders_are_numbered_outside_quotes_only() -> None:
    sql = "SELECT '?', \"odd?name\" FROM t WHERE a = ? AND b IN (?, ?) AND c = 'it''s?'"
    assert numbered(sql) == (
        "SELECT '?', \"odd?name\" FROM t WHERE a = $1 AND b IN ($2, $3) AND c = 'it''s?'"
    )


@pytest.mark.parametrize(
    ("status", "count"), [("UPDATE 3", 3), ("INSERT 0 1", 1), ("DELETE 0", 0), ("CREATE TABLE", 0)]
)
def test_row_counts_are_read_from_the_command_status(status: str, count: int) -> None:
    assert rows_changed(status) == count
