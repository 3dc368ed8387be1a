"""Every sentence a person reads lives in bot/views/: no other module words a toast, a reply,
a notice or a button label itself.

The check reads the source with `ast`. A text counts as user-facing when it reaches a call that
shows text to a person (a toast, a message sent or edited, a refusal handed to a handler, a
button label): as a literal or f-string right there, or as an UPPER_CASE module constant holding
one (named in the module, imported from another one, or reached as `module.NAME`). Log calls,
exception messages for operators, SQL and docstrings never reach such a call, so they do not
count; neither do bot/views/ itself, the sandbox (a stand-in for Telegram) and the command line
(bot/__main__.py prints for operators).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

# Calls whose text arguments a person reads.
SHOWING_CALLS = frozenset(
    {
        "answer",  # CallbackQuery.answer: a toast
        "answer_callback_query",
        "reply_text",
        "reply_html",
        "send_message",
        "send_html",
        "edit_html",
        "edit_text",
        "edit_message_text",
        "edit_message_caption",
        "send_photo",
        "send_document",
        "Refusal",  # bot.services.views.Refusal: a toast a handler shows
        "Refused",  # bot.services.battles.Refused
        "Toast",  # bot.core.battle_effects.Toast
        "InlineKeyboardButton",
        "KeyboardButton",
    }
)
# Keyword arguments of those calls that carry no words for people.
NOT_TEXT_KEYWORDS = frozenset(
    {"callback_data", "parse_mode", "url", "filename", "switch_inline_query", "cache_time"}
)
OUTSIDE_THE_RULE = ("views/", "sandbox/", "__main__.py")

# Modules being rewritten by other work right now: their sentences move to bot/views/ with that
# work. Tighten this list (down to empty) as they do.
BEING_MOVED: frozenset[str] = frozenset()
BEING_MOVED_DIRS = ("storage/schema/",)

_LETTER = re.compile(r"[^\W\d_]")
_UPPER = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A text some person would read, worded outside bot/views/."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"bot/{self.path}:{self.line}: {self.text!r}"


def _modules() -> dict[str, tuple[str, ast.Module]]:
    """Every module of bot/: dotted name -> (path relative to bot/, its tree)."""
    found = {}
    for file in sorted(BOT.rglob("*.py")):
        relative = file.relative_to(BOT).as_posix()
        dotted = "bot." + relative.removesuffix(".py").replace("/", ".")
        dotted = dotted.removesuffix(".__init__")
        found[dotted] = (relative, ast.parse(file.read_text(encoding="utf-8"), str(file)))
    return found


def _words(node: ast.expr) -> str | None:
    """The literal words of a string expression (a constant, an f-string, a concatenation)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        parts = [_words(node.left), _words(node.right)]
        joined = "".join(p for p in parts if p is not None)
        return joined if any(p is not None for p in parts) else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")  # "…{x}".format(x=…), " ".join(…)
    ):
        return _words(node.func.value)
    return None


def _constants(tree: ast.Module) -> dict[str, tuple[int, str]]:
    """The module's UPPER_CASE string constants: name -> (line, words)."""
    constants = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and _UPPER.match(target.id) and value is not None:
                words = _words(value)
                if words is not None:
                    constants[target.id] = (statement.lineno, words)
    return constants


def _imported(tree: ast.Module, here: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Names imported from other modules (local -> (module, name)) and module aliases."""
    names: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    package = here.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{source}" if source else base
            for alias in node.names:
                local = alias.asname or alias.name
                names[local] = (source, alias.name)
                modules[local] = f"{source}.{alias.name}"  # `from bot.views import battle`
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
    return names, modules


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _text_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of a showing call that may carry words (looking into `a if c else b`)."""
    pending: list[ast.expr] = list(call.args)
    pending += [k.value for k in call.keywords if k.arg not in NOT_TEXT_KEYWORDS]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.IfExp):
            pending += [node.body, node.orelse]
        elif isinstance(node, ast.BoolOp):
            pending += node.values
        else:
            yield node


def _is_sentence(words: str) -> bool:
    return _LETTER.search(words) is not None


def find_sentences(modules: dict[str, tuple[str, ast.Module]]) -> list[Sentence]:
    """Every user-facing text worded outside bot/views/ (and the places outside the rule)."""
    constants = {name: _constants(tree) for name, (_path, tree) in modules.items()}
    found: set[Sentence] = set()
    for dotted, (path, tree) in modules.items():
        if path.startswith(OUTSIDE_THE_RULE) or "/views/" in f"/{path}":
            continue
        names, aliases = _imported(tree, dotted)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _called_name(call) not in SHOWING_CALLS:
                continue
            for argument in _text_arguments(call):
                words = _words(argument)
                if words is not None:
                    if _is_sentence(words):
                        found.add(Sentence(path, argument.lineno, words))
                    continue
                home, name = dotted, None
                if isinstance(argument, ast.Name):
                    name = argument.id
                    if name not in constants[dotted] and name in names:
                        home, name = names[name]
                elif isinstance(argument, ast.Attribute) and isinstance(argument.value, ast.Name):
                    home, name = aliases.get(argument.value.id, ""), argument.attr
                if name is None or home not in modules:
                    continue
                home_path = modules[home][0]
                if home_path.startswith("views/"):
                    continue
                worded = constants[home].get(name)
                if worded is not None and _is_sentence(worded[1]):
                    found.add(Sentence(home_path, worded[0], worded[1]))
    return sorted(found, key=lambda s: (s.path, s.line))


def _being_moved(sentence: Sentence) -> bool:
    return sentence.path in BEING_MOVED or sentence.path.startswith(BEING_MOVED_DIRS)


def test_every_sentence_lives_in_views() -> None:
    stray = [s for s in find_sentences(_modules()) if not _being_moved(s)]
    assert not stray, "word these in bot/views/ and import them:\n" + "\n".join(map(str, stray))


def _one_module(path: str, source: str) -> dict[str, tuple[str, ast.Module]]:
    dotted = "bot." + path.removesuffix(".py").replace("/", ".")
    return {dotted: (path, ast.parse(source))}


@pytest.mark.parametrize(
    "source",
    [
        'async def f(query):\n    await query.answer("Some new sentence")\n',
        'async def f(query):\n    await query.answer("Deleted")\n',
        'async def f(query, n):\n    await query.answer(f"{n} cards saved")\n',
        'async def f(query, ok):\n    await query.answer("Set" if ok else "Off")\n',
        'GONE = "This is gone"\nasync def f(query):\n    await query.answer(GONE)\n',
        'async def f(bot):\n    await send_html(bot, 1, "Hello there")\n',
        'def f():\n    return InlineKeyboardButton("Join", callback_data="b:1:join")\n',
        'def f():\n    return Refusal("Send /start first")\n',
    ],
)
def test_a_sentence_outside_views_is_found(source: str) -> None:
    assert find_sentences(_one_module("handlers/new.py", source))


@pytest.mark.parametrize(
    "source",
    [
        'import logging\nlog = logging.getLogger(__name__)\nlog.info("sent the reminder %s", 1)\n',
        'def f(x):\n    raise ValueError(f"unknown time zone: {x!r}")\n',
        'async def f(db):\n    await db.execute("SELECT id FROM users WHERE id = ?", (1,))\n',
        'def f():\n    """A docstring, words and all."""\n',
        'def f():\n    return InlineKeyboardButton("✅", callback_data="q:1:ok")\n',
        "async def f(query):\n    await query.answer()\n",
        "from bot.views import texts\nasync def f(query):\n    await query.answer(texts.GONE)\n",
    ],
)
def test_operator_texts_and_view_words_are_not_found(source: str) -> None:
    assert not find_sentences(_one_module("handlers/new.py", source))
