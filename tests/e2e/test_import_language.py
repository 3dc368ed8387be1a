"""What a deck's reading found wrong reads in the learner's language: a Russian learner's broken
CSV is refused in Russian with its line, a deck's warning is Russian in the preview."""

from __future__ import annotations

from bot.sandbox.server import SandboxServer
from tests.deck_notes import latin_words
from tests.e2e.conftest import RunningBot
from tests.e2e.test_import import is_preview, upload
from tests.unit.test_format_spreadsheets import RUSSIAN_CSV


async def test_a_russian_learner_reads_a_refusal_and_a_warning_in_russian(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    olga = sandbox.user("Olga", language_code="ru")
    broken = b"front,back\nDog,Hund\nCat,\nBird,Vogel\n"
    refused = await upload(olga, "words.csv", broken)
    assert refused.text == (
        "⚠️ Не удалось прочитать этот файл: words.csv: строка 3, поле 2: оборотная сторона пуста"
    )
    assert not latin_words(refused.text, allowed={"words.csv", "words", "csv"})

    # A NUL character (no database stores it) is removed, and the preview says so in Russian.
    with_nul = b"front,back\nDog,Hu\x00nd\nCat,Katze\n"
    preview = await upload(olga, "animals.csv", with_nul)
    assert is_preview(preview), preview.text
    warnings = [line for line in preview.text.splitlines() if line.startswith("⚠️")]
    assert warnings == ["⚠️ удалён 1 символ NUL (невидимый, \\0): его нельзя сохранить"], (
        preview.text
    )
    # Only the cards, the file's name, NUL and /quiz are in Latin letters.
    allowed = {"animals", "csv", "Dog", "Hund", "Cat", "Katze", "NUL", "quiz"}
    assert not latin_words(preview.text, allowed=allowed), preview.text

    # A file in a Windows code page is read, and the preview names it in Russian.
    guessed = await upload(olga, "russian.csv", RUSSIAN_CSV.encode("cp1251"))
    assert is_preview(guessed), guessed.text
    assert "я прочитал его как Windows-1251 (кириллица)" in guessed.text

    # A paste with a broken line is refused in Russian too, with its line.
    sent = await olga.send("Q: Capital of Italy?\nA: Rome\nQ: Capital of Spain?")
    pasted = await olga.wait_for(lambda m: m.text.startswith("⚠️"), since=sent)
    assert "строка 3: строка Q: без строки A: после неё" in pasted.text
