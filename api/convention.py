"""The parties of the partnership convention: read them (the engagement's people), add, change and remove
them (the engagement's leads)."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.patches import patch_changes
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.checks import MAX_EUR
from gouvernance.partnership import service
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.partnership.service import PartyData, PartyKind

READ_CONVENTION = Permission("convention.read", Scope.ENGAGEMENT)
WRITE_CONVENTION = Permission("convention.write", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_CONVENTION))]
WriteAccess = Annotated[Access, Depends(requires(WRITE_CONVENTION))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Convention de partenariat"])
PartyIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la partie.")]
Item = Annotated[SafeText, Field(min_length=1, max_length=500)]
Euros = Annotated[Decimal, Field(ge=0, le=MAX_EUR, max_digits=14, decimal_places=2)]
EXAMPLE: dict[str, Any] = {
    "name": "Association Les Jardins partagés du Val",
    "kind": "association",
    "representative": "Martine Lefèvre",
    "representative_title": "Présidente",
    "designation": "l'Association",
    "contributions": ["Animation de six ateliers de quartier", "Deux bénévoles référents"],
    "commitments": ["Remettre un bilan annuel des ateliers"],
    "valuation_eur": "4800",
}


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})
    name: SafeText = Field(min_length=1, max_length=300, description="La raison sociale ou le nom officiel.")
    kind: PartyKind
    representative: SafeText = Field(default="", max_length=200, description="Nom du représentant.")
    representative_title: SafeText = Field(
        default="", max_length=200, description="« Maire », « Président »…"
    )
    designation: SafeText = Field(
        default="", max_length=100, description="« l'Association », « la Commune »…"
    )
    address: SafeText = Field(default="", max_length=300)
    siret: SafeText = Field(default="", max_length=20, description="14 chiffres.")
    contributions: list[Item] = Field(
        default_factory=list, max_length=50, description="Ce que la partie apporte."
    )
    commitments: list[Item] = Field(
        default_factory=list, max_length=50, description="Ce à quoi elle s'engage."
    )
    valuation_eur: Euros | None = Field(default=None, description="Valorisation de ses apports, en euros.")
    stakeholder_id: int | None = Field(
        default=None, ge=1, le=2**53, description="Partie prenante du registre."
    )


class PartyPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"representative": "Paul Martin", "version": 1}]}
    )
    name: SafeText | None = Field(default=None, min_length=1, max_length=300)
    kind: PartyKind | None = None
    representative: SafeText | None = Field(default=None, max_length=200)
    representative_title: SafeText | None = Field(default=None, max_length=200)
    designation: SafeText | None = Field(default=None, max_length=100)
    address: SafeText | None = Field(default=None, max_length=300)
    siret: SafeText | None = Field(default=None, max_length=20)
    contributions: list[Item] | None = Field(default=None, max_length=50)
    commitments: list[Item] | None = Field(default=None, max_length=50)
    valuation_eur: Euros | None = None
    stakeholder_id: int | None = Field(default=None, ge=1, le=2**53)
    version: int | None = Field(default=None, ge=1, le=2**31, description="Version lue (verrou optimiste).")


class PartyOut(BaseModel):
    id: int
    name: str
    kind: PartyKind
    representative: str
    representative_title: str
    designation: str
    address: str
    siret: str
    contributions: list[str]
    commitments: list[str]
    valuation_eur: Decimal | None
    stakeholder_id: int | None
    version: int


def _out(row: ConventionPartyRow) -> PartyOut:
    return PartyOut.model_validate(row, from_attributes=True)


NOT_NULL = frozenset(PartyPatch.model_fields) - {"valuation_eur", "stakeholder_id", "version"}


@router.get(
    "/convention/parties",
    summary="Les parties de la convention de partenariat",
    response_model=list[PartyOut],
    responses=errors(404),
)
def list_parties(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        rows = service.parties(session, engagement_id)
    return json_response([_out(row) for row in rows])


@router.post(
    "/convention/parties",
    status_code=201,
    summary="Ajouter une partie à la convention",
    response_model=PartyOut,
    responses={201: {"description": "Ajoutée."}, **errors(404, 409, 422)},
)
def add_party(
    engagement_id: EngagementIdPath,
    body: PartyIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        values = body.model_dump()
        data = PartyData(
            **{**values, "contributions": tuple(body.contributions), "commitments": tuple(body.commitments)}
        )
        row = service.add_party(
            session, engagement_id=engagement_id, data=data, actor=access.actor, clock=context.clock
        )
        return json_response(_out(row), 201, {"Location": f"/engagements/{engagement_id}/convention/parties"})

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.patch(
    "/convention/parties/{party_id}",
    summary="Modifier une partie de la convention",
    response_model=PartyOut,
    responses=errors(404, 409, 422),
)
def update_party(
    engagement_id: EngagementIdPath,
    party_id: PartyIdPath,
    body: PartyPatch,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    changes = patch_changes(body, NOT_NULL)

    def work(session: Session) -> Response:
        row = service.update_party(
            session, engagement_id=engagement_id, party_id=party_id, changes=changes,
            actor=access.actor, clock=context.clock, expected_version=body.version,
        )  # fmt: skip
        return json_response(_out(row))

    return writes.run(access.user.login, {"id": party_id, **body.model_dump(mode="json")}, work)


@router.delete(
    "/convention/parties/{party_id}",
    status_code=204,
    summary="Retirer une partie de la convention",
    responses=errors(404),
)
def delete_party(
    engagement_id: EngagementIdPath,
    party_id: PartyIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        service.delete_party(
            session, engagement_id=engagement_id, party_id=party_id, actor=access.actor, clock=context.clock
        )
        return Response(status_code=204)

    return writes.run(access.user.login, {"delete_party": party_id}, work)
