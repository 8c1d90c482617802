"""The public record, without login: the engagements their organisation made public, each one's progress,
public decisions and public indicators (JSON), Atom feeds of the public decisions and the open-data package.
An engagement that is not public answers 404 on every public route, as a missing one does.

The flag itself (``PUT /engagements/{id}/public``) belongs to the engagement's leads, and the portfolio's
open-data package (``GET /organisations/{key}/open-data.zip``) to the organisation's leads."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.context import ApiContext
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.publication import record
from gouvernance.publication.service import Publication, organisation_not_found, publication, set_public

READ_PUBLIC = Permission("public.read", Scope.PUBLIC)
READ_PUBLICATION = Permission("publication.read", Scope.ENGAGEMENT)
SET_PUBLICATION = Permission("publication.set", Scope.ENGAGEMENT, LEAD_ROLES)
EXPORT_PORTFOLIO = Permission("open_data.portfolio", Scope.ORGANISATION, LEAD_ROLES)
PublicAccess = Annotated[Access, Depends(requires(READ_PUBLIC))]
PublicationAccess = Annotated[Access, Depends(requires(READ_PUBLICATION))]
SetPublicationAccess = Annotated[Access, Depends(requires(SET_PUBLICATION))]
PortfolioAccess = Annotated[Access, Depends(requires(EXPORT_PORTFOLIO))]

OrganisationKeyPath = Annotated[
    SafeText, Path(max_length=80, description="Identifiant de l'organisation.", examples=["cc-val-fleuri"])
]
OrganisationQuery = Annotated[
    SafeText | None, Query(max_length=80, description="Seulement les accompagnements de cette organisation.")
]

router = APIRouter(tags=["Registre public"])

_JSON = {"description": "Données publiques (JSON)."}
_ATOM = {"content": {"application/atom+xml": {"schema": {"type": "string"}}}, "description": "Flux Atom."}
_ZIP = {
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    "description": "Paquet de données ouvertes (Frictionless Data Package) : CSV, JSON, datapackage.json.",
}


class PublicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"public": True}]})
    public: bool = Field(
        description="Ouvrir (true) ou fermer (false) le registre public de l'accompagnement."
    )


class PublicationOut(BaseModel):
    engagement_id: str
    public: bool
    published_at: str | None


def _publication_out(found: Publication) -> PublicationOut:
    return PublicationOut(
        engagement_id=found.engagement_id,
        public=found.public,
        published_at=found.published_at.isoformat() if found.published_at else None,
    )


def _today(context: ApiContext) -> date:
    return context.clock.now().astimezone(context.settings.tz).date()


def _json(data: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data))


@router.get(
    "/engagements/{engagement_id}/public",
    summary="L'accompagnement est-il public ?",
    response_model=PublicationOut,
    responses=errors(404),
)
def read_publication(
    engagement_id: EngagementIdPath, access: PublicationAccess, context: ContextDep
) -> Response:
    with context.db.reading() as session:
        return json_response(_publication_out(publication(session, engagement_id)))


@router.put(
    "/engagements/{engagement_id}/public",
    summary="Ouvrir ou fermer le registre public de l'accompagnement (ses responsables)",
    response_model=PublicationOut,
    responses=errors(404, 422),
)
def put_publication(
    engagement_id: EngagementIdPath,
    body: PublicationIn,
    access: SetPublicationAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        found = set_public(
            session, engagement_id=engagement_id, public=body.public, actor=access.actor, clock=context.clock
        )
        return json_response(_publication_out(found))

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.get("/public/engagements", summary="Les accompagnements publics", responses={200: _JSON})
def public_engagements(
    access: PublicAccess, context: ContextDep, organisation: OrganisationQuery = None
) -> Response:
    with context.db.reading() as session:
        return _json(record.listing(session, organisation=organisation))


@router.get(
    "/public/engagements/{engagement_id}",
    summary="Le registre public d'un accompagnement : avancement, décisions et indicateurs publics",
    responses={200: _JSON, **errors(404)},
)
def public_engagement(engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        data = record.engagement_record(
            session, engagement_id, now=context.clock.now(), as_of=_today(context), tz=context.clock.tz
        )
    return _json(data)


@router.get(
    "/public/engagements/{engagement_id}/chain-heads",
    summary="Les têtes du registre vérifiable, jour par jour (preuve qu'aucun passé n'est réécrit)",
    responses={200: _JSON, **errors(404)},
)
def public_chain_heads(
    engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep
) -> Response:
    with context.db.reading() as session:
        return _json(record.chain_heads(session, engagement_id, tz=context.clock.tz))


@router.get(
    "/public/engagements/{engagement_id}/decisions",
    summary="Les décisions publiques d'un accompagnement",
    responses={200: _JSON, **errors(404)},
)
def public_decisions(engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        return _json(record.engagement_decisions(session, engagement_id))


@router.get(
    "/public/engagements/{engagement_id}/indicators",
    summary="Les indicateurs publics d'un accompagnement, leurs mesures et leur évaluation",
    responses={200: _JSON, **errors(404)},
)
def public_indicators(engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        return _json(record.engagement_indicators(session, engagement_id, as_of=_today(context)))


@router.get(
    "/public/engagements/{engagement_id}/decisions.atom",
    summary="Flux Atom des décisions publiques d'un accompagnement",
    response_class=Response,
    responses={200: _ATOM, **errors(404)},
)
def engagement_feed(engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        feed = record.engagement_feed(
            session,
            engagement_id,
            base_url=context.settings.base_url.rstrip("/"),
            now=context.clock.now(),
            tz=context.clock.tz,
        )
    return Response(feed, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/public/organisations/{key}/decisions.atom",
    summary="Flux Atom des décisions publiques de tous les accompagnements publics d'une organisation",
    response_class=Response,
    responses={200: _ATOM, **errors(404)},
)
def organisation_feed(key: OrganisationKeyPath, access: PublicAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        feed = record.organisation_feed(
            session,
            key,
            base_url=context.settings.base_url.rstrip("/"),
            now=context.clock.now(),
            tz=context.clock.tz,
        )
    return Response(feed, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/public/engagements/{engagement_id}/open-data.zip",
    summary="Les données ouvertes d'un accompagnement public (Data Package : CSV, JSON)",
    response_class=Response,
    responses={200: _ZIP, **errors(404)},
)
def engagement_open_data(
    engagement_id: EngagementIdPath, access: PublicAccess, context: ContextDep
) -> Response:
    with context.db.reading() as session:
        content = record.engagement_open_data(
            session, engagement_id, now=context.clock.now(), as_of=_today(context), tz=context.clock.tz
        )
    return _zip(content, f"donnees-ouvertes-{engagement_id}.zip")


@router.get(
    "/organisations/{key}/open-data.zip",
    summary="Les données ouvertes des accompagnements publics de l'organisation (ses responsables)",
    response_class=Response,
    responses={200: _ZIP, **errors(403, 404)},
)
def portfolio_open_data(key: OrganisationKeyPath, access: PortfolioAccess, context: ContextDep) -> Response:
    if access.user.organisation != key:
        # Another organisation's portfolio does not even show it exists.
        raise organisation_not_found(key)
    with context.db.reading() as session:
        content = record.portfolio_open_data(
            session, key, now=context.clock.now(), as_of=_today(context), tz=context.clock.tz
        )
    return _zip(content, f"donnees-ouvertes-{key}.zip")


def _zip(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
