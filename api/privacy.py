"""RGPD over HTTP: what is held about a person (the organisation's admins and leads, within their
organisation), and the deletion of a user account by the organisation's admins."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from gouvernance.access.service import require_org_admin
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.privacy.accounts import delete_user
from gouvernance.privacy.export import export_person, summary
from gouvernance.privacy.people import privacy_scope

# Any caller gets past the access layer; the domain then lets only admins and leads through (403).
READ_PERSON = Permission("privacy.persons.read", Scope.AUTHENTICATED)
DELETE_USER = Permission("organisation.users.delete", Scope.AUTHENTICATED)
PersonAccess = Annotated[Access, Depends(requires(READ_PERSON))]
DeleteUserAccess = Annotated[Access, Depends(requires(DELETE_USER))]

router = APIRouter(tags=["RGPD"])


@router.get(
    "/privacy/persons/{person}",
    summary="Tout ce qui est détenu sur une personne (identifiant, nom ou adresse électronique)",
    description="Réservé aux administrateurs et responsables de l'organisation, dans leur organisation. "
    "`format=markdown` : le résumé en français.",
    responses={
        200: {
            "content": {"application/json": {}, "text/markdown": {"schema": {"type": "string"}}},
            "description": "Les données (JSON) ou leur résumé (Markdown).",
        },
        **errors(403),
    },
)
def get_person(
    person: Annotated[SafeText, Path(max_length=254)],
    access: PersonAccess,
    context: ContextDep,
    format: Annotated[str, Query(pattern="^(json|markdown)$")] = "json",
) -> Any:
    with context.db.reading() as session:
        data = export_person(session, person, organisation=privacy_scope(session, access.user))
    if format == "markdown":
        return PlainTextResponse(summary(data), media_type="text/markdown; charset=utf-8")
    return data


@router.delete(
    "/organisations/{key}/users/{login}",
    status_code=204,
    summary="Supprimer un compte (jetons, mot de passe, sessions et rôles compris)",
    description="Réservé aux administrateurs de l'organisation.",
    responses=errors(403, 404),
)
def remove_user(
    key: Annotated[SafeText, Path(max_length=80)],
    login: Annotated[SafeText, Path(max_length=120)],
    access: DeleteUserAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        require_org_admin(session, access.user.login, key)
        delete_user(session, login, organisation=key, by=access.user.login, clock=context.clock)
        return Response(status_code=204)

    response = writes.run(access.user.login, {"delete_user": login, "organisation": key}, work)
    context.auth.forget(login)
    return response
