"""Anonymous group admins: messages sent as the group, and the bare GroupAnonymousBot account."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer

GROUP_ANONYMOUS_BOT = 1087968824


async def test_an_admin_posting_as_the_group_arrives_from_group_anonymous_bot(
    server: SandboxServer, bot: Bot, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Study group", members=[bob], admins=[alice], supergroup=True)
    sent = await alice.send_as_chat("/stopbattle", chat=group)
    assert sent.sender_id == GROUP_ANONYMOUS_BOT
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.from_user is not None
    assert (message.from_user.id, message.from_user.is_bot) == (GROUP_ANONYMOUS_BOT, True)
    assert message.from_user.username == "GroupAnonymousBot"
    assert message.sender_chat is not None
    assert (message.sender_chat.id, message.sender_chat.title) == (group.id, "Study group")
    assert message.text == "/stopbattle"
    assert [e.type for e in message.entities] == ["bot_command"]


async def test_only_administrators_can_post_as_the_group(
    server: SandboxServer, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Study group", members=[bob], admins=[alice])
    with pytest.raises(AssertionError, match="Bob is no administrator of 'Study group'"):
        await bob.send_as_chat("/stopbattle", chat=group)
    with pytest.raises(AssertionError, match="no administrator"):
        await alice.send_as_chat("hi", chat=alice.chat)


async def test_the_bare_anonymous_account_sends_without_sender_chat(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    group = server.group("Study group", admins=[alice])
    forger = server.group_anonymous_bot()
    assert forger.id == GROUP_ANONYMOUS_BOT
    group.add_member(forger)
    await forger.send("/stopbattle", chat=group)
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.from_user is not None
    assert update.message.from_user.id == GROUP_ANONYMOUS_BOT
    assert update.message.sender_chat is None
    # Messages of ordinary people never carry a sender_chat either.
    await alice.send("/stopbattle", chat=group)
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert [u.message.sender_chat for u in updates if u.message] == [None]
