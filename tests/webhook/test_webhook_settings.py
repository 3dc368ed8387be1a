"""WEBHOOK_* settings: defaults, validation with one clear line, the secret kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.__main__ import main
from bot.config import Settings, SettingsError, load_settings, split_listen
from tests.webhook.conftest import SECRET

TOKEN = "123456789:TEST-token-for-the-sandbox-0000000"
HOOK = {"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/tg", "WEBHOOK_SECRET": SECRET}


def settings(**env: str) -> Settings:
    """Settings from exactly `env` (no .env file)."""
    return load_settings(env, env_file=None)


def test_defaults_leave_webhook_mode_off() -> None:
    loaded = settings(BOT_TOKEN=TOKEN)
    assert loaded.webhook_url is None
    assert loaded.webhook_secret is None
    assert loaded.webhook_listen == "127.0.0.1:8080"
    assert loaded.webhook_max_connections == 40


def test_every_webhook_variable_is_read() -> None:
    loaded = settings(**HOOK, WEBHOOK_LISTEN="0.0.0.0:8443", WEBHOOK_MAX_CONNECTIONS="100")
    assert (
        loaded.webhook_url,
        loaded.webhook_secret,
        loaded.webhook_listen,
        loaded.webhook_max_connections,
    ) == ("https://bot.example.org/tg", SECRET, "0.0.0.0:8443", 100)


def test_lease_lengths_default_and_are_read() -> None:
    assert (settings(**HOOK).inbox_lease_seconds, settings(**HOOK).outbox_lease_seconds) == (30, 60)
    loaded = settings(**HOOK, INBOX_LEASE_SECONDS="3", OUTBOX_LEASE_SECONDS="3600")
    assert (loaded.inbox_lease_seconds, loaded.outbox_lease_seconds) == (3, 3600)
    assert "inbox_lease_seconds=3," in repr(loaded)


@pytest.mark.parametrize("name", ["INBOX_LEASE_SECONDS", "OUTBOX_LEASE_SECONDS"])
@pytest.mark.parametrize("value", ["1", "3601", "2.5", "-5", "soon", "³"])
def test_a_lease_length_out_of_range_is_refused_with_one_clear_line(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(**HOOK, **{name: value})
    assert str(caught.value) == (
        f"{name} must be a whole number of seconds from 2 to 3600, got {value!r}"
    )


def test_repr_hides_the_secret() -> None:
    loaded = settings(**HOOK)
    assert SECRET not in repr(loaded)
    assert "webhook_secret=<set>" in repr(loaded)
    assert "https://bot.example.org/tg" in repr(loaded)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET is required"),
        ({**HOOK, "WEBHOOK_URL": "http://bot.example.org/tg"}, "WEBHOOK_URL must be an https"),
        ({**HOOK, "WEBHOOK_URL": "bot.example.org/tg"}, "WEBHOOK_URL must be an https"),
        ({**HOOK, "WEBHOOK_URL": "https:///no-host"}, "WEBHOOK_URL must be an https"),
        ({**HOOK, "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET must be 1-256"),
        ({**HOOK, "WEBHOOK_SECRET": "a" * 257}, "WEBHOOK_SECRET must be 1-256"),
        ({**HOOK, "WEBHOOK_SECRET": "ümlaut"}, "WEBHOOK_SECRET must be 1-256"),
        ({**HOOK, "WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN must be host:port"),
        ({**HOOK, "WEBHOOK_LISTEN": "localhost:0"}, "WEBHOOK_LISTEN must be host:port"),
        ({**HOOK, "WEBHOOK_LISTEN": "localhost:65536"}, "WEBHOOK_LISTEN must be host:port"),
        ({**HOOK, "WEBHOOK_LISTEN": ":8080"}, "WEBHOOK_LISTEN must be host:port"),
        ({**HOOK, "WEBHOOK_MAX_CONNECTIONS": "0"}, "WEBHOOK_MAX_CONNECTIONS must be"),
        ({**HOOK, "WEBHOOK_MAX_CONNECTIONS": "101"}, "WEBHOOK_MAX_CONNECTIONS must be"),
        ({**HOOK, "WEBHOOK_MAX_CONNECTIONS": "ten"}, "WEBHOOK_MAX_CONNECTIONS must be"),
        ({**HOOK, "WEBHOOK_MAX_CONNECTIONS": "²"}, "WEBHOOK_MAX_CONNECTIONS must be"),
    ],
)
def test_bad_values_are_refused_with_one_clear_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(**{"BOT_TOKEN": TOKEN, **env})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_plain_http_is_accepted_only_with_a_local_bot_api_server() -> None:
    local = settings(
        **{**HOOK, "WEBHOOK_URL": "http://10.0.0.5:8080/tg"}, BOT_API_URL="http://127.0.0.1:8081"
    )
    assert local.webhook_url == "http://10.0.0.5:8080/tg"


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("0.0.0.0:1", ("0.0.0.0", 1)),
        ("[::1]:8443", ("::1", 8443)),
        ("bot.internal:65535", ("bot.internal", 65535)),
    ],
)
def test_listen_addresses(listen: str, expected: tuple[str, int]) -> None:
    assert split_listen(listen) == expected


@given(st.text(max_size=30))
def test_split_listen_returns_a_valid_port_or_refuses(text: str) -> None:
    try:
        host, port = split_listen(text)
    except ValueError:
        return
    assert host
    assert 1 <= port <= 65535
    assert int(text.rpartition(":")[2]) == port


def test_webhook_flag_without_a_url_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout is read
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_MAX_CONNECTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert main(["run", "--webhook"]) == 2
    assert capsys.readouterr().err == "error: --webhook needs WEBHOOK_URL (see .env.example)\n"


def test_a_webhook_url_without_a_secret_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/tg")
    assert main(["run"]) == 2
    assert capsys.readouterr().err == (
        "error: WEBHOOK_SECRET is required when WEBHOOK_URL is set\n"
    )
