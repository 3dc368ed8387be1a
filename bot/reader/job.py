"""One reading as the bot hands it to a reader process: what to read, and under which limits.

Kept apart from the parsers so that a reader can put its limits on itself before it imports them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from bot.reader.limits import Limits

JOB_VARIABLE = "QUIZMASTER_READER_JOB"
Kind = Literal["file", "paste"]


@dataclass(frozen=True, slots=True)
class Job:
    """One reading: a file (named, for its extension and the messages) or a paste."""

    kind: Kind
    filename: str
    limits: Limits
    parent: int  # the bot's pid: the reader dies with it

    def to_env(self) -> str:
        """The job as the environment variable's value."""
        return json.dumps(
            {
                "kind": self.kind,
                "filename": self.filename,
                "limits": self.limits.as_json(),
                "parent": self.parent,
            }
        )

    @classmethod
    def from_env(cls, value: str) -> Job:
        """The job back from `to_env`."""
        raw = json.loads(value)
        kind: Kind = "paste" if raw["kind"] == "paste" else "file"
        return cls(kind, str(raw["filename"]), Limits.from_json(raw["limits"]), int(raw["parent"]))
