"""A Mini App's initData: signed and checked exactly as Telegram documents it."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

import pytest

from bot.webapp.context import WebUser
from bot.webapp.init_data import (
    MAX_INIT_DATA_CHARS,
    InitDataRefused,
    check_init_data,
    sign_init_data,
)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OTHER_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
AUTH_DATE = 1700000000
USER_JSON = '{"id":279058397,"first_name":"Vladislav","language_code":"ru"}'
# Worked out by hand from the documented algorithm (secret = HMAC_SHA256("WebAppData", token);
# hash = HMAC_SHA256(secret, "auth_date=…\nquery_id=…\nuser=…")), not by the code under test.
HASH = "e7f29e1a84b1f997ff499b2ac2a523475523f5a0730a8e2c1b883844360d9318"
QUERY_ID = "AAHdF6IQAAAAAN0XohDhrOrc"
# Telegram's field order is not sorted: the check must sort.
VALID = f"query_id={QUERY_ID}&user={quote(USER_JSON)}&auth_date={AUTH_DATE}&hash={HASH}"
PERSON = WebUser(279058397, "Vladislav", "ru")


def refusal(raw: str, token: str = TOKEN, now: int = AUTH_DATE + 60) -> str:
    with pytest.raises(InitDataRefused) as caught:
        check_init_data(raw, token, now)
    return caught.value.reason


def test_valid_init_data_names_its_user() -> None:
    assert check_init_data(VALID, TOKEN, AUTH_DATE + 60) == PERSON


def test_signing_gives_telegrams_hash() -> None:
    signed = sign_init_data(PERSON, TOKEN, AUTH_DATE, query_id=QUERY_ID)
    assert signed.endswith(f"&hash={HASH}")
    assert check_init_data(signed, TOKEN, AUTH_DATE) == PERSON


@pytest.mark.parametrize(
    "altered",
    [
        VALID.replace("279058397", "279058398"),  # another user
        VALID.replace(f"auth_date={AUTH_DATE}", f"auth_date={AUTH_DATE + 1}"),
        VALID.replace(QUERY_ID, QUERY_ID.lower()),
        VALID.replace("&hash=", "&start_param=x&hash="),  # a field added
        VALID.replace(f"query_id={QUERY_ID}&", ""),  # a field removed
    ],
)
def test_one_field_altered_is_refused(altered: str) -> None:
    assert refusal(altered) == "bad_hash"


def test_hash_altered_is_refused() -> None:
    assert refusal(VALID.replace(HASH, HASH[:-1] + "0")) == "bad_hash"
    assert refusal(VALID.replace(HASH, "")) == "bad_hash"


def test_another_bots_token_is_refused() -> None:
    assert refusal(VALID, token=OTHER_TOKEN) == "bad_hash"


def test_a_day_old_is_expired() -> None:
    assert check_init_data(VALID, TOKEN, AUTH_DATE + 86400) == PERSON
    assert refusal(VALID, now=AUTH_DATE + 86401) == "expired"


def test_from_the_future_is_refused_past_five_minutes() -> None:
    assert check_init_data(VALID, TOKEN, AUTH_DATE - 300) == PERSON
    assert refusal(VALID, now=AUTH_DATE - 301) == "future"


def test_signed_without_a_user_is_refused() -> None:
    # A launch signed by Telegram that names no user (documented hash of "auth_date=1700000000").
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, f"auth_date={AUTH_DATE}".encode(), hashlib.sha256).hexdigest()
    assert refusal(f"auth_date={AUTH_DATE}&hash={digest}") == "no_user"


def test_duplicate_keys_are_malformed() -> None:
    assert refusal(VALID + "&user=" + quote('{"id":1,"first_name":"Eve"}')) == "malformed"
    assert refusal(VALID + "&hash=" + HASH) == "malformed"


def test_missing_and_garbage() -> None:
    assert refusal("") == "missing"
    assert refusal("no equals sign") == "malformed"
    assert refusal(f"user={quote(USER_JSON)}&auth_date={AUTH_DATE}") == "malformed"  # no hash


def test_huge_input_is_malformed_before_any_hashing() -> None:
    huge = VALID + "&x=" + "a" * MAX_INIT_DATA_CHARS
    assert refusal(huge) == "malformed"
