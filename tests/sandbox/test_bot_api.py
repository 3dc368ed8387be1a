"""python-telegram-bot talks to the sandbox over HTTP and meets Telegram's answers and errors."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03\x08\x02\x00\x00\x00"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"k:{label}") for label in labels]]
    )


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot, me.can_read_all_group_messages) == (
        123456,
        "quizmaster_bot",
        True,
        False,
    )


async def test_sent_html_comes_back_as_plain_text_with_entities(
    bot: Bot, alice: SandboxUser
) -> None:
    sent = await bot.send_message(
        alice.id, "<b>Q1</b> · 2 &lt; 3", parse_mode=ParseMode.HTML, reply_markup=keyboard("A")
    )
    assert sent.text == "Q1 · 2 < 3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    assert sent.chat.id == alice.id and sent.from_user is not None
    (shown,) = alice.messages
    assert (shown.text, shown.html, shown.buttons) == (
        "Q1 · 2 < 3",
        "<b>Q1</b> · 2 &lt; 3",
        [[("A", "k:A")]],
    )


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "Message text is empty"),
        ("<b></b>", {"parse_mode": "HTML"}, "Message text is empty"),
        ("x" * 4097, {}, "Message is too long"),
        (
            "<foo>",
            {"parse_mode": "HTML"},
            'Can\'t parse entities: unsupported start tag "foo" at byte offset 0',
        ),
    ],
)
async def test_bad_texts_raise_bad_request(
    bot: Bot, alice: SandboxUser, text: str, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, text, **kwargs)  # type: ignore[arg-type]
    assert caught.value.message == message
    assert alice.messages == []


async def test_long_callback_data_is_refused(bot: Bot, alice: SandboxUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "hi", reply_markup=markup)


async def test_unknown_chat_and_people_who_never_wrote_are_refused(
    bot: Bot, server: SandboxServer
) -> None:
    stranger = server.user("Stranger")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hi")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    await stranger.send("/start")
    assert (await bot.send_message(stranger.id, "hi")).text == "hi"


async def test_a_blocked_user_gets_nothing(bot: Bot, alice: SandboxUser) -> None:
    alice.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    alice.unblock_bot()
    await bot.send_message(alice.id, "hi again")
    assert [m.text for m in alice.messages] == ["hi again"]
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]


async def test_edits_keep_history_and_refuse_no_op_edits(bot: Bot, alice: SandboxUser) -> None:
    sent = await bot.send_message(alice.id, "Q1", reply_markup=keyboard("Show answer"))
    edited = await bot.edit_message_text("Q1 — answer: 42", alice.id, sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Q1 — answer: 42" and edited.edit_date is not None
    assert edited.reply_markup is None  # no reply_markup in the edit removes the keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Q1 — answer: 42", alice.id, sent.message_id)
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard("Next"))
    (shown,) = alice.messages
    assert shown.text == "Q1 — answer: 42"
    assert shown.buttons == [[("Next", "k:Next")]]
    assert [(v.text, v.reply_markup is not None) for v in shown.edits] == [
        ("Q1", True),
        ("Q1 — answer: 42", False),
    ]


async def test_edits_of_missing_or_foreign_messages_fail(bot: Bot, alice: SandboxUser) -> None:
    mine = await alice.send("my answer")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", alice.id, mine.message_id)


async def test_delete_message(bot: Bot, alice: SandboxUser, server: SandboxServer) -> None:
    sent = await bot.send_message(alice.id, "bye")
    assert await bot.delete_message(alice.id, sent.message_id) is True
    assert alice.messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_replies_need_an_existing_message(bot: Bot, alice: SandboxUser) -> None:
    asked = await alice.send("what is 6x7?")
    reply = await bot.send_message(
        alice.id, "42", reply_parameters=ReplyParameters(asked.message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "what is 6x7?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(500))


async def test_callback_answers_once(bot: Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "Q", reply_markup=keyboard("Show"))
    tap = asyncio.create_task(alice.tap("Show"))
    (update,) = await bot.get_updates(timeout=2)
    query = update.callback_query
    assert query is not None and query.data == "k:Show"
    assert isinstance(query.message, Message) and query.message.text == "Q"
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query.id, text="t" * 201)
    await bot.answer_callback_query(query.id, text="Answer: 42")
    assert await tap == "Answer: 42"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)


async def test_documents_go_up_and_come_down(bot: Bot, alice: SandboxUser) -> None:
    sent = await bot.send_document(
        alice.id,
        b"front,back\n1,2\n",
        filename="deck.csv",
        caption="<i>Your deck</i>",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "deck.csv"
    assert sent.caption == "Your deck"
    (shown,) = alice.messages
    assert shown.document is not None
    filename, data = shown.document
    assert (filename, data) == ("deck.csv", b"front,back\n1,2\n")
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id

    upload = await alice.send_document("mine.tsv", b"a\tb\n")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    assert update.message.document.file_name == "mine.tsv"
    file = await bot.get_file(update.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a\tb\n"
    assert upload.document is not None


async def test_big_files_cannot_be_downloaded(bot: Bot, alice: SandboxUser) -> None:
    await alice.send_document("huge.apkg", b"\0" * (20 * 1024 * 1024 + 1))
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(update.message.document.file_id)
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_photos_must_be_images(bot: Bot, alice: SandboxUser) -> None:
    sent = await bot.send_photo(alice.id, PNG, caption="chart")
    assert [(p.width, p.height) for p in sent.photo] == [(2, 3)]
    assert alice.messages[-1].photo == PNG
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, b"not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(alice.id, "AAAAbogus")


async def test_commands_are_stored_per_scope(bot: Bot, server: SandboxServer) -> None:
    await bot.set_my_commands([BotCommand("quiz", "Start a quiz"), BotCommand("stats", "Stats")])
    assert [c.command for c in await bot.get_my_commands()] == ["quiz", "stats"]
    assert server.my_commands()[0] == {"command": "quiz", "description": "Start a quiz"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_chats_members_and_admins(
    bot: Bot, server: SandboxServer, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Study group", members=[alice, bob], admins=[alice])
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("group", "Study group")
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    outsider = server.user("Carol")
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    group.add_member(outsider, "kicked")
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "kicked"
    group.add_member(outsider, "restricted")
    muted = await bot.get_chat_member(group.id, outsider.id)
    assert isinstance(muted, ChatMemberRestricted)
    assert muted.is_member and not muted.can_send_messages
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 42)
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [alice.id]
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(alice.id)
    promoted = server.group("Admins", admins=[alice, bob], creator=bob)
    statuses = {a.user.id: a.status for a in await bot.get_chat_administrators(promoted.id)}
    assert statuses == {alice.id: "administrator", bob.id: "creator"}


async def test_migrated_group_redirects_to_the_supergroup(
    bot: Bot, server: SandboxServer, alice: SandboxUser
) -> None:
    group = server.group("Study group", members=[alice])
    old_id = group.id
    await bot.send_message(old_id, "before")
    await server.migrate_group(group)
    assert group.id != old_id and group.record.type == "supergroup"
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(old_id, "after")
    assert caught.value.new_chat_id == group.id
    await bot.send_message(group.id, "after")
    assert [m.text for m in group.messages] == ["after"]
    services = [u.message for u in await bot.get_updates() if u.message]
    assert [(m.migrate_to_chat_id, m.migrate_from_chat_id) for m in services] == [
        (group.id, None),
        (None, old_id),
    ]


async def test_get_updates_long_polls_and_confirms(bot: Bot, alice: SandboxUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await alice.send("/quiz")
    (update,) = await poll
    assert update.message is not None and update.message.text == "/quiz"
    assert update.message.entities[0].type == "bot_command"
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    for n in range(3):
        await alice.send(f"m{n}")
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == ["m0", "m1"]
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["m2"]


async def test_two_pollers_conflict(bot: Bot, server: SandboxServer) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=server.base_url + "/bot") as other:
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_webhook_settings_block_polling(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Bad webhook: an https url must be provided for webhook"):
        await bot.set_webhook("http://example.org/hook")
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret", max_connections=5)
    info = await bot.get_webhook_info()
    assert (info.url, info.max_connections) == ("https://example.org/hook", 5)
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_chat_actions_are_recorded(
    bot: Bot, alice: SandboxUser, server: SandboxServer
) -> None:
    await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(alice.id, "dancing")
    assert server.chat_actions == [(alice.id, "typing")]


async def test_raw_http_like_telegram(server: SandboxServer, alice: SandboxUser) -> None:
    base = f"{server.base_url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/GETME") as response:
            assert (await response.json())["result"]["username"] == "quizmaster_bot"
        payload = {
            "chat_id": alice.id,
            "text": "json body",
            "reply_markup": {"inline_keyboard": []},
        }
        async with http.post(f"{base}/sendMessage", json=payload) as response:
            assert (await response.json())["result"]["text"] == "json body"
        async with http.get(f"{base}/sendMessage", params={"chat_id": alice.id}) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        async with http.post(f"{base}/fly") as response:
            assert (response.status, (await response.json())["description"]) == (404, "Not Found")
        async with http.post(f"{server.base_url}/bot123456:WRONG/getMe") as response:
            assert (response.status, (await response.json())["description"]) == (
                401,
                "Unauthorized",
            )
        markup = json.dumps({"inline_keyboard": [[{"text": "x"}]]})
        form = {"chat_id": str(alice.id), "text": "t", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", data=form) as response:
            assert (await response.json())["description"] == (
                "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
                "the inline keyboard"
            )


async def test_a_wrong_token_raises_invalid_token(server: SandboxServer) -> None:
    stranger = Bot("123456:WRONG", base_url=server.base_url + "/bot")
    with pytest.raises(InvalidToken):
        await stranger.initialize()


async def test_descriptions_are_stored_per_language(bot: Bot, server: SandboxServer) -> None:
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == ""
    await bot.set_my_description("Flashcards, every day.")
    await bot.set_my_short_description("Flashcards")
    await bot.set_my_description("Karteikarten, jeden Tag.", language_code="de")
    assert server.my_description() == "Flashcards, every day."
    assert server.my_short_description() == "Flashcards"
    assert (await bot.get_my_description(language_code="de")).description == (
        "Karteikarten, jeden Tag."
    )
    # A language without its own text gets the default one, as Telegram does.
    assert (await bot.get_my_short_description(language_code="de")).short_description == (
        "Flashcards"
    )
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_short_description("x" * 121)
    with pytest.raises(BadRequest, match="Lang_code_invalid"):
        await bot.set_my_description("x", language_code="english")
    await bot.set_my_description("")  # an empty text removes it
    assert (await bot.get_my_description()).description == ""
