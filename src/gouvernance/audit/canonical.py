"""The canonical form of a chain entry, and its hash.

An entry is canonical JSON (sorted keys, no spaces, UTF-8, UTC timestamps as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``)
holding format ``v``, the per-engagement sequence number ``seq``, the previous entry's hash ``prev``, its
``kind``, the time ``at`` of the change and the recorded fields. A personal field is not held as its value
but as ``sha256(salt || 0x00 || value)`` under ``{"h": …}``; the salt is kept beside the entry, outside the
hash, so that erasing the value and its salt together leaves the chain verifiable and the value unrecoverable.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

FORMAT = 1

# The fields of each kind of entry, in the order of the record; personal ones are salted.
FIELDS: dict[str, tuple[str, ...]] = {
    "event": (
        "id",
        "engagement_id",
        "step_id",
        "step_key",
        "event",
        "from_state",
        "to_state",
        "actor",
        "actor_role",
        "occurred_at",
        "comment",
        "payload",
        "version",
    ),
    "decision": (
        "id",
        "engagement_id",
        "number",
        "title",
        "text",
        "decided_on",
        "body",
        "legal_basis",
        "votes_for",
        "votes_against",
        "abstentions",
        "transmitted_on",
        "published_on",
        "step_key",
        "consultation_ids",
        "public",
        "recorded_by",
        "created_at",
    ),
    "consultation": (
        "id",
        "engagement_id",
        "step_key",
        "stage_key",
        "held_on",
        "format",
        "summary",
        "outcome",
        "stakeholder_ids",
        "recorded_by",
        "created_at",
    ),
    # A consultation taken out of the log: the chain records that it is gone.
    "consultation_deleted": ("id", "engagement_id"),
    # Personal values erased (RGPD): which fields of which entries lost their salt; ``id`` is the event that
    # logs the erasure. Verification accepts a missing salt exactly where such an entry names it.
    "erasure": ("id", "engagement_id", "erased"),
}
PERSONAL: dict[str, frozenset[str]] = {
    "event": frozenset({"actor", "comment"}),
    "decision": frozenset({"recorded_by"}),
    "consultation": frozenset({"summary", "outcome", "recorded_by"}),
    "consultation_deleted": frozenset(),
    "erasure": frozenset(),
}
# Which table an entry's ``ref_id`` points into (both consultation kinds: the consultations table).
SOURCE_KIND = {"event": "event", "decision": "decision", "consultation": "consultation"}
KIND_LABELS = {
    "event": "événement",
    "decision": "décision",
    "consultation": "consultation",
    "consultation_deleted": "suppression de consultation",
    "erasure": "effacement de données personnelles",
}
# The kinds whose label is feminine, for the participles of the anomalies' messages.
FEMININE_KINDS = frozenset({"decision", "consultation", "consultation_deleted"})


def new_salts(kind: str, values: Mapping[str, Any]) -> dict[str, str]:
    """A fresh random salt for each personal field that has a value."""
    return {name: secrets.token_hex(16) for name in PERSONAL[kind] if values.get(name) is not None}


def salted(salt: str, value: Any) -> dict[str, str]:
    text = value if isinstance(value, str) else _dumps(value)
    return {"h": hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()}


def document(
    kind: str,
    values: Mapping[str, Any],
    *,
    seq: int,
    prev: str | None,
    at: datetime,
    salts: Mapping[str, str],
) -> dict[str, Any]:
    """The entry as a dict, before serialisation. A personal field without its salt (erased) is ``null``
    only when its value is absent too; otherwise it cannot be verified, and verification says so."""
    body: dict[str, Any] = {"v": FORMAT, "seq": seq, "prev": prev, "kind": kind, "at": timestamp(at)}
    for name, personal in _SHAPES[kind]:
        value = values[name]
        if value is None or type(value) in _AS_IS:
            body[name] = value
        elif personal:
            salt = salts.get(name)
            body[name] = salted(salt, value) if salt is not None else {"h": None}
        else:
            body[name] = _plain(value)
    for name in PERSONAL[kind]:  # a personal value that is a string or a number is salted too
        value = values[name]
        if value is not None and type(value) in _AS_IS:
            salt = salts.get(name)
            body[name] = salted(salt, value) if salt is not None else {"h": None}
    return body


# Verification recomputes every entry: the loop above is its hot path.
_SHAPES = {kind: tuple((name, name in PERSONAL[kind]) for name in names) for kind, names in FIELDS.items()}
_AS_IS = frozenset({str, int, bool, float})


def event_canonical(
    row: Sequence[Any],
    *,
    seq: int,
    prev: str | None,
    at: datetime,
    salts: Mapping[str, str | None],
) -> str:
    """``canonical("event", …)`` of an event row read from the events table, as the tuple of its
    FIELDS["event"] in order: the same text, built without the generic loop, for verification's hot path
    (tests hold the two equal)."""
    (
        id_,
        engagement_id,
        step_id,
        step_key,
        event,
        from_state,
        to_state,
        actor,
        actor_role,
        occurred_at,
        comment,
        payload,
        version,
    ) = row
    # Keys in sorted order, so that sorting them again costs next to nothing. The row's string and integer
    # columns are taken as they are (what ``_plain`` would return for them); only the time and the payload
    # may need it.
    return _dumps(
        {
            "actor": None if actor is None else _salted_or_erased(salts.get("actor"), actor),
            "actor_role": actor_role,
            "at": (at_text := timestamp(at)),
            "comment": None if comment is None else _salted_or_erased(salts.get("comment"), comment),
            "engagement_id": engagement_id,
            "event": event,
            "from_state": from_state,
            "id": id_,
            "kind": "event",
            # The door's events are chained when they happen: the same time, rendered once.
            "occurred_at": at_text if occurred_at is at else _field(occurred_at),
            "payload": _field(payload),
            "prev": prev,
            "seq": seq,
            "step_id": step_id,
            "step_key": step_key,
            "to_state": to_state,
            "v": FORMAT,
            "version": version,
        }
    )


def event_canonical_around_id(
    row: Sequence[Any],
    *,
    seq: int,
    prev: str | None,
    at: datetime,
    salts: Mapping[str, str | None],
) -> tuple[str, str]:
    """``event_canonical`` of an event that has no id yet, as the text before its id and the text after:
    ``before + str(id) + after`` is the canonical form once it has one."""
    text = event_canonical((0, *row[1:]), seq=seq, prev=prev, at=at, salts=salts)
    # The keys are sorted: "id" comes after the strings and salted values of "actor" … "from_state", whose
    # quotes are escaped, and is followed by "kind", so that its first unescaped occurrence is the key's.
    before, found, after = text.partition(_AROUND_ID)
    assert found, text
    return before + ',"id":', ',"kind":' + after


_AROUND_ID = ',"id":0,"kind":'


def _field(value: Any) -> Any:
    return value if value is None or type(value) in _AS_IS else _plain(value)


def _salted_or_erased(salt: str | None, value: Any) -> dict[str, Any]:
    return {"h": None} if salt is None else salted(salt, value)


def canonical(
    kind: str,
    values: Mapping[str, Any],
    *,
    seq: int,
    prev: str | None,
    at: datetime,
    salts: Mapping[str, str],
) -> str:
    return _dumps(document(kind, values, seq=seq, prev=prev, at=at, salts=salts))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime in a chain entry")
    if value.utcoffset():
        value = value.astimezone(UTC)
    return f"{value.replace(tzinfo=None).isoformat(timespec='microseconds')}Z"


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


# One encoder for every entry (json.dumps with options builds a new one at each call).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
