"""A reader process: `python -m bot.reader.child`, started by the bot for one file or paste.

It puts its limits on itself before it reads a byte, reads standard input, parses it as the job
says and writes its answer to standard output (see `protocol`). Expected failures are answers;
anything else is a bug, told as such, with the traceback on standard error for the bot's log.
"""

from __future__ import annotations

import os
import sys

from bot.reader.job import JOB_VARIABLE, Job
from bot.reader.limits import limit_self


def main() -> int:
    """Read one job and answer it; the exit code is 0 whenever an answer was written."""
    job = Job.from_env(os.environ[JOB_VARIABLE])
    limit_self(job.limits, job.parent)
    # The parsers are imported only now, under the limits.
    from bot.reader.reading import answer

    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        out.write(answer(job, data))
    except MemoryError:
        from bot.reader.protocol import crashed_line

        out.write(crashed_line("memory"))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
