"""Appending to an engagement's chain, in the caller's transaction.

The head (``engagements.audit_seq``, ``audit_head``) is claimed with ``UPDATE … SET audit_seq = audit_seq + 1
… RETURNING``: on PostgreSQL that takes the engagement row's lock until the transaction ends, on SQLite the
write transaction already holds the database's write lock. Two transactions appending to one engagement
therefore take turns, and the chain cannot fork. The door takes the lock first (``lock``), before any other
row, so that transitions that also change other rows cannot deadlock on it.

Once the transaction holds the lock, the head can only move by its own appends: it is remembered for the
transaction (``session.info``), so that a later append skips the claim, one statement fewer per append.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import FIELDS, canonical, digest, event_canonical, new_salts
from gouvernance.audit.records import AuditEntryRow
from gouvernance.engagements.records import EngagementRow

_ENGAGEMENTS = cast(Table, EngagementRow.__table__)
_ENTRIES = cast(Table, AuditEntryRow.__table__)

_LOCK = (
    select(_ENGAGEMENTS.c.audit_seq, _ENGAGEMENTS.c.audit_head)
    .where(_ENGAGEMENTS.c.id == bindparam("e_id"))
    .with_for_update()
)
_CLAIM = (
    update(_ENGAGEMENTS)
    .where(_ENGAGEMENTS.c.id == bindparam("e_id"))
    .values(audit_seq=_ENGAGEMENTS.c.audit_seq + 1)
    .returning(_ENGAGEMENTS.c.audit_seq, _ENGAGEMENTS.c.audit_head)
)
_SET_HEAD = (
    update(_ENGAGEMENTS)
    .where(_ENGAGEMENTS.c.id == bindparam("e_id"))
    .values(audit_seq=bindparam("e_seq"), audit_head=bindparam("e_head"))
)
_INSERT = insert(_ENTRIES)
# PostgreSQL: the entry and the new head in one statement, one round trip.
_INSERT_AND_SET_HEAD = insert(_ENTRIES).add_cte(_SET_HEAD.cte("new_head"))


def lock(session: Session, engagement_id: str) -> None:
    """Takes the engagement's chain lock now (PostgreSQL; SQLite's write transaction holds it already), and
    remembers its head for this transaction's appends."""
    if session.get_bind().dialect.name == "postgresql":
        seq, head = session.connection().execute(_LOCK, {"e_id": engagement_id}).one()
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
    if kind == "event":  # every transition's path
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
    head = {"e_id": engagement_id, "e_seq": seq, "e_head": entry_hash}
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_AND_SET_HEAD, {**entry, **head})
    else:
        connection.execute(_INSERT, entry)
        connection.execute(_SET_HEAD, head)
    heads[engagement_id] = (seq, entry_hash)
    return seq, entry_hash


def _heads(session: Session) -> dict[str, tuple[int, str | None]]:
    """The heads this transaction holds the lock of, as its own appends left them."""
    transaction = session.get_transaction()
    remembered = session.info.get("audit_heads")
    if remembered is None or remembered[0] is not transaction:
        remembered = session.info["audit_heads"] = (transaction, {})
    return cast(dict[str, tuple[int, str | None]], remembered[1])
