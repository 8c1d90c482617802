"""The organisation's people, for its admins: who holds which role, invitations, grants and revocations."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.admin import Member, access_history, grant_role, invite, members, revoke_role
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, Permission, Scope, requires
from gouvernance.api.writes import WritesDep

# Any caller gets past the access layer; the domain then lets only the organisation's admins through (403).
ADMINISTER_PEOPLE = Permission("organisation.people", Scope.AUTHENTICATED)
PeopleAccess = Annotated[Access, Depends(requires(ADMINISTER_PEOPLE))]

router = APIRouter(prefix="/organisation", tags=["Organisations"])
_ADMINS_ONLY = "Réservé aux administrateurs de votre organisation (gouvernance users set-admin LOGIN)."
LoginPath = Annotated[SafeText, Path(max_length=120, description="Identifiant de la personne.")]
RolePath = Annotated[SafeText, Path(max_length=40, description="Rôle retiré.")]


class GrantIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"role": "partenaire", "engagement_id": "6f1c2a9e-…"}, {"role": "elu"}]
        },
    )

    role: SafeText = Field(max_length=40, description="consultant, chef_de_projet, elu, agent, partenaire…")
    engagement_id: SafeText | None = Field(
        default=None,
        max_length=36,
        description="Un accompagnement de votre organisation ; absent : toute l'organisation (ses membres "
        "seulement).",
    )


class InvitationIn(GrantIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "claire.martin@asso-quartiers.fr",
                    "name": "Claire Martin",
                    "role": "partenaire",
                    "engagement_id": "6f1c2a9e-…",
                }
            ]
        },
    )

    email: SafeText = Field(
        max_length=120, description="Adresse de la personne ; elle devient son identifiant."
    )
    name: SafeText | None = Field(default=None, max_length=200, description="Nom affiché.")


class MemberGrantOut(BaseModel):
    role: str
    engagement_id: str | None = Field(description="None : toute l'organisation.")
    territory: str | None = None


class MemberOut(BaseModel):
    login: str
    organisation: str
    display_name: str | None
    email: str | None
    admin: bool
    grants: list[MemberGrantOut]


class InvitedOut(BaseModel):
    login: str
    created: bool = Field(description="Un compte a été créé (sinon, la personne existait déjà).")


class AccessEventOut(BaseModel):
    id: int
    event: str = Field(
        description="role_granted, role_revoked, invitation_sent, invitation_accepted, account_deleted"
    )
    login: str = Field(description="La personne concernée.")
    actor: str = Field(description="Qui a fait le changement.")
    occurred_at: datetime
    payload: dict[str, Any] = Field(description="Le rôle, l'auteur de l'invitation… selon l'événement.")


def member_out(member: Member) -> MemberOut:
    return MemberOut(
        login=member.login,
        organisation=member.organisation,
        display_name=member.display_name,
        email=member.email,
        admin=member.admin,
        grants=[
            MemberGrantOut(role=g.role, engagement_id=g.engagement_id, territory=g.territory)
            for g in member.grants
        ],
    )


@router.get(
    "/people",
    summary="Les personnes de l'organisation et de ses accompagnements, avec leurs rôles",
    description=_ADMINS_ONLY,
    responses=errors(403),
)
def list_people(access: PeopleAccess, context: ContextDep) -> list[MemberOut]:
    with context.db.reading() as session:
        return [member_out(m) for m in members(session, by=access.user.login)]


@router.post(
    "/invitations",
    status_code=201,
    summary="Inviter une personne : compte, rôle, et lien envoyé par courriel pour choisir son mot de passe",
    description=_ADMINS_ONLY,
    response_model=InvitedOut,
    responses={
        201: {"description": "Invitée ; le courriel part avec le prochain envoi."},
        **errors(403, 404, 422),
    },
)
def invite_person(
    body: InvitationIn, access: PeopleAccess, writes: WritesDep, context: ContextDep
) -> Response:
    def work(session: Session) -> Response:
        invited = invite(
            session,
            by=access.user.login,
            email=body.email,
            name=body.name,
            role=body.role,
            engagement_id=body.engagement_id,
            clock=context.clock,
            base_url=context.settings.base_url,
        )
        return json_response(InvitedOut(login=invited.login, created=invited.created), 201)

    return writes.run(access.user.login, {"invite": body.model_dump(mode="json")}, work)


@router.post(
    "/people/{login}/grants",
    status_code=201,
    summary="Donner un rôle, sur toute l'organisation ou sur l'un de ses accompagnements",
    description=_ADMINS_ONLY,
    response_model=MemberGrantOut,
    responses={201: {"description": "Accordé (ou déjà détenu)."}, **errors(403, 404, 422)},
)
def add_grant(
    login: LoginPath, body: GrantIn, access: PeopleAccess, writes: WritesDep, context: ContextDep
) -> Response:
    def work(session: Session) -> Response:
        row = grant_role(
            session,
            by=access.user.login,
            login=login,
            role=body.role,
            engagement_id=body.engagement_id,
            clock=context.clock,
        )
        return json_response(MemberGrantOut(role=row.role, engagement_id=row.engagement_id), 201)

    return writes.run(access.user.login, {"grant": login, **body.model_dump(mode="json")}, work)


@router.delete(
    "/people/{login}/grants/{role}",
    status_code=204,
    summary="Retirer un rôle",
    description=_ADMINS_ONLY,
    responses=errors(403, 404, 422),
)
def remove_grant(
    login: LoginPath,
    role: RolePath,
    access: PeopleAccess,
    writes: WritesDep,
    context: ContextDep,
    engagement_id: Annotated[
        SafeText | None,
        Query(max_length=36, description="L'accompagnement ; absent : le rôle d'organisation."),
    ] = None,
) -> Response:
    def work(session: Session) -> Response:
        revoke_role(
            session,
            by=access.user.login,
            login=login,
            role=role,
            engagement_id=engagement_id,
            clock=context.clock,
        )
        return Response(status_code=204)

    return writes.run(
        access.user.login, {"revoke": login, "role": role, "engagement_id": engagement_id}, work
    )


@router.get(
    "/events",
    summary="Le journal des droits d'accès de l'organisation (hors accompagnements)",
    description=_ADMINS_ONLY + " Rôles sur toute l'organisation, invitations, comptes supprimés, du plus "
    "ancien au plus récent ; ce qui touche un accompagnement est dans son historique (…/timeline).",
    responses=errors(403),
)
def list_access_events(
    access: PeopleAccess,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AccessEventOut]:
    with context.db.reading() as session:
        rows = access_history(session, by=access.user.login, limit=limit, offset=offset)
        return [
            AccessEventOut(
                id=row.id,
                event=row.event,
                login=row.login,
                actor=row.actor,
                occurred_at=row.occurred_at,
                payload=row.payload,
            )
            for row in rows
        ]
