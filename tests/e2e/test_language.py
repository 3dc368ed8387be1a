"""The interface in the learner's language, end to end: Telegram's language on first contact,
/language with buttons, a group's language set by an admin."""

from __future__ import annotations

from bot.sandbox.server import SandboxServer
from bot.storage.languages import language_of
from tests.e2e.conftest import RunningBot


async def test_the_language_of_telegram_is_spoken_from_the_first_message(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    olga = sandbox.user("Olga", language_code="ru")
    await olga.send("/help")
    help_message = await olga.wait_for(lambda m: "Что я умею" in m.text)
    assert "/quiz — Начать или продолжить тренировку" in help_message.text
    assert await language_of(bot.services.db, olga.id) == "ru"
    # A language the interface does not speak falls back to English.
    pierre = sandbox.user("Pierre", language_code="fr")
    await pierre.send("/help")
    await pierre.wait_for(lambda m: "What I can do" in m.text)


async def test_language_buttons_change_it_and_it_is_kept(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    await alice.send("/language")
    menu = await alice.wait_for(lambda m: "Language" in m.text)
    assert menu.labels == ["✅ English", "Русский", "Español", "Deutsch", "Українська"]
    toast = await alice.tap("Deutsch")
    assert toast == "Sprache: Deutsch"
    redrawn = await alice.wait_for(
        lambda m: m.message_id == menu.message_id and "Sprache" in m.text
    )
    assert "✅ Deutsch" in redrawn.labels
    # Chosen here, it holds over Telegram's own language and over a restart.
    await bot.restart()
    await alice.send("/help")
    await alice.wait_for(lambda m: "Was ich kann" in m.text)


async def test_a_group_speaks_what_its_admin_picks(sandbox: SandboxServer, bot: RunningBot) -> None:
    admin = sandbox.user("Ana", language_code="es")
    member = sandbox.user("Max", language_code="de")
    group = sandbox.group("Club", members=[member], admins=[admin], supergroup=True)
    await member.send("/help", chat=group)
    # Until an admin picks, a group keeps the language of whoever first spoke to the bot there.
    first = await group.wait_for(lambda m: "Was ich in einer Gruppe kann" in m.text)
    await admin.send("/help", chat=group)
    await group.wait_for(lambda m: "Was ich in einer Gruppe kann" in m.text, since=first)
    await member.send("/language", chat=group)
    await group.wait_for(lambda m: "Sprache der Gruppe" in m.text)
    assert (
        await member.tap("Українська", chat=group)
        == "Nur Admins der Gruppe können ihre Sprache ändern"
    )
    assert await admin.tap("Español", chat=group) == "Idioma: Español"
    await member.send("/help", chat=group)
    await group.wait_for(lambda m: "Lo que hago en un grupo" in m.text)
