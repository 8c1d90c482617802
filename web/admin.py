"""The « Administration » page (an organisation's admins: people, roles, invitations) and the pages anyone
reaches from an e-mail: choosing a password from an invitation or reset link, and asking for a reset link.
Same domain services and checks as the API (``access.admin``)."""

import hmac
import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gouvernance.access.admin import (
    LINK_INVALID,
    grant_role,
    invite,
    link_login,
    members,
    organisation_admin,
    owned_engagements,
    redeem,
    request_reset_throttled,
    revoke_role,
)
from gouvernance.access.service import ROLES
from gouvernance.access.web_login import (
    MIN_PASSWORD_LENGTH,
    Attempt,
    Throttled,
    conclude,
    form_token_matches,
)
from gouvernance.errors import DomainError, Forbidden, InvalidInput
from gouvernance.web import submissions
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    SESSION_COOKIE,
    Visitor,
    VisitorDep,
    api_context,
    problem_page,
    render,
)

router = APIRouter(include_in_schema=False)
# Before anyone is signed in, forms carry a random token also set as a cookie (double submit).
ANONYMOUS_FORM_COOKIE = "gv_formulaire"
ROLE_LABELS = {
    "consultant": "Consultant",
    "chef_de_projet": "Chef de projet",
    "elu": "Élu",
    "agent": "Agent",
    "partenaire": "Partenaire",
    "observateur": "Observateur",
}
FIELD_OF_PATH = {
    "email": "courriel",
    "role": "role",
    "engagement_id": "accompagnement",
    "login": "identifiant",
}


# --- administration ------------------------------------------------------------------------------------


@router.get("/administration")
def administration(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return _administration(request, visitor)


def _administration(
    request: Request, visitor: Visitor, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    context = api_context(request)
    with context.db.reading() as session:
        try:
            admin = organisation_admin(session, visitor.principal.login)
        except Forbidden as error:
            return problem_page(request, visitor, 403, error.message)
        people = members(session, by=visitor.principal.login)
        engagements = owned_engagements(session, by=visitor.principal.login)
    return render(
        request,
        "administration.html",
        {
            "page": "administration",
            "organisation": admin.organisation_key,
            "personnes": people,
            "accompagnements": engagements,
            "roles": [(role, ROLE_LABELS.get(role, role)) for role in ROLES],
            "libelles": ROLE_LABELS,
            "formulaires": forms or {},
            "fait": request.query_params.get("fait"),
        },
        status=status,
        visitor=visitor,
    )


def _errors(error: DomainError) -> dict[str, str]:
    reasons = error.reasons or [error.message]
    found: dict[str, str] = {}
    for reason in reasons:
        found.setdefault(FIELD_OF_PATH.get(reason.path or "", "general"), reason.fr)
    return found


@router.post("/administration/invitations")
def invite_form(
    request: Request,
    visitor: VisitorDep,
    courriel: Annotated[str, Form(max_length=120)] = "",
    nom: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    accompagnement: Annotated[str, Form(max_length=36)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    values = {"courriel": courriel, "nom": nom, "role": role, "accompagnement": accompagnement}
    errors = {}
    if not courriel.strip():
        errors["courriel"] = "Indiquez l'adresse électronique de la personne."
    if not role:
        errors["role"] = "Choisissez un rôle."
    if not errors:
        context = api_context(request)

        def send_invitation(session: Session) -> Response:
            invite(
                session,
                by=visitor.principal.login,
                email=courriel,
                name=nom,
                role=role,
                engagement_id=accompagnement or None,
                clock=context.clock,
                base_url=context.settings.base_url,
            )
            return RedirectResponse("/administration?fait=invitation", status_code=303)

        try:
            return submissions.once(request, visitor, soumission, send_invitation)
        except Forbidden as error:
            if error.message.code == "organisation.admin_required":
                return problem_page(request, visitor, 403, error.message)
            errors = _errors(error)
        except DomainError as error:
            errors = _errors(error)
    forms = {"invitation": {"valeurs": values, "erreurs": errors}}
    return _administration(request, visitor, forms=forms, status=422)


@router.post("/administration/roles")
def grant_form(
    request: Request,
    visitor: VisitorDep,
    identifiant: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    accompagnement: Annotated[str, Form(max_length=36)] = "",
    retirer: Annotated[str, Form(max_length=3)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    values = {"identifiant": identifiant, "role": role, "accompagnement": accompagnement}
    errors = {}
    if not identifiant.strip():
        errors["identifiant"] = "Choisissez une personne."
    if not role:
        errors["role"] = "Choisissez un rôle."
    if not errors:
        context = api_context(request)

        def change_role(session: Session) -> Response:
            if retirer:
                revoke_role(
                    session,
                    by=visitor.principal.login,
                    login=identifiant,
                    role=role,
                    engagement_id=accompagnement or None,
                    clock=context.clock,
                )
            else:
                grant_role(
                    session,
                    by=visitor.principal.login,
                    login=identifiant,
                    role=role,
                    engagement_id=accompagnement or None,
                    clock=context.clock,
                )
            return RedirectResponse(
                f"/administration?fait={'retrait' if retirer else 'role'}", status_code=303
            )

        try:
            return submissions.once(request, visitor, soumission, change_role)
        except Forbidden as error:
            if error.message.code == "organisation.admin_required":
                return problem_page(request, visitor, 403, error.message)
            errors = _errors(error)
        except DomainError as error:
            errors = _errors(error)
    forms = {"role": {"valeurs": values, "erreurs": errors}}
    return _administration(request, visitor, forms=forms, status=422)


# --- links from e-mails: choose a password, ask for a reset ----------------------------------------------


def _anonymous_form(
    request: Request, name: str, values: dict[str, Any], *, status: int = 200, path: str
) -> HTMLResponse:
    token = request.cookies.get(ANONYMOUS_FORM_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, name, {"jeton_formulaire": token, **values}, status=status)
    response.set_cookie(
        ANONYMOUS_FORM_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=api_context(request).settings.web_secure_cookies,
        path=path,
    )
    return response


def _anonymous_form_ok(request: Request, submitted: str) -> bool:
    expected = request.cookies.get(ANONYMOUS_FORM_COOKIE)
    return bool(expected) and hmac.compare_digest(str(expected).encode(), submitted.encode())


@router.get("/invitation/{token}")
def choose_password_page(request: Request, token: str) -> HTMLResponse:
    context = api_context(request)
    with context.db.reading() as session:
        login = link_login(session, token, now=context.clock.now())
    if login is None:
        return problem_page(request, None, 404, LINK_INVALID)
    values = {"identifiant": login, "token": token, "longueur": MIN_PASSWORD_LENGTH}
    return _anonymous_form(request, "invitation.html", values, path=f"/invitation/{token}")


@router.post("/invitation/{token}")
def choose_password(
    request: Request,
    token: str,
    mot_de_passe: Annotated[str, Form(max_length=1000)] = "",
    confirmation: Annotated[str, Form(max_length=1000)] = "",
    jeton_formulaire: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _anonymous_form_ok(request, jeton_formulaire):
        return problem_page(request, None, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    now = context.clock.now()
    with context.db.reading() as session:
        login = link_login(session, token, now=now)
    if login is None:
        return problem_page(request, None, 404, LINK_INVALID)
    errors: dict[str, str] = {}
    if len(mot_de_passe) < MIN_PASSWORD_LENGTH:
        errors["mot_de_passe"] = f"Choisissez un mot de passe d'au moins {MIN_PASSWORD_LENGTH} caractères."
    elif confirmation != mot_de_passe:
        errors["confirmation"] = "La confirmation ne correspond pas au mot de passe."
    signed = None
    if not errors:
        lifetime = timedelta(hours=context.settings.web_session_hours)
        address = request.client.host if request.client else "inconnue"
        try:
            with context.write_lock, context.db.transaction() as session:
                login = redeem(session, token, mot_de_passe, now=now)
                signed = conclude(session, Attempt(login, address[:64], True), now=now, lifetime=lifetime)
        except InvalidInput as error:
            if error.message.code == LINK_INVALID.code:
                return problem_page(request, None, 404, LINK_INVALID)
            errors["mot_de_passe"] = error.message.fr
    if signed is None:
        values = {"identifiant": login, "token": token, "longueur": MIN_PASSWORD_LENGTH, "erreurs": errors}
        return _anonymous_form(request, "invitation.html", values, status=422, path=f"/invitation/{token}")
    response = RedirectResponse("/portefeuille", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=context.settings.web_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=context.settings.web_secure_cookies,
    )
    response.delete_cookie(ANONYMOUS_FORM_COOKIE, path=f"/invitation/{token}")
    return response


FORGOTTEN = "/mot-de-passe-oublie"


@router.get(FORGOTTEN)
def forgotten_page(request: Request) -> HTMLResponse:
    return _anonymous_form(request, "mot_de_passe_oublie.html", {}, path=FORGOTTEN)


@router.post(FORGOTTEN)
def forgotten(
    request: Request,
    courriel: Annotated[str, Form(max_length=254)] = "",
    jeton_formulaire: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _anonymous_form_ok(request, jeton_formulaire):
        return problem_page(request, None, 403, FORM_TOKEN_MISSING)
    if "@" not in courriel:
        values = {"courriel": courriel, "erreurs": {"courriel": "Indiquez votre adresse électronique."}}
        return _anonymous_form(request, "mot_de_passe_oublie.html", values, status=422, path=FORGOTTEN)
    context = api_context(request)
    # Counted and throttled like the API's requests for a link, per address asked about and per client.
    address = request.client.host if request.client else "inconnue"
    try:
        with context.write_lock, context.db.transaction() as session:
            request_reset_throttled(
                session,
                email=courriel,
                address=address,
                clock=context.clock,
                base_url=context.settings.base_url,
            )
    except Throttled as throttled:
        values = {"courriel": courriel, "erreurs": {"courriel": throttled.message.fr}}
        return _anonymous_form(request, "mot_de_passe_oublie.html", values, status=429, path=FORGOTTEN)
    # The same answer whether the address is known or not.
    return _anonymous_form(request, "mot_de_passe_oublie.html", {"envoye": True}, path=FORGOTTEN)
