"""The training read back: each session with its attendees, and the review (bilan) — sessions held, planned
and cancelled, attendance rates per session and per audience, hours of training received."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.training.records import AttendeeRow, TrainingSessionRow
from gouvernance.training.service import Audience, SessionStatus, sessions


@dataclass(frozen=True)
class Attendance:
    """Who was expected and who came, among those whose presence was recorded."""

    expected: int
    present: int
    absent: int

    @property
    def recorded(self) -> int:
        return self.present + self.absent

    @property
    def rate(self) -> Decimal | None:
        """Present among those recorded, in percent; None before any attendance is taken."""
        if not self.recorded:
            return None
        return (Decimal(100) * self.present / self.recorded).quantize(Decimal("0.1"))

    def __add__(self, other: Attendance) -> Attendance:
        return Attendance(
            self.expected + other.expected, self.present + other.present, self.absent + other.absent
        )


NOBODY = Attendance(0, 0, 0)


@dataclass(frozen=True)
class SessionView:
    session: TrainingSessionRow
    attendees: list[AttendeeRow]
    attendance: Attendance


@dataclass(frozen=True)
class TrainingReview:
    sessions: list[SessionView]
    by_audience: dict[Audience, Attendance]  # held sessions only
    held: int
    planned: int
    cancelled: int
    trainee_hours: Decimal  # hours × people present, over the sessions held

    @property
    def overall(self) -> Attendance:
        return sum(self.by_audience.values(), NOBODY)


def training_views(session: Session, engagement_id: str) -> list[SessionView]:
    """Every session in date order with its attendees: two queries."""
    rows = sessions(session, engagement_id)
    people: dict[int, list[AttendeeRow]] = defaultdict(list)
    for attendee in session.scalars(
        select(AttendeeRow)
        .join(TrainingSessionRow, TrainingSessionRow.id == AttendeeRow.session_id)
        .where(TrainingSessionRow.engagement_id == engagement_id)
        .order_by(AttendeeRow.id)
    ):
        people[attendee.session_id].append(attendee)
    return [SessionView(row, people[row.id], attendance_of(people[row.id])) for row in rows]


def attendance_of(attendees: list[AttendeeRow]) -> Attendance:
    return Attendance(
        len(attendees),
        sum(1 for a in attendees if a.present is True),
        sum(1 for a in attendees if a.present is False),
    )


def training_review(session: Session, engagement_id: str) -> TrainingReview:
    views = training_views(session, engagement_id)
    held = [view for view in views if view.session.status == SessionStatus.TENUE.value]
    by_audience: dict[Audience, Attendance] = {}
    for view in held:
        audience = Audience(view.session.audience)
        by_audience[audience] = by_audience.get(audience, NOBODY) + view.attendance
    count = {status: sum(1 for v in views if v.session.status == status.value) for status in SessionStatus}
    return TrainingReview(
        sessions=views,
        by_audience={audience: by_audience[audience] for audience in Audience if audience in by_audience},
        held=count[SessionStatus.TENUE],
        planned=count[SessionStatus.PREVUE],
        cancelled=count[SessionStatus.ANNULEE],
        trainee_hours=sum(
            (view.session.duration_hours * view.attendance.present for view in held), Decimal(0)
        ),
    )
