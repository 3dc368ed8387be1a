"""The vendored telegram-web-app.js is exactly what `make webapp` copied from the npm registry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "bot" / "webapp" / "static" / "telegram-web-app.js"
MANIFEST = ROOT / "webapp" / "vendored.sha256"
LOCK = ROOT / "webapp" / "package-lock.json"


def test_the_committed_script_is_the_one_make_webapp_copied() -> None:
    digest, _sep, path = MANIFEST.read_text(encoding="utf-8").strip().partition("  ")
    assert path == "bot/webapp/static/telegram-web-app.js"
    assert hashlib.sha256(VENDORED.read_bytes()).hexdigest() == digest, (
        "telegram-web-app.js differs from what `make webapp` copied: run `make webapp` again"
    )


def test_it_comes_from_the_pinned_package_with_its_checksum() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    sdk = lock["packages"]["node_modules/@twa-dev/sdk"]
    assert sdk["version"] == "8.0.2"
    assert sdk["integrity"].startswith("sha512-")


def test_it_is_a_plain_script_reading_the_launch_data_from_the_fragment() -> None:
    text = VENDORED.read_text(encoding="utf-8")
    assert "tgWebAppData" in text
    assert "\nexport " not in text and "\nimport " not in text
