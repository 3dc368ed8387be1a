"""The rate limiter every Bot API call passes through: what it retries, and what it never repeats."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.net.aiohttp_request import POOL_TIMEOUT_MESSAGE
from bot.net.retry import RetryingRateLimiter, caller_handles_429, never_sent


class Script:
    """A Bot API call that fails with the given errors in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"message_id": 7}


class Sleeps:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def limiter(sleeps: Sleeps, **kwargs: Any) -> RetryingRateLimiter:
    return RetryingRateLimiter(sleep=sleeps, **kwargs)


async def run(
    rl: RetryingRateLimiter, call: Script, endpoint: str, rate_limit_args: int | None = None
) -> Any:
    return await rl.process_request(call, (), {}, endpoint, {}, rate_limit_args)


GATEWAY = NetworkError("Bad Gateway (502). Parsing the server response b'<html>' failed")
REFUSED = NetworkError("aiohttp.ClientConnectorError: Cannot connect to host 127.0.0.1:1")
DROPPED = NetworkError("aiohttp.ServerDisconnectedError: Server disconnected")


async def test_a_429_is_waited_out_and_the_call_made_again() -> None:
    sleeps, call = Sleeps(), Script(RetryAfter(3), RetryAfter(1))
    assert await run(limiter(sleeps), call, "sendMessage") == {"message_id": 7}
    assert call.calls == 3
    assert sleeps.waits == [3.0, 1.0]


async def test_429s_beyond_the_retry_budget_reach_the_caller() -> None:
    sleeps, call = Sleeps(), Script(RetryAfter(1), RetryAfter(1), RetryAfter(1))
    with pytest.raises(RetryAfter):
        await run(limiter(sleeps, retries=2), call, "sendMessage")
    assert call.calls == 3
    assert sleeps.waits == [1.0, 1.0]


async def test_an_absurd_retry_after_is_not_slept_on() -> None:
    sleeps, call = Sleeps(), Script(RetryAfter(3600))
    with pytest.raises(RetryAfter):
        await run(limiter(sleeps), call, "sendMessage")
    assert sleeps.waits == []


async def test_a_self_pacing_caller_gets_its_429_at_once() -> None:
    sleeps, call = Sleeps(), Script(RetryAfter(5))
    with caller_handles_429(), pytest.raises(RetryAfter):
        await run(limiter(sleeps), call, "sendMessage")
    assert call.calls == 1 and sleeps.waits == []
    # outside the block the same limiter waits it out again
    assert await run(limiter(sleeps), Script(RetryAfter(5)), "sendMessage") == {"message_id": 7}


async def test_rate_limit_args_sets_one_calls_429_budget() -> None:
    sleeps, call = Sleeps(), Script(RetryAfter(2))
    with pytest.raises(RetryAfter):
        await run(limiter(sleeps), call, "sendMessage", rate_limit_args=0)
    assert call.calls == 1


@pytest.mark.parametrize(
    "endpoint",
    ["editMessageText", "answerCallbackQuery", "getChatMember", "deleteMessage", "setMyCommands"],
)
@pytest.mark.parametrize("error", [TimedOut(), DROPPED, GATEWAY])
async def test_idempotent_calls_are_retried_with_growing_backoff(
    endpoint: str, error: NetworkError
) -> None:
    sleeps, call = Sleeps(), Script(error, error, error)
    assert await run(limiter(sleeps), call, endpoint) == {"message_id": 7}
    assert call.calls == 4
    assert sleeps.waits == [0.5, 1.0, 2.0]


async def test_an_idempotent_call_gives_up_after_its_retries() -> None:
    sleeps, call = Sleeps(), Script(*[TimedOut()] * 5)
    with pytest.raises(TimedOut):
        await run(limiter(sleeps, network_retries=2), call, "editMessageText")
    assert call.calls == 3


@pytest.mark.parametrize("error", [TimedOut(), DROPPED])
@pytest.mark.parametrize("endpoint", ["sendMessage", "sendDocument", "sendPhoto"])
async def test_a_send_that_may_have_arrived_is_never_repeated(
    endpoint: str, error: NetworkError
) -> None:
    sleeps, call = Sleeps(), Script(error)
    with pytest.raises(NetworkError):
        await run(limiter(sleeps), call, endpoint)
    assert call.calls == 1 and sleeps.waits == []


@pytest.mark.parametrize("error", [GATEWAY, REFUSED, TimedOut(POOL_TIMEOUT_MESSAGE)])
async def test_a_send_that_surely_never_left_is_repeated(error: NetworkError) -> None:
    sleeps, call = Sleeps(), Script(error)
    assert await run(limiter(sleeps), call, "sendMessage") == {"message_id": 7}
    assert call.calls == 2


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("editMessageText", "Message is not modified: specified new message content ..."),
        ("answerCallbackQuery", "Query is too old and response timeout expired"),
        ("deleteMessage", "Message to delete not found"),
    ],
)
async def test_a_repeat_refused_as_already_done_counts_as_done(endpoint: str, reason: str) -> None:
    call = Script(DROPPED, BadRequest(reason))
    assert await run(limiter(Sleeps()), call, endpoint) is True
    assert call.calls == 2


async def test_a_first_not_modified_is_the_callers_business() -> None:
    call = Script(BadRequest("Message is not modified"))
    with pytest.raises(BadRequest):
        await run(limiter(Sleeps()), call, "editMessageText")


async def test_an_expired_callback_query_is_not_an_error() -> None:
    call = Script(
        BadRequest("Query is too old and response timeout expired or query id is invalid")
    )
    assert await run(limiter(Sleeps()), call, "answerCallbackQuery") is True


@pytest.mark.parametrize(
    "error",
    [BadRequest("Can't parse entities"), Forbidden("Forbidden: bot was blocked by the user")],
)
async def test_refusals_are_never_retried(error: Exception) -> None:
    call = Script(error)
    with pytest.raises(type(error)):
        await run(limiter(Sleeps()), call, "editMessageText")
    assert call.calls == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (GATEWAY, True),
        (NetworkError("Service Unavailable (503)"), True),
        (REFUSED, True),
        (TimedOut(POOL_TIMEOUT_MESSAGE), True),
        (TimedOut(), False),
        (DROPPED, False),
        (NetworkError("Internal Server Error"), False),
        (BadRequest("Bad Gateway (502)"), False),
    ],
)
def test_never_sent_only_for_errors_that_prove_it(error: NetworkError, expected: bool) -> None:
    assert never_sent(error) is expected
