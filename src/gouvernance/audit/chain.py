"""Appending to an engagement's chain, in the caller's transaction.

Appends to one engagement take turns on its row's lock, so that the chain cannot fork: the door takes it when
it reads the row it changes (``load_subject(…, lock=True)``, engagement first, before any other row, so that
transitions that also change other rows cannot deadlock on it) and hands the head it read to ``remember``;
``lock`` takes it for the other writers; an append that finds no head remembered claims the next number
itself (``UPDATE … SET audit_seq = audit_seq + 1 … RETURNING``: the row's lock on PostgreSQL; on SQLite the
write transaction holds the database's write lock from BEGIN IMMEDIATE on). The database moves the head
(``engagements.audit_seq``, ``audit_head``) to each entry it stores (trigger of migration 0022).

Once the transaction holds the lock, the head can only move by its own appends: it is remembered for the
transaction (``session.info``), so that an append is one INSERT. On PostgreSQL the door's event entry is not
even that: ``event_entry`` renders it around the event's id, and the statement that writes the event stores
the entry too (``entry_cte``), hashing it there (``sha256``), so that the chain costs no round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CTE, Dialect, Table, Text, bindparam, func, insert, literal, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import (
    FIELDS,
    canonical,
    digest,
    event_canonical,
    event_canonical_around_id,
    new_salts,
)
from gouvernance.audit.records import AuditEntryRow
from gouvernance.engagements.records import EngagementRow

_ENGAGEMENTS = cast(Table, EngagementRow.__table__)
_ENTRIES = cast(Table, AuditEntryRow.__table__)

_LOCK = (
    select(_ENGAGEMENTS.c.audit_seq, _ENGAGEMENTS.c.audit_head)
    .where(_ENGAGEMENTS.c.id == bindparam("e_id"))
    .with_for_update(key_share=True)
)
_CLAIM = (
    update(_ENGAGEMENTS)
    .where(_ENGAGEMENTS.c.id == bindparam("e_id"))
    .values(audit_seq=_ENGAGEMENTS.c.audit_seq + 1)
    .returning(_ENGAGEMENTS.c.audit_seq, _ENGAGEMENTS.c.audit_head)
)
_INSERT = insert(_ENTRIES)


def lock(session: Session, engagement_id: str) -> None:
    """Takes the engagement's chain lock now (PostgreSQL; SQLite's write transaction holds it already), and
    remembers its head for this transaction's appends."""
    seq, head = session.connection().execute(_LOCK, {"e_id": engagement_id}).one()
    remember(session, engagement_id, seq, head)


def remember(session: Session, engagement_id: str, seq: int, head: str | None) -> None:
    """The head of ``engagement_id``'s chain, read while this transaction holds its lock."""
    _heads(session)[engagement_id] = (seq, head)


def append(session: Session, kind: str, values: Mapping[str, Any], *, at: datetime) -> tuple[int, str]:
    """Chains one entry of ``kind`` recording ``values`` (every field of canonical.FIELDS[kind], ``id`` and
    ``engagement_id`` among them), a change made at ``at``. Returns its sequence number and hash."""
    engagement_id = values["engagement_id"]
    connection = session.connection()
    heads = _heads(session)
    if engagement_id in heads:
        last, prev = heads[engagement_id]
        seq = last + 1
    else:
        seq, prev = connection.execute(_CLAIM, {"e_id": engagement_id}).one()
    salts = new_salts(kind, values)
    if kind == "event":
        row = tuple(values[name] for name in FIELDS["event"])
        text = event_canonical(row, seq=seq, prev=prev, at=at, salts=salts)
    else:
        text = canonical(kind, values, seq=seq, prev=prev, at=at, salts=salts)
    entry_hash = digest(text)
    entry = {
        "engagement_id": engagement_id,
        "seq": seq,
        "kind": kind,
        "ref_id": values["id"],
        "recorded_at": at,
        "prev_hash": prev,
        "hash": entry_hash,
        "canonical": text,
        "salts": salts,
    }
    if connection.dialect.name == "sqlite":
        # The statement as SQLite takes it, its values converted by the columns' own types: SQLAlchemy's
        # execution of a Core INSERT costs 28 µs where this one costs 11 (measured apart, same row); on the
        # embedded door, whose every statement is in-process, that was an eighth of what the chain adds.
        convert = _sqlite_converters(connection.dialect)
        connection.exec_driver_sql(_SQLITE_INSERT, tuple(convert[name](entry[name]) for name in _COLUMNS))
    else:
        connection.execute(_INSERT, entry)
    heads[engagement_id] = (seq, entry_hash)
    return seq, entry_hash


_COLUMNS = [
    "engagement_id",
    "seq",
    "kind",
    "ref_id",
    "recorded_at",
    "prev_hash",
    "hash",
    "canonical",
    "salts",
]
_SQLITE_INSERT = (
    f"INSERT INTO audit_entries ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_CONVERTERS: dict[str, Callable[[Any], Any]] = {}


def _sqlite_converters(dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
    """Each column's bind processor on SQLite (the identity where its type has none): the same for every
    SQLite engine, so built once."""
    if not _CONVERTERS:
        for name in _COLUMNS:
            processor = _ENTRIES.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            _CONVERTERS[name] = processor if processor is not None else _same
    return _CONVERTERS


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class EventEntry:
    """An event's entry rendered before the event has its id: the canonical text is ``before``, the id,
    ``after``. ``parameters`` are ``entry_cte``'s."""

    engagement_id: str
    seq: int
    before: str
    after: str
    parameters: dict[str, Any]


def event_entry(session: Session, event_row: Mapping[str, Any]) -> EventEntry | None:
    """The entry of the event ``event_row`` (FIELDS["event"] but ``id``) for ``entry_cte``, recorded at the
    time it happened, when this transaction holds the engagement's head; None otherwise (``append`` once the
    event has its id)."""
    engagement_id, at = event_row["engagement_id"], event_row["occurred_at"]
    head = _heads(session).get(engagement_id)
    if head is None:
        return None
    seq, prev = head[0] + 1, head[1]
    salts = new_salts("event", event_row)
    row = tuple(None if name == "id" else event_row[name] for name in FIELDS["event"])
    before, after = event_canonical_around_id(row, seq=seq, prev=prev, at=at, salts=salts)
    parameters = {
        "entry_seq": seq,
        "entry_prev_hash": prev,
        "entry_before": before,
        "entry_after": after,
        "entry_salts": salts,
    }
    return EventEntry(engagement_id, seq, before, after, parameters)


def entry_cte(new_event: CTE, engagement_id: Any, occurred_at: Any) -> CTE:
    """PostgreSQL: the INSERT of the entry of the event inserted by ``new_event`` (a CTE returning its
    ``id``), whose canonical text is ``entry_before || id || entry_after`` and hash its SHA-256 (the same
    bytes Python hashes: ``convert_to(…, 'UTF8')``). ``engagement_id``, ``occurred_at``: the event's bound
    parameters (its entry is recorded at the time it happened). Added to the event's statement, it stores
    the entry in the same round trip."""
    text = (
        bindparam("entry_before", type_=Text)
        + sql_cast(new_event.c.id, Text)
        + bindparam("entry_after", type_=Text)
    ).label("canonical")
    rendered = select(new_event.c.id, text).subquery("rendered")
    columns = _ENTRIES.c
    values = select(
        engagement_id,
        bindparam("entry_seq", type_=columns.seq.type),
        literal("event", columns.kind.type),
        rendered.c.id,
        occurred_at,
        bindparam("entry_prev_hash", type_=columns.prev_hash.type),
        func.encode(func.sha256(func.convert_to(rendered.c.canonical, "UTF8")), "hex"),
        rendered.c.canonical,
        bindparam("entry_salts", type_=columns.salts.type),
    )
    return insert(_ENTRIES).from_select(_COLUMNS, values).cte("new_entry")


def event_written(
    session: Session, entry: EventEntry | None, event_row: Mapping[str, Any], event_id: int
) -> None:
    """The statement that wrote the event ``event_row`` gave it ``event_id``: the ``entry`` it stored with
    it (``event_entry``) is the head now, or, without one, the event's entry is appended."""
    if entry is None:
        append(session, "event", {**event_row, "id": event_id}, at=event_row["occurred_at"])
    else:
        _heads(session)[entry.engagement_id] = (entry.seq, digest(f"{entry.before}{event_id}{entry.after}"))


def _heads(session: Session) -> dict[str, tuple[int, str | None]]:
    """The heads this transaction holds the lock of, as its own appends left them."""
    transaction = session.get_transaction()
    remembered = session.info.get("audit_heads")
    if remembered is None or remembered[0] is not transaction:
        remembered = session.info["audit_heads"] = (transaction, {})
    return cast(dict[str, tuple[int, str | None]], remembered[1])
