"""Pseudonymising a person (RGPD art. 17, within what an append-only register allows).

Stakeholder entries of private persons take a pseudonym, their contact details are deleted and their notes
cleared. Elsewhere (``mentions.py`` says how a person is matched) the person's name gives way to the same
pseudonym: training attendance lines (their quality cleared, presence kept) and trainers, convention
representatives (the party's name and their title stay), communication owners, the owners of the objectives'
action plans, and the free texts that name them (other entries' notes, the communication plan's texts,
consultations' summaries and outcomes, the diagnostic's findings, the indicators' measurements' comments).
These rows are not chained: they are rewritten in place, and the ``personal_data_erased`` event counts them.
The logins that recorded unchained rows (findings, measurements, approvals, vote counts, the closed vote…)
become the erased marker. Decisions stay as they were voted: their texts are public acts, chained unsalted.

In the verifiable register, the salts of the person's personal fields (the ``actor`` and ``comment`` of the
events they made, the ``recorded_by`` of decisions and consultations they recorded, the consultation texts
rewritten) are erased, and the erasure itself is chained as an ``erasure`` entry naming each field, logged by
a ``personal_data_erased`` event: the chain still verifies, and the salted hashes can no longer be tested
against a name. The events table itself is immutable: an actor's login stays there in clear (see
ARCHITECTURE.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, select, update
from sqlalchemy.orm import Session

from gouvernance.audit import chain
from gouvernance.audit.records import AuditEntryRow
from gouvernance.budget.records import ClosedVoteRow, ProposalRow, VoteCountRow
from gouvernance.clock import Clock
from gouvernance.communication.records import CommunicationActionRow
from gouvernance.decisions.records import DecisionRow
from gouvernance.diagnostic.records import FindingRow
from gouvernance.engagements.actors import SYSTEM_LOGIN, SYSTEM_ROLE
from gouvernance.evidence.records import EvidenceRow
from gouvernance.history.log import append_event
from gouvernance.history.records import EventRow
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveApprovalRow, ObjectiveRow
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.privacy import mentions
from gouvernance.privacy.people import Person, find_person, matching_stakeholders
from gouvernance.publication.records import PublicEngagementRow
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderContactRow
from gouvernance.stakeholders.vocabulary import StakeholderKind
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

ERASED = "personne-effacee"
ERASED_NAME = "Personne effacée"  # where the person has no register entry in the engagement to number it by
_ENTRIES = cast(Table, AuditEntryRow.__table__)

# engagement → chain source (kind, id) → personal fields whose salts go
Salted = dict[str, dict[tuple[str, int], set[str]]]


def pseudonym(stakeholder_id: int) -> str:
    return f"Personne effacée n° {stakeholder_id}"


@dataclass
class ErasureReport:
    pseudonymised: int = 0
    contacts_deleted: int = 0
    entries: dict[str, int] = field(default_factory=dict)  # engagement → entries whose salts were erased
    elsewhere: dict[str, int] = field(default_factory=dict)  # what else was pseudonymised → rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonymised": self.pseudonymised,
            "contacts_deleted": self.contacts_deleted,
            "entries": dict(sorted(self.entries.items())),
            "elsewhere": dict(sorted(self.elsewhere.items())),
        }


def erase_person(session: Session, query: str, *, clock: Clock) -> ErasureReport:
    """Pseudonymises ``query`` (a login, a name or an e-mail address) in every organisation. Each engagement
    concerned gets one ``personal_data_erased`` event (counts only), and an ``erasure`` chain entry when salts
    went."""
    person = find_person(session, query, organisation=None)
    now = clock.now()
    report = ErasureReport()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[str, str] = {}
    own: list[int] = []
    for row in matching_stakeholders(session, person, organisation=None):
        statement = delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id)
        report.contacts_deleted += cast(CursorResult[Any], session.execute(statement)).rowcount
        if row.kind == StakeholderKind.personne.value:
            labels.setdefault(row.engagement_id, pseudonym(row.id))
            own.append(row.id)
            row.name, row.key, row.notes, row.tags = pseudonym(row.id), f"{ERASED}-{row.id}", None, []
            row.version += 1
            row.updated_at = now
            report.pseudonymised += 1
        counts[row.engagement_id]["stakeholders"] += 1
    session.flush()
    salted: Salted = defaultdict(lambda: defaultdict(set))
    _pseudonymise_elsewhere(session, person, labels, counts, salted, own=own, now=now)
    if person.login is not None:
        _recorded_by(session, person.login, salted, counts)
    session.flush()
    for engagement_id in sorted(salted.keys() | counts.keys()):
        chain.lock(session, engagement_id)
        erased = _erase_salts(session, engagement_id, salted.get(engagement_id, {}))
        done = counts.get(engagement_id, {})
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
            payload={"stakeholders": done.get("stakeholders", 0), "entries": len(erased), **_others(done)},
            version=None,
        )
        if erased:
            values = {"id": event_id, "engagement_id": engagement_id, "erased": erased}
            chain.append(session, "erasure", values, at=now)
        report.entries[engagement_id] = len(erased)
        for what, count in _others(done).items():
            report.elsewhere[what] = report.elsewhere.get(what, 0) + count
    return report


def _others(done: dict[str, int]) -> dict[str, int]:
    return {what: count for what, count in sorted(done.items()) if what != "stakeholders" and count}


def _pseudonymise_elsewhere(
    session: Session,
    person: Person,
    labels: dict[str, str],
    counts: dict[str, dict[str, int]],
    salted: Salted,
    *,
    own: list[int],
    now: datetime,
) -> None:
    """The person's name, wherever else it is held, becomes the engagement's pseudonym (``counts``: what
    changed; ``salted``: the chained fields rewritten)."""

    def label(engagement_id: str) -> str:
        return labels.get(engagement_id, ERASED_NAME)

    def changed(row: Any, what: str, engagement_id: str) -> None:
        row.version += 1
        row.updated_at = now
        counts[engagement_id][what] += 1

    for attendee, parent in mentions.attendances(session, person, organisation=None):
        attendee.name = _free_name(session, parent.id, label(parent.engagement_id), attendee.id)
        attendee.quality = ""  # « adjointe à la citoyenneté »: describes the person (a party's title stays)
        changed(attendee, "attendees", parent.engagement_id)
    for training in mentions.trained_sessions(session, person, organisation=None):
        training.trainer = label(training.engagement_id)
        changed(training, "trainers", training.engagement_id)
    for party in mentions.represented_parties(session, person, organisation=None):
        party.representative = label(party.engagement_id)
        changed(party, "representatives", party.engagement_id)
    for action in mentions.communication_actions(session, person, organisation=None):
        name = label(action.engagement_id)
        if action.owner.strip().lower() in person.terms:
            action.owner = name
        for text in mentions.COMMUNICATION_TEXTS:
            setattr(action, text, mentions.replace_mentions(getattr(action, text), person, name))
        changed(action, "communication_actions", action.engagement_id)
    for planned, objective in mentions.owned_actions(session, person, organisation=None):
        planned.owner = label(objective.engagement_id)
        changed(planned, "action_owners", objective.engagement_id)
    for noted in mentions.noted_stakeholders(session, person, organisation=None, excluded=own):
        noted.notes = mentions.replace_mentions(noted.notes or "", person, label(noted.engagement_id))
        changed(noted, "notes", noted.engagement_id)
    _rewrite_consultations(session, person, label, counts, salted)
    _rewrite_findings_and_measurements(session, person, label, counts)


def _rewrite_findings_and_measurements(
    session: Session, person: Person, label: Callable[[str], str], counts: dict[str, dict[str, int]]
) -> None:
    """The diagnostic's findings and the measurements' comments: unchained, without a version, rewritten in
    place."""
    for finding in mentions.mentioning_findings(session, person, organisation=None):
        for text in mentions.FINDING_TEXTS:
            value = getattr(finding, text)
            setattr(finding, text, mentions.replace_mentions(value, person, label(finding.engagement_id)))
        counts[finding.engagement_id]["findings"] += 1
    for measurement, indicator in mentions.commented_measurements(session, person, organisation=None):
        measurement.comment = mentions.replace_mentions(
            measurement.comment, person, label(indicator.engagement_id)
        )
        counts[indicator.engagement_id]["measurements"] += 1


def _rewrite_consultations(
    session: Session,
    person: Person,
    label: Callable[[str], str],
    counts: dict[str, dict[str, int]],
    salted: Salted,
) -> None:
    for consultation in mentions.mentioning_consultations(session, person, organisation=None):
        name = label(consultation.engagement_id)
        for text in mentions.CONSULTATION_TEXTS:
            value = getattr(consultation, text)
            if mentions.mentions(value, person):
                setattr(consultation, text, mentions.replace_mentions(value, person, name))
                salted[consultation.engagement_id][("consultation", consultation.id)].add(text)
        counts[consultation.engagement_id]["consultations"] += 1


def _free_name(session: Session, session_id: int, name: str, attendee_id: int) -> str:
    """``name``, or ``name (attendee_id)`` when another line of the attendance list already bears it."""
    taken = session.scalar(
        select(AttendeeRow.id).where(
            AttendeeRow.session_id == session_id, AttendeeRow.name == name, AttendeeRow.id != attendee_id
        )
    )
    return name if taken is None else f"{name} ({attendee_id})"


def _recorded_by(session: Session, login: str, salted: Salted, counts: dict[str, dict[str, int]]) -> None:
    """The events the login made, and the rows it recorded (whose ``recorded_by`` becomes the erased marker):
    decisions and consultations, whose salts go, and the unchained rows of ``_UNCHAINED_LOGINS``."""
    for engagement_id, event_id in session.execute(
        select(EventRow.engagement_id, EventRow.id).where(EventRow.actor == login)
    ):
        salted[engagement_id][("event", event_id)] |= {"actor", "comment"}
    for source, table in (("decision", DecisionRow), ("consultation", ConsultationRow)):
        rows = session.execute(select(table.engagement_id, table.id).where(table.recorded_by == login))
        for engagement_id, ref_id in rows:
            salted[engagement_id][(source, ref_id)].add("recorded_by")
        session.execute(update(table).where(table.recorded_by == login).values(recorded_by=ERASED))
    for column, engagement, parent, on in _UNCHAINED_LOGINS:
        entity = column.class_
        query = select(engagement).select_from(entity)
        if parent is not None and on is not None:
            query = query.join(parent, on)
        for (engagement_id,) in session.execute(query.where(column == login)):
            counts[engagement_id]["recorded_by"] += 1
        session.execute(update(entity).where(column == login).values({column.key: ERASED}))


# Who recorded (or approved, or closed) an unchained row: the login's column, the engagement's column, and
# the parent table that holds it with its join when the row has no engagement of its own.
_UNCHAINED_LOGINS: tuple[tuple[Any, Any, type[Any] | None, ColumnElement[bool] | None], ...] = (
    (TrainingSessionRow.recorded_by, TrainingSessionRow.engagement_id, None, None),
    (ConventionPartyRow.recorded_by, ConventionPartyRow.engagement_id, None, None),
    (CommunicationActionRow.recorded_by, CommunicationActionRow.engagement_id, None, None),
    (FindingRow.recorded_by, FindingRow.engagement_id, None, None),
    (ClosedVoteRow.closed_by, ClosedVoteRow.engagement_id, None, None),
    (
        MeasurementRow.recorded_by,
        IndicatorRow.engagement_id,
        IndicatorRow,
        IndicatorRow.id == MeasurementRow.indicator_id,
    ),
    (
        ObjectiveApprovalRow.login,
        ObjectiveRow.engagement_id,
        ObjectiveRow,
        ObjectiveRow.id == ObjectiveApprovalRow.objective_id,
    ),
    (
        VoteCountRow.recorded_by,
        ProposalRow.engagement_id,
        ProposalRow,
        ProposalRow.id == VoteCountRow.proposal_id,
    ),
    (EvidenceRow.attached_by, EvidenceRow.engagement_id, None, None),
    (PublicEngagementRow.published_by, PublicEngagementRow.engagement_id, None, None),
)


def _erase_salts(
    session: Session, engagement_id: str, wanted: dict[tuple[str, int], set[str]]
) -> list[dict[str, Any]]:
    erased: list[dict[str, Any]] = []
    if not wanted:
        return erased
    rows = session.execute(
        select(_ENTRIES.c.seq, _ENTRIES.c.kind, _ENTRIES.c.ref_id, _ENTRIES.c.salts)
        .where(
            _ENTRIES.c.engagement_id == engagement_id,
            _ENTRIES.c.kind.in_(["event", "decision", "consultation"]),
        )
        .order_by(_ENTRIES.c.seq)
    )
    for seq, kind, ref_id, salts in rows.all():
        gone = sorted(name for name in wanted.get((kind, ref_id), ()) if name in (salts or {}))
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
