"""The built wheel, installed into a fresh virtualenv outside the checkout, works on its own: its
bundled decks, the `quizmaster` command, an offline quiz and a reader process, all run from the
installed copy, as after `pip install .` on a server or in a container image."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.views.i18n import LOCALES

REPO = Path(__file__).resolve().parents[2]
DECK = "khrushchev-reforms"
QUIZ = "/start\n/quiz\n1\n:quit\n"  # start, a question, an answer tapped, then leave
TIMEOUT = 120
# A paste read by a reader process of the installed package (bot.reader.pool starts it).
READ_A_PASTE = """
import asyncio
from pathlib import Path

from bot.reader.pool import ReaderPool
from bot.reader.protocol import Read


async def fill(path: Path) -> None:
    path.write_bytes(b"Capitals\\nFrance :: Paris\\nSpain :: Madrid")


async def main() -> None:
    read = await ReaderPool().read(1, "paste", "", fill)
    assert isinstance(read, Read), read
    print(read.digest.title, read.digest.cards)


asyncio.run(main())
"""


@dataclass(frozen=True)
class Installed:
    """The wheel installed in a fresh virtualenv, and a folder outside the checkout to run in."""

    wheel: Path
    python: Path
    quizmaster: Path
    site: Path  # the fresh virtualenv's site-packages
    workdir: Path
    env: dict[str, str]

    def run(
        self, *command: str | Path, stdin: str = "", **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run `command` in the work folder with the installed copy's environment (and `env`)."""
        return subprocess.run(
            [str(part) for part in command],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={**self.env, **env},
            timeout=TIMEOUT,
            check=False,
        )


def setuptools_builds_wheels() -> bool:
    """Whether this environment's setuptools can build the wheel itself (70.1+ has bdist_wheel)."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (70, 1)


def pip(*arguments: str | Path) -> None:
    """Run this environment's pip, failing with its output."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def build_wheel(folder: Path) -> Path:
    """Build the project's wheel from a copy of its sources, so that no `build/` folder left in
    the checkout by an earlier build can slip stale files into it."""
    source = folder / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "bot", source / "bot", ignore=skip)
    shutil.copytree(REPO / "data", source / "data", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    # With a new enough setuptools here, nothing is fetched; otherwise pip gets the one pyproject
    # asks for from its configured index, as `pip install .` does.
    isolation = () if not setuptools_builds_wheels() else ("--no-build-isolation",)
    pip("wheel", "--no-deps", "--quiet", *isolation, "--wheel-dir", folder / "dist", source)
    (wheel,) = (folder / "dist").glob("quizmaster-*.whl")
    return wheel


def site_packages(python: Path) -> Path:
    """The site-packages folder of the interpreter `python`."""
    done = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel, install it alone into a fresh virtualenv, and lend it this environment's
    dependencies (nothing is downloaded)."""
    folder = tmp_path_factory.mktemp("wheel")
    assert not folder.resolve().is_relative_to(REPO)
    wheel = build_wheel(folder)
    venv = folder / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT
    )
    python = venv / "bin" / "python"
    # pip of this environment installs into the new one; its scripts point at the new python.
    pip("--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel)
    site = site_packages(python)
    # The dependencies installed here, put after the wheel's own folder: a path line of a .pth
    # file adds the folder only, without running its .pth files (this project's editable finder).
    lent = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    assert str(REPO) not in lent
    (site / "lent-dependencies.pth").write_text("".join(f"{path}\n" for path in lent))
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("BOT_TOKEN", "DATABASE_URL", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', os.defpath)}"
    workdir = folder / "work"
    workdir.mkdir()
    return Installed(wheel, python, venv / "bin" / "quizmaster", site, workdir, env)


def wheel_names(wheel: Path) -> set[str]:
    """The paths of the files in `wheel`."""
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def checkout_files(folder: Path, patterns: Sequence[str]) -> set[Path]:
    """The files under `folder` matching `patterns`, outside `__pycache__`."""
    found = {path for pattern in patterns for path in folder.rglob(pattern)}
    return {path for path in found if "__pycache__" not in path.parts}


def test_the_wheel_carries_every_module_the_schema_and_the_bundled_decks(
    installed: Installed,
) -> None:
    names = wheel_names(installed.wheel)
    code = checkout_files(REPO / "bot", ("*.py", "*.sql"))
    missing = {str(path.relative_to(REPO)) for path in code} - names
    assert not missing, f"add their packages to [tool.setuptools] packages: {sorted(missing)}"
    decks = {f"bot/decks/{path.name}" for path in (REPO / "data" / "decks").glob("*.toml")}
    assert f"bot/decks/{DECK}.toml" in decks
    assert decks <= names
    starters = (REPO / "data" / "decks" / "catalogue").glob("*.toml")
    catalogue = {f"bot/decks/catalogue/{path.name}" for path in starters}
    assert len(catalogue) >= 8 and catalogue <= names  # the starter catalogue /start offers
    assert "bot/core/places.tsv.gz" in names  # /timezone's place names (package data)
    # The Mini App's page and the scripts it loads, served by the bot itself.
    pages = (REPO / "bot" / "webapp" / "static").glob("*.*")
    static = {
        str(path.relative_to(REPO)) for path in pages if path.suffix in {".html", ".css", ".js"}
    }
    assert "bot/webapp/static/telegram-web-app.js" in static and static <= names
    # The interface's compiled catalogues, one per language but English (the source language).
    catalogues = {
        str(path.relative_to(REPO)) for path in (REPO / "bot" / "locales").glob("*/*/*.mo")
    }
    assert len(catalogues) == len(LOCALES) - 1 and catalogues <= names
    (entry_points,) = (name for name in names if name.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(installed.wheel) as archive:
        scripts = archive.read(entry_points).decode().replace(" ", "").splitlines()
    assert "quizmaster=bot.__main__:main" in scripts


def test_bot_is_imported_from_the_installed_wheel_not_the_checkout(installed: Installed) -> None:
    done = installed.run(
        installed.python, "-c", "import sys, bot; print(bot.__file__); print(*sys.path, sep='\\n')"
    )
    assert done.returncode == 0, done.stderr
    where, *path = done.stdout.splitlines()
    assert Path(where).is_relative_to(installed.site)
    assert str(REPO) not in path  # '' is there too: the work folder, outside the checkout


def test_deck_check_reads_the_bundled_deck_of_the_installed_package(installed: Installed) -> None:
    deck = installed.site / "bot" / "decks" / f"{DECK}.toml"
    for command in ((installed.quizmaster,), (installed.python, "-m", "bot")):
        done = installed.run(*command, "deck", "check", deck)
        assert done.returncode == 0, done.stderr
        title = done.stdout.splitlines()[0]
        assert title.startswith("Khrushchev") and title.endswith(" cards")


def test_the_quizmaster_command_offers_every_subcommand(installed: Installed) -> None:
    done = installed.run(installed.quizmaster, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: quizmaster ")  # it names itself as it was called
    for command in ("run", "play", "deck", "db"):
        assert command in done.stdout


@pytest.mark.parametrize(
    "command", [("quizmaster", "play"), ("python", "-m", "bot")], ids=["quizmaster-play", "m-bot"]
)
def test_a_short_quiz_offline_from_the_installed_package(
    installed: Installed, command: tuple[str, ...]
) -> None:
    program = installed.quizmaster if command[0] == "quizmaster" else installed.python
    database = installed.workdir / f"{command[-1]}.sqlite3"
    done = installed.run(
        program, *command[1:], stdin=QUIZ, DATABASE_URL=f"sqlite:///{database.name}"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "I'm Quizmaster" in done.stdout
    assert "Question 1/" in done.stdout and "Khrushchev" in done.stdout
    assert "Next review of this question" in done.stdout  # the tapped answer was scheduled
    assert database.exists()


def test_a_reader_process_of_the_installed_package_reads_a_paste(installed: Installed) -> None:
    done = installed.run(installed.python, "-c", READ_A_PASTE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Capitals", "2"]
