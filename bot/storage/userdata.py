"""A user's own data: everything /export hands over and everything /forget deletes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database

# Columns that name a user, whatever table they are in (tables added by later features included).
# A private chat's id is its user's id; group chat ids are negative, so they never match one.
# The inbox keys a private chat's raw updates (the user's own words) by `chat_key`.
USER_COLUMNS = frozenset({"user_id", "owner_id", "chat_id", "chat_key"})
USER_COLUMN_SUFFIX = "_user_id"
# Columns that name a user on a row that belongs to a group (a battle's host): the row stays for
# the group's history and the mention is replaced by 0, "somebody".
ANONYMISED_COLUMNS = frozenset({"host_id"})
# A chat lease names no one and is in use while /forget itself runs. A battle's players are
# deleted by /forget's battle step, after the user row: the battles that took the person in while
# they were being forgotten are then known (see UserDataService.forget).
KEEP_TABLES = frozenset({"users", "_migrations", "chat_leases", "battle_players"})


@dataclass(frozen=True, slots=True)
class ProgressRow:
    """One question the user has a schedule for."""

    question_id: int
    deck: str
    kind: str
    prompt: str
    answer: str
    state: int
    due: int
    stability: float | None
    difficulty: float | None
    reviews: int
    lapses: int
    last_review: int | None


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One answer from the user's review log."""

    review_id: int
    reviewed_at: int
    local_day: str
    question_id: int
    deck: str
    kind: str
    prompt: str
    rating: int
    correct: int | None  # 1 right, 0 wrong, None self-graded
    outcome: str
    given: str | None
    duration_ms: int | None
    state: int
    due: int
    stability: float | None
    difficulty: float | None


async def progress_rows(db: Database, user_id: int) -> list[ProgressRow]:
    """Every schedule the user has, deck by deck, question by question."""
    rows = await db.fetchall(
        """SELECT q.id, d.title, q.kind, q.prompt, q.answer, r.state, r.due, r.stability,
                  r.difficulty, r.reps, r.lapses, r.last_review
             FROM review_states r
             JOIN questions q ON q.id = r.question_id
             JOIN decks d ON d.id = q.deck_id
            WHERE r.user_id = ?
            ORDER BY d.title, q.deck_id, q.id""",
        (user_id,),
    )
    return [ProgressRow(*r) for r in rows]


async def review_rows(db: Database, user_id: int) -> list[ReviewRow]:
    """The user's whole review log, oldest first."""
    rows = await db.fetchall(
        """SELECT r.id, r.reviewed_at, r.local_day, r.question_id, d.title, q.kind, q.prompt,
                  r.rating, r.correct, r.outcome, r.given, r.duration_ms, r.state, r.due,
                  r.stability, r.difficulty
             FROM reviews r
             JOIN questions q ON q.id = r.question_id
             JOIN decks d ON d.id = q.deck_id
            WHERE r.user_id = ?
            ORDER BY r.reviewed_at, r.id""",
        (user_id,),
    )
    return [ReviewRow(*r) for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_user_column(name: str) -> bool:
    """Whether a column's name says it holds a user id (or a user's private chat id)."""
    lowered = name.lower()
    return (
        lowered in USER_COLUMNS
        or lowered.endswith(USER_COLUMN_SUFFIX)
        or lowered in ANONYMISED_COLUMNS
    )


async def user_columns(db: Database) -> dict[str, list[str]]:
    """Every table's columns that hold a user id: by their name, or by a foreign key to users."""
    if db.dialect == "postgres":
        named = await db.fetchall(
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema()"""
        )
        linked = await db.fetchall(
            """SELECT k.table_name, k.column_name
                 FROM information_schema.table_constraints t
                 JOIN information_schema.key_column_usage k
                   ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
                 JOIN information_schema.constraint_column_usage u
                   ON u.constraint_name = t.constraint_name AND u.table_schema = t.table_schema
                WHERE t.constraint_type = 'FOREIGN KEY' AND t.table_schema = current_schema()
                  AND u.table_name = 'users'"""
        )
    else:
        named = await db.fetchall(
            """SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"""
        )
        linked = await db.fetchall(
            """SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
                WHERE m.type = 'table' AND lower(f."table") = 'users'"""
        )
    links = {(str(t), str(c)) for t, c in linked}
    found: dict[str, list[str]] = {}
    for table, column in named:
        if table not in KEEP_TABLES and (is_user_column(column) or (table, column) in links):
            found.setdefault(table, []).append(column)
    return found


async def forget_user(db: Database, user_id: int) -> int:
    """Delete every row about the user in every table (owned decks included); returns how many
    rows went. Rows that belong to a group keep their place with the user's mention set to 0."""
    columns = await user_columns(db)
    removed = 0
    async with db.transaction():
        for table, names in sorted(columns.items()):
            for column in names:
                if column.lower() in ANONYMISED_COLUMNS:
                    sql = f"UPDATE {_quote(table)} SET {_quote(column)} = 0 WHERE {_quote(column)} = ?"
                else:
                    sql = f"DELETE FROM {_quote(table)} WHERE {_quote(column)} = ?"
                removed += max(await db.execute(sql, (user_id,)), 0)
        removed += max(await db.execute("DELETE FROM users WHERE id = ?", (user_id,)), 0)
        # An inline quiz's message names its first right answerer: the name goes, and the 0 left
        # ("somebody") keeps a later right answer from taking their place.
        removed += max(
            await db.execute(
                """UPDATE inline_quizzes SET first_right_id = 0, first_right_name = NULL
                    WHERE first_right_id = ?""",
                (user_id,),
            ),
            0,
        )
        # Handled updates of other chats (a group) that carry the user (as sender, or quoted)
        # are kept a day for their update_id alone: those go now. Pending ones are still owed to
        # their chat. Stored JSON is compact, so the user is `"id":N` followed by `,` or `}`.
        removed += max(
            await db.execute(
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND (payload LIKE ? OR payload LIKE ?)",
                (f'%"id":{user_id},%', f'%"id":{user_id}}}%'),
            ),
            0,
        )
    return removed
