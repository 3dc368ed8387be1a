"""The page keeps one way of doing each thing: one yes/no question (app.js's ask), one danger red
(app.css's, for light and dark themes)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "bot" / "webapp" / "static"
OWN_SCRIPTS = sorted(p for p in STATIC.glob("*.js") if p.name != "telegram-web-app.js")
OWN_STYLES = sorted(STATIC.glob("*.css"))


def test_only_app_js_asks_and_the_screens_ask_through_it() -> None:
    for script in OWN_SCRIPTS:
        code = script.read_text(encoding="utf-8")
        if script.name == "app.js":
            continue
        # Telegram's popup or the browser's dialog is app.js's choice, made in one place.
        assert not re.search(r"\bconfirm\(", code), f"{script.name} asks by itself"
        assert "showConfirm" not in code and "TelegramWebviewProxy" not in code, script.name
    decks = (STATIC / "decks.js").read_text(encoding="utf-8")
    assert "await ask(t(" in decks


def test_the_danger_red_is_set_once_for_both_themes() -> None:
    setting = re.compile(r"--danger\s*:")
    owners = [style.name for style in OWN_STYLES if setting.search(style.read_text("utf-8"))]
    assert owners == ["app.css"]
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    dark_rules = re.findall(r':root\[data-scheme="dark"\]\s*\{([^}]*)\}', css)
    assert any(setting.search(rule) for rule in dark_rules)
