"""Engagements: launch one from a process model, list the portfolio, read progress, suspend/resume/cancel/
complete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy.orm import Session

from gouvernance.access.service import visible_engagements
from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.events import send_event
from gouvernance.api.http import ETAG_HEADER, errors, etag, expected_version, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import (
    EngagementAccess,
    EngagementEventAccess,
    EngagementIdPath,
    LaunchAccess,
    ListEngagementsAccess,
)
from gouvernance.api.schemas import (
    EngagementEventIn,
    EngagementOut,
    EngagementPage,
    EngagementState,
    EngagementSummary,
    LaunchIn,
    ModelRef,
    StageProgress,
    TerritoryOut,
    TransitionOut,
)
from gouvernance.api.writes import WritesDep
from gouvernance.engagements.portfolio import Figures, PortfolioFilter, figures, list_engagements
from gouvernance.engagements.progress import engagement_progress
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.inputs import within_depth
from gouvernance.lifecycle.machines import STATE_LABELS_EN, STATE_LABELS_FR
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel

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


@router.post(
    "",
    status_code=201,
    summary="Lancer un accompagnement à partir d'un modèle",
    response_model=EngagementOut,
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
        out = engagement_out(session, result.engagement_id, access.roles, lang, context.clock.now())
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
        str | None, Header(alias="If-Match", description='Facultatif : la version de l\'accompagnement, "7".')
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
