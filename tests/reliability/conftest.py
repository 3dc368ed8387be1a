"""Reliability tests reuse the end-to-end fixtures: the sandbox and the real bot polling it."""

from __future__ import annotations

from tests.e2e.conftest import bot, sandbox

__all__ = ["bot", "sandbox"]
