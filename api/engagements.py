"""Engagements: launch one from a process model, list the portfolio, read progress, suspend/resume/cancel/
complete."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import visible_engagements
from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.events import TransitionOut, send_event
from gouvernance.api.http import ETAG_HEADER, errors, etag, expected_version, json_response
from gouvernance.api.inputs import FREE_JSON_LIMITS, FreeJson, MultilineText, SafeDate, SafeText
from gouvernance.api.permissions import (
    EngagementAccess,
    EngagementEventAccess,
    EngagementIdPath,
    LaunchAccess,
    ListEngagementsAccess,
)
from gouvernance.api.writes import WritesDep
from gouvernance.engagements.elections import electoral_warnings
from gouvernance.engagements.portfolio import Figures, PortfolioFilter, figures, list_engagements
from gouvernance.engagements.progress import engagement_progress
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.service import LaunchRequest, Territory, TerritoryKind, launch
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.inputs import within_depth
from gouvernance.lifecycle.machines import (
    STATE_LABELS_EN,
    STATE_LABELS_FR,
    EngagementEvent,
    EngagementState,
)
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel


class TerritoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SafeText = Field(min_length=1, max_length=200, examples=["Communauté de communes du Val Fleuri"])
    kind: TerritoryKind = "commune"
    insee: SafeText | None = Field(
        default=None,
        max_length=10,
        description="Code INSEE (COG) de la commune, ou SIREN de l'EPCI.",
        examples=["45284", "200071876"],
    )


class LaunchIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model_key": "gouvernance-partagee",
                    "territory": {
                        "name": "Communauté de communes du Val Fleuri",
                        "kind": "epci",
                        "insee": "200071876",
                    },
                    "start_date": "2026-01-05",
                    "parameters": {"population": 23400, "perimetre": "epci"},
                    "lead": "julien.robert",
                }
            ]
        },
    )

    model_key: str = Field(max_length=80, pattern=r"^[a-z][a-z0-9_\-]*$", examples=["gouvernance-partagee"])
    model_version: int | None = Field(default=None, ge=1, le=1_000_000, description="Latest if omitted.")
    territory: TerritoryIn
    start_date: SafeDate
    parameters: FreeJson = Field(
        default_factory=dict, description=f"The model's launch parameters. {FREE_JSON_LIMITS}"
    )
    lead: SafeText | None = Field(default=None, max_length=120, description="Login of the project lead.")


class ModelRef(BaseModel):
    key: str
    version: int
    title: str


class TerritoryOut(BaseModel):
    name: str
    kind: str
    insee: str | None


class StageProgress(BaseModel):
    key: str
    title: str
    status: Literal["not_started", "in_progress", "complete"]
    percent_done: int
    steps_total: int
    steps_finished: int
    next_due_at: datetime | None
    overdue_steps: list[str]


class EngagementSummary(BaseModel):
    id: str
    model: ModelRef
    territory: TerritoryOut
    organisation: str | None
    state: EngagementState
    state_label: str
    start_date: date
    lead: str | None
    percent_done: int
    next_due_at: datetime | None
    overdue_count: int
    created_at: datetime


class EngagementOut(EngagementSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2a9e-4b7d-4d0e-9a51-3c2f8e7d1b20",
                    "model": {
                        "key": "gouvernance-partagee",
                        "version": 1,
                        "title": "Accompagnement à la gouvernance partagée",
                    },
                    "territory": {
                        "name": "Communauté de communes du Val Fleuri",
                        "kind": "epci",
                        "insee": "200071876",
                    },
                    "organisation": "cabinet-horizons",
                    "state": "active",
                    "state_label": "actif",
                    "start_date": "2026-01-05",
                    "lead": "julien.robert",
                    "percent_done": 12,
                    "next_due_at": "2026-01-12T08:00:00Z",
                    "overdue_count": 0,
                    "created_at": "2026-01-05T08:00:00Z",
                    "updated_at": "2026-01-05T08:00:00Z",
                    "version": 2,
                    "parameters": {"population": 23400, "perimetre": "epci"},
                    "your_roles": ["consultant"],
                    "stages": [
                        {
                            "key": "etat_des_lieux",
                            "title": "État des lieux",
                            "status": "in_progress",
                            "percent_done": 25,
                            "steps_total": 4,
                            "steps_finished": 1,
                            "next_due_at": "2026-01-12T08:00:00Z",
                            "overdue_steps": [],
                        }
                    ],
                }
            ]
        }
    )

    version: int = Field(description="The engagement's version (its ETag).")
    updated_at: datetime
    parameters: dict[str, Any]
    your_roles: list[str] = Field(description="The roles the caller holds on this engagement.")
    stages: list[StageProgress]


class EngagementPage(BaseModel):
    items: list[EngagementSummary]
    total: int
    limit: int
    offset: int


class EngagementEventIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event": "suspend", "comment": "Période de réserve électorale"}]},
    )

    event: EngagementEvent
    comment: MultilineText | None = Field(
        default=None, max_length=4000, description="Required to suspend or cancel."
    )


router = APIRouter(prefix="/engagements", tags=["Accompagnements"])


def state_label(state: str, lang: str) -> str:
    return (STATE_LABELS_EN if lang == "en" else STATE_LABELS_FR).get(state, state)


def _summary(row: EngagementRow, model: ProcessModel, numbers: Figures, lang: str) -> EngagementSummary:
    return EngagementSummary(
        id=row.id,
        model=ModelRef(key=row.model_key, version=row.model_version, title=model.title.text(lang)),
        territory=TerritoryOut(name=row.territory_name, kind=row.territory_kind, insee=row.territory_insee),
        organisation=row.organisation_id,
        state=row.state,
        state_label=state_label(row.state, lang),
        start_date=row.start_date,
        lead=row.lead,
        percent_done=numbers.percent,
        next_due_at=numbers.next_due,
        overdue_count=numbers.overdue,
        created_at=row.created_at,
    )


def engagement_out(
    session: Session, engagement_id: str, roles: frozenset[str], lang: str, now: datetime
) -> EngagementOut:
    progress = engagement_progress(session, engagement_id, now=now, lang=lang)
    row = progress.engagement
    numbers = Figures(
        len(progress.steps),
        sum(stage.finished for stage in progress.stages),
        len(progress.overdue),
        progress.next_due,
    )
    return EngagementOut(
        **_summary(row, progress.model, numbers, lang).model_dump(),
        version=row.version,
        updated_at=row.updated_at,
        parameters=within_depth(row.parameters),
        your_roles=sorted(roles),
        stages=[
            StageProgress(
                key=stage.key,
                title=stage.title,
                status=stage.status,
                percent_done=stage.percent,
                steps_total=stage.total,
                steps_finished=stage.finished,
                next_due_at=stage.next_due,
                overdue_steps=[step.key for step in stage.overdue],
            )
            for stage in progress.stages
        ],
    )


def _launch_model(context: ContextDep, body: LaunchIn) -> ProcessModel:
    try:
        return context.catalog.get(body.model_key, body.model_version)
    except NotFound as missing:
        # The model is named in the body: the request cannot be processed, the URL is fine.
        raise InvalidInput(
            Message("launch.model", missing.message.fr, missing.message.en, path="model_key"),
            reasons=[missing.message],
        ) from None


class LaunchWarning(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class LaunchOut(EngagementOut):
    warnings: list[LaunchWarning] = Field(
        default_factory=list,
        description="What the launch does not refuse but the collectivité should know: consultations planned "
        "in the pre-electoral period of the territory's next general election (code "
        "launch.pre_electoral_period), with the steps concerned.",
    )


@router.post(
    "",
    status_code=201,
    summary="Lancer un accompagnement à partir d'un modèle",
    response_model=LaunchOut,
    responses={
        201: {
            "description": "Accompagnement lancé ; ses premières étapes sont prêtes.",
            "headers": {
                "Location": {"description": "/engagements/{id}", "schema": {"type": "string"}},
                **ETAG_HEADER,
            },
        },
        **errors(422),
    },
)
def launch_engagement(
    body: LaunchIn, access: LaunchAccess, writes: WritesDep, context: ContextDep, lang: LangDep
) -> Response:
    model = _launch_model(context, body)
    principal = access.user

    def work(session: Session) -> Response:
        request = LaunchRequest(
            model,
            Territory(body.territory.name, body.territory.kind, body.territory.insee),
            body.start_date,
            body.parameters,
            body.lead,
            organisation_id=principal.organisation,
        )
        result = launch(session, request, actor=access.actor, clock=context.clock)
        engagement = engagement_out(session, result.engagement_id, access.roles, lang, context.clock.now())
        warnings = electoral_warnings(model, body.territory.kind, body.start_date, engagement.parameters)
        out = LaunchOut(
            **engagement.model_dump(),
            warnings=[LaunchWarning(code=w.code, message=w.text(lang), details=w.details) for w in warnings],
        )
        return json_response(
            out,
            201,
            {"Location": f"/engagements/{out.id}", "ETag": etag(out.version), "Content-Language": lang},
        )

    return writes.run(principal.login, body.model_dump(mode="json"), work)


@router.get("", summary="Portefeuille d'accompagnements (filtré, paginé)")
def list_engagements_route(
    access: ListEngagementsAccess,
    context: ContextDep,
    lang: LangDep,
    territory: Annotated[
        SafeText | None, Query(max_length=200, description="Partie du nom du territoire.")
    ] = None,
    state: Annotated[EngagementState | None, Query(description="État de l'accompagnement.")] = None,
    model: Annotated[SafeText | None, Query(max_length=80, description="Clé du modèle.")] = None,
    overdue: Annotated[bool | None, Query(description="true : avec au moins une étape en retard.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> EngagementPage:
    now = context.clock.now()
    with context.db.reading() as session:
        rows, total = list_engagements(
            session,
            now=now,
            visible=visible_engagements(access.user),
            filters=PortfolioFilter(territory, state, model, overdue),
            limit=limit,
            offset=offset,
        )
        numbers = figures(session, [row.id for row in rows], now=now)
        models = {
            (r.model_key, r.model_version): model_for(session, r.model_key, r.model_version) for r in rows
        }
    items = [
        _summary(row, models[(row.model_key, row.model_version)], numbers.get(row.id, Figures()), lang)
        for row in rows
    ]
    return EngagementPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{engagement_id}",
    summary="Avancement d'un accompagnement : par phase, échéances, retards",
    responses={200: {"headers": ETAG_HEADER}},
)
def get_engagement(
    engagement_id: EngagementIdPath,
    access: EngagementAccess,
    context: ContextDep,
    lang: LangDep,
    response: Response,
) -> EngagementOut:
    with context.db.reading() as session:
        out = engagement_out(session, engagement_id, access.roles, lang, context.clock.now())
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "/{engagement_id}/events",
    summary="Suspendre, reprendre, annuler ou clôturer l'accompagnement",
    response_model=TransitionOut,
    responses={200: {"headers": ETAG_HEADER}, **errors(400, 409, 422)},
)
def send_engagement_event(
    engagement_id: EngagementIdPath,
    body: EngagementEventIn,
    access: EngagementEventAccess,
    writes: WritesDep,
    context: ContextDep,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='Facultatif : la version de l\'accompagnement, "7". Envoyé vide : 428.',
        ),
    ] = None,
) -> Response:
    return send_event(
        context,
        writes,
        access,
        engagement_id=engagement_id,
        step_key=None,
        event=body.event,
        expected_version=expected_version(if_match),
        comment=body.comment,
        payload={},
    )
