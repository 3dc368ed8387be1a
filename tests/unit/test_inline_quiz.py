"""Inline quizzes, the pure parts: matching, pages, the posted message, toasts and button data."""

from __future__ import annotations

import pytest

from bot.core.inline_search import (
    MAX_RESULTS,
    Searchable,
    fold,
    match_rank,
    matching,
    page,
    parse_offset,
    sample_for_empty_query,
)
from bot.services.inline import InlineVerdict, posted
from bot.storage.inline import InlineQuestion, Tally
from bot.views import inline as view
from bot.views.callbacks import MAX_BYTES, InlineTap, decode, encode


def _question(answer: str = "Ankara", prompt: str = "Capital of Türkiye") -> InlineQuestion:
    return InlineQuestion(
        question_id=7,
        key="pick:abc",
        kind="choice",
        prompt=prompt,
        answer=answer,
        distractors=("Paris", "Rome", "Berlin", "Madrid"),
        front=prompt,
        back=answer,
        deck_title="Capitals <&>",
    )


@pytest.mark.parametrize(
    ("text", "folded"),
    [("École  NORMALE", "ecole normale"), ("Straße", "strasse"), ("Türkiye", "turkiye")],
)
def test_fold_drops_case_accents_and_spaces(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("query", "rank"),
    [
        ("", 0),
        ("capital of t", 0),  # whole, in the front
        ("ankara", 0),  # whole, in the back
        ("turkiye capital", 1),  # every word, not in that order
        ("ankara paris", None),  # a word the card lacks
    ],
)
def test_match_rank(query: str, rank: int | None) -> None:
    card = Searchable.of("Capital of Türkiye", "Ankara")
    assert match_rank(fold(query), card) == rank


def test_whole_matches_come_first_each_in_the_given_order() -> None:
    cards = [
        (Searchable.of("Rome", "the capital of Italy"), "a"),
        (Searchable.of("Capital of Italy", "Rome"), "b"),
        (Searchable.of("Capital", "Italy's pride"), "c"),
        (Searchable.of("Italy's capital", "Rome"), "d"),
        (Searchable.of("Spain", "Madrid"), "e"),
    ]
    assert matching("capital of italy", cards) == ["a", "b"]
    assert matching("ITALY'S CAPITAL", cards) == ["d", "c"]  # the whole match first


def test_pages_carry_on_where_the_last_one_stopped() -> None:
    items = list(range(45))
    first, offset = page(items, "", size=20)
    second, offset2 = page(items, offset, size=20)
    third, offset3 = page(items, offset2, size=20)
    assert first == list(range(20)) and offset == "20"
    assert second == list(range(20, 40)) and offset2 == "40"
    assert third == list(range(40, 45)) and offset3 == ""
    assert len(page(list(range(500)), "", size=500)[0]) == MAX_RESULTS


@pytest.mark.parametrize("offset", ["", "abc", "-5", "1e3", "99999999", "٣"])
def test_an_offset_the_bot_never_gave_starts_at_the_top(offset: str) -> None:
    assert parse_offset(offset) == 0


def test_an_empty_query_offers_due_first_then_a_stable_draw() -> None:
    due, others = ["d1", "d2"], [f"o{i}" for i in range(30)]
    chosen = sample_for_empty_query(due, others, seed=5, count=6)
    assert chosen[:2] == due and len(chosen) == 6
    assert chosen == sample_for_empty_query(due, others, seed=5, count=6)


def test_options_are_the_same_on_every_copy_of_a_question() -> None:
    shown = posted(_question())
    assert shown == posted(_question())
    assert shown.options[shown.right] == "Ankara" and len(shown.options) == 4


def test_the_tally_line() -> None:
    assert "one try each" in view.tally_text(None)
    tally = Tally("m", 7, "en", 2, 1, "<Bob>")
    text = view.tally_text(tally)
    invite = view.tally_text(None)
    assert text.startswith(f"{invite}\n✅ 2 · ❌ 1\n") and "&lt;Bob&gt;" in text
    assert view.tally_text(Tally("m", 7, "en", 0, 3, None)) == f"{invite}\n✅ 0 · ❌ 3"


def test_the_posted_message_escapes_deck_text() -> None:
    text = view.message_text(posted(_question(prompt="1 < 2?")), None)
    assert "Capitals &lt;&amp;&gt;" in text and "1 &lt; 2?" in text
    assert "<b>A</b>) " in text


def _verdict(answer: str, new: bool, correct: bool) -> InlineVerdict:
    shown = posted(_question(answer=answer))
    choice = shown.right if correct else (shown.right + 1) % 4
    return InlineVerdict(shown, new, choice, correct, None)


def test_toasts_fit_telegram_and_say_the_answer() -> None:
    assert view.verdict_toast(_verdict("Ankara", True, True)) == "✅ Right!"
    assert view.verdict_toast(_verdict("Ankara", True, False)) == "❌ Wrong. The answer: Ankara"
    again = view.verdict_toast(_verdict("Ankara", False, True))
    assert again.startswith("You already answered ") and again.endswith(": right.")
    long = view.verdict_toast(_verdict("x" * 500, False, False))
    assert len(long) <= view.TOAST_CHARS and long.endswith("…")


def test_inline_tap_data_round_trips_within_64_bytes() -> None:
    tap = InlineTap(2**62 - 1, 9, "uk", "Ab-_0123456z")
    data = encode(tap)
    assert decode(data) == tap and len(data.encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "data",
    [
        "n:7:0:en:short",  # a signature cut short
        "n:7:0:EN:Ab-_0123456z",  # a language as no button writes it
        "n:7:10:en:Ab-_0123456z",  # two-digit option
        "n:0:0:en:Ab-_0123456z",  # no question 0
        "n:7:0:en:Ab-_0123456z!",
        "n:7:0:en:Ab-_0123456z0",
        "n:99999999999999999999:0:en:Ab-_0123456z",
    ],
)
def test_malformed_inline_data_is_refused(data: str) -> None:
    assert decode(data) is None


def test_a_result_fits_telegram() -> None:
    shown = posted(_question(prompt="p" * 300))

    def sign(question_id: int, option: int, language: str) -> InlineTap:
        return InlineTap(question_id, option, language, "A" * 12)

    result = view.result(shown, "en", sign)
    assert result.id == "7" and len(result.title) <= view.TITLE_CHARS
    assert result.reply_markup is not None
    assert [b.text for b in result.reply_markup.inline_keyboard[0]] == ["A", "B", "C", "D"]


def test_chatless_updates_run_in_their_senders_lane() -> None:
    from telegram import Update

    from bot.net.wire import fast_chat_key
    from bot.webhook.inbox import inbox_chat_key

    person = {"id": 42, "is_bot": False, "first_name": "Ann"}
    query = {"update_id": 1, "inline_query": {"id": "9", "from": person, "query": "", "offset": ""}}
    tap = {
        "update_id": 2,
        "callback_query": {
            "id": "8",
            "from": person,
            "inline_message_id": "AAA",
            "chat_instance": "1",
            "data": "n:7:0:en:Ab-_0123456z",
        },
    }
    for raw in (query, tap):
        assert fast_chat_key(raw) is None  # no chat: PTB's Update is asked
        assert inbox_chat_key(Update.de_json(raw, None)) == 42
