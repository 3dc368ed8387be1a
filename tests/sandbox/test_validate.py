"""The HTML parse mode, lengths and keyboards are judged like Telegram judges them."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.errors import ApiError
from bot.sandbox.validate import (
    Entity,
    FormattedText,
    check_caption,
    check_message_text,
    parse_html,
    parse_reply_markup,
    utf16_len,
    utf16_span,
)


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("Question <foo>", 'Unsupported start tag "foo" at byte offset 9'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        (
            "<b class>x</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("é <i>", 'Can\'t find end tag corresponding to start tag "i"'),
        ("ü<u", "Unclosed start tag at byte offset 2"),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_bad_html_is_refused_with_telegrams_words(source: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>Bold</b> and <i>it</i>", "Bold and it", [("bold", 0, 4), ("italic", 9, 2)]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
            "abcd",
            [("bold", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("strikethrough", 3, 1)],
        ),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42;", '<tag> & "q" AB', []),
        ("&unknown; & alone", "&unknown; & alone", []),
        ("😀 <b>x</b>", "😀 x", [("bold", 3, 1)]),
        ("<code>a&lt;b</code>", "a<b", [("code", 0, 3)]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("  \n<b> padded </b>\n ", "padded", [("bold", 0, 6)]),
        ("<B>caps</B>", "caps", [("bold", 0, 4)]),
        ("<b></b>empty", "empty", []),
    ],
)
def test_html_becomes_plain_text_and_utf16_entities(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert [(e.type, e.offset, e.length) for e in parsed.entities] == entities


def test_links_and_preformatted_code_keep_their_arguments() -> None:
    parsed = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">site</a> '
        '<pre><code class="language-python">x = 1</code></pre> <a href="bare.io">b</a>'
    )
    assert parsed.text == "site x = 1 b"
    assert parsed.entities == (
        Entity("text_link", 0, 4, url="https://example.org/?a=1&b=2"),
        Entity("pre", 5, 5, language="python"),
        Entity("text_link", 11, 1, url="http://bare.io"),
    )


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_escaped_text_comes_back_unchanged(text: str) -> None:
    parsed = parse_html(html.escape(text))
    assert parsed.text == text.strip(" \t\r\n")
    assert parsed.entities == ()


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_a_bold_span_covers_exactly_its_text(inner: str) -> None:
    parsed = parse_html(f"x<b>{html.escape(inner)}</b>")
    stripped = ("x" + inner).rstrip(" \t\r\n")
    assert parsed.text == stripped
    if len(stripped) > 1:
        (bold,) = parsed.entities
        start, end = utf16_span(parsed.text, bold.offset, bold.length)
        assert parsed.text[start:end] == stripped[1:]


def test_text_length_is_counted_in_utf16_units_after_parsing() -> None:
    check_message_text(FormattedText("a" * 4096))
    check_message_text(parse_html("<b>" + "a" * 4096 + "</b>"))
    with pytest.raises(ApiError, match="message is too long"):
        check_message_text(FormattedText("😀" * 2049))
    with pytest.raises(ApiError, match="Bad Request: message text is empty"):
        check_message_text(parse_html("<b> </b>"))
    assert utf16_len("😀a") == 3


def test_captions_stop_at_1024_units() -> None:
    check_caption(FormattedText("c" * 1024))
    with pytest.raises(ApiError, match="Bad Request: message caption is too long"):
        check_caption(FormattedText("c" * 1025))


def _keyboard(*rows: list[Any]) -> str:
    return json.dumps({"inline_keyboard": list(rows)})


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ("{not json", "Bad Request: can't parse reply keyboard markup JSON object"),
        ("[1]", "Bad Request: object expected as reply markup"),
        (
            json.dumps({"inline_keyboard": [{"text": "x"}]}),
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of '
            "Arrays",
        ),
        (
            _keyboard(["x"]),
            "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
        ),
        (
            _keyboard([{"callback_data": "x"}]),
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
        (
            _keyboard([{"text": "x"}]),
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        (
            _keyboard([{"text": "x", "url": None}]),
            'Bad Request: can\'t parse inline keyboard button: Field "url" must be of type String',
        ),
        (_keyboard([{"text": "x", "callback_data": "é" * 33}]), "Bad Request: BUTTON_DATA_INVALID"),
        (
            _keyboard(*[[{"text": "x", "callback_data": "d"}]] * 101),
            "Bad Request: reply markup is too long",
        ),
    ],
)
def test_bad_keyboards_are_refused(markup: str, description: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_reply_markup(markup)
    assert caught.value.description == description


def test_callback_data_may_use_all_64_bytes() -> None:
    markup = parse_reply_markup(_keyboard([{"text": "ok", "callback_data": "é" * 32}]))
    assert markup == {"inline_keyboard": [[{"text": "ok", "callback_data": "é" * 32}]]}
    assert parse_reply_markup(_keyboard()) is None
