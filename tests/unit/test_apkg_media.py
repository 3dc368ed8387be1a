"""Media kept from Anki packages: referenced files only, within limits, typed by content."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import genanki
import pytest
import zstandard

from bot.cards.formats import apkg_media
from bot.cards.formats.apkg_media import (
    OPUS_MIME,
    keep_media,
    references,
    shown_references,
    sniff,
)
from bot.cards.model import DeckError
from bot.cards.upload import read_upload
from tests.deck_notes import said
from tests.media import ELF, media_package, mp3_bytes, opus_bytes, png_bytes


def _zip(files: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _package(named: dict[str, bytes]) -> zipfile.ZipFile:
    manifest = {str(i): name for i, name in enumerate(named)}
    members = {str(i): data for i, data in enumerate(named.values())}
    return _zip({"media": json.dumps(manifest).encode(), **members})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png_bytes(), ("photo", "image/png")),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, ("photo", "image/jpeg")),
        (b"GIF89a" + b"\x00" * 20, ("photo", "image/gif")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("photo", "image/webp")),
        (mp3_bytes(), ("audio", "audio/mpeg")),
        (b"ID3\x04\x00" + b"\x00" * 20, ("audio", "audio/mpeg")),
        (b"OggS\x00\x02" + b"\x00" * 20, ("audio", "audio/ogg")),
        (opus_bytes(), ("audio", OPUS_MIME)),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", ("audio", "audio/mp4")),
        (b"\xff\xf1\x50\x80" + b"\x00" * 20, ("audio", "audio/aac")),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("audio", "audio/wav")),
        (ELF, None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_types_come_from_the_bytes(data: bytes, expected: tuple[str, str] | None) -> None:
    assert sniff(data) == expected


def test_references_pictures_then_sounds_unescaped_and_local_only() -> None:
    field = (
        "[sound:word.mp3] <img src=\"a&amp;b.png\"> <img src='sp%20ace.jpg'> "
        '<img src="https://example.com/x.png"> <img src=a&amp;b.png>'
    )
    assert references(field) == ["a&b.png", "sp ace.jpg", "word.mp3"]


def test_real_files_are_kept_by_content_hash() -> None:
    kept = keep_media(_package({"cat.png": png_bytes(), "cat.mp3": mp3_bytes()}), ["cat.png"])
    assert list(kept.files) == ["cat.png"]
    assert kept.files["cat.png"].kind == "photo"
    assert len(kept.files["cat.png"].digest) == 64
    assert said(kept.warnings) == ()


def test_a_file_lying_about_its_type_is_skipped_with_a_warning() -> None:
    kept = keep_media(_package({"cat.png": ELF, "dog.png": png_bytes()}), ["cat.png", "dog.png"])
    assert list(kept.files) == ["dog.png"]
    assert "1 media file skipped: not a PNG" in said(kept.warnings)[0]


def test_a_thousand_tiny_files_keep_no_media_at_all() -> None:
    named = {f"{i}.png": png_bytes() for i in range(1000)}
    kept = keep_media(_package(named), list(named))
    assert kept.files == {}
    assert "more than 500 (the limit)" in said(kept.warnings)[0]


def test_a_decompression_bomb_is_skipped_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = png_bytes() + b"\x00" * (apkg_media.MAX_MEDIA_FILE_BYTES + 1)
    kept = keep_media(_package({"bomb.png": bomb}), ["bomb.png"])
    assert kept.files == {}
    assert "larger than 5 MB skipped" in said(kept.warnings)[0]


def test_the_deck_total_is_checked_before_unpacking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg_media, "MAX_DECK_MEDIA_BYTES", 1000)
    named = {f"{i}.mp3": mp3_bytes() for i in range(3)}
    kept = keep_media(_package(named), list(named))
    assert kept.files == {}
    assert "the cards are imported as text" in said(kept.warnings)[0]


def test_a_zstd_bomb_in_a_current_package_is_capped() -> None:
    def entry(name: str) -> bytes:
        body = b"\x0a" + bytes([len(name)]) + name.encode()
        return b"\x0a" + bytes([len(body)]) + body

    manifest = zstandard.ZstdCompressor().compress(entry("a.png") + entry("b.png"))
    bomb = zstandard.ZstdCompressor().compress(png_bytes() + b"\x00" * 6_000_000)
    good = zstandard.ZstdCompressor().compress(png_bytes())
    archive = _zip({"media": manifest, "0": bomb, "1": good})
    kept = keep_media(archive, ["a.png", "b.png"])
    assert list(kept.files) == ["b.png"]
    assert kept.files["b.png"].data == png_bytes()


def test_genanki_packages_keep_their_media() -> None:
    data = media_package(
        [('<img src="cat.png">', "cat"), ("[sound:dog.mp3] dog", "dog")],
        {"cat.png": png_bytes(), "dog.mp3": mp3_bytes()},
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    kept = keep_media(archive, ["cat.png", "dog.mp3", "gone.png"])
    assert {name: f.mime for name, f in kept.files.items()} == {
        "cat.png": "image/png",
        "dog.mp3": "audio/mpeg",
    }
    assert said(kept.warnings) == ("1 media file the notes refer to is not in the package",)


def test_a_package_with_a_bomb_for_a_picture_is_refused_unread() -> None:
    data = media_package(
        [('<img src="bomb.png"> Boom', "boom")],
        {"bomb.png": png_bytes() + b"\0" * (20 * 1024 * 1024)},
    )
    packed = io.BytesIO()  # genanki stores members uncompressed: deflate them into a bomb
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(packed, "w") as out:
        for entry in source.infolist():
            out.writestr(entry.filename, source.read(entry), zipfile.ZIP_DEFLATED)
    with pytest.raises(DeckError, match="zip bomb"):
        read_upload(packed.getvalue(), "bomb.apkg")


def test_cloze_cards_show_the_notes_picture() -> None:
    deck = genanki.Deck(2059400112, "Cloze pictures")
    text = '<img src="heart.png"> The {{c1::heart}} pumps {{c2::blood}}'
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=[text, ""]))
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "heart.png"
        image.write_bytes(png_bytes())
        target = Path(tmp) / "cloze.apkg"
        genanki.Package(deck, media_files=[str(image)]).write_to_file(str(target))
        data = target.read_bytes()
    upload = read_upload(data, "cloze.apkg")
    assert [card.front_media is not None for card in upload.deck.cards] == [True, True]
    assert len(upload.media) == 1


def test_a_side_shows_its_first_ten_pictures_then_its_first_sound() -> None:
    field = "".join(f'<img src="p{i}.png">' for i in range(12)) + "[sound:a.mp3][sound:b.ogg]"
    assert shown_references(field) == [*(f"p{i}.png" for i in range(10)), "a.mp3"]
    assert shown_references("[sound:a.mp3] hi") == ["a.mp3"]


def test_backs_and_more_pictures_are_kept_and_counted_together() -> None:
    pictures = {f"p{i}.png": png_bytes(2 + i, 2) for i in range(3)}
    back = {"answer.png": png_bytes(9, 9), "say.ogg": opus_bytes()}
    data = media_package(
        [
            ('<img src="p0.png"><img src="p1.png"><img src="p2.png"> Which three?', "dots"),
            ("Say cat", 'cat <img src="answer.png"> [sound:say.ogg]'),
            ("Plain", "only text"),
        ],
        {**pictures, **back},
    )
    upload = read_upload(data, "sides.apkg")
    three, cat, plain = upload.deck.cards
    digests = {m.mime: m.digest for m in upload.media}
    assert three.front_media is not None and len(three.front_more) == 2
    assert [three.front_media, *three.front_more] == [
        next(m.digest for m in upload.media if m.data == p) for p in pictures.values()
    ]
    assert cat.front_media is None and cat.back == "cat"
    assert cat.back_media == (
        next(m.digest for m in upload.media if m.data == back["answer.png"]),
        digests[OPUS_MIME],
    )
    assert plain.front_media is None and not plain.front_more and not plain.back_media
    assert len(upload.media) == 5


def test_a_deck_past_the_file_limit_with_its_backs_keeps_no_media(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apkg_media, "MAX_DECK_MEDIA_FILES", 1)
    data = media_package(
        [('<img src="a.png"> Front', 'Back <img src="b.png">')],
        {"a.png": png_bytes(), "b.png": png_bytes(3, 3)},
    )
    upload = read_upload(data, "two.apkg")
    (card,) = upload.deck.cards
    assert card.front_media is None and not card.back_media and not upload.media
