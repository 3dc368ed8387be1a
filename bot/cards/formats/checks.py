"""Helpers shared by the file formats."""

from __future__ import annotations

from pathlib import Path


def title_from_filename(filename: str, fallback: str = "Imported deck") -> str:
    """A readable deck title from a file name: `spanish_verbs.csv` → `spanish verbs`."""
    stem = Path(filename.replace("\\", "/")).stem
    title = " ".join(stem.replace("_", " ").split())
    return title or fallback
