"""The process's exit codes, one meaning each, so that a service manager can act on them.

A service manager restarts a bot that failed; for some failures a restart cannot help or does
harm, and those have codes of their own to list in systemd's `RestartPreventExitStatus=`
(README, *Exit codes*): bad settings (2), a refused token (3), a database file gone (4) and
another process polling with the same token (6). A start-up failure (5) is worth retrying: the
database server or the network may be back a minute later.
"""

from __future__ import annotations

EXIT_OK = 0
# An error with no code of its own (Python too exits 1 on an uncaught exception); also a stop the
# watchdog had to force, 9 s after SIGTERM.
EXIT_FAILURE = 1
EXIT_STOP_FORCED = EXIT_FAILURE
# A setting or command-line argument that cannot be used; argparse exits 2 on a bad command line.
EXIT_BAD_SETTINGS = 2
# The Bot API refused BOT_TOKEN (401): revoked or wrong, until someone sets a new one.
EXIT_TOKEN_REFUSED = 3
# The SQLite file was deleted or replaced under the running bot: a restart would start afresh on
# an empty database, so someone has to look first.
EXIT_DATABASE_GONE = 4
# The bot could not start: the database or the Bot API unreachable, the webhook port taken.
EXIT_STARTUP_FAILED = 5
# Another process polls with this token (409 Conflict): this one gave way; restarting it would
# knock the other one off in turn, and so on forever.
EXIT_CONFLICT = 6
