"""Pseudonymising a person (RGPD art. 17, within what an append-only register allows).

Stakeholder entries of private persons take a pseudonym, their contact details are deleted and their notes
cleared. In the verifiable register, the salts of the person's personal fields (the ``actor`` and ``comment``
of the events they made, the ``recorded_by`` of decisions and consultations they recorded) are erased, and the
erasure itself is chained as an ``erasure`` entry naming each field, logged by a ``personal_data_erased``
event: the chain still verifies, and the salted hashes can no longer be tested against a name. The events
table itself is immutable: an actor's login stays there in clear (see ARCHITECTURE.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, select, update
from sqlalchemy.orm import Session

from gouvernance.audit import chain
from gouvernance.audit.records import AuditEntryRow
from gouvernance.clock import Clock
from gouvernance.decisions.records import DecisionRow
from gouvernance.engagements.actors import SYSTEM_LOGIN, SYSTEM_ROLE
from gouvernance.history.log import append_event
from gouvernance.history.records import EventRow
from gouvernance.privacy.people import find_person, matching_stakeholders
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderContactRow
from gouvernance.stakeholders.vocabulary import StakeholderKind

ERASED = "personne-effacee"
_ENTRIES = cast(Table, AuditEntryRow.__table__)


def pseudonym(stakeholder_id: int) -> str:
    return f"Personne effacée n° {stakeholder_id}"


@dataclass
class ErasureReport:
    pseudonymised: int = 0
    contacts_deleted: int = 0
    entries: dict[str, int] = field(default_factory=dict)  # engagement → entries whose salts were erased

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonymised": self.pseudonymised,
            "contacts_deleted": self.contacts_deleted,
            "entries": dict(sorted(self.entries.items())),
        }


def erase_person(session: Session, query: str, *, clock: Clock) -> ErasureReport:
    """Pseudonymises ``query`` (a login, a name or an e-mail address) in every organisation. Each engagement
    concerned gets one ``personal_data_erased`` event (counts only), and an ``erasure`` chain entry when salts
    went."""
    person = find_person(session, query, organisation=None)
    report = ErasureReport()
    pseudonymised: dict[str, int] = defaultdict(int)
    for row in matching_stakeholders(session, person, organisation=None):
        statement = delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id)
        report.contacts_deleted += cast(CursorResult[Any], session.execute(statement)).rowcount
        if row.kind == StakeholderKind.personne.value:
            row.name, row.key, row.notes, row.tags = pseudonym(row.id), f"{ERASED}-{row.id}", None, []
            row.version += 1
            row.updated_at = clock.now()
            report.pseudonymised += 1
        pseudonymised[row.engagement_id] += 1
    session.flush()
    named = _recorded_by(session, person.login) if person.login is not None else {}
    for engagement_id in sorted(named.keys() | pseudonymised.keys()):
        chain.lock(session, engagement_id)
        erased = _erase_salts(session, engagement_id, named.get(engagement_id, []))
        now = clock.now()
        event_id = append_event(
            session,
            engagement_id=engagement_id,
            step=None,
            event="personal_data_erased",
            from_state=None,
            to_state=None,
            actor=SYSTEM_LOGIN,
            actor_role=SYSTEM_ROLE,
            at=now,
            comment=None,
            payload={"stakeholders": pseudonymised.get(engagement_id, 0), "entries": len(erased)},
            version=None,
        )
        if erased:
            values = {"id": event_id, "engagement_id": engagement_id, "erased": erased}
            chain.append(session, "erasure", values, at=now)
        report.entries[engagement_id] = len(erased)
    return report


def _recorded_by(session: Session, login: str) -> dict[str, list[tuple[str, int]]]:
    """The events the login made, and the decisions and consultations it recorded (whose ``recorded_by``
    becomes the erased marker), by engagement."""
    named: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for engagement_id, event_id in session.execute(
        select(EventRow.engagement_id, EventRow.id).where(EventRow.actor == login)
    ):
        named[engagement_id].append(("event", event_id))
    for source, table in (("decision", DecisionRow), ("consultation", ConsultationRow)):
        rows = session.execute(select(table.engagement_id, table.id).where(table.recorded_by == login))
        for engagement_id, ref_id in rows:
            named[engagement_id].append((source, ref_id))
        session.execute(update(table).where(table.recorded_by == login).values(recorded_by=ERASED))
    return named


def _erase_salts(session: Session, engagement_id: str, named: list[tuple[str, int]]) -> list[dict[str, Any]]:
    wanted = {(kind, ref_id) for kind, ref_id in named}
    consultation_refs = {ref for kind, ref in wanted if kind == "consultation"}
    erased: list[dict[str, Any]] = []
    rows = session.execute(
        select(_ENTRIES.c.seq, _ENTRIES.c.kind, _ENTRIES.c.ref_id, _ENTRIES.c.salts)
        .where(
            _ENTRIES.c.engagement_id == engagement_id,
            _ENTRIES.c.kind.in_(["event", "decision", "consultation"]),
        )
        .order_by(_ENTRIES.c.seq)
    )
    for seq, kind, ref_id, salts in rows.all():
        if (kind, ref_id) not in wanted and not (kind == "consultation" and ref_id in consultation_refs):
            continue
        fields = ("actor", "comment") if kind == "event" else ("recorded_by",)
        gone = sorted(name for name in fields if name in (salts or {}))
        if not gone:
            continue
        kept = {name: salt for name, salt in (salts or {}).items() if name not in gone}
        session.execute(
            update(_ENTRIES)
            .where(_ENTRIES.c.engagement_id == engagement_id, _ENTRIES.c.seq == seq)
            .values(salts=kept)
        )
        erased.append({"seq": seq, "fields": gone})
    return erased
