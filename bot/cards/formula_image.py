"""A card front's formulas typeset as a picture, with matplotlib's mathtext (no TeX needed).

A front with LaTeX and no picture of its own gets one PNG of its formulas, shown as the photo of
its question; the caption keeps the readable text (bot.cards.richtext), which stays what is graded.
mathtext covers a subset of LaTeX math: a formula it cannot parse (environments such as
`\\begin{pmatrix}`, packages' macros, text-mode `[latex]` blocks) simply gets no picture.

Rendering runs in the parent at save time, not in the deck reader: importing matplotlib and
drawing a first formula takes about half a second and 70 MB, and 500 formulas about 7 s more,
which would eat into the reader child's memory and CPU limits. A deck gets
at most `MAX_DECK_FORMULAS` pictures, each of fronts whose formulas are short enough, and the
pictures count against the deck's media limits like any other file.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import replace

from bot.cards.formats.apkg_media import (
    MAX_DECK_MEDIA_BYTES,
    MAX_DECK_MEDIA_FILES,
    MAX_MEDIA_FILE_BYTES,
    MediaFile,
    sniff,
)
from bot.cards.richtext import delimited_formulas
from bot.cards.upload import Upload

MAX_DECK_FORMULAS = 500  # fronts of one deck rendered (a second or so per hundred)
MAX_FORMULA_CHARS = 300  # a longer formula is a paragraph, better read as text
MAX_FRONT_FORMULAS = 3  # formulas of one front, one line each
_FONT_SIZE = 22
_DPI = 100
_PAD_PX = 16
_MAX_WIDTH_PX = 2400
# Telegram refuses a photo whose sides differ more than 20 times: a long thin formula gets taller.
_MAX_RATIO = 15
# Text-mode commands mathtext lacks, and their math-mode equivalents.
_TEXT_STYLES = re.compile(r"\\text(bf|it|rm|sf|tt)\s*\{")
_MATH_STYLE = {"bf": "mathbf", "it": "mathit", "rm": "mathrm", "sf": "mathsf", "tt": "mathtt"}
# matplotlib's font and mathtext caches are shared: two saves drawing at once take turns.
_DRAWING = threading.Lock()
_DISPLAY_WRAPPED = re.compile(r"^\s*(?:\$\$?(.*?)\$\$?|\\\[(.*?)\\\])\s*$", re.DOTALL)


def front_formulas(front: str) -> list[str] | None:
    """The formulas a front's picture shows, as mathtext sources; None if it should have none."""
    formulas: list[str] = []
    for source, block in delimited_formulas(front):
        latex = source
        if block:
            # `[latex]…[/latex]` is a LaTeX document body (text mode): only a wholly math one
            # is a formula mathtext can typeset.
            wrapped = _DISPLAY_WRAPPED.match(latex)
            if wrapped is None:
                return None
            latex = next(group for group in wrapped.groups() if group is not None)
        latex = " ".join(latex.split())
        if not latex or len(latex) > MAX_FORMULA_CHARS or "$" in latex:
            return None
        formulas.append(_TEXT_STYLES.sub(lambda m: "\\" + _MATH_STYLE[m.group(1)] + "{", latex))
    if not formulas or len(formulas) > MAX_FRONT_FORMULAS:
        return None
    return formulas


def formula_png(formulas: list[str]) -> bytes | None:
    """The formulas typeset one a line, black on white, as PNG; None if mathtext cannot."""
    with _DRAWING:
        return _draw(formulas)


def _draw(formulas: list[str]) -> bytes | None:
    # Imported here: only a deck with formulas pays for matplotlib.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(dpi=_DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    source = "\n".join(f"${formula}$" for formula in formulas)
    text = figure.text(0.5, 0.5, source, fontsize=_FONT_SIZE, ha="center", va="center")
    try:
        box = text.get_window_extent(canvas.get_renderer())  # type: ignore[no-untyped-call]
        width = box.width + 2 * _PAD_PX
        height = max(box.height + 2 * _PAD_PX, width / _MAX_RATIO)
        if width > _MAX_WIDTH_PX:
            return None
        figure.set_size_inches(width / _DPI, height / _DPI)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=_DPI, facecolor="white")
    except Exception:  # mathtext's parse errors are ValueErrors, others are odd input too
        return None
    return out.getvalue()


def with_formula_pictures(upload: Upload) -> Upload:
    """The upload with a typeset picture for each front with formulas and no media of its own,
    within the per-deck caps and media limits; fronts mathtext cannot parse stay text only."""
    files = {m.digest: m for m in upload.media}
    total = sum(len(m.data) for m in files.values())
    rendered: dict[tuple[str, ...], str | None] = {}
    cards = list(upload.deck.cards)
    for index, card in enumerate(cards):
        if card.front_media is not None:
            continue
        formulas = front_formulas(card.front)
        if formulas is None:
            continue
        key = tuple(formulas)
        if key not in rendered:
            if len(rendered) >= MAX_DECK_FORMULAS:
                break
            rendered[key] = None
            data = formula_png(formulas)
            if data is None or len(data) > MAX_MEDIA_FILE_BYTES or sniff(data) is None:
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest not in files:
                if len(files) >= MAX_DECK_MEDIA_FILES or total + len(data) > MAX_DECK_MEDIA_BYTES:
                    continue
                files[digest] = MediaFile(digest, "photo", "image/png", data)
                total += len(data)
            rendered[key] = digest
        if rendered[key] is not None:
            cards[index] = replace(card, front_media=rendered[key])
    if not rendered:
        return upload
    deck = replace(upload.deck, cards=tuple(cards))
    return replace(upload, deck=deck, media=tuple(files.values()))
