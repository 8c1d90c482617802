"""Where else a person appears, beyond the accounts and the stakeholder register: training attendance lists
and trainers, convention parties' representatives, the communication plan, the owners of the objectives'
action plans, free texts of the register, the consultation log, the diagnostic's findings, the indicators'
measurements and the decision register.

Two ways to match, both against the person's terms (``people.Person.terms``: the words given, and an account's
display name and e-mail address):
- a field that holds a person's name (attendee, trainer, representative, communication owner, an action
  plan's owner) matches when it equals a term, case-insensitively — as a stakeholder's name does;
- a free text (stakeholder notes, a communication action's title, audience and message, a consultation's
  summary and outcome, a finding's title and detail, a measurement's comment, a decision's title and text)
  mentions the person when a term of several words (a full
  name) or an e-mail address appears in it as whole words (not inside a hyphenated or longer word),
  case-insensitively. A single word — a login, a first name alone — is not looked for in free texts: « marie »
  would find « Sainte-Marie ». Free texts are read and matched here rather than in SQL, whose ``lower`` leaves
  accented capitals alone on SQLite."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TypeVar, cast

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from gouvernance.communication.records import CommunicationActionRow
from gouvernance.decisions.records import DecisionRow
from gouvernance.diagnostic.records import FindingRow
from gouvernance.objectives.records import ActionRow, IndicatorRow, MeasurementRow, ObjectiveRow
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.privacy.people import Person, engagements_in_scope
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderRow
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

COMMUNICATION_TEXTS = ("title", "audience", "message")
CONSULTATION_TEXTS = ("summary", "outcome")
DECISION_TEXTS = ("title", "text")
FINDING_TEXTS = ("title", "detail")

_Row = TypeVar("_Row", CommunicationActionRow, StakeholderRow, ConsultationRow, DecisionRow, FindingRow)


@functools.lru_cache(maxsize=64)
def _pattern(terms: frozenset[str]) -> re.Pattern[str] | None:
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
    carried = func.lower(CommunicationActionRow.owner).in_(sorted(person.terms))
    return _mentioning(
        session, CommunicationActionRow, COMMUNICATION_TEXTS, person, organisation, also=carried
    )


def owned_actions(
    session: Session, person: Person, *, organisation: str | None
) -> list[tuple[ActionRow, ObjectiveRow]]:
    """The objectives' action-plan items whose owner is the person (an owner may also be a service), with
    their objective."""
    rows = session.execute(
        select(ActionRow, ObjectiveRow)
        .join(ObjectiveRow, ObjectiveRow.id == ActionRow.objective_id)
        .where(
            func.lower(ActionRow.owner).in_(sorted(person.terms)),
            ObjectiveRow.engagement_id.in_(engagements_in_scope(organisation)),
        )
        .order_by(ActionRow.id)
    )
    return [(action, objective) for action, objective in rows.tuples()]


def noted_stakeholders(
    session: Session, person: Person, *, organisation: str | None, excluded: Iterable[int] = ()
) -> list[StakeholderRow]:
    """Register entries (other than ``excluded``, the person's own) whose notes mention the person."""
    rows = _mentioning(session, StakeholderRow, ("notes",), person, organisation)
    return [row for row in rows if row.id not in set(excluded)]


def mentioning_consultations(
    session: Session, person: Person, *, organisation: str | None
) -> list[ConsultationRow]:
    return _mentioning(session, ConsultationRow, CONSULTATION_TEXTS, person, organisation)


def mentioning_decisions(session: Session, person: Person, *, organisation: str | None) -> list[DecisionRow]:
    return _mentioning(session, DecisionRow, DECISION_TEXTS, person, organisation)


def mentioning_findings(session: Session, person: Person, *, organisation: str | None) -> list[FindingRow]:
    """The diagnostic's findings whose title or detail mention the person."""
    return _mentioning(session, FindingRow, FINDING_TEXTS, person, organisation)


def commented_measurements(
    session: Session, person: Person, *, organisation: str | None
) -> list[tuple[MeasurementRow, IndicatorRow]]:
    """The indicators' measurements whose comment mentions the person, with their indicator."""
    pattern = _pattern(person.terms)
    if pattern is None:
        return []
    in_scope = IndicatorRow.engagement_id.in_(engagements_in_scope(organisation))
    comments = session.execute(
        select(MeasurementRow.id, MeasurementRow.comment)
        .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
        .where(in_scope, MeasurementRow.comment != "")
    )
    found = sorted(row_id for row_id, comment in comments if comment and pattern.search(comment))
    if not found:
        return []
    rows = session.execute(
        select(MeasurementRow, IndicatorRow)
        .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
        .where(MeasurementRow.id.in_(found))
        .order_by(MeasurementRow.id)
    )
    return [(measurement, indicator) for measurement, indicator in rows.tuples()]


def _mentioning(
    session: Session,
    entity: type[_Row],
    texts: tuple[str, ...],
    person: Person,
    organisation: str | None,
    *,
    also: ColumnElement[bool] | None = None,
) -> list[_Row]:
    """The rows of ``entity`` in scope whose ``texts`` mention the person (or that match ``also``): only
    the texts are read to search them, whole rows only for those found."""
    pattern = _pattern(person.terms)
    table = cast(Table, entity.__table__)
    in_scope = table.c.engagement_id.in_(engagements_in_scope(organisation))
    found: set[int] = set()
    if pattern is not None:
        rows = session.execute(select(table.c.id, *(table.c[name] for name in texts)).where(in_scope))
        found = {row[0] for row in rows if any(text and pattern.search(text) for text in row[1:])}
    if also is not None:
        found |= set(session.scalars(select(table.c.id).where(in_scope, also)))
    if not found:
        return []
    return list(session.scalars(select(entity).where(table.c.id.in_(sorted(found))).order_by(table.c.id)))
