"""How the starter catalogue looks: the newcomer's /start, the catalogue, a deck added."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.catalogue import AddedDeck, CatalogueItem, CatalogueScreen
from bot.views.callbacks import MenuTap, encode
from bot.views.fmt import clip, esc
from bot.views.i18n import _, count

CATALOGUE_TAP = "catalogue"  # show the catalogue (a new message)
MY_DECKS_TAP = "my_decks"  # turn the message into the /decks list
ADD_TAP = "catalogue_add"  # add the deck its argument names
TITLE_CHARS = 50


def _cards(n: int) -> str:
    return count(n, "%(n)s card", "%(n)s cards")


def _mark(item: CatalogueItem) -> str:
    return item.deck.mark


def newcomer_welcome(first_name: str) -> str:
    """The first /start: what the bot does, then what would you like to learn."""
    name = esc(clip(first_name, 64)) or _("there")
    return _(
        "👋 Hi %(name)s! I'm <b>Quizmaster</b>.\n"
        "I quiz you on flashcards and schedule every question with spaced repetition (FSRS), "
        "so you review just before you would forget.\n\n"
        "<b>What would you like to learn?</b> Tap a deck to add it to your decks, "
        "or send me your own (a file or pasted flashcards)."
    ) % {"name": name}


def catalogue_text(screen: CatalogueScreen) -> str:
    """The catalogue: each deck with its size, source and licence; the ones added ticked."""
    lines = [
        _("📚 <b>Starter decks</b>"),
        _("Tap one to add it to your decks; ✅ marks those you have."),
    ]
    for item in screen.items:
        tick = "✅ " if item.added_id is not None else ""
        lines += [
            "",
            f"{tick}{_mark(item)} <b>{esc(clip(item.deck.title, TITLE_CHARS))}</b> — "
            f"{_cards(item.deck.cards)}",
            f"<i>{esc(item.deck.source)}. {esc(item.deck.licence)}</i>",
        ]
    return "\n".join(lines)


def catalogue_keyboard(screen: CatalogueScreen, start_quiz: bool = False) -> InlineKeyboardMarkup:
    """One button per catalogue deck (its title and card count), grouped by subject, then Start
    quiz (the deck every user has) and, for someone with decks, back to My decks."""
    rows = []
    for item in screen.items:
        tick = "✅ " if item.added_id is not None else ""
        label = f"{tick}{_mark(item)} {clip(item.deck.title, TITLE_CHARS)} · {item.deck.cards}"
        rows.append(
            [InlineKeyboardButton(label, callback_data=encode(MenuTap(ADD_TAP, item.deck.slug)))]
        )
    rows.append([_start_quiz_button()] if start_quiz else [_start_quiz_button(), my_decks_button()])
    return InlineKeyboardMarkup(rows)


def my_decks_button() -> InlineKeyboardButton:
    """A button that turns its message into the /decks list."""
    return InlineKeyboardButton(_("📚 My decks"), callback_data=encode(MenuTap(MY_DECKS_TAP)))


def start_quiz_or_decks(deck_id: int | None = None) -> InlineKeyboardMarkup:
    """Start quiz (with deck `deck_id`, made the active one, when given), or see My decks."""
    quiz = MenuTap("quiz", str(deck_id) if deck_id is not None else None)
    start = InlineKeyboardButton(_("▶️ Start quiz"), callback_data=encode(quiz))
    return InlineKeyboardMarkup([[start, my_decks_button()]])


def _start_quiz_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(_("▶️ Start quiz"), callback_data=encode(MenuTap("quiz")))


def catalogue_button(label: str) -> InlineKeyboardButton:
    """A button that opens the catalogue."""
    return InlineKeyboardButton(label, callback_data=encode(MenuTap(CATALOGUE_TAP)))


def returning_keyboard() -> InlineKeyboardMarkup:
    """A returning user's /start: Start quiz, and the catalogue."""
    return InlineKeyboardMarkup(
        [
            [_start_quiz_button()],
            [catalogue_button(_("📚 Browse decks"))],
        ]
    )


def added_text(added: AddedDeck) -> str:
    """A catalogue deck added by this tap, or found already there; either way now the active one."""
    values = {"title": esc(clip(added.title, TITLE_CHARS)), "cards": _cards(added.cards)}
    if added.already:
        return (
            _(
                "📚 <b>%(title)s</b> is already in your decks (%(cards)s). "
                "Your quizzes come from it now."
            )
            % values
        )
    return (
        _("✅ <b>%(title)s</b> is in your decks now (%(cards)s). Your quizzes come from it.")
        % values
    )


def adding_toast(title: str) -> str:
    """The toast of a tap that copies a catalogue deck (the message says when it is done)."""
    return _("Adding %(title)s…") % {"title": clip(title, TITLE_CHARS)}


def found_toast() -> str:
    """The toast of a tap on a catalogue deck the user has already."""
    return _("Already in your decks")


def added_keyboard() -> InlineKeyboardMarkup:
    """After adding a deck: quiz it, or look for another."""
    return returning_keyboard()
