"""The offline bot driven through a pseudo-terminal, keystroke by keystroke, as a person plays."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox.pty_play import PtyPlay


def test_an_old_button_is_tapped_by_its_number_and_a_bare_number_is_text(tmp_path: Path) -> None:
    with PtyPlay(tmp_path) as play:
        play.type("/start\n")
        play.expect(r"\[1\.1\] ▶️ Start quiz")
        play.type("/help\n")
        play.expect(r"/start — Welcome")
        play.type("1\n")  # the help has no buttons: the 1 is a message
        play.expect(r"bot: I didn't get that")
        play.type("1.1\n")  # Start quiz, on the welcome two messages up
        play.expect(r"bot: Question 1/\d+")
        play.expect(r"\[2\.1\] ")


def test_a_forty_line_paste_arrives_as_one_message(tmp_path: Path) -> None:
    deck = "\n".join(f"Capital number {n} :: City {n}" for n in range(1, 41))
    with PtyPlay(tmp_path) as play:
        play.paste(deck)
        play.expect(r"\(pasted 40 lines, sent as one message\)")
        play.expect(r"bot: 📦 Pasted flashcards\s+40 cards · pasted text")
        play.expect(r"\[1\.2\] 💾 Save")
        play.type("1.2\n")
        saved = play.expect(r"\(toast\) Saved: Pasted flashcards")
        before = play.screen[: saved.start()]
        assert before.count("bot: ") == 1  # the preview, and no "I didn't get that"
        assert "\x1b[?2004h" in play.raw.decode()  # the terminal was asked to bracket pastes
        assert "^[" not in play.screen  # and the markers it sent were not echoed as text
