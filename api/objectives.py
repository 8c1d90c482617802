"""Objectives of an engagement, their indicators, the local actors' approvals and the measurements (one by
one, or a spreadsheet all or nothing), with the evaluation of each objective."""

import hashlib
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.api.action_plan import PlanOut, plan_out
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeDate, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.uploads import read_upload
from gouvernance.api.writes import WritesDep
from gouvernance.objectives import measurements, service
from gouvernance.objectives.evaluation import Direction, IndicatorEvaluation, Status
from gouvernance.objectives.measurements import MeasurementData
from gouvernance.objectives.measurements_csv import import_measurements
from gouvernance.objectives.service import Frequency, IndicatorData
from gouvernance.objectives.views import ObjectiveView, indicator_chart_of, objectives_view

READ_OBJECTIVES = Permission("objectives.read", Scope.ENGAGEMENT)
DEFINE_OBJECTIVES = Permission("objectives.define", Scope.ENGAGEMENT, LEAD_ROLES)
APPROVE_OBJECTIVES = Permission("objectives.approve", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
MEASURE = Permission("objectives.measure", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_OBJECTIVES))]
DefineAccess = Annotated[Access, Depends(requires(DEFINE_OBJECTIVES))]
ApproveAccess = Annotated[Access, Depends(requires(APPROVE_OBJECTIVES))]
MeasureAccess = Annotated[Access, Depends(requires(MEASURE))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Objectifs et indicateurs"])
KEY = r"^[a-z0-9][a-z0-9_\-]*$"
ObjectiveKeyPath = Annotated[str, Path(max_length=80, pattern=KEY, description="Clé de l'objectif.")]
IndicatorKeyPath = Annotated[str, Path(max_length=80, pattern=KEY, description="Clé de l'indicateur.")]
EvaluationDay = Annotated[
    SafeDate | None, Query(alias="au", description="Date de l'évaluation (aujourd'hui par défaut).")
]
_SVG = {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "Image SVG."}


class ObjectiveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"key": "associer", "title": "Associer les habitants aux décisions", "description": ""}
            ]
        },
    )
    key: str = Field(max_length=80, pattern=KEY)
    title: SafeText = Field(min_length=1, max_length=300)
    description: MultilineText = Field(default="", max_length=10_000)


class IndicatorIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "participation",
                    "label": "Taux de participation aux réunions publiques",
                    "unit": "%",
                    "baseline": 10,
                    "baseline_on": "2027-01-01",
                    "target": 40,
                    "deadline": "2028-12-31",
                    "direction": "hausse",
                    "frequency": "trimestrielle",
                    "source": "Registre des réunions publiques",
                    "public": True,
                }
            ]
        },
    )
    key: str = Field(max_length=80, pattern=KEY)
    label: SafeText = Field(min_length=1, max_length=300)
    unit: SafeText = Field(default="", max_length=40, description="%, jours, €, participants…")
    baseline: float = Field(allow_inf_nan=False, description="Valeur de référence.")
    baseline_on: SafeDate
    target: float = Field(allow_inf_nan=False, description="Valeur cible.")
    deadline: SafeDate = Field(description="Date à laquelle la cible doit être atteinte.")
    direction: Direction
    frequency: Frequency
    source: SafeText = Field(min_length=1, max_length=300, description="D'où vient la donnée.")
    public: bool = Field(default=False, description="Publié dans les données ouvertes.")


class MeasurementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str = Field(max_length=80, pattern=KEY)
    date: SafeDate
    value: float = Field(allow_inf_nan=False)
    source: SafeText = Field(default="", max_length=300)
    comment: MultilineText = Field(default="", max_length=2000)


class MeasurementsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"measurements": [{"indicator": "participation", "date": "2027-03-15", "value": 12.5}]}
            ]
        },
    )
    measurements: list[MeasurementIn] = Field(min_length=1, max_length=5000)


class Recorded(BaseModel):
    recorded: int


class LatestMeasurement(BaseModel):
    date: date
    value: float


class IndicatorOut(BaseModel):
    key: str
    label: str
    unit: str
    baseline: float
    baseline_on: date
    target: float
    deadline: date
    direction: Direction
    frequency: Frequency
    source: str
    public: bool
    status: Status
    reason: str = Field(description="Pourquoi ce statut, en français, avec les chiffres.")
    latest: LatestMeasurement | None
    slope_per_month: float | None = Field(description="Tendance sur la dernière année, par mois.")


class ObjectiveOut(BaseModel):
    key: str
    title: str
    description: str
    version: int
    approved_by: list[str] = Field(description="Les rôles qui ont validé la version actuelle.")
    status: Status
    reason: str
    indicators: list[IndicatorOut]
    plan: PlanOut = Field(description="Moyens et plan d'action.")


class Approved(BaseModel):
    objective: str
    version: int
    approved_by: list[str] = Field(description="Les rôles qui ont validé cette version.")


class IndicatorAddedOut(BaseModel):
    objective: str
    indicator: str
    objective_version: int = Field(description="La nouvelle version de l'objectif, à valider de nouveau.")


def _indicator_out(
    evaluation: IndicatorEvaluation, frequency: str, source: str, public: bool
) -> IndicatorOut:
    indicator = evaluation.indicator
    latest = evaluation.latest
    return IndicatorOut(
        key=indicator.key,
        label=indicator.label,
        unit=indicator.unit,
        baseline=indicator.baseline,
        baseline_on=indicator.baseline_on,
        target=indicator.target,
        deadline=indicator.deadline,
        direction=indicator.direction,
        frequency=Frequency(frequency),
        source=source,
        public=public,
        status=evaluation.status,
        reason=evaluation.reason,
        latest=LatestMeasurement(date=latest.on, value=latest.value) if latest else None,
        slope_per_month=evaluation.slope_per_month,
    )


def _objective_out(view: ObjectiveView) -> ObjectiveOut:
    return ObjectiveOut(
        key=view.objective.key,
        title=view.objective.title,
        description=view.objective.description,
        version=view.objective.version,
        approved_by=view.approved_by,
        status=view.evaluation.status,
        reason=view.evaluation.reason,
        indicators=[
            _indicator_out(view.indicator_evaluations[row.key], row.frequency, row.source, row.public)
            for row in view.indicators
        ],
        plan=plan_out(view.plan),
    )


@router.get(
    "/objectives",
    summary="Les objectifs, leurs indicateurs et leur évaluation",
    response_model=list[ObjectiveOut],
    responses=errors(404, 422),
)
def list_objectives(
    engagement_id: EngagementIdPath,
    access: ReadAccess,
    context: ContextDep,
    as_of: EvaluationDay = None,
) -> Response:
    day = as_of or context.clock.now().astimezone(context.settings.tz).date()
    with context.db.reading() as session:
        views = objectives_view(session, engagement_id, as_of=day)
    return json_response([_objective_out(view) for view in views])


@router.get(
    "/indicators/{indicator_key}/chart.svg",
    summary="Courbe d'un indicateur : mesures, référence, cible, tendance jusqu'à l'échéance (SVG)",
    response_class=Response,
    responses={200: _SVG, **errors(404, 422)},
)
def indicator_chart(
    engagement_id: EngagementIdPath,
    indicator_key: IndicatorKeyPath,
    access: ReadAccess,
    context: ContextDep,
    as_of: EvaluationDay = None,
) -> Response:
    day = as_of or context.clock.now().astimezone(context.settings.tz).date()
    with context.db.reading() as session:
        chart = indicator_chart_of(session, engagement_id, indicator_key, as_of=day)
    return Response(chart.svg, media_type="image/svg+xml")


@router.post(
    "/objectives",
    status_code=201,
    summary="Ajouter un objectif",
    response_model=Approved,
    responses={201: {"description": "Ajouté."}, **errors(404, 409, 422)},
)
def add_objective(
    engagement_id: EngagementIdPath,
    body: ObjectiveIn,
    access: DefineAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = service.add_objective(
            session,
            engagement_id=engagement_id,
            key=body.key,
            title=body.title,
            description=body.description,
            actor=access.actor,
            clock=context.clock,
        )
        out = Approved(objective=row.key, version=row.version, approved_by=[])
        return json_response(out, 201, {"Location": f"/engagements/{engagement_id}/objectives"})

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.post(
    "/objectives/{objective_key}/indicators",
    status_code=201,
    summary="Rattacher un indicateur à un objectif (la validation de l'objectif est à redonner)",
    response_model=IndicatorAddedOut,
    responses={201: {"description": "Rattaché."}, **errors(404, 409, 422)},
)
def add_indicator(
    engagement_id: EngagementIdPath,
    objective_key: ObjectiveKeyPath,
    body: IndicatorIn,
    access: DefineAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        added = service.add_indicator(
            session,
            engagement_id=engagement_id,
            objective_key=objective_key,
            data=IndicatorData(**body.model_dump()),
            actor=access.actor,
            clock=context.clock,
        )
        out = IndicatorAddedOut(
            objective=added.objective, indicator=added.indicator, objective_version=added.objective_version
        )
        return json_response(out, 201, {"Location": f"/engagements/{engagement_id}/objectives"})

    return writes.run(access.user.login, {"objective": objective_key, **body.model_dump(mode="json")}, work)


@router.post(
    "/objectives/{objective_key}/approval",
    summary="Valider l'objectif et ses indicateurs, au titre de ses rôles",
    response_model=Approved,
    responses=errors(404, 422),
)
def approve_objective(
    engagement_id: EngagementIdPath,
    objective_key: ObjectiveKeyPath,
    access: ApproveAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        approval = service.approve_objective(
            session,
            engagement_id=engagement_id,
            objective_key=objective_key,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(
            Approved(objective=approval.objective, version=approval.version, approved_by=approval.roles)
        )

    return writes.run(access.user.login, {"objective": objective_key}, work)


@router.post(
    "/measurements",
    summary="Enregistrer des mesures (toutes ou aucune)",
    response_model=Recorded,
    responses=errors(404, 422),
)
def record_measurements(
    engagement_id: EngagementIdPath,
    body: MeasurementsIn,
    access: MeasureAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        count = measurements.record_measurements(
            session,
            engagement_id=engagement_id,
            measurements=[
                MeasurementData(m.indicator, m.date, m.value, m.source, m.comment) for m in body.measurements
            ],
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(Recorded(recorded=count))

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.post(
    "/measurements/import",
    summary="Importer des mesures d'un tableur CSV (tout ou rien, chaque ligne fautive listée)",
    response_model=Recorded,
    responses=errors(404, 413, 422),
)
def import_measurements_csv(
    engagement_id: EngagementIdPath,
    access: MeasureAccess,
    writes: WritesDep,
    context: ContextDep,
    file: Annotated[UploadFile, File(description="CSV : Indicateur;Date;Valeur;Source;Commentaire.")],
) -> Response:
    content = read_upload(file, context.settings.max_evidence_bytes, code="measurements.import_too_large")

    def work(session: Session) -> Response:
        count = import_measurements(
            session, engagement_id=engagement_id, content=content, actor=access.actor, clock=context.clock
        )
        return json_response(Recorded(recorded=count))

    return writes.run(access.user.login, {"file_sha": hashlib.sha256(content).hexdigest()}, work)
