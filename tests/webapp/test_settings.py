"""WEBAPP_URL and WEBAPP_LISTEN: read, defaulted, and refused with one clear line."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_WEBAPP_LISTEN, Settings, SettingsError, load_settings


def settings(**env: str) -> Settings:
    """Settings from exactly `env` (no .env file)."""
    return load_settings(env, env_file=None)


def test_defaults_no_mini_app_url_and_a_local_listener() -> None:
    got = settings()
    assert got.webapp_url is None
    assert got.webapp_listen == DEFAULT_WEBAPP_LISTEN == "127.0.0.1:8088"


@pytest.mark.parametrize(
    "url",
    ["https://bot.example.org/app/", "http://127.0.0.1:8088/app/", "http://localhost:8088/app/"],
)
def test_an_https_url_or_a_local_http_one_is_taken(url: str) -> None:
    assert settings(WEBAPP_URL=url).webapp_url == url
    assert url in repr(settings(WEBAPP_URL=url))


@pytest.mark.parametrize(
    "url",
    [
        "http://bot.example.org/app/",
        "ftp://bot.example.org/app/",
        "bot.example.org/app/",
        "https://",
    ],
)
def test_other_urls_are_refused_naming_the_variable(url: str) -> None:
    with pytest.raises(SettingsError, match=r"WEBAPP_URL must be the https:// address"):
        settings(WEBAPP_URL=url)


def test_listen_is_read_or_off() -> None:
    assert settings(WEBAPP_LISTEN="0.0.0.0:9000").webapp_listen == "0.0.0.0:9000"
    assert settings(WEBAPP_LISTEN="off").webapp_listen is None
    with pytest.raises(SettingsError, match=r"WEBAPP_LISTEN must be host:port .* or off"):
        settings(WEBAPP_LISTEN="8088")
