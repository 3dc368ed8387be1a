"""Pasted flashcard text: the seed, realistic website pastes, the explicit forms and broken input."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.formats import read_deck_bytes
from bot.cards.formats import text as text_format
from bot.cards.formats.text import parse_flashcard_text
from bot.cards.formats.text_split import (
    Line,
    Split,
    best_split,
    explain_score,
    front_score,
    line_scores,
    margins,
    split_scores,
    split_value,
)
from bot.cards.formats.toml_deck import parse_toml_deck
from bot.cards.model import Card, DeckError
from tests.deck_notes import said

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "decks"
PASTE_SET = ROOT / "tests" / "fixtures" / "pastes"
SHARED = ROOT / ".." / "shared"
SEED = SHARED / "seeds" / "000_adfec630ae6bcef5.txt"
BUNDLED = ROOT / "data" / "decks" / "khrushchev-reforms.toml"

# Each website-style fixture: its title, announced count (None when the paste has no count line),
# and the exact fronts in order. Fronts fix the split: each back is the lines up to the next front.
PASTES: dict[str, tuple[str, int | None, list[str]]] = {
    "cold-war-questions.txt": (
        "The Cold War in Europe, 1945–1962",
        12,
        [
            "When was the Warsaw Pact founded?",
            "Who led Hungary during the 1956 uprising?",
            "What did the Truman Doctrine promise?",
            "How much aid did the Marshall Plan give to Western Europe?",
            "Why did Stalin blockade West Berlin in 1948?",
            "How did the Western Allies respond to the blockade?",
            "When was NATO formed?",
            "Which country exploded its first atomic bomb in August 1949?",
            "What was the purpose of COMECON?",
            "When was the Berlin Wall built?",
            "What did Khrushchev call West Berlin?",
            "How many Soviet troops entered Hungary in November 1956?",
        ],
    ),
    "cell-biology.txt": (
        "Cell structure and function",
        8,
        [
            "Mitochondria",
            "Ribosomes",
            "Nucleus",
            "Rough endoplasmic reticulum",
            "Golgi apparatus",
            "Lysosomes",
            "Cell wall",
            "Chloroplasts",
        ],
    ),
    "spanish-food.txt": (
        "Spanish food vocabulary",
        12,
        [
            "la manzana",
            "el pan",
            "la leche",
            "el pollo",
            "las verduras",
            "el queso",
            "la cebolla",
            "el ajo",
            "los huevos",
            "el desayuno",
            "la cena",
            "tener hambre",
        ],
    ),
    "french-revolution.txt": (
        "The French Revolution",
        None,
        [
            "The Estates-General",
            "The Tennis Court Oath",
            "Storming of the Bastille",
            "The Great Fear",
            "The August Decrees",
            "Declaration of the Rights of Man",
            "The Flight to Varennes",
            "The Reign of Terror",
            "Thermidor",
        ],
    ),
    "python-basics.txt": (
        "Python basics",
        10,
        [
            "What does len([]) return?",
            "Which keyword defines a function?",
            "What is the difference between a list and a tuple?",
            "How do you read a file line by line?",
            "What does the // operator do?",
            "Name the four basic collection types.",
            "What is printed by print(type(3 / 2))?",
            "How do you swap two variables?",
            "What does the `is` operator compare?",
            "When does a for loop run its else clause?",
        ],
    ),
    "us-government.txt": (
        "US government",
        6,
        [
            "What are the three branches of government?",
            "Who is the head of the executive branch?",
            "How many senators are there?",
            "What are the two houses of Congress?",
            "How long is a Senate term?",
            "Who can declare war?",
        ],
    ),
    "chemistry-formulas.txt": (
        "Common chemical formulas",
        7,
        ["Water", "Table salt", "Glucose", "Ammonia", "Methane", "Carbon dioxide", "Sulfuric acid"],
    ),
    "human-body-mixed.txt": (
        "Human body facts",
        9,
        [
            "Number of bones in the adult human body",
            "What is the largest organ of the body?",
            "Normal resting heart rate",
            "Which blood cells fight infection?",
            "Longest bone",
            "Average adult blood volume",
            "Where is insulin produced?",
            "Smallest bone",
            "How many chambers does the heart have?",
        ],
    ),
}


NEEDS_THE_COUNT = {"cell-biology.txt", "us-government.txt"}


def _body_lines(text: str) -> list[str]:
    """The non-blank lines after the title and count lines, as they should end up in cards."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return [line for line in lines[1:] if not re.fullmatch(r"\(\d+ cards\)", line)]


def _expected_cards(text: str, fronts: list[str]) -> list[Card]:
    """Cards cut from the body at the given fronts: the exact split a reader would make."""
    cards: list[Card] = []
    for line in _body_lines(text):
        if len(cards) < len(fronts) and line == fronts[len(cards)]:
            cards.append(Card(line, ""))
        else:
            last = cards[-1]
            cards[-1] = Card(last.front, f"{last.back}\n{line}".strip("\n"))
    return cards


@pytest.mark.parametrize("name", sorted(PASTES))
def test_website_paste_splits_exactly(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    title, count, fronts = PASTES[name]
    assert count is None or count == len(fronts)
    deck = parse_flashcard_text(text)
    assert deck.title == title
    assert list(deck.cards) == _expected_cards(text, fronts)
    assert said(deck.warnings) == ()


@pytest.mark.parametrize("name", sorted(n for n, (_, count, _) in PASTES.items() if count))
def test_website_paste_splits_exactly_without_the_count_line(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    without_count = re.sub(r"(?m)^\(\d+ cards\)\n", "", text)
    _, _, fronts = PASTES[name]
    if name in NEEDS_THE_COUNT:
        # A short back line that reads like a title ("Site of protein synthesis", "Executive" in
        # a list of branches): only the announced count settles these decks, so check that the
        # count is what makes them right.
        assert [c.front for c in parse_flashcard_text(without_count).cards] != fronts
        return
    assert [c.front for c in parse_flashcard_text(without_count).cards] == fronts


def test_some_backs_keep_their_lines_exactly() -> None:
    cold_war = parse_flashcard_text((FIXTURES / "cold-war-questions.txt").read_text("utf-8"))
    assert cold_war.cards[0].back == "1955"
    assert cold_war.cards[5].back == (
        "The Berlin Airlift:\n- 277,000 flights\n- 2.3 million tonnes of supplies\n- lasted 11 months"
    )
    python = parse_flashcard_text((FIXTURES / "python-basics.txt").read_text("utf-8"))
    assert python.cards[3].back == "with open(path) as f:\n    for line in f:\n        ..."
    assert python.cards[5].back == "- list\n- tuple\n- dict\n- set"


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not available")
def test_seed_imports_to_exactly_the_bundled_deck() -> None:
    bundled = parse_toml_deck(BUNDLED.read_text(encoding="utf-8"))
    deck = parse_flashcard_text(SEED.read_text(encoding="utf-8"))
    assert deck.title == bundled.title == "Khrushchev's attempts to reform government"
    assert deck.cards == bundled.cards
    assert len(deck.cards) == 9
    assert said(deck.warnings) == ()


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not available")
def test_seed_splits_the_same_without_its_count_line() -> None:
    bundled = parse_toml_deck(BUNDLED.read_text(encoding="utf-8"))
    text = SEED.read_text(encoding="utf-8").replace("(9 cards)\n", "")
    assert parse_flashcard_text(text).cards == bundled.cards


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not available")
def test_seed_as_a_txt_file_goes_through_the_dispatcher() -> None:
    bundled = parse_toml_deck(BUNDLED.read_text(encoding="utf-8"))
    deck = read_deck_bytes(SEED.read_bytes(), "khrushchev.txt")
    assert deck.cards == bundled.cards
    assert deck.title == bundled.title


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not available")
@pytest.mark.parametrize(("keep_lines", "complete"), [(5, 0), (12, 2), (17, 3), (24, 5)])
def test_seed_cut_short_imports_the_complete_cards_with_a_warning(
    keep_lines: int, complete: int
) -> None:
    bundled = parse_toml_deck(BUNDLED.read_text(encoding="utf-8"))
    lines = SEED.read_text(encoding="utf-8").splitlines()[:keep_lines]
    deck = parse_flashcard_text("\n".join(lines))
    assert deck.cards[:complete] == bundled.cards[:complete]
    # A paste cut inside a back keeps the card with the lines it has.
    partial = deck.cards[complete:]
    if partial:
        (card,) = partial
        assert card.front == bundled.cards[complete].front
        assert bundled.cards[complete].back.startswith(card.back)
    assert said(deck.warnings) == (
        f"the paste announces 9 cards but only {len(deck.cards)} are complete (cut short?); "
        f"imported {len(deck.cards)}",
    )


def test_cut_short_paste_drops_the_dangling_front_and_names_the_count() -> None:
    text = (FIXTURES / "cold-war-cut-short.txt").read_text(encoding="utf-8")
    deck = parse_flashcard_text(text)
    _, _, fronts = PASTES["cold-war-questions.txt"]
    assert [c.front for c in deck.cards] == fronts[:6]
    assert deck.cards[5].back.endswith("- lasted 11 months")
    assert said(deck.warnings) == (
        "line 20: 'When was NATO formed?' has no back (the paste seems cut short); skipped",
        "the paste announces 12 cards but only 6 are complete (cut short?); imported 6",
    )


def test_q_and_a_prefixes() -> None:
    deck = parse_flashcard_text((FIXTURES / "qa-chemistry.txt").read_text(encoding="utf-8"))
    assert deck.title == "Chemistry bonding"
    assert deck.cards == (
        Card(
            "What is an ionic bond?",
            "The electrostatic attraction between oppositely charged ions.",
        ),
        Card(
            "What is a covalent bond?", "A shared pair of electrons\nbetween two non-metal atoms."
        ),
        Card(
            "Why do metals conduct electricity?",
            "They have delocalised electrons\nthat are free to move through the structure.",
        ),
        Card("What shape is a methane molecule?", "Tetrahedral, bond angle 109.5°"),
    )


def test_tab_separated_lines_with_a_title_above() -> None:
    deck = parse_flashcard_text((FIXTURES / "tab-capitals.txt").read_text(encoding="utf-8"))
    assert deck.title == "European capitals"
    assert [(c.front, c.back) for c in deck.cards] == [
        ("France", "Paris"),
        ("Germany", "Berlin"),
        ("Italy", "Rome"),
        ("Spain", "Madrid"),
        ("Portugal", "Lisbon"),
    ]


def test_double_colon_lines_without_a_title_take_the_default_title() -> None:
    deck = parse_flashcard_text((FIXTURES / "colon-german.txt").read_text(encoding="utf-8"))
    assert deck.title == "Pasted flashcards"
    assert [(c.front, c.back) for c in deck.cards] == [
        ("der Hund", "the dog"),
        ("die Katze", "the cat"),
        ("das Haus", "the house"),
        ("laufen", "to run"),
        ("Wie geht's?", "How are you?"),
    ]


def test_blank_line_separated_cards() -> None:
    text = (FIXTURES / "blank-lines-economics.txt").read_text(encoding="utf-8")
    deck = parse_flashcard_text(text)
    assert deck.title == "Microeconomics"
    assert [c.front for c in deck.cards] == [
        "Opportunity cost",
        "Price elasticity of demand",
        "Normal good",
        "Inferior good",
        "Market failure",
    ]
    assert deck.cards[1].back == (
        "% change in quantity demanded ÷ % change in price\nElastic if greater than 1 in absolute value"
    )
    assert deck.cards[3].back == "Demand falls when income rises\ne.g. bus travel, own-brand food"


def test_blank_lines_between_front_and_back_alternate() -> None:
    deck = parse_flashcard_text(
        "Photosynthesis\n\nMakes glucose from light\n\nOsmosis\n\nWater moves"
    )
    assert deck.cards == (
        Card("Photosynthesis", "Makes glucose from light"),
        Card("Osmosis", "Water moves"),
    )


def test_explicit_forms_ignore_windows_line_ends_and_a_bom() -> None:
    deck = parse_flashcard_text("\ufeffQ: 2 + 2?\r\nA: 4\r\nQ: 3 × 3?\r\nA: 9\r\n")
    assert deck.cards == (Card("2 + 2?", "4"), Card("3 × 3?", "9"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "pasted text: no flashcards found (the text is empty)"),
        ("  \n\n \t\n", "pasted text: no flashcards found (the text is empty)"),
        ("Biology Flashcards\n(3 cards)\n", "pasted text: line 1: a title but no cards below it"),
        ("Q: one?\nA: 1\nQ: two?\n", "pasted text: line 3: a Q: line without an A: line after it"),
        ("Q: one?\nA: 1\nA: 2\n", "pasted text: line 3: an A: line without a Q: line before it"),
        ("a\tb\nc\td\te\n", "pasted text: line 2: expected front<TAB>back, found 3 fields"),
        ("a\tb\n\tc\n", "pasted text: line 2: the front is empty"),
        ("Dog :: Hund\ndog :: Hündin\n", "pasted text: line 2: the front 'dog' repeats line 1"),
        ("Only a single line", "pasted text: the deck has no cards"),
    ],
)
def test_broken_pastes_name_the_line(text: str, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_flashcard_text(text)
    assert str(caught.value) == message


def test_a_side_over_the_limit_names_its_line() -> None:
    text = "Title Flashcards\nFront\n" + "word " * 500
    with pytest.raises(DeckError, match=r"^pasted text: line 2: the back is 2499 characters long"):
        parse_flashcard_text(text)


def test_the_count_line_also_reads_thousands_and_terms() -> None:
    lines = ["Big deck Flashcards", "(1,200 terms)"]
    for i in range(3):
        lines += [f"Term {i}", f"definition number {i}."]
    deck = parse_flashcard_text("\n".join(lines))
    assert said(deck.warnings) == (
        "the paste announces 1200 cards but only 3 are complete (cut short?); imported 3",
    )


def test_default_title_is_the_callers() -> None:
    deck = parse_flashcard_text("cat :: Katze", default_title="german")
    assert deck.title == "german"


@pytest.mark.parametrize(
    ("line", "prev", "features"),
    [
        ("When was the Warsaw Pact founded?", None, ["ends with a question mark"]),
        ("- ending the use of terror", None, ["bullet or numbered item"]),
        ("1955", None, ["bare number or amount", "a date or period only"]),
        ("20 June 1789", None, ["a date or period only"]),
        ("In the pancreas", "In the beta cells", ["starts like the previous line"]),
        (
            "- ending personal rule",
            "committed to de-Stalinisation:",
            ["previous line ends with a colon"],
        ),
        ("Who replaced Stalin as Party leader", None, ["asks without a question mark"]),
        ("How many hectares had been ploughed up by 1960", None, ["asks without a question mark"]),
        ("Define diffusion.", None, ["asks without a question mark"]),
        ("Name the three main parts of a plant cell", None, ["asks without a question mark"]),
        ("Longest river in Africa", None, ["names what to recall"]),
        ("Number of planets in the Solar System", None, ["names what to recall"]),
    ],
)
def test_line_features(line: str, prev: str | None, features: list[str]) -> None:
    names = explain_score(Line(line, 2), Line(prev, 1) if prev else None)
    assert set(features) <= set(names)


@pytest.mark.parametrize(
    "line",
    [
        "Where two tectonic plates meet",  # a definition, not a question
        "When a river overflows its banks",
        "State farms were set up in the Virgin Lands.",  # "State" is a noun here
        "List of the Soviet leaders",
        "Who led Hungary in 1956?",  # the question mark has its own feature
    ],
)
def test_lines_that_do_not_ask(line: str) -> None:
    assert "asks without a question mark" not in explain_score(Line(line, 1))


def test_questions_without_their_mark_start_cards() -> None:
    # The measured case: questions without "?" in a deck whose other fronts have one were merged
    # into the card before.
    deck = parse_flashcard_text(
        (PASTE_SET / "soviet-leaders-mixed-marks.txt").read_text(encoding="utf-8")
    )
    unmarked = [c.front for c in deck.cards if not c.front.endswith("?")]
    assert unmarked == [
        "Who was arrested and shot in 1953",
        "Who replaced Stalin as Party leader",
        "What was the Virgin Lands campaign",
        "How many hectares had been ploughed up by 1960",
        "Who removed Khrushchev from power in 1964",
        "Which document ended the state of war between the USSR and Japan",
        "What was the Anti-Party Group",
    ]
    assert deck.cards[2] == Card(
        "Who replaced Stalin as Party leader",
        "Nikita Khrushchev\nHe became First Secretary in September 1953.",
    )
    assert said(deck.warnings) == ()


def test_the_first_line_sets_aside_the_back_like_features_it_has() -> None:
    # A timeline: its first front is a year, so years are not held against being fronts.
    years = [Line(text, n) for n, text in enumerate(["1954", "Brown v. Board", "1955", "x."])]
    assert line_scores(years)[2] == line_scores(years)[0] == front_score(Line("Rome", 1)) - 0.75
    questions = [Line("When was NATO formed?", 1), Line("1949", 2), Line("1955", 3)]
    assert line_scores(questions)[2] == front_score(questions[2], questions[1]) < -5


def test_a_timeline_of_years_splits_at_the_years() -> None:
    deck = parse_flashcard_text(
        (PASTE_SET / "civil-rights-timeline.txt").read_text(encoding="utf-8")
    )
    assert [c.front for c in deck.cards] == ["1954", "1955", "1957", "1963", "1964", "1965", "1968"]


def test_the_deck_style_finds_fronts_that_share_a_pattern() -> None:
    text = "\n".join(
        [
            "Physical geography Flashcards",
            "Longest river in Africa",
            "The Nile",
            "Highest mountain in Africa",
            "Kilimanjaro",
            "Largest desert in Africa",
            "The Sahara",
            "Deepest lake in Africa",
            "Lake Tanganyika",
        ]
    )
    assert [c.back for c in parse_flashcard_text(text).cards] == [
        "The Nile",
        "Kilimanjaro",
        "The Sahara",
        "Lake Tanganyika",
    ]


def test_margins_price_the_other_reading_of_each_line() -> None:
    scores = [2.0, -1.0, 2.0, -1.0]
    split = split_scores(scores)
    assert split == Split((0, 2), dangling=False)
    found = margins(scores, split)
    # Line 0 is a front by construction; line 1 cannot be a front (line 0 needs a back) and
    # swapping it with line 2 would leave line 0 without one; line 3 would dangle.
    assert found[0] == found[1] == found[3] == math.inf
    # Merging card 2 into card 1 loses its score, and a 3-line back is unlikely in a deck whose
    # two backs have one line: (0 + 1)/(2 + 2) for a second line, then (0 + 1)/(0 + 2) to go on.
    regularity = 2 * math.log(3 / 4) - (math.log(1 / 4) + math.log(1 / 2) + math.log(1 / 2))
    assert found[2] == pytest.approx(2.0 + regularity)


def test_margins_count_the_announced_count_only_when_the_split_meets_it() -> None:
    scores = [2.0, -1.0, 2.0, -1.0]
    split = Split((0, 2), dangling=False)
    base = margins(scores, split)[2]
    assert margins(scores, split, expected=2)[2] == pytest.approx(base + 2.5)
    assert margins(scores, split, expected=5)[2] == pytest.approx(base)  # cut short: no evidence


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-8, 8).map(lambda v: v / 2), min_size=1, max_size=11),
    st.none() | st.integers(1, 7),
)
def test_every_line_gets_a_margin(scores: list[float], expected: int | None) -> None:
    split = split_scores(scores, expected)
    found = margins(scores, split, expected)
    assert len(found) == len(scores)
    assert found[0] == math.inf
    assert not any(math.isnan(m) for m in found)


def test_a_count_that_merges_a_question_names_the_guess() -> None:
    text = "\n".join(
        [
            "Soviet leaders Flashcards",
            "(3 cards)",
            "Who led the Soviet Union after Lenin?",
            "Joseph Stalin",
            "He ruled from 1924 until his death.",
            "Who ran the secret police?",
            "Lavrentiy Beria",
            "Who replaced Stalin as leader of the Communist Party of the Soviet Union",
            "Khrushchev, in September 1953",
            "Who removed Khrushchev in 1964?",
            "Leonid Brezhnev",
        ]
    )
    deck = parse_flashcard_text(text)
    assert len(deck.cards) == 3
    assert said(deck.warnings) == (
        "card 2 (line 6, 'Who ran the secret police?'): I guessed line 8, 'Who replaced Stalin "
        "as leader of the Co…', belongs to its back — check it in the preview",
    )


def test_a_guessed_front_is_named_once_with_its_card_number_line_and_front(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (PASTE_SET / "soviet-leaders-mixed-marks.txt").read_text(encoding="utf-8")
    # Every decision in this deck is clear (margins of 8 and more); a stricter bar makes the
    # closest of them guesses, which shows how they are told.
    monkeypatch.setattr(text_format, "GUESS_MARGIN", 10.3)
    assert said(parse_flashcard_text(text).warnings) == (
        "card 3 (line 8, 'Who replaced Stalin as Party leader'): I guessed this line starts a "
        "new card — check it in the preview",
        # The last back line of card 5 is as much in doubt as card 6's front: the same question,
        # asked once.
        "card 6 (line 16, 'How many hectares had been ploughed up …'): I guessed this line "
        "starts a new card — check it in the preview",
        "card 7 (line 18, 'Who removed Khrushchev from power in 19…'): I guessed this line "
        "starts a new card — check it in the preview",
        "card 9 (line 22, 'Which document ended the state of war b…'): I guessed this line "
        "starts a new card — check it in the preview",
    )


def test_scores_rank_titles_and_questions_above_back_sentences() -> None:
    title = front_score(Line("The Secret Speech", 1))
    question = front_score(Line("When was the Secret Speech?", 1))
    sentence = front_score(Line("In 1956 Khrushchev criticised Stalin at the Party congress.", 1))
    bullet = front_score(Line("- ending personal rule", 1))
    year = front_score(Line("1955", 1))
    assert question > title > 0 > max(sentence, bullet, year)


def test_best_split_honours_the_announced_count() -> None:
    lines = [Line(text, n) for n, text in enumerate(["A", "b", "C", "d", "E", "f"], start=1)]
    # Every line alike: the count decides between 1, 2 and 3 cards.
    assert best_split(lines, 3).fronts == (0, 2, 4)
    assert best_split(lines, 2).fronts in {(0, 2), (0, 3), (0, 4)}
    assert best_split(lines, 1).fronts == (0,)


def _every_split(n: int) -> list[Split]:
    """All valid splits of n lines: first line a front, every front followed by a back line."""
    splits: list[Split] = []
    for labels in itertools.product([True, False], repeat=n - 1):
        fronts = [0, *(i + 1 for i, is_front in enumerate(labels) if is_front)]
        if any(b - a < 2 for a, b in itertools.pairwise(fronts)):
            continue
        if n - 1 - fronts[-1] >= 1:
            splits.append(Split(tuple(fronts), dangling=False))
        elif n > 1:
            splits.append(Split(tuple(fronts[:-1]), dangling=True))
    if n == 1:
        splits.append(Split((), dangling=True))
    return splits


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.integers(-8, 8).map(lambda v: v / 2), min_size=1, max_size=11),
    st.none() | st.integers(1, 7),
)
def test_the_search_finds_the_best_split_of_all(scores: list[float], expected: int | None) -> None:
    best = max(split_value(scores, split, expected) for split in _every_split(len(scores)))
    found = split_scores(scores, expected)
    assert found in _every_split(len(scores))
    assert split_value(scores, found, expected) == pytest.approx(best)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_deck_or_a_deck_error(text: str) -> None:
    try:
        deck = parse_flashcard_text(text)
    except DeckError:
        return
    assert deck.cards


LINE = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40).map(
    lambda s: s.replace("\n", " ").replace("\r", " ")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=30), st.integers(min_value=0, max_value=20))
def test_line_shaped_text_never_raises_anything_else(lines: list[str], count: int) -> None:
    text = "Deck Flashcards\n" + (f"({count} cards)\n" if count else "") + "\n".join(lines)
    try:
        deck = parse_flashcard_text(text)
    except DeckError:
        return
    # Nothing is invented: every front comes from the paste (less the NULs no database stores).
    assert all(card.front in text.replace("\0", "") for card in deck.cards)
