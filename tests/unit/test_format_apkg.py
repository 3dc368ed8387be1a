"""Anki packages: note types, cloze, HTML, media, duplicates, review history, formats and safety."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import stat
import struct
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import genanki
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cards.formats import apkg, read_deck_bytes
from bot.cards.formats.apkg import ImportedReview, read_apkg
from bot.cards.formats.apkg_package import Collection
from bot.cards.formats.apkg_package import read_sqlite as real_read
from bot.cards.model import Card, DeckError
from tests.deck_notes import said

ROOT = Path(__file__).resolve().parents[2]
ANKI = ROOT / ".." / "shared" / "fixtures" / "anki"
LEGACY = ANKI / "category-theory-legacy.apkg"
CURRENT = ANKI / "vietnamese-anki21b-with-reviews.apkg"
needs_legacy = pytest.mark.skipif(not LEGACY.exists(), reason="shared Anki fixtures not available")
needs_current = pytest.mark.skipif(
    not CURRENT.exists(), reason="shared Anki fixtures not available"
)

BASIC = genanki.BASIC_MODEL
REVERSED = genanki.BASIC_AND_REVERSED_CARD_MODEL
CLOZE = genanki.CLOZE_MODEL
Notes = list[tuple[genanki.Model, list[str]]]


def make_package(
    notes: Notes, deck_name: str = "Geography", media: dict[str, bytes] | None = None
) -> bytes:
    """A legacy `collection.anki2` package written by genanki."""
    deck = genanki.Deck(2059400110, deck_name)
    for model, fields in notes:
        deck.add_note(genanki.Note(model=model, fields=fields))
    with tempfile.TemporaryDirectory() as tmp:
        media_paths = []
        for name, content in (media or {}).items():
            path = Path(tmp) / name
            path.write_bytes(content)
            media_paths.append(str(path))
        target = Path(tmp) / "deck.apkg"
        genanki.Package(deck, media_files=media_paths).write_to_file(
            str(target), timestamp=1_700_000_000.0
        )
        return target.read_bytes()


def zip_members(members: dict[str, bytes]) -> bytes:
    """A zip holding the given members, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def edited_collection(package: bytes, edit: Callable[[sqlite3.Connection], object]) -> bytes:
    """The package's SQLite collection after `edit` ran on it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        path.write_bytes(zipfile.ZipFile(io.BytesIO(package)).read("collection.anki2"))
        db = sqlite3.connect(path)
        edit(db)
        db.commit()
        db.close()
        return path.read_bytes()


def card_ids(db: sqlite3.Connection) -> list[int]:
    """Card ids in note order, then card order within the note."""
    return [row[0] for row in db.execute("SELECT id FROM cards ORDER BY nid, ord")]


def add_reviews(rows: list[tuple[int, int, int, int, int]]) -> Callable[[sqlite3.Connection], None]:
    """An edit inserting revlog rows (ms timestamp, card position, ease, time ms, type)."""

    def edit(db: sqlite3.Connection) -> None:
        ids = card_ids(db)
        for stamp, position, ease, time_ms, kind in rows:
            card = ids[position] if position >= 0 else 999
            db.execute(
                "INSERT INTO revlog VALUES (?, ?, -1, ?, 1, 0, 2500, ?, ?)",
                (stamp, card, ease, time_ms, kind),
            )

    return edit


def as_anki21b(db_bytes: bytes, stub: bytes = b"not even a database") -> bytes:
    """The collection in the current format: notetypes and decks tables, zstd, a stub beside it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        path.write_bytes(db_bytes)
        db = sqlite3.connect(path)
        models, decks = db.execute("SELECT models, decks FROM col").fetchone()
        db.execute("CREATE TABLE notetypes (id INTEGER PRIMARY KEY, name TEXT, config BLOB)")
        for model_id, model in json.loads(models).items():
            # NotetypeConfig: field 1 (kind) is 1 for cloze; a css string (field 3) sits beside it.
            config = (b"\x08\x01" if model["type"] == 1 else b"") + b"\x1a\x04.c{}"
            db.execute(
                "INSERT INTO notetypes VALUES (?, ?, ?)", (int(model_id), model["name"], config)
            )
        db.execute("CREATE TABLE decks (id INTEGER PRIMARY KEY, name TEXT)")
        for deck_id, deck in json.loads(decks).items():
            db.execute(
                "INSERT INTO decks VALUES (?, ?)",
                (int(deck_id), deck["name"].replace("::", "\x1f")),
            )
        db.execute("CREATE TABLE config (key TEXT PRIMARY KEY, val BLOB)")
        db.execute("INSERT INTO config VALUES ('schedVer', ?)", (b"2",))
        db.execute("UPDATE col SET models = '', decks = ''")
        db.commit()
        db.close()
        packed = zstandard.ZstdCompressor().compress(path.read_bytes())
    return zip_members(
        {"meta": b"\x08\x03", "collection.anki21b": packed, "collection.anki2": stub, "media": b""}
    )


# --- note types, HTML, cloze -------------------------------------------------------------------


def test_basic_notes_become_cards_titled_by_their_deck() -> None:
    result = read_apkg(
        make_package([(BASIC, ["France", "Paris"]), (BASIC, ["Spain", "Madrid"])]), "geo.apkg"
    )
    assert result.deck.title == "Geography"
    assert result.deck.cards == (Card("France", "Paris"), Card("Spain", "Madrid"))
    assert result.collection == "collection.anki2"
    assert result.notes == 2
    assert result.reviews == []
    assert said(result.deck.warnings) == ()


def test_reversed_notes_give_one_card_each_meant_both_ways() -> None:
    package = make_package(
        [
            (REVERSED, ["der Hund", "the dog"]),
            (REVERSED, ["die Katze", "the cat"]),
            (BASIC, ["ja", "yes"]),
        ]
    )
    result = read_apkg(package, "de.apkg")
    assert result.deck.cards == (
        Card("der Hund", "the dog", reverse=True),
        Card("die Katze", "the cat", reverse=True),
        Card("ja", "yes"),
    )
    assert said(result.deck.warnings) == (
        "2 cards have a reverse card in Anki: each is asked back to front too, with its own "
        "schedule",
    )


def test_html_becomes_text_with_lines_bullets_and_entities() -> None:
    back = (
        "<div><b>Fish &amp; chips</b>&nbsp;are served &lt;hot&gt;</div>"
        "<div>with&nbsp;salt<br>and vinegar</div>"
        "<ul><li>cod</li><li>haddock</li></ul><p>Since the 1860s.</p>"
    )
    deck = read_apkg(make_package([(BASIC, ["<i>British</i> dish", back])]), "f.apkg").deck
    assert deck.cards == (
        Card(
            "British dish",
            "Fish & chips are served <hot>\nwith salt\nand vinegar\n- cod\n- haddock\nSince the 1860s.",
            front_html="<i>British</i> dish",
            back_html=(
                "<b>Fish &amp; chips</b> are served &lt;hot&gt;\nwith salt\nand vinegar\n"
                "- cod\n- haddock\nSince the 1860s."
            ),
        ),
    )


def test_latex_stays_as_text() -> None:
    notes: Notes = [
        (BASIC, ["[latex]\\int_0^1 x\\,dx[/latex]", "\\(\\frac{1}{2}\\)"]),
        (BASIC, ["Euler", "[$]e^{i\\pi} + 1 = 0[/$]"]),
    ]
    deck = read_apkg(make_package(notes), "m.apkg").deck
    assert deck.cards == (
        Card("[latex]\\int_0^1 x\\,dx[/latex]", "\\(\\frac{1}{2}\\)"),
        Card("Euler", "[$]e^{i\\pi} + 1 = 0[/$]"),
    )


def test_cloze_notes_give_one_card_per_number_with_hints() -> None:
    notes: Notes = [
        (CLOZE, ["{{c1::Canberra}} is the capital of {{c2::Australia::country}}.", ""]),
        (CLOZE, ["The Berlin Wall fell in {{c1::1989}} and Germany reunited in {{c1::1990}}.", ""]),
    ]
    deck = read_apkg(make_package(notes), "c.apkg").deck
    assert deck.cards == (
        Card("___ is the capital of Australia.", "Canberra"),
        Card("Canberra is the capital of ___ (country).", "Australia"),
        Card("The Berlin Wall fell in ___ and Germany reunited in ___.", "1989\n1990"),
    )


def test_nested_and_broken_cloze_markup() -> None:
    notes: Notes = [
        (CLOZE, ["{{c1::Paris, {{c2::France}}}} hosts the Louvre.", ""]),
        (CLOZE, ["Unclosed {{c1::deletion and a <b>{{c2::real}}</b> one", ""]),
    ]
    deck = read_apkg(make_package(notes), "n.apkg").deck
    assert deck.cards == (
        Card("___ hosts the Louvre.", "Paris, France"),
        Card("Paris, ___ hosts the Louvre.", "France"),
        Card(
            "Unclosed {{c1::deletion and a ___ one",
            "real",
            front_html="Unclosed {{c1::deletion and a <b>___</b> one",
        ),
    )


def test_media_is_dropped_with_one_warning_and_image_only_fronts_not_kept_are_skipped() -> None:
    notes: Notes = [
        (BASIC, ['Heart <img src="heart.png">', "Pumps blood [sound:heart.mp3]"]),
        (BASIC, ['<img src="lung.png">', "Lung"]),
        (BASIC, ["Kidney", "Filters blood"]),
    ]
    media = {"heart.png": b"png", "heart.mp3": b"mp3", "lung.png": b"png"}
    result = read_apkg(make_package(notes, media=media), "body.apkg")
    assert result.deck.cards == (Card("Heart", "Pumps blood"), Card("Kidney", "Filters blood"))
    assert (result.media_skipped, result.media_files, result.empty_skipped) == (3, 3, 1)
    assert said(result.deck.warnings) == (
        "3 media references (images, sounds) skipped: a text quiz cannot show them",
        # b"png" is no picture: media is checked by content (tests/unit/test_apkg_media.py).
        "3 media files skipped: not a PNG, JPEG, GIF or WebP picture nor an MP3, OGG, M4A/AAC "
        "or WAV sound (whatever their names say)",
        # A front that is only a picture asks it; with the picture not kept nothing is left.
        "1 card skipped: its front is only a picture or sound that was not kept",
    )


def test_duplicate_fronts_keep_the_first_and_warn() -> None:
    notes: Notes = [
        (BASIC, ["bank", "the side of a river"]),
        (BASIC, ["Bank ", "a place that keeps money"]),
        (BASIC, ["BANK", "to tilt an aircraft"]),
        (BASIC, ["shore", "the land along the sea"]),
    ]
    result = read_apkg(make_package(notes), "en.apkg")
    assert result.deck.cards == (
        Card("bank", "the side of a river"),
        Card("shore", "the land along the sea"),
    )
    assert result.duplicates_skipped == 2
    assert said(result.deck.warnings) == ("2 cards skipped: their front repeats an earlier card",)


def test_a_side_over_the_limit_names_the_note() -> None:
    notes: Notes = [(BASIC, ["ok", "fine"]), (BASIC, ["long", "x" * 2001])]
    with pytest.raises(DeckError, match=r"^l\.apkg: note 2: the back is 2001 characters long"):
        read_apkg(make_package(notes), "l.apkg")


# --- review history ----------------------------------------------------------------------------

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def at(ms: int) -> datetime:
    """The UTC time of an Anki millisecond timestamp."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def test_reviews_map_to_cards_in_time_order_and_skip_reschedules() -> None:
    notes: Notes = [(REVERSED, ["hund", "dog"]), (BASIC, ["katze", "cat"])]
    # Card positions: 0 = hund forward, 1 = hund reversed, 2 = katze.
    rows = [
        (T0 + 5_000, 2, 3, 4_000, 1),
        (T0, 0, 1, 12_000, 0),
        (T0 + 1_000, 1, 4, 3_000, 1),  # the reverse card: the same imported card, back to front
        (T0 + 2_000, 0, 0, 0, 4),  # manual reschedule
        (T0 + 3_000, 2, 0, 0, 1),  # ease 0: a reschedule too
        (T0 + 4_000, -1, 3, 1_000, 1),  # a card that no longer exists
        (T0 + 6_000, 2, 2, -5, 2),
    ]
    db = edited_collection(make_package(notes), add_reviews(rows))
    # genanki writes no scheduler version; mark it v2 so ratings pass through unchanged.
    db = _with_conf(db, {"schedVer": 2})
    result = read_apkg(zip_members({"collection.anki2": db}), "r.apkg")
    assert result.reviews == [
        ImportedReview(0, at(T0), 1, 12_000),
        ImportedReview(0, at(T0 + 1_000), 4, 3_000, reverse=True),
        ImportedReview(1, at(T0 + 5_000), 3, 4_000),
        ImportedReview(1, at(T0 + 6_000), 2, 0),
    ]
    assert (result.reschedules_skipped, result.reviews_unmatched) == (2, 1)
    assert said(result.deck.warnings)[-1] == (
        "the package carries 4 reviews of history (2 manual reschedules skipped; "
        "1 review of skipped or deleted cards left out)"
    )


def test_a_forget_starts_its_anki_card_s_history_over() -> None:
    notes: Notes = [(REVERSED, ["hund", "dog"])]
    rows = [(T0, 0, 3, 1_000, 1), (T0 + 1_000, 1, 3, 1_000, 1), (T0 + 3_000, 0, 1, 1_000, 1)]

    def forget_forward(db: sqlite3.Connection) -> None:
        add_reviews(rows)(db)
        (forward,) = db.execute("SELECT id FROM cards WHERE ord = 0").fetchone()
        # Anki's "Forget": a manual entry (type 4), no answer (ease 0), interval 0.
        db.execute("INSERT INTO revlog VALUES (?, ?, -1, 0, 0, 0, 0, 0, 4)", (T0 + 2_000, forward))

    db = _with_conf(edited_collection(make_package(notes), forget_forward), {"schedVer": 2})
    result = read_apkg(zip_members({"collection.anki2": db}), "f.apkg")
    # The forward card's answer before the Forget is left out; the reverse card keeps its own.
    assert result.reviews == [
        ImportedReview(0, at(T0 + 1_000), 3, 1_000, reverse=True),
        ImportedReview(0, at(T0 + 3_000), 1, 1_000),
    ]
    assert said(result.deck.warnings)[-1] == (
        "the package carries 2 reviews of history (1 manual reschedule skipped; "
        "1 review before a “Forget” left out)"
    )


def test_v1_learning_buttons_become_again_good_easy() -> None:
    rows = [(T0, 0, 1, 1, 0), (T0 + 1, 0, 2, 1, 0), (T0 + 2, 0, 3, 1, 2), (T0 + 3, 0, 2, 1, 1)]
    db = edited_collection(make_package([(BASIC, ["a", "b"])]), add_reviews(rows))
    result = read_apkg(zip_members({"collection.anki2": db}), "v1.apkg")
    # Learning (0) and relearning (2) had Again/Good/Easy; review (1) had all four buttons.
    assert [r.rating for r in result.reviews] == [1, 3, 4, 2]


def _with_conf(db_bytes: bytes, conf: dict[str, object]) -> bytes:
    package = zip_members({"collection.anki2": db_bytes})
    return edited_collection(
        package, lambda db: db.execute("UPDATE col SET conf = ?", (json.dumps(conf),))
    )


def test_cloze_reviews_follow_their_cloze_number() -> None:
    notes: Notes = [(CLOZE, ["{{c1::Canberra}} is in {{c2::Australia}}", ""])]
    rows = [(T0, 1, 3, 100, 1), (T0 + 1, 0, 1, 100, 1)]
    db = edited_collection(make_package(notes), add_reviews(rows))
    result = read_apkg(as_anki21b(db), "c.apkg")
    assert [(r.card_index, r.rating) for r in result.reviews] == [(1, 3), (0, 1)]


# --- package formats ---------------------------------------------------------------------------


def test_current_format_reads_notetypes_tables_and_never_the_stub() -> None:
    notes: Notes = [(BASIC, ["France", "Paris"]), (CLOZE, ["{{c1::Rome}} is in Italy", ""])]
    package = as_anki21b(edited_collection(make_package(notes, "World::Capitals"), lambda db: None))
    result = read_apkg(package, "world.apkg")
    assert result.collection == "collection.anki21b"
    assert result.deck.title == "World / Capitals"
    assert result.deck.cards == (Card("France", "Paris"), Card("___ is in Italy", "Rome"))


def test_anki21_is_preferred_over_anki2() -> None:
    newer = edited_collection(make_package([(BASIC, ["new", "card"])]), lambda db: None)
    package = zip_members({"collection.anki2": b"stub", "collection.anki21": newer})
    result = read_apkg(package, "p.apkg")
    assert (result.collection, result.deck.cards) == ("collection.anki21", (Card("new", "card"),))


def test_dispatcher_returns_the_deck_with_the_review_count() -> None:
    db = edited_collection(make_package([(BASIC, ["a", "b"])]), add_reviews([(T0, 0, 3, 5, 1)]))
    deck = read_deck_bytes(zip_members({"collection.anki2": db}), "a.apkg")
    assert deck.cards == (Card("a", "b"),)
    assert said(deck.warnings) == ("the package carries 1 review of history",)


def test_a_stub_only_package_asks_for_a_compatible_export() -> None:
    stub = edited_collection(
        make_package(
            [
                (
                    BASIC,
                    [
                        "Please update to the latest Anki version, then import the .colpkg/.apkg file again.",
                        "x",
                    ],
                )
            ]
        ),
        lambda db: None,
    )
    with pytest.raises(DeckError, match="only a placeholder for newer Anki versions"):
        read_apkg(zip_members({"collection.anki2": stub}), "s.apkg")


# --- safety ------------------------------------------------------------------------------------


def _declare_size(package: bytes, member: str, size: int) -> bytes:
    """The package with the central directory claiming `member` unpacks to `size` bytes."""
    data = bytearray(package)
    start = data.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        name = bytes(data[start + 46 : start + 46 + name_length]).decode()
        if name == member:
            struct.pack_into("<I", data, start + 24, size)
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


def test_a_zip_declaring_more_than_100_mb_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = _declare_size(
        zip_members({"collection.anki2": b"x" * 100, "0": b"y"}), "0", 101 * 2**20
    )
    opened: list[str] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append("open"))
    with pytest.raises(DeckError, match=r"would unpack past 100 MB \(106 MB\); refused unread"):
        read_apkg(package, "big.apkg")
    assert opened == []


def test_a_zip_bomb_entry_is_refused() -> None:
    package = zip_members({"collection.anki2": bytes(8 * 2**20)})
    with pytest.raises(DeckError, match=r"'collection.anki2' would inflate \d+× \(a zip bomb\?\)"):
        read_apkg(package, "bomb.apkg")


def test_a_header_understating_the_size_cannot_inflate_further() -> None:
    db = edited_collection(make_package([(BASIC, ["a", "b"])]), lambda db: None)
    package = _declare_size(zip_members({"collection.anki2": db}), "collection.anki2", 1000)
    with pytest.raises(DeckError, match=r"collection\.anki2 is"):
        read_apkg(package, "liar.apkg")


def test_the_copy_is_private_read_only_and_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = make_package([(BASIC, ["a", "b"])])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: dict[str, int] = {}

    def spy(path: Path, where: str, read: Callable[[Collection], object]) -> object:
        seen["dir"] = stat.S_IMODE(path.parent.stat().st_mode)
        seen["file"] = stat.S_IMODE(path.stat().st_mode)

        def attempt_write(db: Collection) -> object:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                db.query("DELETE FROM notes")
            return read(db)

        return real_read(path, where, attempt_write)

    monkeypatch.setattr(apkg, "read_sqlite", spy)
    read_apkg(package, "p.apkg")
    assert seen == {"dir": 0o700, "file": 0o600}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.apkg: not an Anki package (an .apkg file is a zip archive)"),
        (
            b"SQLite format 3\x00" + bytes(100),
            "x.apkg: not an Anki package (an .apkg file is a zip archive)",
        ),
        (
            zip_members({"media": b"{}"}),
            "x.apkg: no Anki collection inside the package "
            "(expected collection.anki21b, collection.anki21 or collection.anki2)",
        ),
        (
            zip_members({"collection.anki2": b"garbage" * 100}),
            "x.apkg: the collection is not a readable Anki database (file is not a database)",
        ),
        (
            zip_members({"collection.anki21b": b"not zstd"}),
            "x.apkg: collection.anki21b is not valid zstd data",
        ),
    ],
)
def test_unreadable_packages_say_why(data: bytes, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        read_apkg(data, "x.apkg")
    assert str(caught.value).startswith(message)


def test_a_file_over_10_mb_is_refused() -> None:
    with pytest.raises(DeckError, match="larger than 10 MB"):
        read_apkg(bytes(10 * 2**20 + 1), "huge.apkg")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_package_or_a_deck_error(data: bytes) -> None:
    with contextlib.suppress(DeckError):
        read_apkg(data, "fuzz.apkg")


SAMPLE = make_package(
    [(BASIC, ["<b>France</b>", "Paris"]), (CLOZE, ["{{c1::Rome}} is in {{c2::Italy}}", ""])]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_mutated_packages_give_a_package_or_a_deck_error(flips: list[tuple[int, int]]) -> None:
    data = bytearray(SAMPLE)
    for position, value in flips:
        data[position] = value
    with contextlib.suppress(DeckError):
        read_apkg(bytes(data), "mutant.apkg")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), min_size=1, max_size=20))
def test_mutated_collections_give_a_package_or_a_deck_error(flips: list[tuple[int, int]]) -> None:
    db = bytearray(edited_collection(SAMPLE, lambda db: None))
    for position, value in flips:
        db[position % len(db)] = value
    with contextlib.suppress(DeckError):
        read_apkg(zip_members({"collection.anki2": bytes(db)}), "mutant.apkg")


# --- the real packages -------------------------------------------------------------------------


@needs_legacy
def test_real_legacy_package() -> None:
    result = read_apkg(LEGACY.read_bytes(), LEGACY.name)
    assert result.collection == "collection.anki2"
    assert (result.notes, len(result.deck.cards)) == (11, 11)
    assert result.deck.title == "Category Theory"
    first = result.deck.cards[0]
    assert first.front == "[$]\\text{Definition of a Category } \\textbf{C}[/$]"
    assert first.back.startswith("[$]C = (\\text{Obj}(\\textbf{C}), \\text{Morph}(\\textbf{C}))")
    assert result.deck.cards[2] == Card(
        "[$]\\text{Identity Law of } \\textbf{C}[/$]",
        "[$]\\forall A \\in \\text{Obj}(\\textbf{C}), \\exists 1_A \\in \\text{Morph}(\\textbf{C}), "
        "1_A : A \\rightarrow A[/$]",
    )
    assert result.media_files == 22
    assert len(result.reviews) == 36
    assert result.reviews[0] == ImportedReview(
        0, datetime(2019, 11, 26, 14, 27, 40, 886000, tzinfo=UTC), 1, 46205
    )
    assert said(result.deck.warnings) == (
        "the package's 22 media files (images, sounds, rendered LaTeX) are not imported; "
        "LaTeX stays as text",
        "the package carries 36 reviews of history",
    )


@needs_current
def test_real_current_package_reads_anki21b_not_the_stub() -> None:
    result = read_apkg(CURRENT.read_bytes(), CURRENT.name)
    assert result.collection == "collection.anki21b"
    assert (result.notes, len(result.deck.cards)) == (570, 570)
    assert result.deck.title == "Vietnamese"
    cards = result.deck.cards
    # Every note of this deck is "Basic (and reversed card)": each card is asked both ways.
    assert cards[0] == Card("xin chào", "hello, greetings", reverse=True)
    assert cards[2] == Card("vy", "薇 [wēi] Osmunda regalis, Königsfarn", reverse=True)
    assert all(card.reverse for card in cards)
    assert all("Please update" not in card.front for card in cards)
    assert (result.duplicates_skipped, result.empty_skipped, result.media_skipped) == (0, 0, 0)


@needs_current
def test_real_current_package_review_history() -> None:
    result = read_apkg(CURRENT.read_bytes(), CURRENT.name)
    reviews = result.reviews
    assert len(reviews) == 13_552
    assert result.reschedules_skipped == 0
    assert reviews == sorted(reviews, key=lambda r: r.reviewed_at)
    assert reviews[0] == ImportedReview(
        0, datetime(2023, 4, 19, 12, 14, 45, 645000, tzinfo=UTC), 1, 24191
    )
    assert reviews[-1].reviewed_at == datetime(2024, 4, 19, 19, 48, 55, 714000, tzinfo=UTC)
    assert {r.rating for r in reviews} == {1, 2, 3}
    assert all(0 <= r.card_index < 570 and 0 <= r.duration_ms <= 60_000 for r in reviews)
    # Most answers were given back to front: they are the reverse questions' own history.
    assert sum(r.reverse for r in reviews) == 8_499
    assert said(result.deck.warnings) == (
        "570 cards have a reverse card in Anki: each is asked back to front too, with its own "
        "schedule",
        "the package carries 13552 reviews of history",
    )
