"""The offline bot driven through a pseudo-terminal, keystroke by keystroke, as a person plays."""

from __future__ import annotations

import re
import termios
import time
from pathlib import Path

from tests.sandbox.pty_play import PtyPlay


def test_an_old_button_is_tapped_by_its_number_and_a_bare_number_is_text(tmp_path: Path) -> None:
    with PtyPlay(tmp_path) as play:
        play.type("/start\n")
        # a newcomer's welcome: the starter decks, then Start quiz
        start_quiz = play.expect(r"\[(1\.\d+)\] ▶️ Start quiz").group(1)
        play.type("/help\n")
        play.expect(r"/start — Welcome")
        play.type("1\n")  # the help has no buttons: the 1 is a message
        play.expect(r"bot: I didn't get that")
        play.type(f"{start_quiz}\n")  # Start quiz, on the welcome two messages up
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


def test_the_stats_chart_and_the_exports_are_saved_beside_the_database(tmp_path: Path) -> None:
    with PtyPlay(tmp_path) as play:
        play.type("/quiz\n")
        for _ in range(3):  # answer (or reveal, or give up on) whatever is asked
            number = play.expect(r"\[(\d+)\.1\] ").group(1)
            play.type(f":tap {number}.1\n")
            play.expect(r"\(toast\)|bot \(edited\)")
        play.type("/stats\n")
        chart = play.expect(r"bot: \[photo (sandbox-files/photo-\d+\.png)\] 📊").group(1)
        play.type("/export\n")
        progress = play.expect(r"\[document (sandbox-files/quizmaster-progress-[\d-]+\.csv)\]")
        reviews = play.expect(r"\[document (sandbox-files/quizmaster-reviews-[\d-]+\.csv)\]")
    assert (tmp_path / chart).read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / progress.group(1)).read_text().count("\n") >= 2  # a header and a row
    assert (tmp_path / reviews.group(1)).read_text().count("\n") >= 2
    assert (tmp_path / "quizbot.sqlite3").exists()  # the folder is the database's


def test_a_three_round_battle_against_simulated_players(tmp_path: Path) -> None:
    with PtyPlay(tmp_path) as play:
        play.type(":group Revision club accuracy=100% delay=0.2-0.6\n")
        play.expect(r"now in the group Revision club")
        play.type("/battle 3\n")
        play.expect(r"\[Revision club\] bot: .*")
        start = play.expect(r"\[(\d+)\.2\] 🚀 Start").group(1)
        time.sleep(1.5)  # the players tap Join within 0.6 s
        play.type(f"{start}.2\n")  # the host starts the battle
        play.expect(r"The battle is on")
        for number in (1, 2, 3):
            play.expect(rf"\[Revision club\] bot: ⚔️ Round {number}/3", timeout=30)
            play.expect(r"\[\d+\.1\] A ")
            play.type("1\n")  # a bare number: the round waits for a tap
            play.expect(r"\(toast\) Locked in: A")
        final = play.expect(r"🏁 Battle over!(.|\n)*?leaderboard", timeout=30).group(0)
    for name in ("Ada", "Ben", "Cleo"):
        assert f"{name} — " in final and "3/3 right" in final.split(f"{name} — ")[1].split("\n")[0]


def test_ctrl_c_leaves_at_once_and_gives_the_terminal_back(tmp_path: Path) -> None:
    with PtyPlay(tmp_path) as play:
        assert not termios.tcgetattr(play.master)[3] & termios.ECHOCTL
        play.type("\x03")
        assert play.process is not None
        assert play.process.wait(timeout=15) == 0
        assert termios.tcgetattr(play.master)[3] & termios.ECHOCTL
        play.expect(re.escape("\x1b[?2004l"), raw=True)  # bracketed paste mode is off again
