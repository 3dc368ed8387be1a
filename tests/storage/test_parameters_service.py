"""Each learner's own FSRS parameters on each backend: answers counted, fits made when due under
one lease, and the next answers (quiz, grade buttons, battles) scheduled with them, unless the
learner went back to the defaults in /settings."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import DEFAULT_PARAMETERS, log_loss
from bot.core.scheduling import Grade, answer_seed, review, waits
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.services.parameters import FITTER_JOB, ParametersService, history
from bot.services.quiz import QuizService
from bot.services.settings import SettingsService, SettingsView
from bot.services.stats import StatsService
from bot.services.views import AnswerResult, QuestionView, Refusal
from bot.storage import battles as battle_store
from bot.storage import decks as deck_store
from bot.storage import leases
from bot.storage import parameters as store
from bot.storage.db import Database, open_database
from bot.storage.migrations import MIGRATIONS
from bot.storage.settings import save_setting
from bot.storage.users import upsert_user
from bot.views.parameters import parameters_line
from bot.views.settings import section_keyboard, section_text
from tests.fitting import forgetful_history, words_deck, write_history

ALICE, BOB = 1001, 1002
GROUP = -100500
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
DAYS = LearningDays.of("UTC", 4)
HISTORY = forgetful_history(50, 9, START)  # 450 answers, all before the test clock's 2 March
CAPITALS = Deck(
    "Capitals",
    tuple(
        Card(f"What is the capital of {country}?", city)
        for country, city in [
            ("Australia", "Canberra"),
            ("Canada", "Ottawa"),
            ("Kenya", "Nairobi"),
            ("Norway", "Oslo"),
            ("Peru", "Lima"),
            ("Japan", "Tokyo"),
        ]
    ),
)


async def bundled(db: Database, clock: ManualClock) -> int:
    """The words deck, after the bundled decks (where the bot's default deck is)."""
    await load_bundled_decks(db, int(clock.now().timestamp()))
    return await words_deck(db)


async def learner(db: Database, clock: ManualClock, user_id: int = ALICE) -> int:
    """A user with the forgetful history on the words deck; returns that deck's id."""
    deck = await bundled(db, clock)
    await upsert_user(db, user_id, "Alice", int(START.timestamp()))
    await write_history(db, user_id, deck, HISTORY)
    return deck


async def fitted_parameters(db: Database, user_id: int = ALICE) -> tuple[float, ...]:
    standing = await store.standing(db, user_id)
    assert standing is not None and standing.fit is not None
    assert standing.fit.parameters is not None
    return standing.fit.parameters


async def test_answers_already_logged_are_counted_by_the_migration_and_new_ones_as_made(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "postgres" if database_url.startswith("postgres") else "sqlite"
    every = MIGRATIONS[dialect]
    name = "m019_personal_parameters"
    monkeypatch.setitem(MIGRATIONS, dialect, [m for m in every if m[0] != name])
    db = await open_database(database_url)
    try:
        deck = await learner(db, clock)
        monkeypatch.setitem(MIGRATIONS, dialect, every)
        assert name in await db.migrate()
        standing = await store.standing(db, ALICE)
        assert standing == store.FitStanding(450, False, None)
        await write_history(db, ALICE, deck, [[(START, Grade.GOOD)]] * 3)
        standing = await store.standing(db, ALICE)
        assert standing is not None and standing.reviews_logged == 453
    finally:
        await db.close()


async def test_a_learner_is_fitted_at_400_answers_then_again_a_month_on_or_at_twice_as_many(
    db: Database, clock: ManualClock
) -> None:
    fits = ParametersService(db, clock)
    deck = await bundled(db, clock)
    await upsert_user(db, ALICE, "Alice", 0)
    await write_history(db, ALICE, deck, HISTORY[:44])  # 396 answers
    assert await fits.fit_due() == []
    assert (await fits.standing(ALICE)).reviews_to_go == 4
    await write_history(db, ALICE, deck, [[(START, Grade.GOOD)]] * 4)  # 400
    assert await fits.fit_due() == [ALICE]
    first = await store.standing(db, ALICE)
    assert first is not None and first.fit is not None and first.fitted
    assert (first.fit.reviews, first.fit.logged) == (400, 400)
    assert first.fit.fitted_at == int(clock.now().timestamp())
    assert await fits.fit_due() == []  # fitted: not due again yet
    await write_history(db, ALICE, deck, [[(START, Grade.GOOD)]] * 10)
    clock.advance(timedelta(days=29))
    assert await fits.fit_due() == []
    clock.advance(timedelta(days=1))
    assert await fits.fit_due() == [ALICE]  # a month on, with new answers
    second = await store.standing(db, ALICE)
    assert second is not None and second.fit is not None
    assert (second.fit.reviews, second.fit.logged) == (410, 410)
    await write_history(db, ALICE, deck, [[(START, Grade.GOOD)] * 409])
    assert await fits.fit_due() == []
    await write_history(db, ALICE, deck, [[(START, Grade.GOOD)]])  # 820: twice as many
    assert await fits.fit_due() == [ALICE]


async def test_the_fit_kept_and_the_log_losses_stored_are_those_of_the_whole_log(
    db: Database, clock: ManualClock
) -> None:
    await learner(db, clock)
    assert await ParametersService(db, clock).fit_due() == [ALICE]
    standing = await store.standing(db, ALICE)
    assert standing is not None and standing.fit is not None
    fit = standing.fit
    assert fit.parameters is not None and standing.personal == fit.parameters
    rows = await store.answers(db, ALICE)
    assert len(rows) == fit.reviews == 450
    cards = history(rows)
    assert fit.log_loss == pytest.approx(log_loss(fit.parameters, cards, DAYS))
    assert fit.default_log_loss == pytest.approx(log_loss(DEFAULT_PARAMETERS, cards, DAYS))
    assert fit.log_loss is not None and fit.default_log_loss is not None
    assert fit.log_loss < fit.default_log_loss


async def test_nobody_is_fitted_while_another_process_holds_the_fitters_lease(
    db: Database, clock: ManualClock
) -> None:
    await learner(db, clock)
    fits = ParametersService(db, clock)
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    assert await leases.take(db, leases.JOB_LEASES, FITTER_JOB, "other/1/x", now_ms, 60_000)
    assert await fits.fit_due(owner="this/2/y") is None
    assert (await fits.standing(ALICE)).fit is None
    await leases.release(db, leases.JOB_LEASES, FITTER_JOB, "other/1/x")
    assert await fits.fit_due(owner="this/2/y") == [ALICE]
    assert await leases.holder(db, leases.JOB_LEASES, FITTER_JOB, now_ms) is None  # given back


async def test_answers_of_a_deleted_deck_are_counted_afresh_instead_of_fitted_every_sweep(
    db: Database, clock: ManualClock
) -> None:
    deck = await learner(db, clock)
    await db.execute("DELETE FROM reviews WHERE user_id = ? AND reviewed_at > ?", (ALICE, 0))
    await write_history(db, ALICE, deck, HISTORY[:10])  # 90 answers left, 540 counted
    fits = ParametersService(db, clock)
    assert await fits.fit_due() == []
    standing = await fits.standing(ALICE)
    assert (standing.reviews_logged, standing.fit) == (90, None)


async def start_selfgraded(db: Database, clock: ManualClock, quiz: QuizService) -> QuestionView:
    """Alice's first question of a self-graded session on the capitals deck, revealed."""
    capitals = await deck_store.sync_deck(db, CAPITALS, "capitals", None, 0)
    for column, value in (("question_mix", "selfgraded"), ("active_deck_id", capitals)):
        assert await save_setting(db, ALICE, column, value, None)
    user = await upsert_user(db, ALICE, "Alice", 0)
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView) and first.kind == "recall"
    await quiz.shown(first, message_id=500)
    await quiz.reveal(ALICE, first.session_id, first.position)
    # As the chat shows it (bot.outbox.quiz renders it from the database): with the grade buttons.
    screen = await quiz.screen_of(first.session_id, first.position)
    assert screen is not None and isinstance(screen.shown, QuestionView)
    assert screen.shown.revealed and screen.shown.waits
    return screen.shown


async def question_of(db: Database, view: QuestionView) -> int:
    row = await db.fetchone(
        "SELECT question_id FROM session_items WHERE session_id = ? AND position = ?",
        (view.session_id, view.position),
    )
    assert row is not None
    return int(row[0])


async def stability_after(db: Database, user_id: int, question_id: int) -> float:
    row = await db.fetchone(
        "SELECT stability FROM review_states WHERE user_id = ? AND question_id = ?",
        (user_id, question_id),
    )
    assert row is not None
    return float(row[0])


def quiz_of(db: Database, clock: ManualClock, deck: int) -> QuizService:
    return QuizService(db, clock, default_deck_id=deck, fuzz=False, rng=random.Random(7))


async def test_after_the_fit_the_grade_buttons_and_the_answer_use_the_learners_parameters(
    db: Database, clock: ManualClock
) -> None:
    deck = await learner(db, clock)
    assert await ParametersService(db, clock).fit_due() == [ALICE]
    own = await fitted_parameters(db)
    quiz = quiz_of(db, clock, deck)
    shown = await start_selfgraded(db, clock, quiz)
    now = clock.now()
    question_id = await question_of(db, shown)
    seed = answer_seed(ALICE, question_id, 0)
    mine = waits(None, now, 0.9, False, DAYS, seed, own)
    assert shown.waits == mine
    assert mine != waits(None, now, 0.9, False, DAYS, seed)  # Easy: 1 day, not 8
    result = await quiz.grade(ALICE, shown.session_id, shown.position, Grade.GOOD)
    assert isinstance(result, AnswerResult)
    after = review(None, Grade.GOOD, now, 0.9, False, DAYS, seed, own)
    assert await stability_after(db, ALICE, question_id) == pytest.approx(after.stability)
    assert after.stability != pytest.approx(DEFAULT_PARAMETERS[2])


async def test_going_back_to_the_defaults_in_settings_schedules_the_next_answer_with_them(
    db: Database, clock: ManualClock
) -> None:
    deck = await learner(db, clock)
    assert await ParametersService(db, clock).fit_due() == [ALICE]
    own = await fitted_parameters(db)
    settings = SettingsService(db, clock, default_deck_id=deck)
    chosen = await settings.change(ALICE, "fsrs", "default")
    assert isinstance(chosen, SettingsView)
    assert chosen.parameters.use_defaults and chosen.parameters.personal is None
    # The settings page renders from the database: the defaults ticked, the fit still reported.
    keyboard = section_keyboard(chosen, "fsrs").inline_keyboard
    assert [b.text for b in keyboard[0]] == ["Mine", "✓ FSRS defaults"]
    assert "you chose the defaults" in section_text(chosen, "fsrs")
    quiz = quiz_of(db, clock, deck)
    shown = await start_selfgraded(db, clock, quiz)
    question_id = await question_of(db, shown)
    seed = answer_seed(ALICE, question_id, 0)
    assert shown.waits == waits(None, clock.now(), 0.9, False, DAYS, seed)
    await quiz.grade(ALICE, shown.session_id, shown.position, Grade.GOOD)
    stability = await stability_after(db, ALICE, question_id)
    assert stability == pytest.approx(DEFAULT_PARAMETERS[2])
    # And back to their own: the next question is scheduled with them again.
    mine = await settings.change(ALICE, "fsrs", "personal")
    assert isinstance(mine, SettingsView)
    assert mine.parameters.personal == own
    nxt = await quiz.screen_of(shown.session_id, shown.position + 1)
    assert nxt is not None and isinstance(nxt.shown, QuestionView)
    question = nxt.shown
    await quiz.shown(question, message_id=501)
    await quiz.reveal(ALICE, question.session_id, question.position)
    await quiz.grade(ALICE, question.session_id, question.position, Grade.GOOD)
    assert await stability_after(db, ALICE, await question_of(db, question)) == pytest.approx(
        own[2]
    )


async def test_a_choice_not_on_offer_changes_nothing(db: Database, clock: ManualClock) -> None:
    deck = await learner(db, clock)
    settings = SettingsService(db, clock, default_deck_id=deck)
    refused = await settings.change(ALICE, "fsrs", "mine")
    assert isinstance(refused, Refusal)
    assert (await store.standing(db, ALICE)) == store.FitStanding(450, False, None)


async def test_a_battle_answer_is_scheduled_with_each_players_own_parameters(
    db: Database, clock: ManualClock
) -> None:
    await learner(db, clock)
    await upsert_user(db, BOB, "Bob", 0)
    assert await ParametersService(db, clock).fit_due() == [ALICE]
    own = await fitted_parameters(db)
    capitals = await deck_store.sync_deck(db, CAPITALS, "capitals", None, 0)
    battles = BattleService(db, clock, default_deck_id=capitals, fuzz=False, rng=random.Random(3))
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
    assert isinstance(await battles.start(GROUP, lobby.battle.id, ALICE, "Alice"), Outcome)
    spec = (await battle_store.round_rows(db, lobby.battle.id))[1]
    who = await battle_store.reviewer(db, ALICE, spec.question_id)
    assert who is not None and who.parameters == own
    clock.advance(timedelta(seconds=2))
    for user_id, name in ((ALICE, "Alice"), (BOB, "Bob")):
        await battles.answer(GROUP, lobby.battle.id, user_id, name, 1, spec.right_index)
    clock.advance(timedelta(seconds=30))
    await battles.tick(lobby.battle.id)
    assert await stability_after(db, ALICE, spec.question_id) == pytest.approx(own[2])
    assert await stability_after(db, BOB, spec.question_id) == pytest.approx(DEFAULT_PARAMETERS[2])
    # A player who chose the defaults answers with them.
    assert await save_setting(db, ALICE, "fsrs_defaults", 1, None)
    who = await battle_store.reviewer(db, ALICE, spec.question_id)
    assert who is not None and who.parameters is None


async def test_stats_report_the_fit_as_stored(db: Database, clock: ManualClock) -> None:
    deck = await learner(db, clock)
    stats = StatsService(db, clock, default_deck_id=deck)
    before = await stats.report(ALICE, "Alice")
    assert (before.parameters.reviews_logged, before.parameters.fit) == (450, None)
    assert "until yours are fitted to your answers (soon)" in parameters_line(
        before.parameters, "UTC"
    )
    assert await ParametersService(db, clock).fit_due() == [ALICE]
    after = await stats.report(ALICE, "Alice")
    fit = after.parameters.fit
    assert fit is not None and fit.log_loss is not None and fit.default_log_loss is not None
    line = parameters_line(after.parameters, "UTC")
    assert line == (
        f"🧠 Your FSRS parameters: log loss <b>{fit.log_loss:.3f}</b> vs "
        f"{fit.default_log_loss:.3f} with the defaults (450 reviews, fitted 2 Mar 2026)"
    )


# An Anki preset's parameters, brought with an imported package

ANKI = tuple(round(w * 1.1, 4) for w in DEFAULT_PARAMETERS)


async def test_anki_parameters_schedule_until_the_first_fit_which_replaces_them(
    db: Database, clock: ManualClock
) -> None:
    fits = ParametersService(db, clock)
    deck = await bundled(db, clock)
    await upsert_user(db, ALICE, "Alice", 0)
    now = int(clock.now().timestamp())
    assert await store.adopt_anki_parameters(db, ALICE, ANKI, 13_552, now)
    standing = await fits.standing(ALICE)
    assert standing.personal == ANKI and standing.fit is not None and standing.fit.from_anki
    assert not standing.fitted  # not scored on the user's answers here
    assert parameters_line(standing, "UTC") == (
        "🧠 FSRS parameters: your Anki preset's, brought with your deck, until yours are "
        "fitted to your answers here (400 more reviews)"
    )
    # a second import's replace them
    again = tuple(round(w * 1.05, 4) for w in DEFAULT_PARAMETERS)
    assert await store.adopt_anki_parameters(db, ALICE, again, 10, now)
    assert (await fits.standing(ALICE)).personal == again
    # at 400 answers here the first fit is due as for anyone, and starts from them
    await write_history(db, ALICE, deck, HISTORY)
    assert await fits.fit_due() == [ALICE]
    fitted = await fits.standing(ALICE)
    assert fitted.fit is not None and not fitted.fit.from_anki and fitted.fitted
    # from then on an import's parameters never replace the user's own fit
    assert not await store.adopt_anki_parameters(db, ALICE, ANKI, 10, now)
    assert (await fits.standing(ALICE)).fit == fitted.fit
