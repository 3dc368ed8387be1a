"""Acting as people against a real PTB Application: typing, tapping, waiting, groups."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram.ext import Application

from bot.sandbox.control import SandboxControl
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer

App = Application[Any, Any, Any, Any, Any, Any]


async def test_tap_returns_the_toast_and_sees_the_edit(
    echo_bot: App, alice: SandboxUser, server: SandboxServer
) -> None:
    await alice.send("/start")
    question = await alice.wait_for(lambda m: "Q1" in m.text)
    assert question.labels == ["Show answer", "Skip"]
    assert await alice.tap("Show answer") == "Answer: 42"
    await server.settle(quiet=0.05)
    (shown,) = alice.messages
    assert (shown.text, shown.html, shown.buttons) == (
        "Q1: 6 × 7 = 42",
        "<b>Q1</b>: 6 × 7 = 42",
        [],
    )
    assert shown.edits[0].text == "Q1: 6 × 7?"


async def test_tap_matches_a_label_fragment_and_returns_empty_toast(
    echo_bot: App, alice: SandboxUser
) -> None:
    await alice.send("/start")
    await alice.wait_for(lambda m: bool(m.buttons))
    assert await alice.tap("Ski") == ""
    skipped = await alice.wait_for(lambda m: m.text == "Skipped")
    assert skipped.message_id == 3


async def test_missing_buttons_are_reported_with_what_is_on_screen(
    echo_bot: App, alice: SandboxUser
) -> None:
    await alice.send("/start")
    await alice.wait_for(lambda m: bool(m.buttons))
    with pytest.raises(AssertionError, match=r"(?s)no button .Next.*#2: \[Show answer\] \[Skip\]"):
        await alice.tap("Next")


async def test_forged_data_gets_an_alert(echo_bot: App, alice: SandboxUser) -> None:
    await alice.send("/start")
    question = await alice.wait_for(lambda m: bool(m.buttons))
    assert await alice.tap_data(question, "q:999:forged") == "That button has expired."


async def test_wait_for_times_out_with_the_newest_messages(
    echo_bot: App, alice: SandboxUser
) -> None:
    await alice.send("hello")
    await alice.wait_for(lambda m: "hello" in m.text)
    with pytest.raises(AssertionError, match=r"no bot message matched within 0\.2s"):
        await alice.wait_for(lambda m: "never" in m.text, timeout=0.2)


async def test_echo_of_text_and_documents(
    echo_bot: App, alice: SandboxUser, server: SandboxServer
) -> None:
    await alice.send("<3 & co")
    await alice.send_document("deck.csv", b"a,b\n" * 10)
    # The echo bot answers each in its own poll: wait for the second answer, not a quiet moment.
    await alice.wait_for(lambda m: m.text.startswith("Got deck.csv"))
    await server.settle(quiet=0.05)
    assert [m.text for m in alice.messages] == ["You said: <3 & co", "Got deck.csv (40 bytes)"]
    assert alice.messages[0].html == "You said: <i>&lt;3 &amp; co</i>"


async def test_privacy_mode_hides_chatter_in_groups(
    echo_bot: App, server: SandboxServer, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Study group", members=[alice, bob])
    await bob.send("just chatting", chat=group)
    await bob.send("/start@other_bot", chat=group)
    await alice.send("/start@quizmaster_bot", chat=group)
    question = await group.wait_for(lambda m: "Q1" in m.text)
    await bob.send("6x7 is 42", chat=group, reply_to=question)
    await server.settle(quiet=0.05)
    assert [m.text for m in group.messages] == ["Q1: 6 × 7?", "You said: 6x7 is 42"]
    assert await bob.tap("Show answer", chat=group) == "Answer: 42"


async def test_forum_topics_carry_thread_ids(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    forum = server.group("Forum", members=[alice], forum=True)
    topic = forum.create_topic("Battles")
    await alice.send("/start", chat=forum, thread_id=topic)
    question = await forum.wait_for(lambda m: "Q1" in m.text)
    assert question.thread_id == topic


async def test_other_people_and_places_are_refused(
    server: SandboxServer, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Closed", members=[bob])
    with pytest.raises(AssertionError, match="Alice is not a member of 'Closed'"):
        await alice.send("hi", chat=group)
    with pytest.raises(AssertionError, match="another person's private chat"):
        await alice.send("hi", chat=bob.chat)


async def test_user_edits_reach_the_bot(server: SandboxServer, alice: SandboxUser) -> None:
    sent = await alice.send("Pariss")
    edited = await alice.edit(sent, "Paris")
    assert edited.text == "Paris" and edited.edits[0].text == "Pariss"
    kinds = [u.kind for u in server.world.updates]
    assert kinds == ["message", "edited_message"]


async def test_control_api_drives_people_from_another_process(
    echo_bot: App, server: SandboxServer
) -> None:
    async with aiohttp.ClientSession() as session:
        control = SandboxControl(server.base_url, session)
        user = await control.call("users", first_name="Dana", username="dana")
        await control.call("send", user_id=user["id"], text="/start")
        shown = await control.call("wait", chat_id=user["id"], contains="Q1")
        assert shown["buttons"] == [[["Show answer", "show"], ["Skip", "skip"]]]
        toast = await control.call("tap", user_id=user["id"], label="Show answer")
        assert toast == {"toast": "Answer: 42"}
        await control.call("settle")
        (message,) = await control.call("messages", chat_id=user["id"])
        assert message["text"] == "Q1: 6 × 7 = 42" and message["edited"] is True
        with pytest.raises(AssertionError, match="sees no button"):
            await control.call("tap", user_id=user["id"], label="Nope")
        assert (await control.call("calls"))["answerCallbackQuery"] == 1


async def test_privacy_mode_decides_which_group_messages_become_updates(
    server: SandboxServer, alice: SandboxUser
) -> None:
    group = server.group("Study group", members=[alice])
    for text in (
        "chatter",
        "/quiz",
        "/quiz@other_bot",
        "/quiz@Quizmaster_Bot",
        "hi @quizmaster_bot",
    ):
        await alice.send(text, chat=group)
    delivered = [u.payload["text"] for u in server.world.updates]
    assert delivered == ["/quiz", "/quiz@Quizmaster_Bot", "hi @quizmaster_bot"]
    server.privacy_mode = False
    await alice.send("chatter", chat=group)
    assert server.world.updates[-1].payload["text"] == "chatter"
