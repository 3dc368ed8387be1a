"""The interface in the learner's language, end to end: Telegram's language on first contact,
/language with buttons, a group's language set by an admin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.core.battle import option_letter
from bot.sandbox.server import SandboxServer
from bot.storage.languages import language_of
from tests.e2e.battle_helpers import tap, tick
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer


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


async def test_a_russian_learner_meets_russian_from_start_to_the_first_answer(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    olga = sandbox.user("Olga", language_code="ru")
    await olga.send("/start")
    welcome = await olga.wait_for(lambda m: "Quizmaster" in m.text)
    assert welcome.text.startswith("👋 Привет, Olga!")
    assert welcome.labels[-1] == "▶️ Начать тренировку"  # after the starter decks
    await olga.tap("Начать тренировку")
    question = await olga.wait_for(lambda m: m.text.startswith("Вопрос 1/") and bool(m.buttons))
    await answer(olga, bot.services, right=True)
    reveal = await olga.wait_for(
        lambda m: m.message_id == question.message_id and "Следующее повторение" in m.text
    )
    assert "Верно!" in reveal.text
    # The menu Telegram shows her is Russian too.
    menu = sandbox.my_commands("all_private_chats", "ru")
    assert {c["command"]: c["description"] for c in menu}[
        "quiz"
    ] == "Начать или продолжить тренировку"


@pytest.mark.telegram_limits
async def test_a_russian_group_battles_in_russian_to_the_podium(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    olga, ivan = sandbox.user("Olga", language_code="ru"), sandbox.user("Ivan", language_code="ru")
    group = sandbox.group("Клуб", members=[olga, ivan], supergroup=True)
    sent = await olga.send("/battle 3 20", chat=group)
    lobby = await group.wait_for(lambda m: "Баттл!" in m.text, since=sent)
    await sandbox.settle()
    assert "3 раунда · по 20 с" in lobby.text and "Olga (организатор)" in lobby.text
    assert lobby.labels == ["🙋 Участвовать", "🚀 Старт"]
    assert await tap(sandbox, ivan, group, "🙋 Участвовать", lobby.message_id) == "Вы в игре!"
    await tap(sandbox, olga, group, "🚀 Старт", lobby.message_id)
    for number in (1, 2, 3):
        await group.wait_for(lambda m: m.text.startswith(f"⚔️ Раунд {number}/3") and bool(m.buttons))  # noqa: B023
        await sandbox.settle()
        row = await bot.services.db.fetchone(
            """SELECT r.message_id, r.right_index FROM battle_rounds r
                 JOIN battles b ON b.id = r.battle_id WHERE b.chat_id = ? AND r.round_no = ?""",
            (group.id, number),
        )
        assert row is not None
        right = option_letter(int(row[1]))
        clock.advance(timedelta(seconds=2))
        assert await tap(sandbox, olga, group, right, int(row[0])) == f"Ответ принят: {right}"
        await tap(sandbox, ivan, group, right, int(row[0]))
        await tick(sandbox, bot, clock, 20)
    podium = await group.wait_for(lambda m: "Баттл окончен!" in m.text)
    assert "Сыграно 3 раунда" in podium.text and "очк." in podium.text
    assert "pts" not in podium.text and "right" not in podium.text


async def test_a_group_nobody_chose_for_follows_most_of_its_players(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    hans = sandbox.user("Hans", language_code="de")
    ana, luis = sandbox.user("Ana", language_code="es"), sandbox.user("Luis", language_code="es")
    group = sandbox.group("Club", members=[hans, ana, luis], supergroup=True)
    await hans.send("/help", chat=group)
    await group.wait_for(lambda m: "Was ich in einer Gruppe kann" in m.text)
    # The lobby opens in the group's language still: nobody has played here yet.
    sent = await ana.send("/battle 3 20", chat=group)
    lobby = await group.wait_for(lambda m: bool(m.buttons), since=sent)
    await sandbox.settle()
    assert await tap(sandbox, luis, group, lobby.labels[0], lobby.message_id)
    # Two Spanish players against nobody else: the next command speaks Spanish.
    asked = await hans.send("/help", chat=group)
    await group.wait_for(lambda m: "Lo que hago en un grupo" in m.text, since=asked)
    assert await language_of(bot.services.db, group.id) == "es"
