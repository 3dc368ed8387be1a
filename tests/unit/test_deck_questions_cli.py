"""`python -m bot deck questions FILE [--json] [--seed N]`: every question a deck file yields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import shared_path

QUALITY = Path(__file__).resolve().parents[1] / "fixtures" / "quality"


@pytest.mark.parametrize(
    "name", ["history-questions.txt", "capitals.csv", "spanish.tsv", "science.toml"]
)
def test_json_lists_every_question_with_its_options_and_accepted_answers(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deck", "questions", str(QUALITY / name), "--json", "--seed", "3"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"title", "questions", "warnings"}
    assert printed["questions"]
    for question in printed["questions"]:
        assert set(question) == {"card", "kind", "prompt", "options", "answer", "accepted"}
        assert question["kind"] in {"recall", "choice", "identify", "cloze", "typed"}
        if question["options"] is not None:
            assert question["options"].count(question["answer"]) == 1
            assert len(question["options"]) == 4
        assert isinstance(question["accepted"], list)


def test_the_seed_draws_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(QUALITY / "capitals.csv")
    drawn = []
    for seed in ("1", "1", "2"):
        main(["deck", "questions", path, "--json", "--seed", seed])
        questions = json.loads(capsys.readouterr().out)["questions"]
        drawn.append([q["options"] for q in questions if q["options"]])
    assert drawn[0] == drawn[1] != drawn[2]


def test_text_output_reads_card_by_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deck", "questions", str(QUALITY / "history-questions.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Twentieth-century history — 30 cards")
    assert "1. Who became First Secretary" in out
    assert "also right: Khrushchev" in out
    assert "options: " in out


def test_an_anki_package_works_too(capsys: pytest.CaptureFixture[str]) -> None:
    package = shared_path("fixtures", "anki", "vietnamese-anki21b-with-reviews.apkg")
    assert main(["deck", "questions", str(package), "--json"]) == 0
    questions = json.loads(capsys.readouterr().out)["questions"]
    typed = [q for q in questions if q["card"] == "thực đơn" and q["kind"] == "typed"]
    assert [q["answer"] for q in typed] == ["menu"]


def test_a_bad_file_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    assert main(["deck", "questions", str(bad)]) == 1
    assert capsys.readouterr().err.startswith("error: ")
