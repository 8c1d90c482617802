"""The register over HTTP: stakeholders and their contact details, which are only returned when asked for
explicitly, only to the engagement's leads, and can be erased."""

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeText
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    PersonalDataAccess,
    ReadAccess,
    WriteAccess,
    check_personal_data,
    no_content,
)
from gouvernance.api.writes import WritesDep
from gouvernance.stakeholders import register_service
from gouvernance.stakeholders.records import NOTES_MAX_LENGTH, Contact, StakeholderData
from gouvernance.stakeholders.vocabulary import normalize

router = APIRouter(prefix=ENGAGEMENT_PREFIX, tags=TAGS)

NOTES = (
    "Notes libres (« conflit sur le parc », « porteur politique »), sur plusieurs lignes ; "
    "colonne « Commentaire » ou « Notes » d'un import CSV."
)
StakeholderIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la partie prenante.")]


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
                    "notes": "Conflit sur le parc ; porteur politique du projet.",
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
    notes: MultilineText | None = Field(default=None, max_length=NOTES_MAX_LENGTH, description=NOTES)
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
    notes: MultilineText | None = Field(default=None, max_length=NOTES_MAX_LENGTH, description=NOTES)
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
    notes: str | None
    version: int
    contact: ContactIn | None = Field(default=None, description="Seulement avec ?with_contacts=true.")


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
        notes=row.notes,
        version=row.version,
        contact=ContactIn(email=contact.email, phone=contact.phone) if contact else None,
    )


@router.get("/stakeholders", summary="Les parties prenantes de l'accompagnement")
def list_stakeholders(
    engagement_id: EngagementIdPath,
    access: ReadAccess,
    context: ContextDep,
    with_contacts: Annotated[
        bool, Query(description="Inclure les coordonnées (chefs de projet et consultants seulement).")
    ] = False,
) -> list[StakeholderOut]:
    check_personal_data(access, with_contacts)
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
    return no_content(
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
    return no_content(
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


def _key_from(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")[:120] or "partie-prenante"
