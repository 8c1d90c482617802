"""The stakeholder register of an engagement: stakeholders, relations, the consultation log, the CSV import
(all or nothing), exports (CSV, GraphML, GEXF), the NetworkX analysis and the pictures (SVG).

Contact details are personal data: they are only returned, or exported, when asked for explicitly, and only
to the engagement's leads; they can be erased."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeDate, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import Writes, WritesDep
from gouvernance.errors import Forbidden, InvalidInput, Message
from gouvernance.stakeholders import consultations, importing, register_service, relations, reports
from gouvernance.stakeholders.records import WEIGHT_MAX, WEIGHT_MIN, Contact, StakeholderData
from gouvernance.stakeholders.vocabulary import normalize

READ_STAKEHOLDERS = Permission("stakeholders.read", Scope.ENGAGEMENT)
WRITE_STAKEHOLDERS = Permission("stakeholders.write", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
PERSONAL_DATA = Permission("stakeholders.personal_data", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_STAKEHOLDERS))]
WriteAccess = Annotated[Access, Depends(requires(WRITE_STAKEHOLDERS))]
PersonalDataAccess = Annotated[Access, Depends(requires(PERSONAL_DATA))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Parties prenantes"])
StakeholderIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la partie prenante.")]
RelationIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la relation.")]
ConsultationIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la consultation.")]

_SVG = {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "Image SVG."}


class ContactIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "contact@association.example", "phone": "02 38 00 00 00"}]},
    )
    email: SafeText | None = Field(default=None, max_length=254)
    phone: SafeText | None = Field(default=None, max_length=40)


class StakeholderIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Association des jardins partagés",
                    "kind": "organisation",
                    "category": "association",
                    "power": 2,
                    "interest": 5,
                    "attitude": "favorable",
                    "salience": ["legitimite"],
                    "target_level": "impliquer",
                    "tags": ["cadre de vie"],
                }
            ]
        },
    )

    key: str | None = Field(default=None, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$")
    name: SafeText = Field(min_length=1, max_length=300)
    kind: Literal["personne", "organisation"] = "organisation"
    category: SafeText = Field(
        min_length=1, max_length=40, description="habitant_usager, association, entreprise…"
    )
    power: int = Field(ge=1, le=5)
    interest: int = Field(ge=1, le=5)
    attitude: Literal["favorable", "neutre", "oppose"] = "neutre"
    salience: list[Literal["pouvoir", "legitimite", "urgence"]] = Field(default_factory=list, max_length=3)
    target_level: Literal["informer", "consulter", "impliquer", "collaborer", "habiliter"] | None = None
    tags: list[SafeText] = Field(default_factory=list, max_length=30)
    contact: ContactIn | None = Field(default=None, description="Données personnelles (RGPD), facultatives.")


class StakeholderPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"attitude": "favorable", "interest": 5, "version": 2}]},
    )
    name: SafeText | None = Field(default=None, min_length=1, max_length=300)
    kind: Literal["personne", "organisation"] | None = None
    category: SafeText | None = Field(default=None, min_length=1, max_length=40)
    power: int | None = Field(default=None, ge=1, le=5)
    interest: int | None = Field(default=None, ge=1, le=5)
    attitude: Literal["favorable", "neutre", "oppose"] | None = None
    salience: list[Literal["pouvoir", "legitimite", "urgence"]] | None = Field(default=None, max_length=3)
    target_level: Literal["informer", "consulter", "impliquer", "collaborer", "habiliter"] | None = None
    tags: list[SafeText] | None = Field(default=None, max_length=30)
    version: int | None = Field(default=None, ge=1, le=2**31, description="Version lue (verrou optimiste).")


class StakeholderOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    category: str
    power: int
    interest: int
    attitude: str
    salience: list[str]
    target_level: str | None
    tags: list[str]
    version: int
    contact: ContactIn | None = Field(default=None, description="Seulement avec ?with_contacts=true.")


class RelationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"source_id": 12, "target_id": 15, "type": "conflit", "weight": 2, "start": "2026-01-15"}
            ]
        },
    )
    source_id: int = Field(ge=1, le=2**53)
    target_id: int = Field(ge=1, le=2**53)
    type: Literal["membre_de", "partenaire", "finance", "represente", "influence", "conflit"]
    weight: float = Field(
        default=1.0,
        ge=WEIGHT_MIN,
        le=WEIGHT_MAX,
        description=f"Force du lien ou intensité du conflit, de {WEIGHT_MIN} à {WEIGHT_MAX:g}.",
    )
    start: SafeDate | None = None


class RelationOut(BaseModel):
    id: int
    source_id: int
    target_id: int
    type: str
    weight: float
    start: date | None


class ConsultationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "step_key": "entretiens_acteurs",
                    "held_on": "2026-03-10",
                    "format": "atelier",
                    "stakeholder_ids": [12, 15],
                    "summary": "Atelier de médiation",
                    "outcome": "Points d'accord consignés",
                }
            ]
        },
    )
    step_key: SafeText = Field(min_length=1, max_length=80)
    held_on: SafeDate
    format: Literal["reunion_publique", "atelier", "questionnaire", "entretien", "plateforme_en_ligne"]
    stakeholder_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(min_length=1, max_length=5000)
    summary: MultilineText = Field(default="", max_length=10_000)
    outcome: MultilineText = Field(default="", max_length=10_000)


class ConsultationOut(BaseModel):
    id: int
    step_key: str
    stage_key: str
    held_on: date
    format: str
    summary: str
    outcome: str
    stakeholder_ids: list[int]
    recorded_by: str


def _stakeholder_out(row: Any, contact: Contact | None = None) -> StakeholderOut:
    return StakeholderOut(
        id=row.id,
        key=row.key,
        name=row.name,
        kind=row.kind,
        category=row.category,
        power=row.power,
        interest=row.interest,
        attitude=row.attitude,
        salience=list(row.salience),
        target_level=row.target_level,
        tags=list(row.tags),
        version=row.version,
        contact=ContactIn(email=contact.email, phone=contact.phone) if contact else None,
    )


def _relation_out(row: Any) -> RelationOut:
    return RelationOut(
        id=row.id,
        source_id=row.source_id,
        target_id=row.target_id,
        type=row.type,
        weight=row.weight,
        start=row.start_date,
    )


def _consultation_out(view: consultations.ConsultationView) -> ConsultationOut:
    return ConsultationOut.model_validate(view.as_dict())


# --- stakeholders ---------------------------------------------------------------------------------------


@router.get("/stakeholders", summary="Les parties prenantes de l'accompagnement")
def list_stakeholders(
    engagement_id: EngagementIdPath,
    access: ReadAccess,
    context: ContextDep,
    with_contacts: Annotated[
        bool, Query(description="Inclure les coordonnées (chefs de projet et consultants seulement).")
    ] = False,
) -> list[StakeholderOut]:
    _check_personal_data(access, with_contacts)
    with context.db.reading() as session:
        rows = register_service.list_stakeholders(session, engagement_id)
        return [
            _stakeholder_out(row, register_service.contact_of(session, row.id) if with_contacts else None)
            for row in rows
        ]


@router.post(
    "/stakeholders",
    status_code=201,
    summary="Ajouter une partie prenante",
    responses={201: {"description": "Ajoutée."}, **errors(404, 409, 422)},
)
def add_stakeholder(
    engagement_id: EngagementIdPath,
    body: StakeholderIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        # The record takes the vocabulary's codes as they come and validates them (every problem at once).
        fields: dict[str, Any] = {
            **body.model_dump(exclude={"key", "contact", "salience", "tags"}),
            "salience": frozenset(body.salience),
            "tags": tuple(body.tags),
        }
        data = StakeholderData(
            id=body.key or _key_from(body.name),
            contact=Contact(body.contact.email, body.contact.phone) if body.contact else None,
            **fields,
        )
        row = register_service.add_stakeholder(
            session, engagement_id=engagement_id, data=data, actor=access.actor, clock=context.clock
        )
        return json_response(
            _stakeholder_out(row), 201, {"Location": f"/engagements/{engagement_id}/stakeholders/{row.id}"}
        )

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


# Fixed paths come before /stakeholders/{stakeholder_id}, which would otherwise take them.
@router.get(
    "/stakeholders/export",
    summary="Exporter le registre : CSV, GraphML ou GEXF (Gephi)",
    responses={
        200: {
            "content": {"text/csv": {}, "application/graphml+xml": {}, "application/gexf+xml": {}},
            "description": "Le fichier.",
        },
        **errors(403, 404, 422),
    },
)
def export_stakeholders(
    engagement_id: EngagementIdPath,
    access: ReadAccess,
    context: ContextDep,
    lang: LangDep,
    format: Annotated[Literal["csv", "graphml", "gexf"], Query(description="Format du fichier.")] = "csv",
    with_contacts: Annotated[
        bool, Query(description="Inclure les coordonnées (données personnelles).")
    ] = False,
) -> Response:
    _check_personal_data(access, with_contacts)
    with context.db.transaction() as session:  # exporting contacts is logged
        exported = reports.export(
            session,
            engagement_id=engagement_id,
            fmt=format,
            actor=access.actor,
            clock=context.clock,
            include_contacts=with_contacts,
            lang=lang,
        )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.get("/stakeholders/{stakeholder_id}", summary="Une partie prenante", responses=errors(404))
def get_stakeholder(
    engagement_id: EngagementIdPath,
    stakeholder_id: StakeholderIdPath,
    access: ReadAccess,
    context: ContextDep,
) -> StakeholderOut:
    with context.db.reading() as session:
        return _stakeholder_out(register_service.get_stakeholder(session, engagement_id, stakeholder_id))


@router.patch(
    "/stakeholders/{stakeholder_id}", summary="Modifier une partie prenante", responses=errors(404, 409, 422)
)
def update_stakeholder(
    engagement_id: EngagementIdPath,
    stakeholder_id: StakeholderIdPath,
    body: StakeholderPatch,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if "salience" in changes:
        changes["salience"] = frozenset(changes["salience"] or ())
    if "tags" in changes:
        changes["tags"] = tuple(changes["tags"] or ())

    def work(session: Session) -> Response:
        row = register_service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes=changes,
            actor=access.actor,
            clock=context.clock,
            expected_version=body.version,
        )
        return json_response(_stakeholder_out(row))

    return writes.run(access.user.login, {"id": stakeholder_id, **body.model_dump(mode="json")}, work)


@router.delete(
    "/stakeholders/{stakeholder_id}",
    status_code=204,
    summary="Retirer une partie prenante",
    responses=errors(404),
)
def delete_stakeholder(
    engagement_id: EngagementIdPath,
    stakeholder_id: StakeholderIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    return _no_content(
        writes,
        access,
        {"delete": stakeholder_id},
        lambda session: register_service.delete_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            actor=access.actor,
            clock=context.clock,
        ),
    )


@router.delete(
    "/stakeholders/{stakeholder_id}/contact",
    status_code=204,
    summary="Effacer les coordonnées d'une partie prenante (RGPD)",
    responses=errors(404),
)
def erase_contact(
    engagement_id: EngagementIdPath,
    stakeholder_id: StakeholderIdPath,
    access: PersonalDataAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    return _no_content(
        writes,
        access,
        {"erase": stakeholder_id},
        lambda session: register_service.erase_contacts(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            actor=access.actor,
            clock=context.clock,
        ),
    )


@router.post(
    "/stakeholders/import",
    summary="Importer un tableur CSV (tout ou rien)",
    responses={200: {"description": "Tout le fichier a été importé."}, **errors(404, 413, 422)},
)
def import_stakeholders(
    engagement_id: EngagementIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
    file: Annotated[UploadFile, File(description="CSV ; ou , en UTF-8 ou Windows-1252, en-têtes français.")],
) -> Response:
    limit = context.settings.max_evidence_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(
            Message(
                "stakeholders.import_too_large",
                f"fichier trop volumineux (plus de {limit} octets)",
                f"file too large (over {limit} bytes)",
                path="file",
            )
        )

    def work(session: Session) -> Response:
        summary = importing.import_csv(
            session, engagement_id=engagement_id, content=content, actor=access.actor, clock=context.clock
        )
        return Response(content=_json(summary.as_dict()), media_type="application/json")

    return writes.run(access.user.login, {"file_sha": _sha(content)}, work)


# --- relations and consultations ------------------------------------------------------------------------


@router.get("/stakeholder-relations", summary="Les relations entre parties prenantes")
def list_relations(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep
) -> list[RelationOut]:
    with context.db.reading() as session:
        return [_relation_out(row) for row in relations.list_relations(session, engagement_id)]


@router.post(
    "/stakeholder-relations",
    status_code=201,
    summary="Ajouter une relation (conflit, partenariat…)",
    responses={201: {"description": "Ajoutée."}, **errors(404, 409, 422)},
)
def add_relation(
    engagement_id: EngagementIdPath,
    body: RelationIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=body.source_id,
            target_id=body.target_id,
            type=body.type,
            weight=body.weight,
            start=body.start,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_relation_out(row), 201)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.delete(
    "/stakeholder-relations/{relation_id}",
    status_code=204,
    summary="Retirer une relation",
    responses=errors(404),
)
def delete_relation(
    engagement_id: EngagementIdPath,
    relation_id: RelationIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    return _no_content(
        writes,
        access,
        {"delete_relation": relation_id},
        lambda session: relations.delete_relation(
            session,
            engagement_id=engagement_id,
            relation_id=relation_id,
            actor=access.actor,
            clock=context.clock,
        ),
    )


@router.get("/consultations", summary="Le journal des consultations")
def list_consultations(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep
) -> list[ConsultationOut]:
    with context.db.reading() as session:
        return [_consultation_out(view) for view in consultations.list_consultations(session, engagement_id)]


@router.post(
    "/consultations",
    status_code=201,
    summary="Enregistrer une consultation",
    responses={201: {"description": "Enregistrée."}, **errors(404, 422)},
)
def add_consultation(
    engagement_id: EngagementIdPath,
    body: ConsultationIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        view = consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=body.step_key,
            held_on=body.held_on,
            format=body.format,
            stakeholder_ids=body.stakeholder_ids,
            summary=body.summary,
            outcome=body.outcome,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_consultation_out(view), 201)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.get("/consultations/{consultation_id}", summary="Une consultation", responses=errors(404))
def get_consultation(
    engagement_id: EngagementIdPath,
    consultation_id: ConsultationIdPath,
    access: ReadAccess,
    context: ContextDep,
) -> ConsultationOut:
    with context.db.reading() as session:
        return _consultation_out(consultations.get_consultation(session, engagement_id, consultation_id))


# --- analysis and pictures ------------------------------------------------------------------------------


@router.get(
    "/stakeholder-graph/analysis",
    summary="Analyse du réseau : Mendelow, Mitchell, intermédiaires, "
    "communautés, conflits et médiateurs, couverture des consultations",
)
def analysis(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> dict[str, Any]:
    with context.db.reading() as session:
        return reports.analyse(session, engagement_id).as_dict(lang)


@router.get(
    "/stakeholder-graph.svg",
    summary="Carte des parties prenantes (SVG)",
    response_class=Response,
    responses={200: _SVG, **errors(404)},
)
def stakeholder_map(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> Response:
    with context.db.reading() as session:
        svg = reports.pictures(session, engagement_id, lang=lang).stakeholder_map_svg
    return Response(svg, media_type="image/svg+xml")


@router.get(
    "/stakeholder-graph/power-interest.svg",
    summary="Matrice pouvoir / intérêt (SVG)",
    response_class=Response,
    responses={200: _SVG, **errors(404)},
)
def power_interest(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> Response:
    with context.db.reading() as session:
        svg = reports.pictures(session, engagement_id, lang=lang).power_interest_svg
    return Response(svg, media_type="image/svg+xml")


def _no_content(writes: Writes, access: Access, request: dict[str, Any], action: Any) -> Response:
    """A write that answers 204: ``action(session)`` in the write transaction, with idempotency."""

    def work(session: Session) -> Response:
        action(session)
        return Response(status_code=204)

    return writes.run(access.user.login, request, work)


def _check_personal_data(access: Access, wanted: bool) -> None:
    if wanted and not access.roles & LEAD_ROLES:
        raise Forbidden(
            Message(
                "stakeholders.personal_data",
                "Les coordonnées sont réservées aux consultants et chefs de projet (RGPD)",
                "Contact details are reserved to consultants and project leads (GDPR)",
            )
        )


def _key_from(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")[:120] or "partie-prenante"


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
