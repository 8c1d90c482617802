"""PostgreSQL confirms the event entries it can, so that verification recomputes only the others in Python.

Verifying a chain recomputes each event's canonical form from its row and compares its hash with the entry's
(``verify``). Done in Python, that is about 20 µs an entry, 20 s for a register of a million events. The
database can do most of it itself, in parallel workers, without sending the rows: for each event entry it
renders the event's row the way ``canonical.event_canonical`` does (the same keys in the same order, JSON
strings escaped the same way, times as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, personal fields salted with the
entry's salts) around the entry's own payload text, and checks that

- the entry's stored text hashes to the entry's hash,
- that text is the row's rendering: every field but the payload compared as text, the payload as JSON
  (``jsonb``'s text of both, which keeps number scales, so ``1`` and ``1.0`` differ as they do in Python).

An entry so confirmed is one Python would have found intact: its stored text is what was hashed when the
change was made, and it says what the row says. Anything else (a mismatch, a float the database renders
otherwise than Python, a missing event) is merely left unconfirmed, and Python verifies it as before and says
what differs: this path can only skip work, never hide an alteration. A stored text that is not JSON although
its hash holds (a forger who rewrote both) makes the payload cast fail; the caller then verifies everything in
Python (see ``unconfirmed``).

The rendering below is built from ``RENDERED``, one SQL expression per key; a test holds its keys to those of
``event_canonical``, and another checks that the database confirms every entry of honest chains of all shapes.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import FORMAT


def _string(column: str) -> str:
    """A text column as a JSON string (or null): PostgreSQL's escaping of JSON strings is Python's with
    ``ensure_ascii=False`` (the short escapes, ``\\u00XX`` for other control characters, nothing else)."""
    return f"coalesce(to_json({column})::text, 'null')"


def _number(column: str) -> str:
    return f"coalesce({column}::text, 'null')"


def _time(column: str) -> str:
    return f"""'"' || to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'"""


def _salted(name: str) -> str:
    """``{"h": sha256(salt || 0x00 || value)}``, ``{"h": null}`` once the salt is erased, null without a
    value."""
    salt = f"a.salts ->> '{name}'"
    return (
        # (``\\:`` is a colon to SQLAlchemy's text(), not a bound parameter)
        f"CASE WHEN ev.{name} IS NULL THEN 'null' WHEN {salt} IS NULL THEN '{{\"h\"\\:null}}' "
        f"""ELSE '{{"h":"' || encode(sha256(convert_to({salt}, 'UTF8') || '\\x00'::bytea """
        f"""|| convert_to(ev.{name}, 'UTF8')), 'hex') || '"}}' END"""
    )


# The keys of an event entry in the order canonical JSON sorts them, each with its SQL rendering; the payload
# (None here) is the entry's own text, checked as JSON against the row's.
RENDERED: tuple[tuple[str, str | None], ...] = (
    ("actor", _salted("actor")),
    ("actor_role", _string("ev.actor_role")),
    ("at", _time("a.recorded_at")),
    ("comment", _salted("comment")),
    ("engagement_id", _string("ev.engagement_id")),
    ("event", _string("ev.event")),
    ("from_state", _string("ev.from_state")),
    ("id", _number("ev.id")),
    ("kind", "'\"event\"'"),
    ("occurred_at", _time("ev.occurred_at")),
    ("payload", None),
    ("prev", _string("a.prev_hash")),  # escaped too: a forged prev must render as Python renders it
    ("seq", _number("a.seq")),
    ("step_id", _number("ev.step_id")),
    ("step_key", _string("ev.step_key")),
    ("to_state", _string("ev.to_state")),
    ("v", f"'{FORMAT}'"),
    ("version", _number("ev.version")),
)


def _rendering(keys: tuple[tuple[str, str | None], ...], opening: str) -> str:
    parts = [f"'{opening}\"{key}\":' || {sql}" for key, sql in keys]
    return " || ".join(parts)


_PAYLOAD = [key for key, _ in RENDERED].index("payload")
assert RENDERED[_PAYLOAD + 1][0] == "prev"
# The entry's text is cut in four: what precedes the first ',"payload":' (no JSON string holds an unescaped
# quote, so only the payload can hold that sequence, and it comes after), the payload (up to the next
# ',"prev":'), and what follows the last ',"prev":'. The lengths must add up: a payload that holds either
# sequence itself is cut wrong, and is left to Python rather than parsed.
_HEAD = """split_part(a.canonical, ',"payload":', 1)"""
_BODY = """split_part(split_part(a.canonical, ',"payload":', 2), ',"prev":', 1)"""
_TAIL = """split_part(a.canonical, ',"prev":', -1)"""
_BEFORE = _rendering(RENDERED[:1], "{") + " || " + _rendering(RENDERED[1:_PAYLOAD], ",")
_AFTER = f"{RENDERED[_PAYLOAD + 1][1]} || {_rendering(RENDERED[_PAYLOAD + 2 :], ',')} || '}}'"
_CONFIRMED = f"""CASE WHEN ev.id IS NULL OR ev.engagement_id <> a.engagement_id THEN false
    WHEN encode(sha256(convert_to(a.canonical, 'UTF8')), 'hex') = a.hash
        AND {_HEAD} = {_BEFORE}
        AND {_TAIL} = {_AFTER}
        AND octet_length({_HEAD}) + octet_length({_BODY}) + octet_length({_TAIL}) + 19
            = octet_length(a.canonical)
    THEN {_BODY}::jsonb::text = ev.payload::text
    ELSE false END"""


def _unconfirmed_query(one_engagement: bool) -> str:
    where = "AND a.engagement_id = :engagement_id" if one_engagement else ""
    # Fetched at once, LIMIT bounding it: a cursor would forbid PostgreSQL's parallel workers.
    return f"""
        (SELECT a.engagement_id, a.seq FROM audit_entries a LEFT JOIN events ev ON ev.id = a.ref_id
        WHERE a.kind = 'event' {where} AND NOT coalesce({_CONFIRMED}, false))
        UNION ALL
        -- every entry of an event chained more than once: Python tells the first from the others
        (SELECT a.engagement_id, a.seq FROM audit_entries a WHERE a.kind = 'event' {where} AND a.ref_id IN (
            SELECT ref_id FROM audit_entries WHERE kind = 'event' {where.replace("a.", "")}
            GROUP BY ref_id HAVING count(*) > 1))
        LIMIT {MOST_LISTED + 1}
    """


# Beyond this many, verification reads every entry rather than the list of those to read.
MOST_LISTED = 10_000
_UNCONFIRMED = {one: text(_unconfirmed_query(one)) for one in (False, True)}


def unconfirmed(session: Session, engagement_id: str | None) -> set[tuple[str, int]] | None:
    """The event entries (engagement, seq) the database could not confirm, or None when Python is to verify
    every entry: another database than PostgreSQL, too many to list, or a stored text that is not JSON.
    Read in the caller's transaction (its snapshot), under a savepoint that a failed cast rolls back."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    query = _UNCONFIRMED[engagement_id is not None]
    params = {"engagement_id": engagement_id} if engagement_id is not None else {}
    try:
        with session.begin_nested():
            listed = {(chain, seq) for chain, seq in session.execute(query, params)}
    except DBAPIError:
        return None
    return listed if len(listed) <= MOST_LISTED else None
