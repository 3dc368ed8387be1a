"""Questions made from cards: what is asked, what counts as right, a stable key for scheduling.

Each card gives, where the card allows it:

- **recall**: the front; the back is revealed and the learner grades themselves.
- **reverse**: for a card meant both ways (`Card.reverse`), the other way round: the back (the
  front's words hidden), the front revealed, self-graded. Its own schedule, as Anki's reverse card.
- **choice**: the front; pick its answer (the back's key part, see `bot.cards.answers`) among four.
  Only for cards whose back is an answer (short, or holding what the question word asks for) and
  when the deck has three wrong answers of the same sort (see `bot.cards.distractors`).
- **identify** ("Which card is this?"): the back with the front's words hidden; pick the front among
  four of the same shape. For cards whose back is too long to be an option.
- **typed**: the front; type the key part. Only where the key is short enough to type.
- **cloze**: one back sentence with one fact blanked, under the card's front; pick or type the fact.
  Asked with options when sound ones exist (numbers, years, dates; quoted terms of the same shape),
  else typed. Never when the fact shows elsewhere in the prompt, or is the answer a choice or typed
  question of the card already asks for.

A question never shows its answer: not in the prompt, not partly behind a mask. Options hold
exactly one right answer.

A card whose front is only a picture or a sound (`bot.cards.model.media_only`) is asked with an
empty prompt (the picture is the question; the view says "What is this?"): recall, choice and
typed only. Its front text is a label, never an option, an answer nor a prompt: no reverse,
identify or cloze question for it, and no wrong front for another card's identify question.

Formulas (LaTeX between Anki's delimiters) are never masked nor blanked: questions are made on the
card's LaTeX, which marks where each formula is, and only then are formulas written as readable
text (`bot.cards.richtext`) in everything the question shows and grades.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.cards.answers import (
    Answer,
    AnswerKind,
    analyse,
    deck_answer_script,
    has_latex,
    is_note,
    latex_spans,
    strip_latex,
)
from bot.cards.cloze import (
    Fact,
    FactKind,
    FactPool,
    Sentence,
    blank_out,
    find_facts,
    split_sentences,
)
from bot.cards.distractors import (
    DISTRACTORS,
    MAX_CANDIDATES,
    Entry,
    Sort,
    deck_candidates,
    draw_options,
    entry_for,
    numbers_of,
    numeric_candidates,
    numeric_value,
    refuse_numbers,
    significant_words,
)
from bot.cards.model import Card, Deck, media_only, normalize_front
from bot.cards.richtext import readable_latex
from bot.core.grading import normalize_answer

# Raise when what questions a deck yields changes: decks made before are made again on next use.
QUESTIONS_VERSION = 3
CHOICE_OPTIONS = DISTRACTORS + 1
MASK = "___"
MAX_OPTION_CHARS = 100  # an option longer than this is no option to read on a phone
ANSWER_LIKE_CHARS = 120  # a back this short is an answer, not notes…
NOTE_WORDS_MIN = 4  # …unless it makes two statements of this many words or more
MIN_CLOZE_WORDS = 3  # words a sentence keeps around its blanks
STEM_CHARS = 7  # words sharing this long a beginning give each other away ("Stalinism")


class QuestionKind(StrEnum):
    """How a question is asked and answered."""

    RECALL = "recall"  # front shown, back revealed, self-graded Again/Hard/Good/Easy
    CHOICE = "choice"  # front shown, pick its answer among 4
    IDENTIFY = "identify"  # back shown with the front's words masked, pick the right front of 4
    CLOZE = "cloze"  # a back sentence with one fact blanked, pick (or type) the fact
    TYPED = "typed"  # front shown, the user types the key part of the back
    REVERSE = "reverse"  # back shown, front revealed, self-graded (a card meant both ways)


SELF_GRADED = frozenset({QuestionKind.RECALL, QuestionKind.REVERSE})


# A question's key is its kind's prefix and its card's key. "Which card is this?" was once the only
# multiple-choice question and was keyed "choice:"; it keeps that key so schedules carry on.
_KEY_PREFIX = {
    QuestionKind.RECALL: "recall",
    QuestionKind.CHOICE: "pick",
    QuestionKind.IDENTIFY: "choice",
    QuestionKind.TYPED: "typed",
    QuestionKind.CLOZE: "cloze",
    QuestionKind.REVERSE: "reverse",
}


@dataclass(frozen=True, slots=True)
class Question:
    """One schedulable question; `key` is stable while the card's front stays the same."""

    key: str
    card_key: str
    kind: QuestionKind
    prompt: str
    answer: str
    distractors: tuple[str, ...] = field(default=())  # wrong options, most plausible first
    accepted: tuple[str, ...] = field(default=())  # typed answers right besides `answer`

    @property
    def has_options(self) -> bool:
        """Whether the question is asked with answer buttons."""
        return len(self.distractors) >= DISTRACTORS


def card_key(card: Card) -> str:
    """A stable identifier for a card within its deck, derived from its front."""
    return hashlib.sha1(normalize_front(card.front).encode(), usedforsecurity=False).hexdigest()[
        :16
    ]


def question_key(kind: QuestionKind, card: Card) -> str:
    """The key of a card's recall, choice, identify or typed question."""
    return f"{_KEY_PREFIX[kind]}:{card_key(card)}"


def display_front(front: str) -> str:
    """A front as an option shows it: formulas readable, other LaTeX commands read as words."""
    front = readable_latex(front)
    return strip_latex(front) if has_latex(front) else front


# ---------------------------------------------------------------------------------------------
# Masks and leaks


_TOKEN = re.compile(r"[^\W_](?:\w|['’-](?=\w))*")


def _token_gives_away(token: str, words: Sequence[str]) -> bool:
    folded = normalize_answer(token)
    for piece in folded.split():
        for word in words:
            if piece.startswith(word) or (word.startswith(piece) and len(piece) >= 4):
                return True
            common = len(_common_prefix(piece, word))
            if common >= STEM_CHARS:
                return True
    return False


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def mask_front_words(back: str, front: str) -> str:
    """The back with every word that gives the front away hidden, whole: no "de-___".

    A word is hidden when it begins with one of the front's significant words, or shares a long
    beginning with one ("Stalinism" for "De-Stalinisation"). Nothing inside LaTeX is touched.
    """
    words = significant_words(front)
    if not words:
        return back
    spans = latex_spans(back)
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(back):
        start, end = match.span()
        if any(s <= start < e for s, e in spans):
            continue
        if _token_gives_away(match.group(0), words):
            out.append(back[position:start])
            out.append(MASK)
            position = end
    out.append(back[position:])
    return "".join(out)


def _states(context: str, answer: str) -> bool:
    """Whether `context` states the whole answer (a question's own front may share a word)."""
    wanted = normalize_answer(answer)
    return bool(wanted) and f" {wanted} " in f" {normalize_answer(strip_latex(context))} "


def _gives_away(context: str, answer: str) -> bool:
    """Whether `context` shows the answer, whole or in part (a word of it, a number of it)."""
    norm_context = normalize_answer(strip_latex(context))
    norm_answer = normalize_answer(answer)
    if not norm_answer:
        return False
    if f" {norm_answer} " in f" {norm_context} ":
        return True
    numbers = numbers_of(answer)
    if numbers and numbers & numbers_of(context):
        return True
    words = significant_words(answer)
    context_words = norm_context.split()
    return any(
        any(cw == w or len(_common_prefix(cw, w)) >= STEM_CHARS for cw in context_words)
        for w in words
    )


# ---------------------------------------------------------------------------------------------
# The deck as context


@dataclass(frozen=True, slots=True)
class DeckContext:
    """What every question of a deck draws on: each card's answer, and the deck's facts."""

    cards: tuple[Card, ...]
    answers: tuple[Answer, ...]
    pool: FactPool
    key_entries: tuple[Entry, ...]  # each card as a source of wrong answers (its key)
    front_entries: tuple[Entry, ...]  # each card as a source of wrong fronts
    front_by_text: Mapping[str, Entry]  # a front as an option shows it → its card's entry

    @classmethod
    def from_deck(cls, deck: Deck) -> DeckContext:
        """Analyse every card of the deck once."""
        script = deck_answer_script(card.back for card in deck.cards)
        asked = [asked_front(card) for card in deck.cards]
        answers = tuple(
            analyse(front, card.back, script) for card, front in zip(deck.cards, asked, strict=True)
        )
        keys = tuple(
            entry_for(answer.key, answer, front, card.back)
            for card, answer, front in zip(deck.cards, answers, asked, strict=True)
        )
        # A label's entry is empty text: never drawn as another card's wrong front.
        fronts = tuple(
            entry_for(display_front(front), answer, front, card.back, as_front=True)
            for card, answer, front in zip(deck.cards, answers, asked, strict=True)
        )
        by_text = {entry.text: entry for entry in fronts}
        return cls(deck.cards, answers, FactPool.from_deck(deck), keys, fronts, by_text)


def answer_like(card: Card, answer: Answer) -> bool:
    """Whether the back is an answer to the front: short and one statement, or holding what the
    front's question word asks for. Notes of several sentences are asked otherwise (blanks)."""
    if answer.kind is AnswerKind.FORMULA or len(answer.key) > MAX_OPTION_CHARS:
        return False
    if not answer.clean:
        return False  # the back holds notes only ("Sino-Vietnamese word from 聰明")
    if answer.targeted:
        return True
    statements = [s for s in split_sentences(card.back) if len(s.text.split()) >= NOTE_WORDS_MIN]
    return len(" ".join(card.back.split())) <= ANSWER_LIKE_CHARS and len(statements) < 2


def _deck_values(context: DeckContext, kind: AnswerKind) -> list[str]:
    if kind is AnswerKind.YEAR:
        return [*context.pool.years, *(a.key for a in context.answers if a.kind is kind)]
    if kind is AnswerKind.PERCENT:
        return [*context.pool.percents, *(a.key for a in context.answers if a.kind is kind)]
    return [a.key for a in context.answers if a.kind is kind]


def _numeric_wrong(
    text: str, kind: AnswerKind, context: DeckContext, back: str, seed: str
) -> tuple[str, ...]:
    refused = refuse_numbers(back, text)
    own = numbers_of(text)
    out: list[str] = []
    for candidate in numeric_candidates(text, kind, _deck_values(context, kind), seed):
        numbers = numbers_of(candidate) - own
        if not numbers or numbers & refused or normalize_answer(candidate) in out:
            continue
        out.append(candidate)
        if len(out) == MAX_CANDIDATES:
            break
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The kinds of question


def asked_front(card: Card) -> str:
    """The front as a question asks it: empty for a picture- or sound-only front (its label)."""
    return "" if media_only(card) else card.front


def recall_question(card: Card) -> Question:
    """Front shown, back revealed on request, graded by the user."""
    return Question(
        question_key(QuestionKind.RECALL, card),
        card_key(card),
        QuestionKind.RECALL,
        asked_front(card),
        card.back,
    )


def reverse_question(card: Card) -> Question | None:
    """Back shown (the words that give the front away hidden), front revealed, graded by the
    user; None when hiding them leaves nothing to recall from, or the front still shows (a
    one-letter front the back's words spell the same)."""
    prompt = mask_front_words(card.back, card.front)
    if not _TOKEN.search(prompt.replace(MASK, " ")) or _states(prompt, card.front):
        return None
    return Question(
        question_key(QuestionKind.REVERSE, card),
        card_key(card),
        QuestionKind.REVERSE,
        prompt,
        card.front,
    )


def choice_question(index: int, context: DeckContext) -> Question | None:
    """The front asked; its answer is one of four options of the same sort."""
    card, answer = context.cards[index], context.answers[index]
    front = asked_front(card)
    if answer.is_list or not answer_like(card, answer) or _states(front, answer.key):
        return None
    if answer.kind.numeric:
        wrong = _numeric_wrong(answer.key, answer.kind, context, card.back, card_key(card))
    else:
        wrong = tuple(deck_candidates(context.key_entries, index, card_key(card)))
    wrong = tuple(w for w in wrong if len(w) <= MAX_OPTION_CHARS)
    if len(wrong) < DISTRACTORS:
        return None
    return Question(
        question_key(QuestionKind.CHOICE, card),
        card_key(card),
        QuestionKind.CHOICE,
        front,
        answer.key,
        wrong,
        answer.accepted,
    )


def identify_question(index: int, context: DeckContext) -> Question | None:
    """The back shown with the front's words hidden; the front is one of four of the same shape."""
    card = context.cards[index]
    if answer_like(card, context.answers[index]):
        return None  # a short answer is asked from its front (choice), not the other way round
    front = display_front(card.front)
    if len(front) > MAX_OPTION_CHARS:
        return None
    prompt = mask_front_words(card.back, card.front)
    if _gives_away(prompt, front) or not prompt.replace(MASK, "").strip():
        return None
    wrong = deck_candidates(context.front_entries, index, card_key(card))
    # A front whose card says what this back says would be right too.
    back = normalize_answer(card.back)
    by_text = context.front_by_text
    wrong = [w for w in wrong if w in by_text and by_text[w].back != back]
    wrong = [w for w in wrong if len(w) <= MAX_OPTION_CHARS]
    if len(wrong) < DISTRACTORS:
        return None
    return Question(
        question_key(QuestionKind.IDENTIFY, card),
        card_key(card),
        QuestionKind.IDENTIFY,
        prompt,
        front,
        tuple(wrong),
    )


def typed_question(index: int, context: DeckContext) -> Question | None:
    """Front shown, the user types the key part; only where it is short enough to type."""
    card, answer = context.cards[index], context.answers[index]
    if answer.kind is AnswerKind.FORMULA or not answer.typeable or not answer.clean:
        return None
    if not answer.is_list and not answer_like(card, answer):
        return None
    front = asked_front(card)
    if _states(front, answer.key):
        return None
    return Question(
        question_key(QuestionKind.TYPED, card),
        card_key(card),
        QuestionKind.TYPED,
        front,
        answer.key,
        (),
        answer.accepted,
    )


def _fact_hash(sentence: str, answer: str) -> str:
    material = f"{normalize_front(sentence)}\x1f{normalize_answer(answer)}"
    return hashlib.sha1(material.encode(), usedforsecurity=False).hexdigest()[:10]


_FACT_KINDS = {
    FactKind.YEAR: AnswerKind.YEAR,
    FactKind.NUMBER: AnswerKind.NUMBER,
    FactKind.PERCENT: AnswerKind.PERCENT,
}


def _term_wrong(fact: Fact, sentence: str, pool: FactPool) -> tuple[str, ...]:
    """Quoted terms of the same shape as the blanked one (or none: then the blank is typed)."""
    mine = Sort.of(fact.text)
    words = significant_words(sentence)
    out: list[str] = []
    for term in sorted(pool.terms, key=lambda t: (abs(len(t) - len(fact.text)), t)):
        theirs = Sort.of(term)
        if normalize_answer(term) == normalize_answer(fact.text):
            continue
        if theirs.words != mine.words or theirs.capitalised != mine.capitalised:
            continue
        if not 0.5 <= len(term) / max(len(fact.text), 1) <= 2:
            continue
        if any(w in words for w in significant_words(term)):
            continue
        out.append(term)
    return tuple(out[:MAX_CANDIDATES]) if len(out) >= DISTRACTORS else ()


def _in_brackets(sentence: str, fact: Fact) -> bool:
    """Whether a fact stands inside round brackets (a gloss of another word, an aside)."""
    before = sentence[: fact.start]
    return before.count("(") > before.count(")")


def _cloze_prompt(front: str, sentence: Sentence, blanked: str, answer: str) -> str | None:
    """The front, the lead line of a bullet (unless it tells), and the blanked sentence.

    None when the front itself gives the answer away.
    """
    if _gives_away(front, answer):
        return None
    lines = [front]
    if sentence.lead and not _gives_away(sentence.lead, answer):
        lines.append(sentence.lead)
    lines.append(f"- {blanked}" if sentence.bullet else blanked)
    return "\n".join(lines)


def cloze_questions(
    index: int, context: DeckContext, asked: frozenset[str] = frozenset()
) -> list[Question]:
    """One question per fact of each back sentence, under the card's front.

    A fact written twice in one sentence is blanked everywhere in it (one question). Skipped: facts
    in `asked` (normalized answers another question of the card asks for), facts the prompt would
    still show, and sentences too short to ask about once blanked.
    """
    card, answer = context.cards[index], context.answers[index]
    if answer_like(card, answer):
        return []  # a short answer is asked whole (choice, typed); its notes are no facts
    key = card_key(card)
    questions: list[Question] = []
    seen: set[str] = set()
    for sentence in split_sentences(card.back):
        if is_note(sentence.text):
            continue  # "Sino-Vietnamese word from 祝 (“to wish”)": an etymology, not a fact
        facts = [f for f in find_facts(sentence.text) if not _in_brackets(sentence.text, f)]
        if len(blank_out(sentence.text, facts).split()) - len(facts) < MIN_CLOZE_WORDS:
            continue  # "1956" or "In 1956." says nothing once blanked; a typed question asks it
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            groups.setdefault(normalize_answer(fact.text), []).append(fact)
        for norm, group in groups.items():
            fact = group[0]
            digest = _fact_hash(sentence.text, fact.text)
            qkey = f"cloze:{key}:{digest}"
            if qkey in seen or norm in asked:
                continue
            blanked = blank_out(sentence.text, group)
            if _gives_away(blanked.replace(MASK, " "), fact.text):
                continue
            prompt = _cloze_prompt(card.front, sentence, blanked, fact.text)
            if prompt is None:
                continue
            if fact.kind is FactKind.TERM:
                wrong = _term_wrong(fact, sentence.text, context.pool)
            else:
                kind = _FACT_KINDS[fact.kind]
                refused = refuse_numbers(card.back, fact.text)
                bounds = _range_bounds(sentence.text, fact, facts)
                wrong = _cloze_numeric_wrong(fact, kind, context, refused, digest, bounds)
            seen.add(qkey)
            questions.append(Question(qkey, key, QuestionKind.CLOZE, prompt, fact.text, wrong))
    return questions


_RANGE_JOIN = re.compile(r"^\s*(?:and|to|until|till|[-–—])\s*$", re.IGNORECASE)


def _range_bounds(sentence: str, fact: Fact, facts: Sequence[Fact]) -> tuple[float, float]:
    """What a blanked end of a range must stay within: "between ___ and 1956" wants one before."""
    low, high = float("-inf"), float("inf")
    for other in facts:
        if other is fact or other.kind is not fact.kind or fact.kind is FactKind.TERM:
            continue
        if other.start >= fact.end and _RANGE_JOIN.match(sentence[fact.end : other.start]):
            high = min(high, numeric_value(other.text))
        if other.end <= fact.start and _RANGE_JOIN.match(sentence[other.end : fact.start]):
            low = max(low, numeric_value(other.text))
    return low, high


def _cloze_numeric_wrong(
    fact: Fact,
    kind: AnswerKind,
    context: DeckContext,
    refused: set[str],
    seed: str,
    bounds: tuple[float, float] = (float("-inf"), float("inf")),
) -> tuple[str, ...]:
    """Nearby values for a blanked number: none that the card states, none that would turn a range
    around. (Another card may say the same sentence with another number: under this card's front
    the blank asks this card's.)"""
    out: list[str] = []
    own = numbers_of(fact.text)
    for candidate in numeric_candidates(fact.text, kind, _deck_values(context, kind), seed):
        numbers = numbers_of(candidate) - own
        if not numbers or numbers & refused:
            continue
        if not bounds[0] < numeric_value(candidate) < bounds[1]:
            continue
        if normalize_answer(candidate) in (normalize_answer(o) for o in out):
            continue
        out.append(candidate)
        if len(out) == MAX_CANDIDATES:
            break
    return tuple(out) if len(out) >= DISTRACTORS else ()


def card_questions(index: int, context: DeckContext) -> list[Question]:
    """Every question one card of the deck yields, in a fixed order."""
    card = context.cards[index]
    questions = [recall_question(card)]
    if media_only(card):
        # The picture or sound is the question: only kinds that ask for the back.
        for made in (choice_question(index, context), typed_question(index, context)):
            if made is not None:
                questions.append(made)
        return [shown for question in questions if (shown := readable(question)) is not None]
    if card.reverse and (reverse := reverse_question(card)) is not None:
        questions.append(reverse)
    choice = choice_question(index, context)
    if choice is not None:
        questions.append(choice)
    else:
        identify = identify_question(index, context)
        if identify is not None:
            questions.append(identify)
    typed = typed_question(index, context)
    if typed is not None:
        questions.append(typed)
    asked = frozenset(
        normalize_answer(q.answer)
        for q in questions
        if q.kind in (QuestionKind.CHOICE, QuestionKind.TYPED)
    )
    questions.extend(cloze_questions(index, context, asked))
    return [shown for question in questions if (shown := readable(question)) is not None]


def readable(question: Question) -> Question | None:
    """The question with its formulas as readable text; None when two of its options would then
    read the same (an option that is no longer one of a kind)."""
    answer = readable_latex(question.answer)
    wrong = tuple(readable_latex(option) for option in question.distractors)
    texts = [normalize_answer(option) for option in (answer, *wrong)]
    if len(set(texts)) < len(texts):
        return None
    return replace(
        question,
        prompt=readable_latex(question.prompt),
        answer=answer,
        distractors=wrong,
        accepted=tuple(readable_latex(text) for text in question.accepted),
    )


def make_questions(deck: Deck) -> list[Question]:
    """Every question the deck yields, card by card: recall, reverse, choice or identify, typed,
    cloze."""
    context = DeckContext.from_deck(deck)
    questions: list[Question] = []
    for index in range(len(deck.cards)):
        questions.extend(card_questions(index, context))
    return questions


def question_options(question: Question, rng: random.Random) -> tuple[list[str], int] | None:
    """The options a question shows, drawn with `rng`; None for a question typed or self-graded."""
    if not question.has_options:
        return None
    return draw_options(question.answer, question.distractors, rng)


def cloze_options(question: Question) -> tuple[list[str], int]:
    """A question's options in a stable order (seeded by its key); (options, right index)."""
    return draw_options(question.answer, question.distractors, random.Random(question.key))
