"""Verifying an engagement's chain against its rows: every alteration, insertion, deletion or reordering is
reported with where it is (sequence number, kind and id of the entry, what differs).

Each entry is checked on its own: its content is recomputed from the row it records with its own ``seq``,
``prev`` and salts, and must hash to its stored hash; it must follow the previous entry (``prev`` = that
entry's hash, numbers without gap); the engagement's head must be the last entry. Events are immutable, so
every event entry must match its event. Decisions and consultations may be chained more than once (a
consultation is updated, deleted): the last entry of each must match the row as it stands, the earlier ones
must still hash to what they hold. A row that no entry records was inserted behind the register's back.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, exists, func, null, or_, select, tuple_, type_coerce
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import (
    FEMININE_KINDS,
    FIELDS,
    KIND_LABELS,
    canonical,
    digest,
    event_canonical,
)
from gouvernance.audit.confirm import unconfirmed
from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.sources import consultation_values, decision_values
from gouvernance.db.base import Json
from gouvernance.decisions.records import DecisionRow
from gouvernance.engagements.records import EngagementRow
from gouvernance.history.records import EventRow
from gouvernance.messages import plural
from gouvernance.stakeholders.tables import ConsultationParticipantRow, ConsultationRow

STREAM_BATCH = 5000
DETAIL_BATCH = 1000

_ENTRIES = cast(Table, AuditEntryRow.__table__)
_EVENTS = cast(Table, EventRow.__table__)
_EVENT_COLUMNS = [_EVENTS.c[name] for name in FIELDS["event"]]


@dataclass(frozen=True)
class Anomaly:
    """One thing the chain and the rows disagree on, and where."""

    # altered, rewritten, reordered, broken_link, missing_entries, deleted, inserted, duplicate, foreign,
    # head, engagement_deleted
    code: str
    message: str
    seq: int | None = None
    kind: str | None = None
    ref_id: int | None = None
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "seq": self.seq,
            "kind": self.kind,
            "ref_id": self.ref_id,
            "fields": list(self.fields),
        }


@dataclass
class ChainReport:
    engagement_id: str
    entries: int = 0
    head_seq: int = 0
    head_hash: str | None = None
    anomalies: list[Anomaly] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.anomalies

    def as_dict(self) -> dict[str, Any]:
        return {
            "engagement_id": self.engagement_id,
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "anomalies": [a.as_dict() for a in self.anomalies],
        }


@dataclass
class _Latest:
    seq: int
    kind: str
    at: datetime
    prev: str | None
    hash: str
    salts: dict[str, str]


def verify(session: Session, engagement_id: str, *, in_database: bool = True) -> ChainReport:
    """The report of one engagement's chain (NotFound is the caller's business: this raises NoResultFound).
    ``in_database=False``: every entry recomputed in Python, without the database's confirmation (the same
    report, slower; see confirm.py)."""
    for report in _reports(session, engagement_id, in_database=in_database):
        return report
    raise NoResultFound(f"no engagement {engagement_id}")


def verify_all(session: Session, *, in_database: bool = True) -> Iterator[ChainReport]:
    """Every engagement's report, in the order of their ids, read with a few queries for all of them (one
    stream of entries) rather than a few per engagement. The caller gives it one snapshot of the database
    (see ``service.verify_every``): an append committed in the middle must not look like an insertion."""
    yield from _reports(session, None, in_database=in_database)


def _reports(session: Session, only: str | None, *, in_database: bool = True) -> Iterator[ChainReport]:
    heads = select(EngagementRow.id, EngagementRow.audit_seq, EngagementRow.audit_head).order_by(
        EngagementRow.id
    )
    if only is not None:
        heads = heads.where(EngagementRow.id == only)
    engagements = session.execute(heads).all()
    # On PostgreSQL the database confirms most event entries itself (see confirm.py): only the others, and
    # the entries that are not events, come to Python.
    listed = unconfirmed(session, only) if in_database else None
    erased = _erasures(session, only)
    live = _live_records(session, only)
    unchained = _unchained_events(session, only)
    chains = itertools.groupby(_entries(session, only, listed), key=operator.itemgetter(0))
    pending = next(chains, None)
    known = {engagement_id for engagement_id, _, _ in engagements}
    for engagement_id, head_seq, head_hash in engagements:
        # Both streams come in the database's order of ids. Entries of an engagement that no longer exists
        # (no foreign key holds them: its row was deleted behind the register's back) get a report of
        # their own, so that the loss shows.
        while pending is not None and pending[0] not in known:
            yield _orphan(*pending)
            pending = next(chains, None)
        entries: Iterator[Any] = iter(())
        if pending is not None and pending[0] == engagement_id:
            entries, pending = pending[1], None
        report = _check(
            session,
            engagement_id,
            head_seq,
            head_hash,
            entries,
            erased.get(engagement_id, {}),
            live.get(engagement_id, {}),
            unchained.get(engagement_id, []),
            listed,
        )
        if pending is None:
            pending = next(chains, None)
        yield report
    while pending is not None:  # after the last engagement
        yield _orphan(*pending)
        pending = next(chains, None)


def _orphan(engagement_id: str, entries: Iterator[Any]) -> ChainReport:
    """The report of a chain whose engagement is gone from the database."""
    count, last_seq = 0, 0
    for entry in entries:
        count, last_seq = entry[13], entry[1]
    return ChainReport(
        engagement_id,
        entries=count,
        anomalies=[
            Anomaly(
                "engagement_deleted",
                f"accompagnement {engagement_id} absent de la base, sa chaîne de {plural(count, 'entrée')} "
                "demeure : supprimé hors du registre",
                last_seq,
                "engagement",
            )
        ],
    )


def _check(
    session: Session,
    engagement_id: str,
    head_seq: int,
    head_hash: str | None,
    entries: Iterator[Any],
    erased: dict[int, frozenset[str]],
    live: dict[tuple[str, int], dict[str, Any]],
    unchained: list[Anomaly],
    listed: set[tuple[str, int]] | None,
) -> ChainReport:
    """Each entry comes with the number and hash of the one before it in the chain and the chain's length
    (``_entries``): all of them, or (``listed`` not None) only those the database did not confirm, the
    entries that are not events, the ones out of sequence and the last."""
    report = ChainReport(engagement_id, head_seq=head_seq, head_hash=head_hash)
    found = report.anomalies
    last_seq, last_hash = 0, None
    seen_events: dict[int, int] = {}
    latest: dict[tuple[str, int], _Latest] = {}
    for entry in entries:
        _, seq, kind, ref_id, at, prev, entry_hash, salts, _, _, stored = entry[:11]
        prev_seq, prev_entry_hash, report.entries = entry[11:14]
        event = entry[14:]
        expected_seq = (prev_seq or 0) + 1
        if seq != expected_seq:
            found.append(
                Anomaly(
                    "missing_entries",
                    f"entrées n° {expected_seq} à {seq - 1} absentes de la chaîne (supprimées)",
                    expected_seq,
                )
            )
        elif prev != prev_entry_hash:
            found.append(
                Anomaly(
                    "broken_link",
                    f"entrée n° {seq} : ne suit pas l'entrée n° {seq - 1} (empreinte précédente différente)",
                    seq,
                    kind,
                    ref_id,
                )
            )
        last_seq, last_hash = seq, entry_hash
        salts = salts or {}
        if kind == "event":
            if listed is None or (engagement_id, seq) in listed:  # the others the database confirmed
                anomaly = _event_anomaly(
                    session, engagement_id, entry[:11], event, seen_events, erased.get(seq)
                )
                if anomaly is not None:
                    found.append(anomaly)
            continue
        if digest(stored) != entry_hash:
            found.append(_rewritten(seq, kind, ref_id))
        if kind == "erasure":
            continue
        source = "consultation" if kind.startswith("consultation") else kind
        latest[(source, ref_id)] = _Latest(seq, kind, at, prev, entry_hash, salts)
    if report.entries and (last_seq != head_seq or last_hash != head_hash):
        found.append(
            Anomaly(
                "head",
                f"tête de chaîne : n° {head_seq} enregistré, la chaîne s'arrête au n° {last_seq}"
                + (" (dernières entrées supprimées)" if last_seq < head_seq else ""),
                last_seq,
            )
        )
    elif not report.entries and head_seq:
        found.append(Anomaly("head", f"tête de chaîne : n° {head_seq} enregistré, aucune entrée", 0))
    found.extend(_records(session, engagement_id, latest, dict(live), erased))
    found.extend(unchained)
    return report


def _event_anomaly(
    session: Session,
    engagement_id: str,
    entry: Any,
    event: Any,
    seen_events: dict[int, int],
    erased: frozenset[str] | None,
) -> Anomaly | None:
    """What is wrong with an event entry (``event``: its event's columns, all None when it is gone), if
    anything; ``seen_events`` (the chain's event ids, with their first entry) is updated."""
    _, seq, kind, ref_id, at, prev, entry_hash, _, salt_actor, salt_comment, _ = entry
    if event[0] is None:
        return _deleted(seq, kind, ref_id)
    if (first := seen_events.setdefault(ref_id, seq)) != seq:
        return _duplicate(seq, kind, ref_id, first)
    if event[1] != engagement_id:
        return Anomaly(
            "foreign",
            f"entrée n° {seq} : l'événement {ref_id} est celui d'un autre accompagnement ({event[1]})",
            seq,
            kind,
            ref_id,
        )
    text = event_canonical(
        event, seq=seq, prev=prev, at=at, salts={"actor": salt_actor, "comment": salt_comment}
    )
    if digest(text) == entry_hash or _erased_only(session, engagement_id, seq, entry_hash, text, erased):
        return None
    return _diagnose(session, engagement_id, seq, kind, ref_id, entry_hash, text)


def _entries(session: Session, only: str | None, listed: set[tuple[str, int]] | None) -> Iterator[Any]:
    """The entries in chain order, each with the previous entry's number and hash and its chain's length
    (window functions, so that a partial stream still tells gaps and broken links), joined to its event.
    With ``listed``, the database confirmed every other event entry: only those listed come, with the
    entries that are not events, those that do not follow the one before, and each chain's last."""
    by, order = _ENTRIES.c.engagement_id, _ENTRIES.c.seq
    chain = select(
        _ENTRIES.c.engagement_id,
        _ENTRIES.c.seq,
        _ENTRIES.c.kind,
        _ENTRIES.c.prev_hash,
        func.lag(_ENTRIES.c.seq).over(partition_by=by, order_by=order).label("prev_seq"),
        func.lag(_ENTRIES.c.hash).over(partition_by=by, order_by=order).label("prev_entry_hash"),
        func.lead(_ENTRIES.c.seq).over(partition_by=by, order_by=order).label("next_seq"),
        func.count().over(partition_by=by).label("chained"),
    )
    if only is not None:
        chain = chain.where(_ENTRIES.c.engagement_id == only)
    window = chain.subquery("chain")
    positions = [window.c.prev_seq, window.c.prev_entry_hash, window.c.chained]
    if listed is None:
        yield from session.execute(
            _details(window, positions).order_by(window.c.engagement_id, window.c.seq),
            execution_options={"yield_per": STREAM_BATCH},
        )
        return
    needed = [
        window.c.kind != "event",
        window.c.next_seq.is_(None),
        window.c.seq != func.coalesce(window.c.prev_seq, 0) + 1,
        window.c.prev_hash.is_distinct_from(window.c.prev_entry_hash),
    ]
    if listed:
        needed.append(tuple_(window.c.engagement_id, window.c.seq).in_(sorted(listed)))
    # Two steps: which entries (a million rows through the window functions, a few out), then those entries
    # in full, a batch of keys at a time; joined in one query, the planner expects the million and sorts
    # them all.
    wanted = session.execute(
        select(window.c.engagement_id, window.c.seq, *positions)
        .where(or_(*needed))
        .order_by(window.c.engagement_id, window.c.seq)
    ).all()
    for start in range(0, len(wanted), DETAIL_BATCH):
        batch = wanted[start : start + DETAIL_BATCH]
        where = {(engagement_id, seq): rest for engagement_id, seq, *rest in batch}
        rows = session.execute(
            _details(None, []).where(tuple_(_ENTRIES.c.engagement_id, _ENTRIES.c.seq).in_(list(where)))
        ).all()
        by_key = {(row[0], row[1]): row for row in rows}
        for key, rest in where.items():  # in the database's order of the first step
            row = by_key[key]
            yield (*row[:11], *rest, *row[11:])


def _details(window: Any, positions: list[Any]) -> Any:
    """The entries' columns (with ``positions`` from ``window``, joined on it when given), their events'."""
    entries = _ENTRIES
    if window is not None:
        entries = window.join(
            _ENTRIES, and_(_ENTRIES.c.engagement_id == window.c.engagement_id, _ENTRIES.c.seq == window.c.seq)
        )
    return select(
        _ENTRIES.c.engagement_id,
        _ENTRIES.c.seq,
        _ENTRIES.c.kind,
        _ENTRIES.c.ref_id,
        _ENTRIES.c.recorded_at,
        _ENTRIES.c.prev_hash,
        _ENTRIES.c.hash,
        # Events are recomputed from their rows, with the salts of their two personal fields read as text
        # (decoding every entry's salts costs more); other entries are checked against what they hold.
        type_coerce(case((_ENTRIES.c.kind != "event", _ENTRIES.c.salts), else_=null()), Json).label("salts"),
        _ENTRIES.c.salts["actor"].as_string().label("salt_actor"),
        _ENTRIES.c.salts["comment"].as_string().label("salt_comment"),
        case((_ENTRIES.c.kind == "event", null()), else_=_ENTRIES.c.canonical).label("stored"),
        *positions,
        *_EVENT_COLUMNS,
    ).select_from(
        entries.outerjoin(_EVENTS, and_(_ENTRIES.c.kind == "event", _EVENTS.c.id == _ENTRIES.c.ref_id))
    )


def _erasures(session: Session, only: str | None) -> dict[str, dict[int, frozenset[str]]]:
    """By engagement, the fields each recorded erasure names, by the sequence number of the entry they
    belong to."""
    query = select(_ENTRIES.c.engagement_id, _ENTRIES.c.canonical).where(_ENTRIES.c.kind == "erasure")
    if only is not None:
        query = query.where(_ENTRIES.c.engagement_id == only)
    named: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for engagement_id, text in session.execute(query):
        erasure = _parsed(text)
        for item in (erasure or {}).get("erased") or []:
            named[engagement_id][int(item["seq"])].update(item["fields"])
    return {
        engagement_id: {seq: frozenset(fields) for seq, fields in by_seq.items()}
        for engagement_id, by_seq in named.items()
    }


def _erased_only(
    session: Session,
    engagement_id: str,
    seq: int,
    entry_hash: str,
    text: str,
    fields: frozenset[str] | None,
) -> bool:
    """True when the entry differs from its row only by personal values whose erasure is recorded: the
    stored form still hashes to the entry's hash, and each such field is a salted hash there, salt gone."""
    if not fields:
        return False
    stored = session.scalar(
        select(_ENTRIES.c.canonical).where(_ENTRIES.c.engagement_id == engagement_id, _ENTRIES.c.seq == seq)
    )
    if stored is None or digest(stored) != entry_hash or (was := _parsed(stored)) is None:
        return False
    now = json.loads(text)
    for name in fields:
        if name in was and isinstance(was[name], dict) and now.get(name) in (None, {"h": None}):
            now[name] = was[name]
    return bool(was == now)


def _diagnose(
    session: Session, engagement_id: str, seq: int, kind: str, ref_id: int, entry_hash: str, text: str
) -> Anomaly:
    stored = session.scalar(
        select(_ENTRIES.c.canonical).where(_ENTRIES.c.engagement_id == engagement_id, _ENTRIES.c.seq == seq)
    )
    assert stored is not None
    if digest(stored) != entry_hash or (was := _parsed(stored)) is None:
        return _rewritten(seq, kind, ref_id)
    now = json.loads(text)
    if was.get("seq") != seq:
        return Anomaly(
            "reordered",
            f"entrée n° {seq} ({KIND_LABELS[kind]} {ref_id}) : enregistrée sous le n° {was.get('seq')} "
            "— ordre modifié",
            seq,
            kind,
            ref_id,
            ("seq",),
        )
    if was.get("kind") != kind:
        return Anomaly(
            "altered",
            f"entrée n° {seq} : enregistrée comme {KIND_LABELS.get(str(was.get('kind')), was.get('kind'))}, "
            f"lue comme {KIND_LABELS[kind]} {ref_id}",
            seq,
            kind,
            ref_id,
            ("kind",),
        )
    changed = tuple(sorted(name for name in was.keys() | now.keys() if was.get(name) != now.get(name)))
    described = [_field_change(name, was.get(name), now.get(name)) for name in changed]
    return Anomaly(
        "altered",
        f"entrée n° {seq} ({KIND_LABELS[kind]} {ref_id}) : {_agreed(kind, 'modifié')} depuis son "
        "enregistrement — " + " ; ".join(described),
        seq,
        kind,
        ref_id,
        changed,
    )


def _agreed(kind: str, participle: str) -> str:
    """The participle agreeing with the kind's label: « décision … modifiée », « événement … modifié »."""
    return participle + "e" if kind in FEMININE_KINDS else participle


def _parsed(stored: str) -> dict[str, Any] | None:
    """An entry's stored text as written, or None when it is no JSON object (rewritten together with its
    hash: the next entry's link shows it)."""
    try:
        parsed = json.loads(stored)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _field_change(name: str, was: Any, now: Any) -> str:
    if isinstance(was, dict) and set(was) == {"h"}:
        if isinstance(now, dict) and now.get("h") is None:
            return f"« {name} » : sel effacé sans effacement enregistré"
        return f"« {name} » : valeur personnelle différente"
    return f"« {name} » : {_shown(was)} → {_shown(now)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else f"{text[:77]}…"


def _rewritten(seq: int, kind: str, ref_id: int) -> Anomaly:
    return Anomaly(
        "rewritten",
        f"entrée n° {seq} ({KIND_LABELS.get(kind, kind)} {ref_id}) : l'entrée elle-même a été réécrite "
        "(son empreinte ne correspond plus à son contenu)",
        seq,
        kind,
        ref_id,
    )


def _deleted(seq: int, kind: str, ref_id: int) -> Anomaly:
    return Anomaly(
        "deleted",
        f"entrée n° {seq} : {KIND_LABELS.get(kind, kind)} {ref_id} {_agreed(kind, 'supprimé')} de la base",
        seq,
        kind,
        ref_id,
    )


def _duplicate(seq: int, kind: str, ref_id: int, first: int) -> Anomaly:
    return Anomaly(
        "duplicate",
        f"entrée n° {seq} : {KIND_LABELS.get(kind, kind)} {ref_id} "
        f"déjà {_agreed(kind, 'chaîné')} au n° {first}",
        seq,
        kind,
        ref_id,
    )


def _live_records(session: Session, only: str | None) -> dict[str, dict[tuple[str, int], dict[str, Any]]]:
    """By engagement, the decisions and consultations as they stand."""
    live: dict[str, dict[tuple[str, int], dict[str, Any]]] = defaultdict(dict)
    decisions = select(DecisionRow)
    consultations = select(ConsultationRow)
    participants = select(
        ConsultationParticipantRow.consultation_id, ConsultationParticipantRow.stakeholder_id
    ).join(ConsultationRow, ConsultationRow.id == ConsultationParticipantRow.consultation_id)
    if only is not None:
        decisions = decisions.where(DecisionRow.engagement_id == only)
        consultations = consultations.where(ConsultationRow.engagement_id == only)
        participants = participants.where(ConsultationRow.engagement_id == only)
    for decision in session.scalars(decisions):
        live[decision.engagement_id][("decision", decision.id)] = decision_values(decision)
    attending: dict[int, list[int]] = defaultdict(list)
    for consultation_id, stakeholder_id in session.execute(participants):
        attending[consultation_id].append(stakeholder_id)
    for consultation in session.scalars(consultations):
        live[consultation.engagement_id][("consultation", consultation.id)] = consultation_values(
            consultation, attending[consultation.id]
        )
    return live


def _records(
    session: Session,
    engagement_id: str,
    latest: dict[tuple[str, int], _Latest],
    live: dict[tuple[str, int], dict[str, Any]],
    erased: dict[int, frozenset[str]],
) -> list[Anomaly]:
    """The decisions and consultations as they stand (``live``, which this consumes), against the last entry
    of each."""
    found: list[Anomaly] = []
    for (source, ref_id), entry in sorted(latest.items(), key=lambda item: item[1].seq):
        values = live.pop((source, ref_id), None)
        if entry.kind == "consultation_deleted":
            if values is not None:
                found.append(
                    Anomaly(
                        "inserted",
                        f"entrée n° {entry.seq} : consultation {ref_id} supprimée au registre, "
                        "mais présente dans la base",
                        entry.seq,
                        entry.kind,
                        ref_id,
                    )
                )
            continue
        if values is None:
            found.append(_deleted(entry.seq, entry.kind, ref_id))
            continue
        text = canonical(entry.kind, values, seq=entry.seq, prev=entry.prev, at=entry.at, salts=entry.salts)
        if digest(text) != entry.hash and not _erased_only(
            session, engagement_id, entry.seq, entry.hash, text, erased.get(entry.seq)
        ):
            found.append(_diagnose(session, engagement_id, entry.seq, entry.kind, ref_id, entry.hash, text))
    for source, ref_id in sorted(live):
        found.append(
            Anomaly(
                "inserted",
                f"{KIND_LABELS[source]} {ref_id} absente de la chaîne (ajoutée hors du registre)",
                None,
                source,
                ref_id,
            )
        )
    return found


def _unchained_events(session: Session, only: str | None) -> dict[str, list[Anomaly]]:
    """By engagement, the events no entry records."""
    chained = exists().where(
        _ENTRIES.c.engagement_id == _EVENTS.c.engagement_id,
        _ENTRIES.c.kind == "event",
        _ENTRIES.c.ref_id == _EVENTS.c.id,
    )
    query = select(_EVENTS.c.engagement_id, _EVENTS.c.id, _EVENTS.c.event).where(~chained)
    if only is not None:
        query = query.where(_EVENTS.c.engagement_id == only)
    found: dict[str, list[Anomaly]] = defaultdict(list)
    for engagement_id, event_id, event in session.execute(query.order_by(_EVENTS.c.id)):
        found[engagement_id].append(
            Anomaly(
                "inserted",
                f"événement {event_id} (« {event} ») absent de la chaîne (ajouté hors du registre)",
                None,
                "event",
                event_id,
            )
        )
    return found
