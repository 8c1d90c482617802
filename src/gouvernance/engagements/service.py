"""Launching engagements from a process model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from gouvernance.access.records import OrganisationRow
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.settings import DURATION_SCALE, ROLE_TITLES, settings_problems
from gouvernance.engagements.territory import code_problem
from gouvernance.engagements.transitions import TransitionResult, transition
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.history.log import append_event
from gouvernance.inputs import date_problem, text_problems
from gouvernance.spec.catalog import snapshot
from gouvernance.spec.schedule import not_applicable_steps
from gouvernance.spec.schema import ParameterValueError, ProcessModel
from gouvernance.stakeholders.analysis.classification import THRESHOLD_SETTING, threshold_problem

TerritoryKind = Literal["commune", "epci", "departement", "region", "autre"]
TERRITORY_KINDS: tuple[str, ...] = TerritoryKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Territory:
    name: str
    kind: str = "commune"
    insee: str | None = None


@dataclass
class LaunchRequest:
    model: ProcessModel
    territory: Territory
    start_date: date
    parameters: dict[str, Any] = field(default_factory=dict)
    lead: str | None = None
    engagement_id: str | None = None
    organisation_id: str | None = None


def resolve_parameters(model: ProcessModel, raw: dict[str, Any]) -> dict[str, Any]:
    """Launch values typed as the model declares them, defaults filled in; every problem reported at once."""
    problems: list[Message] = []
    values: dict[str, Any] = {}
    for key in raw:
        if key not in model.parameters_by_key and key not in (THRESHOLD_SETTING, DURATION_SCALE, ROLE_TITLES):
            known = ", ".join(model.parameters_by_key) or "aucun"
            problems.append(
                Message(
                    "parameter.unknown",
                    f"paramètre inconnu « {key} » (paramètres : {known})",
                    f"unknown parameter '{key}' (parameters: {known})",
                    path=key,
                )
            )
    for spec in model.parameters:
        if spec.key in raw:
            try:
                values[spec.key] = spec.coerce(raw[spec.key])
            except (ValueError, TypeError) as exc:
                english = exc.en if isinstance(exc, ParameterValueError) else str(exc)
                problems.append(
                    Message(
                        "parameter.invalid",
                        f"« {spec.key} » : {exc}",
                        f"'{spec.key}': {english}",
                        path=spec.key,
                    )
                )
        elif spec.required and spec.default is None:
            problems.append(
                Message(
                    "parameter.missing",
                    f"paramètre obligatoire manquant : « {spec.key} »",
                    f"missing required parameter: '{spec.key}'",
                    path=spec.key,
                )
            )
        else:
            values[spec.key] = spec.default
    if THRESHOLD_SETTING in raw and THRESHOLD_SETTING not in model.parameters_by_key:
        threshold = _number(raw[THRESHOLD_SETTING])
        if problem := threshold_problem(threshold):
            problems.append(problem)
        else:
            values[THRESHOLD_SETTING] = float(threshold)
    settings, setting_problems = settings_problems(model, raw)
    values.update(settings)
    problems += setting_problems
    if problems:
        raise InvalidInput(
            Message("parameter.problems", "Paramètres de lancement invalides", "Invalid launch parameters"),
            reasons=problems,
        )
    return values


def _number(value: Any) -> Any:
    """A number given as text (the command line's ``--param seuil_mendelow=3,5``) as a number."""
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return value
    return value


def _check_territory(territory: Territory) -> None:
    problems = text_problems({"territory.name": territory.name, "territory.insee": territory.insee})
    if not territory.name.strip():
        problems.append(
            Message(
                "territory.name",
                "le nom du territoire est obligatoire",
                "the territory name is required",
                path="territory.name",
            )
        )
    if territory.kind not in TERRITORY_KINDS:
        problems.append(
            Message(
                "territory.kind",
                f"type de territoire inconnu « {territory.kind} » ({', '.join(TERRITORY_KINDS)})",
                f"unknown territory kind '{territory.kind}'",
                path="territory.kind",
            )
        )
    if territory.kind in TERRITORY_KINDS and (mismatch := code_problem(territory.kind, territory.insee)):
        problems.append(mismatch)
    if problems:
        raise InvalidInput(
            Message("territory.invalid", "Territoire invalide", "Invalid territory"), reasons=problems
        )


def _check_organisation(session: Session, key: str) -> None:
    if session.get(OrganisationRow, key) is None:
        raise NotFound(
            Message(
                "organisation.not_found",
                f"Organisation inconnue : « {key} »",
                f"Unknown organisation: '{key}'",
                path="organisation",
            )
        )


def request_problems(request: LaunchRequest) -> list[Message]:
    """Everything wrong with a launch request that can be told without the database (parameters, start
    date, territory), all at once: a bulk launch checks every row before it launches any."""
    problems: list[Message] = []
    for check in (
        lambda: resolve_parameters(request.model, request.parameters),
        lambda: _check_territory(request.territory),
    ):
        try:
            check()
        except InvalidInput as invalid:
            problems.extend(invalid.reasons or [invalid.message])
    if problem := date_problem(request.start_date, "start_date"):
        problems.append(problem)
    return problems


def launch(session: Session, request: LaunchRequest, *, actor: ActorRef, clock: Clock) -> TransitionResult:
    """Create the engagement and its steps, then activate it: the first stages' steps become ready."""
    model = request.model
    parameters = resolve_parameters(model, request.parameters)
    if problem := date_problem(request.start_date, "start_date"):
        raise InvalidInput(problem)
    _check_territory(request.territory)
    if request.organisation_id is not None:
        _check_organisation(session, request.organisation_id)
    now = clock.now()
    snapshot(session, model, now=now)
    engagement = EngagementRow(
        id=request.engagement_id or str(uuid.uuid4()),
        model_key=model.key,
        model_version=model.version,
        territory_name=request.territory.name.strip(),
        territory_kind=request.territory.kind,
        territory_insee=request.territory.insee,
        start_date=request.start_date,
        parameters=parameters,
        lead=request.lead,
        organisation_id=request.organisation_id,
        state="draft",
        created_at=now,
        updated_at=now,
    )
    session.add(engagement)
    session.flush()
    # Steps go in with one multi-row INSERT: a 600-step journey launches as fast as a 6-step one. A step whose
    # ``when:`` (or its stage's) does not hold for these parameters goes in skipped: it does not apply here.
    not_applicable = not_applicable_steps(model, parameters)
    session.execute(
        insert(StepRow),
        [
            {
                "engagement_id": engagement.id,
                "stage_key": stage.key,
                "step_key": step.key,
                "kind": step.kind,
                "role": step.role,
                "state": "skipped" if step.key in not_applicable else "pending",
                "version": 1,
                "round": 1,
                "updated_at": now,
            }
            for stage in model.stages
            for step in stage.steps
        ],
    )
    append_event(
        session,
        engagement_id=engagement.id,
        step=None,
        event="launched",
        from_state=None,
        to_state="draft",
        actor=actor.login,
        actor_role=next(iter(sorted(actor.roles)), None),
        at=now,
        comment=None,
        payload={
            "model_key": model.key,
            "model_version": model.version,
            "territory": request.territory.name,
            "parameters": parameters,
            "not_applicable": not_applicable,
        },
        version=engagement.version,
        topic="engagement.launched",
    )
    session.flush()
    return transition(
        session, engagement_id=engagement.id, step_key=None, event="activate", actor=actor, clock=clock
    )
