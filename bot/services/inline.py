"""Inline quizzes: `@bot query` in any chat offers questions from the person's decks; a posted
question is answered by anyone in that chat, once each, with a tally edited in place.

The buttons of a posted question come back with no message to check them against (Telegram sends
an `inline_message_id` and no chat), so their data is signed: question and language with an HMAC
keyed by the bot's token. Forged or altered data fails the check and is refused like any other
tap out of place. The message is edited at most once per EDIT_GAP seconds: a tap within that time
leaves the edit owed, and the sweep makes it, showing every answer stored by then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from dataclasses import dataclass

from bot.cards.distractors import draw_options
from bot.clock import Clock
from bot.core.inline_search import (
    Searchable,
    matching,
    page,
    sample_for_empty_query,
)
from bot.services.views import Refusal
from bot.storage import inline as store
from bot.storage.db import Database
from bot.storage.inline import InlineQuestion, Tally
from bot.views import taps
from bot.views.callbacks import InlineTap

# Seconds between two edits of one posted question: Telegram allows a group about 20 messages a
# minute, and a popular question is tapped far faster than that.
EDIT_GAP = 3
SIGNATURE_CHARS = 12  # 72 bits of HMAC-SHA256, base64url: within the 64 bytes of callback data


@dataclass(frozen=True, slots=True)
class Posted:
    """A question as a posted message shows it: the question, its options and the right one."""

    question: InlineQuestion
    options: tuple[str, ...]
    right: int


@dataclass(frozen=True, slots=True)
class InlinePage:
    """One answer to an inline query: the questions offered and the offset of the next page."""

    results: tuple[Posted, ...]
    next_offset: str


@dataclass(frozen=True, slots=True)
class InlineVerdict:
    """What a tap on a posted question gets: its verdict (or the earlier answer that stands), and
    the tally to edit the message to now (None when the edit waits for the sweep)."""

    posted: Posted
    new: bool
    choice: int
    correct: bool
    tally: Tally | None


def posted(question: InlineQuestion) -> Posted:
    """The options a question is posted with: always the same order for the same question (seeded
    by its key), so a tap's option means the same on every copy of the message."""
    options, right = draw_options(
        question.answer, question.distractors, random.Random(question.key)
    )
    return Posted(question, tuple(options), right)


def signing_key(bot_token: str) -> bytes:
    """The key inline buttons are signed with, derived from the bot's token."""
    return hashlib.sha256(b"quizmaster inline quiz\0" + bot_token.encode()).digest()


@dataclass
class InlineQuizService:
    """Searches a person's decks for an inline query and records taps on posted questions."""

    db: Database
    clock: Clock
    key: bytes

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    def sign(self, question_id: int, language: str) -> str:
        """The signature a posted question's buttons carry."""
        digest = hmac.new(self.key, f"{question_id}:{language}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]

    def tap(self, question_id: int, option: int, language: str) -> InlineTap:
        """The signed tap of one option of a posted question."""
        return InlineTap(question_id, option, language, self.sign(question_id, language))

    def genuine(self, tap: InlineTap) -> bool:
        """Whether a tap's data is what the bot put on a button."""
        return hmac.compare_digest(tap.signature, self.sign(tap.question_id, tap.language))

    async def search(self, user_id: int, query: str, offset: str) -> InlinePage:
        """The questions an inline query offers: matches of the query in the person's own decks
        then the bundled ones, a page at a time; a few due or random ones for an empty query."""
        cards = await store.offered_cards(self.db, user_id)
        next_offset = ""
        if not query.strip():
            now = self._now()
            due = sorted(
                (c for c in cards if c.due is not None and c.due <= now), key=lambda c: c.due or 0
            )
            others = [c for c in cards if c.due is None or c.due > now]
            # The same few for an hour: typing and erasing does not reshuffle them.
            shown = sample_for_empty_query(due, others, seed=user_id * 1_000_003 + now // 3600)
        else:
            found = matching(query, [(Searchable.of(c.front, c.back), c) for c in cards])
            shown, next_offset = page(found, offset)
        chosen = await store.questions(self.db, [c.question_id for c in shown])
        return InlinePage(tuple(posted(q) for q in chosen), next_offset)

    async def answer(
        self, tap: InlineTap, inline_message_id: str, user_id: int, first_name: str
    ) -> InlineVerdict | Refusal:
        """Record a person's answer to a posted question (the first one they give stands) and take
        the message's edit if it is due."""
        if not self.genuine(tap) or not inline_message_id or len(inline_message_id) > 128:
            return Refusal(taps.OUT_OF_PLACE)
        question = await store.question(self.db, tap.question_id)
        if question is None:
            return Refusal(taps.OUT_OF_PLACE)  # its deck was deleted since
        shown = posted(question)
        if not 0 <= tap.option < len(shown.options):
            return Refusal(taps.OUT_OF_PLACE)
        now = self._now()
        answered = await store.record_answer(
            self.db,
            inline_message_id,
            tap.question_id,
            tap.language,
            user_id,
            first_name,
            tap.option,
            tap.option == shown.right,
            now,
        )
        if answered.question_id != tap.question_id:
            return Refusal(taps.OUT_OF_PLACE)
        tally = await store.claim_edit(self.db, inline_message_id, now, EDIT_GAP)
        return InlineVerdict(shown, answered.new, answered.choice, answered.correct, tally)

    async def owe_edit(self, inline_message_id: str) -> None:
        """An edit that failed is owed again (the sweep retries it)."""
        await store.owe_edit(self.db, inline_message_id)

    async def owed_edits(self) -> list[tuple[Posted, Tally]]:
        """Posted questions whose edit is owed and due, each claimed: what to edit them to."""
        now = self._now()
        edits: list[tuple[Posted, Tally]] = []
        for inline_message_id in await store.owed_edits(self.db, now, EDIT_GAP):
            tally = await store.claim_edit(self.db, inline_message_id, now, EDIT_GAP)
            if tally is None:
                continue  # another process took it
            question = await store.question(self.db, tally.question_id)
            if question is not None:
                edits.append((posted(question), tally))
        return edits
