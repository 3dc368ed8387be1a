"""Text files in whatever encoding they were saved in: UTF-8 first, then a detected code page.

Excel on Windows saves "CSV" in the computer's ANSI code page (Windows-1252 in Western Europe and
the Americas, 1251 for Cyrillic, 1250 for Central Europe...), older tools in Shift-JIS or GB18030.
UTF-8 is tried strictly first (a UTF-8 file never reads wrong that way); otherwise
`charset-normalizer` picks the encoding among the common ones. On a small file several code pages
can read equally well (the detector cannot tell cp1250's "naďve" from cp1252's "naïve" in a dozen
words); ties go to the code page more files are written in, and the preview warns which encoding
was used so a wrong guess is seen before anything is saved.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

from bot.cards.model import DeckError
from bot.cards.problems import Problem

# The encodings worth considering, most common first (ties go to the earlier one).
COMMON_ENCODINGS = (
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "cp1255",
    "cp1256",
    "cp1258",
    "cp874",
    "cp932",
    "gb18030",
    "big5",
    "euc_kr",
    "euc_jp",
    "koi8_r",
    "mac_roman",
)
# Each encoding's name, and the script it is for (a word the views translate).
_NAMES = {
    "cp1252": ("Windows-1252", "western"),
    "cp1251": ("Windows-1251", "cyrillic"),
    "cp1250": ("Windows-1250", "central"),
    "cp1253": ("Windows-1253", "greek"),
    "cp1254": ("Windows-1254", "turkish"),
    "cp1257": ("Windows-1257", "baltic"),
    "cp1255": ("Windows-1255", "hebrew"),
    "cp1256": ("Windows-1256", "arabic"),
    "cp1258": ("Windows-1258", "vietnamese"),
    "cp874": ("Windows-874", "thai"),
    "cp932": ("Shift-JIS", "japanese"),
    "gb18030": ("GB18030", "chinese"),
    "big5": ("Big5", "traditional_chinese"),
    "euc_kr": ("EUC-KR", "korean"),
    "euc_jp": ("EUC-JP", "japanese"),
    "koi8_r": ("KOI8-R", "cyrillic"),
    "mac_roman": ("Mac Roman", ""),
}
# The detector reads samples of this many bytes (five of them) rather than the whole file.
_CHUNK_BYTES = 4096
# Differences in the detector's scores smaller than these are noise on a file of a few lines.
_CHAOS_MARGIN = 0.01
_COHERENCE_MARGIN = 0.1
# The share of odd characters a reading may have (the detector's default, 0.2, turns away a
# short Cyrillic word list whose Latin translations sit beside its words).
_MAX_MESS = 0.5


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text, and the encoding it was read in when that was not UTF-8 (None if it was):
    the codec's name (`cp1251`)."""

    text: str
    guessed: str | None = None

    def warnings(self) -> list[Problem]:
        """The preview's warning about a guessed encoding (none for UTF-8)."""
        if self.guessed is None:
            return []
        name, script = _NAMES.get(self.guessed, (self.guessed, ""))
        if not script:
            return [Problem("guessed_encoding", {"encoding": name})]
        return [Problem("guessed_script", {"encoding": name, "script": script})]


def decode_text(data: bytes, filename: str) -> str:
    """The file's text in whatever common encoding it is in; DeckError if it is no text."""
    return read_text(data, filename).text


def read_text(data: bytes, filename: str) -> Decoded:
    """The file's text and the encoding guessed for it, if it was not UTF-8."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0:
        return Decoded(_strict(data, "UTF-32", filename))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(_strict(data, "UTF-16", filename))
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    encoding = _detect(data)
    if encoding is None:
        raise DeckError.of("not_text", filename)
    return Decoded(_strict(data, encoding, filename), encoding)


def _detect(data: bytes) -> str | None:
    """The most likely of the common encodings for `data`, or None when none reads it as text."""
    if b"\x00" in data:
        return None  # no code page has NUL in text; UTF-16 without a BOM is not worth guessing
    matches = from_bytes(
        data, cp_isolation=list(COMMON_ENCODINGS), chunk_size=_CHUNK_BYTES, threshold=_MAX_MESS
    )
    found: list[tuple[float, float, int]] = []
    for match in matches:
        # Code pages that decode these bytes to the same text come as one match: the most
        # common of them names it.
        ranks = [
            COMMON_ENCODINGS.index(name)
            for name in (match.encoding, *match.could_be_from_charset)
            if name in COMMON_ENCODINGS
        ]
        if ranks:
            found.append((match.chaos, match.coherence, min(ranks)))
    if not found:
        return None
    # The least mess first; then the language that reads most coherently, though on a small
    # file coherence is noisy (cp1257's "naļve" can score above cp1252's "naïve"): readings
    # within a margin of the best count as equal, and the most common code page among them wins.
    least = min(chaos for chaos, _, _ in found)
    clean = [
        (coherence, rank) for chaos, coherence, rank in found if chaos <= least + _CHAOS_MARGIN
    ]
    most = max(coherence for coherence, _ in clean)
    return COMMON_ENCODINGS[
        min(rank for coherence, rank in clean if coherence >= most - _COHERENCE_MARGIN)
    ]


def _strict(data: bytes, encoding: str, filename: str) -> str:
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        name = _NAMES.get(encoding, (encoding.upper(), ""))[0]
        if encoding.startswith("UTF"):  # UTF-16 and -32: a newline is not one byte to count
            raise DeckError.of("bad_encoding", filename, encoding=name, byte=exc.start) from None
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError.of(
            "bad_encoding_line", filename, place="line", at=line, encoding=name, byte=exc.start
        ) from None
