"""Share links of owned decks and the decks people added from them (migration m024).

A link is its token: looked up by exact match only, never listed to anyone but its owner. A deck has
at most one active link; revoking one keeps its row (so the link can say it was revoked) and a new
Share makes a new token. A deck added from a link is a deck of its own, owned by whoever added it,
under a slug no import can make (`shared:` + part of the token); `deck_sources` says which deck it
came from and whether it follows that deck's later edits (bot.storage.decks.sync_deck passes them on).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards.model import Card, Deck
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.media import split_digests

KEPT_REVOKED = 5  # revoked links a deck keeps (to say "revoked"); older ones are forgotten
SLUG_PREFIX = "shared:"  # deck_slug (bot.cards.upload) never makes a ':', so no import lands here


@dataclass(frozen=True, slots=True)
class OwnedDeck:
    """One of the owner's decks as its share screen shows it."""

    id: int
    title: str
    cards: int
    added: int  # how many decks were added from it (copies and followers), still there


@dataclass(frozen=True, slots=True)
class ActiveLink:
    """A deck's link that people can add the deck from now."""

    token: str
    follow: bool


@dataclass(frozen=True, slots=True)
class FoundLink:
    """What a link leads to, as the database holds it now."""

    token: str
    deck_id: int
    owner_id: int
    owner_name: str
    title: str
    cards: int
    follow: bool
    revoked: bool


@dataclass(frozen=True, slots=True)
class SampleCard:
    """A card shown in a link's preview (formatted sides when the deck has them)."""

    front: str
    back: str
    front_html: str | None
    back_html: str | None


def shared_slug(token: str) -> str:
    """The slug a deck added from the link `token` is stored under for the one who adds it."""
    return SLUG_PREFIX + token[:16]


async def owned_deck(db: Database, owner_id: int, deck_id: int) -> OwnedDeck | None:
    """One of the owner's decks with its card count and how many decks were added from it."""
    row = await db.fetchone(
        """SELECT d.id, d.title,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0),
                  (SELECT COUNT(*) FROM deck_sources s WHERE s.source_deck_id = d.id)
             FROM decks d WHERE d.id = ? AND d.owner_id = ?""",
        (deck_id, owner_id),
    )
    return None if row is None else OwnedDeck(int(row[0]), str(row[1]), int(row[2]), int(row[3]))


async def active_link(db: Database, deck_id: int) -> ActiveLink | None:
    """The deck's active link, if it has one."""
    row = await db.fetchone(
        "SELECT token, follow FROM deck_links WHERE deck_id = ? AND revoked_at IS NULL", (deck_id,)
    )
    return None if row is None else ActiveLink(str(row[0]), bool(row[1]))


async def active_links_of(db: Database, owner_id: int) -> int:
    """How many active links the owner has."""
    row = await db.fetchone(
        "SELECT COUNT(*) FROM deck_links WHERE owner_id = ? AND revoked_at IS NULL", (owner_id,)
    )
    return int(row[0]) if row is not None else 0


async def create_link(
    db: Database, owner_id: int, deck_id: int, token: str, follow: bool, now: int
) -> ActiveLink | None:
    """Give one of the owner's decks an active link (`token`) unless it has one; returns the active
    link, or None when the deck is not the owner's."""
    async with db.transaction():
        # Two taps at once: the unique index on a deck's active link lets one insert win.
        await db.execute(
            """INSERT INTO deck_links (token, deck_id, owner_id, follow, created_at)
               SELECT ?, id, owner_id, ?, ? FROM decks WHERE id = ? AND owner_id = ?
               ON CONFLICT (deck_id) WHERE revoked_at IS NULL DO NOTHING""",
            (token, int(follow), now, deck_id, owner_id),
        )
        # A deck shared and revoked again and again keeps only its last few revoked links.
        await db.execute(
            """DELETE FROM deck_links
                WHERE deck_id = ? AND revoked_at IS NOT NULL
                  AND token NOT IN (SELECT token FROM deck_links
                                     WHERE deck_id = ? AND revoked_at IS NOT NULL
                                     ORDER BY revoked_at DESC, created_at DESC LIMIT ?)""",
            (deck_id, deck_id, KEPT_REVOKED),
        )
    return await active_link(db, deck_id)


async def revoke_link(db: Database, owner_id: int, deck_id: int, now: int) -> bool:
    """Revoke the deck's active link (decks already added from it stay); False if none was open."""
    changed = await db.execute(
        """UPDATE deck_links SET revoked_at = ?
            WHERE deck_id = ? AND owner_id = ? AND revoked_at IS NULL""",
        (now, deck_id, owner_id),
    )
    return changed > 0


async def set_follow(db: Database, owner_id: int, deck_id: int, follow: bool) -> bool:
    """Whether those who add the deck from its active link from now on follow its later edits."""
    changed = await db.execute(
        """UPDATE deck_links SET follow = ?
            WHERE deck_id = ? AND owner_id = ? AND revoked_at IS NULL""",
        (int(follow), deck_id, owner_id),
    )
    return changed > 0


async def find_link(db: Database, token: str) -> FoundLink | None:
    """The link with exactly this token, revoked or not, with its deck and owner as they are now."""
    row = await db.fetchone(
        """SELECT l.token, d.id, d.owner_id, u.first_name, d.title,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0),
                  l.follow, l.revoked_at
             FROM deck_links l
             JOIN decks d ON d.id = l.deck_id
             JOIN users u ON u.id = l.owner_id
            WHERE l.token = ?""",
        (token,),
    )
    if row is None:
        return None
    return FoundLink(
        token=str(row[0]),
        deck_id=int(row[1]),
        owner_id=int(row[2]),
        owner_name=str(row[3]),
        title=str(row[4]),
        cards=int(row[5]),
        follow=bool(row[6]),
        revoked=row[7] is not None,
    )


async def sample_cards(db: Database, deck_id: int, limit: int = 3) -> list[SampleCard]:
    """The deck's first cards, for a preview."""
    rows = await db.fetchall(
        """SELECT front, back, front_html, back_html FROM cards
            WHERE deck_id = ? AND retired = 0 ORDER BY position LIMIT ?""",
        (deck_id, limit),
    )
    return [SampleCard(str(r[0]), str(r[1]), r[2], r[3]) for r in rows]


async def added_from(db: Database, user_id: int, source_deck_id: int) -> int | None:
    """The user's deck added from `source_deck_id`, if they have one."""
    row = await db.fetchone(
        """SELECT d.id FROM deck_sources s JOIN decks d ON d.id = s.deck_id
            WHERE s.source_deck_id = ? AND d.owner_id = ?""",
        (source_deck_id, user_id),
    )
    return int(row[0]) if row is not None else None


async def stored_deck(db: Database, deck_id: int) -> Deck | None:
    """A deck's current cards as a Deck, pictures and sounds included (what a copy is made from);
    None if it has none."""
    title = await db.fetchone("SELECT title FROM decks WHERE id = ?", (deck_id,))
    cards = await db.fetchall(
        """SELECT front, back, reverse, front_html, back_html, front_media, front_more,
                  back_media FROM cards
            WHERE deck_id = ? AND retired = 0 ORDER BY position""",
        (deck_id,),
    )
    if title is None or not cards:
        return None
    return Deck(
        str(title[0]),
        tuple(
            Card(
                front=str(r[0]),
                back=str(r[1]),
                reverse=bool(r[2]),
                front_html=r[3],
                back_html=r[4],
                front_media=r[5],
                front_more=split_digests(r[6]),
                back_media=split_digests(r[7]),
            )
            for r in cards
        ),
    )


async def add_from_link(db: Database, user_id: int, link: FoundLink, deck: Deck, now: int) -> int:
    """Store `deck` (the link's deck as it is now) as the user's own, recorded as added from it and
    following its later edits when the link says so; returns the new deck's id."""
    # Cards and questions first (make_questions runs in a thread outside any transaction), then
    # where it came from. Two taps at once land on the same slug, so on the same deck.
    deck_id = await sync_deck(db, deck, shared_slug(link.token), user_id, now)
    await db.execute(
        """INSERT INTO deck_sources (deck_id, source_deck_id, follows, added_at)
           VALUES (?, ?, ?, ?) ON CONFLICT (deck_id) DO NOTHING""",
        (deck_id, link.deck_id, int(link.follow), now),
    )
    return deck_id
