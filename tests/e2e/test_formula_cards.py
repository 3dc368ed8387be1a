"""A card with LaTeX on its front, imported and played through the sandbox: the question arrives
as a photo of the typeset formula with the readable text as its caption; a formula mathtext
cannot parse arrives as text only."""

from __future__ import annotations

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.test_media_cards import _play, _saved
from tests.media import media_package

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_formula_front_arrives_as_its_typeset_picture(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    data = media_package(
        [
            (r"Square of [$]\alpha^2[/$]", "alpha times alpha"),
            (r"\(\begin{pmatrix}a & b\end{pmatrix}\) as a row", "a matrix"),
        ],
        {},
        deck_name="Formulas",
    )
    await _saved(alice, bot, data, "formulas.apkg")
    questions = await _play(alice, 2)
    typeset = next(q for q in questions if q.photo is not None)
    assert typeset.photo is not None and typeset.photo.startswith(PNG)
    assert "Square of α²" in typeset.text and "[$]" not in typeset.text
    plain = next(q for q in questions if q.photo is None)
    assert "as a row" in plain.text and "\\begin" not in plain.text
