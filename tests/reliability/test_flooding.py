"""A user who floods the bot is slowed down alone; everyone else is answered as usual."""

from __future__ import annotations

from bot.core.flood import FloodGate
from bot.handlers.guard import UpdateGuard
from bot.sandbox.server import SandboxServer
from bot.views.texts import SLOW_DOWN
from tests.e2e.conftest import RunningBot


class FrozenTime:
    """A monotonic clock that moves only when told, so budgets do not depend on machine speed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_flooder_gets_a_small_budget_and_one_notice_while_others_go_on(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    time = FrozenTime()
    bot.app.bot_data.guard = UpdateGuard(gate=FloodGate(burst=5, rate=1.0), monotonic=time)
    mallory, bob = sandbox.user("Mallory"), sandbox.user("Bob")
    for _ in range(40):
        await mallory.send("/streak")
    await bob.send("/streak")
    await bob.wait_for(lambda m: "streak" in m.text.lower())
    await sandbox.settle()
    replies = [m.text for m in mallory.messages]
    assert len(replies) == 6
    assert replies.count(SLOW_DOWN) == 1 and replies[5] == SLOW_DOWN
    assert len(bob.messages) == 1
    # the 40 messages cost five replies and one notice; Bob's cost his one reply
    assert sandbox.calls["sendMessage"] == 7
    guard = bot.app.bot_data.guard
    assert guard.dropped == 35
    # after a pause Mallory is heard again, one message per second of rest
    time.now += 2.0
    before = mallory.messages[-1]
    for _ in range(4):
        await mallory.send("/streak")
    await mallory.wait_for(lambda m: "streak" in m.text.lower(), since=before)
    await sandbox.settle()
    later = [m.text for m in mallory.messages if m.message_id > before.message_id]
    assert len(later) == 3  # two answered, then the notice once more
    assert later[-1] == SLOW_DOWN
