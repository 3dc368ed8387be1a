"""The sandbox's sendPhoto and sendAudio: uploads within Telegram's limits, file_id reuse, and
captions edited with editMessageCaption."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox.driver import SandboxUser
from tests.media import mp3_bytes, png_bytes


async def test_audio_is_uploaded_once_and_sent_again_by_file_id(
    bot: Bot, alice: SandboxUser
) -> None:
    sent = await bot.send_audio(alice.id, mp3_bytes(), caption="Which word?", filename="w.mp3")
    assert sent.audio is not None and alice.messages[-1].audio == mp3_bytes()
    again = await bot.send_audio(alice.id, sent.audio.file_id, caption="again")
    assert again.audio is not None and again.audio.file_id == sent.audio.file_id
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await bot.send_photo(alice.id, sent.audio.file_id)
    edited = await bot.edit_message_caption(alice.id, sent.message_id, caption="<b>dog</b>")
    assert not isinstance(edited, bool) and edited.caption == "<b>dog</b>"
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("text", alice.id, sent.message_id)


async def test_uploads_and_captions_keep_telegrams_limits(bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.send_photo(alice.id, png_bytes() + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(BadRequest, match="Request entity too large"):
        await bot.send_audio(alice.id, mp3_bytes() + b"\0" * (50 * 1024 * 1024))
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, png_bytes(), caption="x" * 1025)
    # Counted after the HTML is parsed: tags do not count.
    sent = await bot.send_photo(
        alice.id, png_bytes(), caption="<b>" + "x" * 1024 + "</b>", parse_mode="HTML"
    )
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.edit_message_caption(alice.id, sent.message_id, caption="y" * 1025)
