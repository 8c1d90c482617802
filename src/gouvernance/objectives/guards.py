"""Guards over the objectives: the local actors validated them (seed 000: indicators "validés par les acteurs
locaux", not by the consultant alone), and every indicator was measured recently enough for an evaluation.

Both name what is missing: which objective lacks whose validation, which indicator has had no measurement
since when."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from pydantic import Field
from sqlalchemy import func, select

from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveApprovalRow, ObjectiveRow
from gouvernance.objectives.service import Frequency
from gouvernance.spec.schema import ProcessModel, StepSpec

# How long a measurement stays current, by frequency: a quarterly indicator measured 100 days ago is overdue.
FRESHNESS = {
    Frequency.MENSUELLE: timedelta(days=31),
    Frequency.TRIMESTRIELLE: timedelta(days=92),
    Frequency.SEMESTRIELLE: timedelta(days=183),
    Frequency.ANNUELLE: timedelta(days=366),
}


class ObjectivesValidated(Guard):
    """There is at least one objective, and each holds the approval of every role of ``roles`` for its current
    version (an indicator added since asks for them again)."""

    rule_name: ClassVar[str] = "objectives_validated"

    roles: tuple[str, ...] = Field(min_length=1)

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        return [
            Message("unknown_role", f"rôle inconnu « {role} »", f"unknown role '{role}'", path="roles")
            for role in self.roles
            if role not in model.roles_by_key
        ]

    def check(self, ctx: GuardContext) -> Message | None:
        objectives = ctx.session.execute(
            select(ObjectiveRow.id, ObjectiveRow.title, ObjectiveRow.version)
            .where(ObjectiveRow.engagement_id == ctx.engagement.id)
            .order_by(ObjectiveRow.id)
        ).all()
        if not objectives:
            return Message(
                "guard.no_objective",
                "aucun objectif n'est encore défini",
                "no objective has been defined yet",
            )
        approved = {
            (objective_id, version, role)
            for objective_id, version, role in ctx.session.execute(
                select(
                    ObjectiveApprovalRow.objective_id,
                    ObjectiveApprovalRow.objective_version,
                    ObjectiveApprovalRow.role,
                ).where(ObjectiveApprovalRow.objective_id.in_([row.id for row in objectives]))
            )
        }
        missing = [
            (title, [role for role in self.roles if (objective_id, version, role) not in approved])
            for objective_id, title, version in objectives
        ]
        missing = [(title, roles) for title, roles in missing if roles]
        if not missing:
            return None
        fr = " ; ".join(
            f"« {title} » attend la validation de : {', '.join(ctx.model.role_title(r) for r in roles)}"
            for title, roles in missing
        )
        en = "; ".join(
            f"'{title}' awaits validation by: {', '.join(ctx.model.role_title(r, 'en') for r in roles)}"
            for title, roles in missing
        )
        return Message(
            "guard.objectives_not_validated",
            f"objectifs non validés par les acteurs locaux : {fr}",
            f"objectives not validated by the local actors: {en}",
            details={"missing": [{"objective": title, "roles": roles} for title, roles in missing]},
        )

    def describe(self) -> Message:
        roles = ", ".join(self.roles)
        return Message(
            "guard.objectives_validated",
            f"objectifs et indicateurs validés par : {roles}",
            f"objectives and indicators validated by: {roles}",
        )


class IndicatorsMeasured(Guard):
    """There is at least one indicator, and each has a measurement within its frequency (a month, a quarter, a
    half-year, a year) before today."""

    rule_name: ClassVar[str] = "indicators_measured"

    def check(self, ctx: GuardContext) -> Message | None:
        rows = ctx.session.execute(
            select(IndicatorRow.label, IndicatorRow.frequency, func.max(MeasurementRow.measured_on))
            .outerjoin(MeasurementRow, MeasurementRow.indicator_id == IndicatorRow.id)
            .where(IndicatorRow.engagement_id == ctx.engagement.id)
            .group_by(IndicatorRow.id, IndicatorRow.label, IndicatorRow.frequency)
            .order_by(IndicatorRow.id)
        ).all()
        if not rows:
            return Message(
                "guard.no_indicator",
                "aucun indicateur n'est encore défini",
                "no indicator has been defined yet",
            )
        today = ctx.clock.now().date()
        stale = [
            (label, latest)
            for label, frequency, latest in rows
            if latest is None or today - latest > FRESHNESS[Frequency(frequency)]
        ]
        if not stale:
            return None
        fr = ", ".join(f"« {label} » ({_since(latest, 'fr')})" for label, latest in stale)
        en = ", ".join(f"'{label}' ({_since(latest, 'en')})" for label, latest in stale)
        return Message(
            "guard.indicators_not_measured",
            f"indicateurs sans mesure récente : {fr}",
            f"indicators without a recent measurement: {en}",
            details={"indicators": [label for label, _ in stale]},
        )

    def describe(self) -> Message:
        return Message(
            "guard.indicators_measured",
            "chaque indicateur a une mesure récente (selon sa fréquence)",
            "every indicator has a recent measurement (by its frequency)",
        )


def _since(latest: date | None, lang: str) -> str:
    if latest is None:
        return "jamais mesuré" if lang == "fr" else "never measured"
    if lang == "fr":
        return f"dernière mesure le {latest.strftime('%d/%m/%Y')}"
    return f"last measured on {latest.isoformat()}"


OBJECTIVE_GUARDS: tuple[type[Guard], ...] = (
    ObjectivesValidated,
    IndicatorsMeasured,
)
