"""A local, faithful Telegram Bot API for tests and offline play.

`server.SandboxServer` serves the Bot API over HTTP on 127.0.0.1; `driver` acts as people
(send, tap, wait); `terminal.run_terminal` lets a person chat with the bot in a terminal;
`faults` and `ratelimit` make it misbehave and judge flooding like Telegram.
"""
