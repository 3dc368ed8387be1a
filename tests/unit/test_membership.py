"""Who may play a group's battle: its members, by the status Telegram gives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import (
    ChatMember,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    User,
)

from bot.handlers.battle import is_member

USER = User(700_000_001, "Alice", is_bot=False)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def restricted(in_group: bool) -> ChatMember:
    """A restricted member as Telegram sends one: muted, in the group or not."""
    rights = [
        "change_info",
        "invite_users",
        "pin_messages",
        "send_messages",
        "send_polls",
        "send_other_messages",
        "add_web_page_previews",
        "manage_topics",
        "send_audios",
        "send_documents",
        "send_photos",
        "send_videos",
        "send_video_notes",
        "send_voice_notes",
        "edit_tag",
        "react_to_messages",
    ]
    data = {"status": "restricted", "user": USER.to_dict(), "is_member": in_group, "until_date": 0}
    data.update({f"can_{right}": False for right in rights})
    member = ChatMember.de_json(data, None)
    assert isinstance(member, ChatMemberRestricted)
    return member


@pytest.mark.parametrize(
    ("member", "plays"),
    [
        (ChatMemberOwner(USER, is_anonymous=False), True),
        (ChatMemberMember(USER), True),
        (restricted(in_group=True), True),
        (restricted(in_group=False), False),
        (ChatMemberLeft(USER), False),
        (ChatMemberBanned(USER, until_date=NEVER), False),
    ],
)
def test_members_play_and_the_left_removed_and_banned_do_not(
    member: ChatMember, plays: bool
) -> None:
    assert is_member(member) is plays
