"""Formulas as readable text, and formatted card text as Telegram HTML.

Anki notes carry LaTeX between `[$]…[/$]`, `[$$]…[/$$]`, `\\(…\\)`, `\\[…\\]` and
`[latex]…[/latex]`. A chat shows text, so each formula becomes Unicode: `\\text{Hom}(A,B)` reads
`Hom(A,B)`, `\\alpha` `α`, `x^2` `x²`, `\\frac{a}{b}` `a/b` (pylatexenc's LatexNodes2Text does
the symbols and commands; sub- and superscripts and fractions are done here first).

A card's formatted side is kept as Telegram HTML beside its plain text; `card_html` shows one
side: the stored HTML when there is some and it fits, else the plain text escaped.
"""

from __future__ import annotations

import html
import re

from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]  # no stubs

# The delimiters Anki renders (and MathJax's): the formula is the group that is not None.
_FORMULA = re.compile(
    r"\[\$\$\](.*?)\[/\$\$\]|\[\$\](.*?)\[/\$\]|\\\((.*?)\\\)|\\\[(.*?)\\\]|\[latex\](.*?)\[/latex\]",
    re.DOTALL | re.IGNORECASE,
)
_SUPERSCRIPT = dict(
    zip(
        "0123456789+-=()niabdeghjklmoprstuvwxyzABDEGHIJKLMNOPRTUW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃᵇᵈᵉᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁᵂ",
        strict=True,
    )
)
_SUBSCRIPT = dict(
    zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
_BRACED = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # a group with at most one level of groups inside
# `^{…}` / `_{…}`, or one character after `^` / `_`.
_SCRIPT = re.compile(r"([\^_])(?:" + _BRACED + r"|([A-Za-z0-9]))")
_FRAC = re.compile(r"\\[dt]?frac\s*" + _BRACED + r"\s*" + _BRACED)
_SPACED = re.compile(r"\s*([+→←↦⇒⇐⇔⟶⟹∘≅≃≡≤≥≠∈∉⊂⊆⊃⊇×⊗⊕·=])\s*")
_PLAIN_PART = re.compile(r"^[\w.']+$")  # a fraction's part that reads without parentheses
_CONVERTER = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
_ELLIPSIS = "…"


def has_formula(text: str) -> bool:
    """Whether the text holds a formula between Anki's or MathJax's delimiters."""
    return _FORMULA.search(text) is not None


def delimited_formulas(text: str) -> list[tuple[str, bool]]:
    """Each delimited formula's LaTeX, and whether it came as a `[latex]` block (text mode)."""
    found = []
    for match in _FORMULA.finditer(text):
        latex = next(group for group in match.groups() if group is not None)
        found.append((latex, match.group(5) is not None))
    return found


def _script(match: re.Match[str]) -> str:
    mark, inner = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    if "\\" in inner:
        inner = formula_text(inner)
    table = _SUPERSCRIPT if mark == "^" else _SUBSCRIPT
    # `{}` ends a command before it: `\sum_k` must not read as the command `\sumₖ`.
    if inner and all(char in table for char in inner):
        return "{}" + "".join(table[char] for char in inner)
    # Not every letter has a Unicode sub- or superscript: the group stays readable as written.
    return "{}" + (f"{mark}({inner})" if len(inner) > 1 else f"{mark}{inner}")


def _fraction(match: re.Match[str]) -> str:
    parts = []
    for part in (match.group(1).strip(), match.group(2).strip()):
        parts.append(part if _PLAIN_PART.match(part) else f"({part})")
    return f"{parts[0]}/{parts[1]}"


def formula_text(latex: str) -> str:
    """One formula's LaTeX source as readable Unicode text."""
    source = latex
    for _ in range(3):  # fractions inside fractions, innermost first
        source = _FRAC.sub(_fraction, source)
    source = _SCRIPT.sub(_script, source)
    try:
        text = _CONVERTER.latex_to_text(source)
    except Exception:  # pylatexenc may fail on any odd input: the formula is shown as written
        return " ".join(latex.split())
    text = _SPACED.sub(lambda m: f" {m.group(1)} ", text).replace("^'", "′")
    return " ".join(text.split())


def readable_latex(text: str) -> str:
    """The text with every delimited formula replaced by its readable form."""
    if "[" not in text and "\\" not in text:
        return text
    return _FORMULA.sub(lambda m: formula_text(next(g for g in m.groups() if g is not None)), text)


def html_text(markup: str) -> str:
    """The plain text a piece of Telegram HTML shows: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def card_html(text: str, formatted: str | None, limit: int) -> str:
    """One card side for an HTML message: its formatting when it has some and it fits within
    `limit` characters, else its text (formulas readable) escaped and cut to `limit`."""
    if formatted and len(formatted) <= limit:
        return formatted
    shown = readable_latex(text)
    if len(shown) > limit:
        shown = shown[: max(0, limit - 1)] + _ELLIPSIS
    return html.escape(shown, quote=False)
