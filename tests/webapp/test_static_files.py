"""The page's own files keep to what the Content-Security-Policy and the DOM rules allow: no
inline script, style or handler, no HTML built from strings, no sentence in the scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "bot" / "webapp" / "static"
# The page's own scripts (the vendored telegram-web-app.js is Telegram's, checked by its hash).
OWN_SCRIPTS = sorted(p for p in STATIC.glob("*.js") if p.name != "telegram-web-app.js")


def test_the_shell_page_has_no_inline_script_style_or_handler() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.DOTALL)
    assert scripts and all(not body.strip() for body in scripts)
    assert all(
        re.search(r'\bsrc="static/[\w.-]+\.js"', tag)
        for tag in re.findall(r"<script\b[^>]*>", page)
    )
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert page.count("<main") == 1 and '<html lang="' in page and 'aria-live="polite"' in page


@pytest.mark.parametrize("script", OWN_SCRIPTS, ids=lambda p: p.name)
def test_no_script_builds_html_from_strings(script: Path) -> None:
    # String literals out first: el()'s list of the properties it refuses names some of them.
    code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', script.read_text(encoding="utf-8"))
    sinks = r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function"
    assert re.search(sinks, code) is None, f"{script.name} builds HTML from a string"
    # An inline style attribute is what the policy refuses (the CSSOM is allowed).
    assert not re.search(r"setAttribute\(\"style\"", code)


def test_the_shell_script_exports_exactly_the_contract() -> None:
    code = (STATIC / "app.js").read_text(encoding="utf-8")
    exported = set(re.findall(r"^export (?:async )?(?:function|class|const) (\w+)", code, re.M))
    assert exported == {
        "api", "send", "answerOf", "ApiError", "t", "el", "show", "back", "refresh", "haptic",
        "notify", "ask", "closeApp", "uid",
    }  # fmt: skip
    # No English sentence of its own: what it shows comes from t().
    assert not re.search(r'textContent\s*=\s*"[A-Za-z]', code)
