"""The sandbox's sendPhoto, sendAudio, sendVoice and sendMediaGroup: uploads within Telegram's
limits, file_id reuse, and captions edited with editMessageCaption."""

from __future__ import annotations

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest

from bot.sandbox.driver import SandboxUser
from tests.media import mp3_bytes, opus_bytes, png_bytes


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


async def test_a_small_voice_message_plays_and_a_large_one_arrives_as_a_file(
    bot: Bot, alice: SandboxUser
) -> None:
    sent = await bot.send_voice(alice.id, opus_bytes(), caption="<b>cat</b>", parse_mode="HTML")
    assert sent.voice is not None and alice.messages[-1].voice == opus_bytes()
    assert alice.messages[-1].text == "cat" and alice.messages[-1].document is None
    again = await bot.send_voice(alice.id, sent.voice.file_id)
    assert again.voice is not None and again.voice.file_id == sent.voice.file_id
    edited = await bot.edit_message_caption(alice.id, sent.message_id, caption="dog")
    assert not isinstance(edited, bool) and edited.caption == "dog"
    # Over 1 MB, Telegram shows a voice message as a plain file.
    big = opus_bytes(1024 * 1024)
    large = await bot.send_voice(alice.id, big)
    assert large.voice is None and large.document is not None
    assert alice.messages[-1].voice is None and alice.messages[-1].document is not None


async def test_an_album_holds_two_to_ten_pictures_and_no_buttons(
    bot: Bot, alice: SandboxUser
) -> None:
    pictures = [png_bytes(2 + i, 2) for i in range(3)]
    sent = await bot.send_media_group(alice.id, [InputMediaPhoto(p) for p in pictures])
    assert len(sent) == 3 and len({m.media_group_id for m in sent}) == 1
    shown = alice.messages[-3:]
    assert [m.photo for m in shown] == pictures
    assert {m.media_group_id for m in shown} == {sent[0].media_group_id}
    again = await bot.send_media_group(
        alice.id, [InputMediaPhoto(m.photo[-1].file_id) for m in sent[:2]]
    )
    assert [m.photo[-1].file_id for m in again] == [m.photo[-1].file_id for m in sent[:2]]
    for count in (1, 11):
        with pytest.raises(BadRequest, match="must be between 2 and 10"):
            await bot.send_media_group(alice.id, [InputMediaPhoto(png_bytes())] * count)
    before = len(alice.messages)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_media_group(alice.id, [InputMediaPhoto(png_bytes()), InputMediaPhoto(b"x")])
    assert len(alice.messages) == before  # all or nothing
