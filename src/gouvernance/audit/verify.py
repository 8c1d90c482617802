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

from sqlalchemy import Table, and_, case, exists, null, select, type_coerce
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import FIELDS, KIND_LABELS, canonical, digest, event_canonical
from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.sources import consultation_values, decision_values
from gouvernance.db.base import Json
from gouvernance.decisions.records import DecisionRow
from gouvernance.engagements.records import EngagementRow
from gouvernance.history.records import EventRow
from gouvernance.stakeholders.tables import ConsultationParticipantRow, ConsultationRow

STREAM_BATCH = 5000

_ENTRIES = cast(Table, AuditEntryRow.__table__)
_EVENTS = cast(Table, EventRow.__table__)
_EVENT_COLUMNS = [_EVENTS.c[name] for name in FIELDS["event"]]


@dataclass(frozen=True)
class Anomaly:
    """One thing the chain and the rows disagree on, and where."""

    # altered, rewritten, reordered, broken_link, missing_entries, deleted, inserted, duplicate, head
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


def verify(session: Session, engagement_id: str) -> ChainReport:
    """The report of one engagement's chain (NotFound is the caller's business: this raises NoResultFound)."""
    for report in _reports(session, engagement_id):
        return report
    raise NoResultFound(f"no engagement {engagement_id}")


def verify_all(session: Session) -> Iterator[ChainReport]:
    """Every engagement's report, in the order of their ids, read with a few queries for all of them (one
    stream of entries) rather than a few per engagement. The caller gives it one snapshot of the database
    (see ``service.verify_every``): an append committed in the middle must not look like an insertion."""
    yield from _reports(session, None)


def _reports(session: Session, only: str | None) -> Iterator[ChainReport]:
    heads = select(EngagementRow.id, EngagementRow.audit_seq, EngagementRow.audit_head).order_by(
        EngagementRow.id
    )
    if only is not None:
        heads = heads.where(EngagementRow.id == only)
    engagements = session.execute(heads).all()
    erased = _erasures(session, only)
    live = _live_records(session, only)
    unchained = _unchained_events(session, only)
    chains = itertools.groupby(_entries(session, only), key=operator.itemgetter(0))
    pending = next(chains, None)
    known = {engagement_id for engagement_id, _, _ in engagements}
    for engagement_id, head_seq, head_hash in engagements:
        # Both streams come in the database's order of ids; entries of an engagement that does not exist
        # (no foreign key holds them) are skipped, as one engagement's verification never reads them.
        while pending is not None and pending[0] not in known:
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
        )
        if pending is None:
            pending = next(chains, None)
        yield report


def _check(
    session: Session,
    engagement_id: str,
    head_seq: int,
    head_hash: str | None,
    entries: Iterator[Any],
    erased: dict[int, frozenset[str]],
    live: dict[tuple[str, int], dict[str, Any]],
    unchained: list[Anomaly],
) -> ChainReport:
    report = ChainReport(engagement_id, head_seq=head_seq, head_hash=head_hash)
    found = report.anomalies
    expected_seq, last_hash = 1, None
    seen_events: dict[int, int] = {}
    latest: dict[tuple[str, int], _Latest] = {}
    for entry in entries:
        _, seq, kind, ref_id, at, prev, entry_hash, salts, salt_actor, salt_comment, stored, *event = entry
        report.entries += 1
        if seq != expected_seq:
            found.append(
                Anomaly(
                    "missing_entries",
                    f"entrées n° {expected_seq} à {seq - 1} absentes de la chaîne (supprimées)",
                    expected_seq,
                )
            )
        elif prev != last_hash:
            found.append(
                Anomaly(
                    "broken_link",
                    f"entrée n° {seq} : ne suit pas l'entrée n° {seq - 1} (empreinte précédente différente)",
                    seq,
                    kind,
                    ref_id,
                )
            )
        expected_seq, last_hash = seq + 1, entry_hash
        salts = salts or {}
        if kind == "event":
            if event[0] is None:
                found.append(_deleted(seq, kind, ref_id))
            elif (first := seen_events.setdefault(ref_id, seq)) != seq:
                found.append(_duplicate(seq, kind, ref_id, first))
            else:
                event_salts = {"actor": salt_actor, "comment": salt_comment}
                text = event_canonical(event, seq=seq, prev=prev, at=at, salts=event_salts)
                if digest(text) != entry_hash and not _erased_only(
                    session, engagement_id, seq, entry_hash, text, erased.get(seq)
                ):
                    found.append(_diagnose(session, engagement_id, seq, kind, ref_id, entry_hash, text))
            continue
        if digest(stored) != entry_hash:
            found.append(_rewritten(seq, kind, ref_id))
        if kind == "erasure":
            continue
        source = "consultation" if kind.startswith("consultation") else kind
        latest[(source, ref_id)] = _Latest(seq, kind, at, prev, entry_hash, salts)
    if report.entries and (expected_seq - 1 != head_seq or last_hash != head_hash):
        found.append(
            Anomaly(
                "head",
                f"tête de chaîne : n° {head_seq} enregistré, la chaîne s'arrête au n° {expected_seq - 1}"
                + (" (dernières entrées supprimées)" if expected_seq - 1 < head_seq else ""),
                expected_seq - 1,
            )
        )
    elif not report.entries and head_seq:
        found.append(Anomaly("head", f"tête de chaîne : n° {head_seq} enregistré, aucune entrée", 0))
    found.extend(_records(session, engagement_id, latest, dict(live), erased))
    found.extend(unchained)
    return report


def _entries(session: Session, only: str | None) -> Iterator[Any]:
    query = (
        select(
            _ENTRIES.c.engagement_id,
            _ENTRIES.c.seq,
            _ENTRIES.c.kind,
            _ENTRIES.c.ref_id,
            _ENTRIES.c.recorded_at,
            _ENTRIES.c.prev_hash,
            _ENTRIES.c.hash,
            # Events are recomputed from their rows, with the salts of their two personal fields read as text
            # (decoding every entry's salts costs more); other entries are checked against what they hold.
            type_coerce(case((_ENTRIES.c.kind != "event", _ENTRIES.c.salts), else_=null()), Json).label(
                "salts"
            ),
            _ENTRIES.c.salts["actor"].as_string().label("salt_actor"),
            _ENTRIES.c.salts["comment"].as_string().label("salt_comment"),
            case((_ENTRIES.c.kind == "event", null()), else_=_ENTRIES.c.canonical).label("stored"),
            *_EVENT_COLUMNS,
        )
        .select_from(
            _ENTRIES.outerjoin(_EVENTS, and_(_ENTRIES.c.kind == "event", _EVENTS.c.id == _ENTRIES.c.ref_id))
        )
        .order_by(_ENTRIES.c.engagement_id, _ENTRIES.c.seq)
    )
    if only is not None:
        query = query.where(_ENTRIES.c.engagement_id == only)
    yield from session.execute(query, execution_options={"yield_per": STREAM_BATCH})


def _erasures(session: Session, only: str | None) -> dict[str, dict[int, frozenset[str]]]:
    """By engagement, the fields each recorded erasure names, by the sequence number of the entry they
    belong to."""
    query = select(_ENTRIES.c.engagement_id, _ENTRIES.c.canonical).where(_ENTRIES.c.kind == "erasure")
    if only is not None:
        query = query.where(_ENTRIES.c.engagement_id == only)
    named: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for engagement_id, text in session.execute(query):
        for item in json.loads(text).get("erased") or []:
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
    if stored is None or digest(stored) != entry_hash:
        return False
    was, now = json.loads(stored), json.loads(text)
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
    if digest(stored) != entry_hash:
        return _rewritten(seq, kind, ref_id)
    was, now = json.loads(stored), json.loads(text)
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
            f"entrée n° {seq} : enregistrée comme {KIND_LABELS.get(was.get('kind'), was.get('kind'))}, "
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
        f"entrée n° {seq} ({KIND_LABELS[kind]} {ref_id}) : modifié(e) depuis son enregistrement — "
        + " ; ".join(described),
        seq,
        kind,
        ref_id,
        changed,
    )


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
        f"entrée n° {seq} : {KIND_LABELS.get(kind, kind)} {ref_id} supprimé(e) de la base",
        seq,
        kind,
        ref_id,
    )


def _duplicate(seq: int, kind: str, ref_id: int, first: int) -> Anomaly:
    return Anomaly(
        "duplicate",
        f"entrée n° {seq} : {KIND_LABELS.get(kind, kind)} {ref_id} déjà chaîné(e) au n° {first}",
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
