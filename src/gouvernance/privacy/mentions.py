"""Where else a person appears, beyond the accounts and the stakeholder register: training attendance lists
and trainers, convention parties' representatives, the communication plan, free texts of the register, the
consultation log and the decision register.

Two ways to match, both against the person's terms (``people.Person.terms``: the words given, and an account's
display name and e-mail address):
- a field that holds a person's name (attendee, trainer, representative, communication owner) matches when it
  equals a term, case-insensitively — as a stakeholder's name does;
- a free text (stakeholder notes, a communication action's title, audience and message, a consultation's
  summary and outcome, a decision's title and text) mentions the person when a term of several words (a full
  name) or an e-mail address appears in it as whole words (not inside a hyphenated or longer word),
  case-insensitively. A single word — a login, a first name alone — is not looked for in free texts: « marie »
  would find « Sainte-Marie ». Free texts are read and matched here rather than in SQL, whose ``lower`` leaves
  accented capitals alone on SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gouvernance.communication.records import CommunicationActionRow
from gouvernance.decisions.records import DecisionRow
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.privacy.people import Person, engagements_in_scope
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderRow
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

COMMUNICATION_TEXTS = ("title", "audience", "message")
CONSULTATION_TEXTS = ("summary", "outcome")
DECISION_TEXTS = ("title", "text")


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    # the longest first: a name before a part of it
    words = sorted((t for t in terms if " " in t.strip() or "@" in t), key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def mentions(text: str | None, person: Person) -> bool:
    pattern = _pattern(person.terms)
    return bool(text and pattern is not None and pattern.search(text))


def replace_mentions(text: str, person: Person, label: str) -> str:
    pattern = _pattern(person.terms)
    return pattern.sub(label, text) if pattern is not None and text else text


def attendances(
    session: Session, person: Person, *, organisation: str | None
) -> list[tuple[AttendeeRow, TrainingSessionRow]]:
    """The attendance-list lines whose name is one of the person's, with their session."""
    rows = session.execute(
        select(AttendeeRow, TrainingSessionRow)
        .join(TrainingSessionRow, TrainingSessionRow.id == AttendeeRow.session_id)
        .where(
            func.lower(AttendeeRow.name).in_(sorted(person.terms)),
            TrainingSessionRow.engagement_id.in_(engagements_in_scope(organisation)),
        )
        .order_by(AttendeeRow.id)
    )
    return [(attendee, parent) for attendee, parent in rows.tuples()]


def trained_sessions(
    session: Session, person: Person, *, organisation: str | None
) -> list[TrainingSessionRow]:
    """The training sessions whose trainer is the person."""
    return list(
        session.scalars(
            select(TrainingSessionRow)
            .where(
                func.lower(TrainingSessionRow.trainer).in_(sorted(person.terms)),
                TrainingSessionRow.engagement_id.in_(engagements_in_scope(organisation)),
            )
            .order_by(TrainingSessionRow.id)
        )
    )


def represented_parties(
    session: Session, person: Person, *, organisation: str | None
) -> list[ConventionPartyRow]:
    """The convention parties whose representative is the person."""
    return list(
        session.scalars(
            select(ConventionPartyRow)
            .where(
                func.lower(ConventionPartyRow.representative).in_(sorted(person.terms)),
                ConventionPartyRow.engagement_id.in_(engagements_in_scope(organisation)),
            )
            .order_by(ConventionPartyRow.id)
        )
    )


def communication_actions(
    session: Session, person: Person, *, organisation: str | None
) -> list[CommunicationActionRow]:
    """The communication plan's actions the person carries (``owner``) or whose texts mention them."""
    terms = person.terms
    rows = session.scalars(
        select(CommunicationActionRow)
        .where(CommunicationActionRow.engagement_id.in_(engagements_in_scope(organisation)))
        .order_by(CommunicationActionRow.id)
    )
    return [
        row
        for row in rows
        if row.owner.strip().lower() in terms
        or any(mentions(getattr(row, name), person) for name in COMMUNICATION_TEXTS)
    ]


def noted_stakeholders(
    session: Session, person: Person, *, organisation: str | None, excluded: Iterable[int] = ()
) -> list[StakeholderRow]:
    """Register entries (other than ``excluded``, the person's own) whose notes mention the person."""
    rows = session.scalars(
        select(StakeholderRow)
        .where(
            StakeholderRow.notes.is_not(None),
            StakeholderRow.id.not_in(list(excluded)),
            StakeholderRow.engagement_id.in_(engagements_in_scope(organisation)),
        )
        .order_by(StakeholderRow.id)
    )
    return [row for row in rows if mentions(row.notes, person)]


def mentioning_consultations(
    session: Session, person: Person, *, organisation: str | None
) -> list[ConsultationRow]:
    rows = session.scalars(
        select(ConsultationRow)
        .where(ConsultationRow.engagement_id.in_(engagements_in_scope(organisation)))
        .order_by(ConsultationRow.id)
    )
    return [row for row in rows if any(mentions(getattr(row, name), person) for name in CONSULTATION_TEXTS)]


def mentioning_decisions(session: Session, person: Person, *, organisation: str | None) -> list[DecisionRow]:
    rows = session.scalars(
        select(DecisionRow)
        .where(DecisionRow.engagement_id.in_(engagements_in_scope(organisation)))
        .order_by(DecisionRow.id)
    )
    return [row for row in rows if any(mentions(getattr(row, name), person) for name in DECISION_TEXTS)]
