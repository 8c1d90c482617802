"""What the stakeholder services share: the engagement a register belongs to, the timeline event every
write appends, and the errors they raise in the same words (not found, concurrent change).

Event payloads hold row ids, counts and codes only: no name, no key, no contact detail, since events can never
be edited or erased and a stakeholder may be a private person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import Conflict, Message, NotFound
from gouvernance.spec.schema import ProcessModel


def engagement_of(session: Session, engagement_id: str) -> tuple[EngagementRow, ProcessModel]:
    """The engagement and the process model it was launched from (its stored snapshot)."""
    subject = load_subject(session, engagement_id, None)  # NotFound in the door's words
    return subject.engagement, subject.model


@contextmanager
def unique_or_conflict() -> Iterator[None]:
    """A uniqueness clash the checks could not see (another transaction wrote the same stakeholder or relation
    meanwhile, on PostgreSQL) is a Conflict to retry, not a crash; the caller's transaction rolls back."""
    try:
        yield
    except IntegrityError:
        raise Conflict(
            Message(
                "stakeholders.concurrent_change",
                "Le registre des parties prenantes a été modifié en même temps : rechargez puis réessayez.",
                "The stakeholder register was changed at the same time: reload and retry.",
            )
        ) from None


def rowcount(session: Session, statement: Any) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def not_found(what: str, identifier: object) -> NotFound:
    labels = {
        "stakeholder": ("Partie prenante introuvable", "Stakeholder not found"),
        "relation": ("Relation introuvable", "Relation not found"),
        "consultation": ("Consultation introuvable", "Consultation not found"),
    }
    fr, en = labels[what]
    return NotFound(
        Message(
            f"{what}.not_found", f"{fr} : {identifier}", f"{en}: {identifier}", details={"id": identifier}
        )
    )


def vocabulary_term(enum: Any, value: Any) -> Any:
    """A code, or a label or synonym of one (« en conflit avec », « réunion publique »)."""
    if isinstance(value, str):
        return enum.parse(value) or value
    return value
