"""Signing in and out: a password form with its own pre-session form token (against login CSRF), throttled
per account and per client address (the real client behind a trusted proxy: uvicorn's proxy headers)."""

import hmac
import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gouvernance.access.web_login import BAD_CREDENTIALS, Throttled, conclude, sign_out, try_password
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    SESSION_COOKIE,
    VisitorDep,
    api_context,
    form_token_ok,
    problem_page,
    render,
)

PRE_LOGIN_COOKIE = "gv_avant_connexion"

router = APIRouter(include_in_schema=False)


@router.get("/connexion")
def login_page(request: Request) -> HTMLResponse:
    return _login_form(request, {})


def _login_form(request: Request, values: dict[str, Any], status: int = 200) -> HTMLResponse:
    pre = request.cookies.get(PRE_LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "connexion.html", {"jeton_formulaire": pre, **values}, status=status)
    response.set_cookie(
        PRE_LOGIN_COOKIE,
        pre,
        httponly=True,
        samesite="lax",
        secure=api_context(request).settings.web_secure_cookies,
        path="/connexion",
    )
    return response


@router.post("/connexion")
def login(
    request: Request,
    identifiant: Annotated[str, Form(max_length=120)] = "",
    mot_de_passe: Annotated[str, Form(max_length=1000)] = "",
    jeton_formulaire: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    pre = request.cookies.get(PRE_LOGIN_COOKIE)
    if not pre or not hmac.compare_digest(pre.encode(), jeton_formulaire.encode()):
        return problem_page(request, None, 403, FORM_TOKEN_MISSING)
    errors: dict[str, str] = {}
    if not identifiant.strip():
        errors["identifiant"] = "Indiquez votre identifiant."
    if not mot_de_passe:
        errors["mot_de_passe"] = "Indiquez votre mot de passe."
    if errors:
        return _login_form(request, {"erreurs": errors, "identifiant": identifiant}, 400)
    context = api_context(request)
    settings = context.settings
    # The real client's address when the proxy is trusted (GOUVERNANCE_FORWARDED_ALLOW_IPS, uvicorn).
    address = request.client.host if request.client else "inconnue"
    now = context.clock.now()
    try:
        with context.db.reading() as session:
            attempt = try_password(session, identifiant, mot_de_passe, address=address, now=now)
    except Throttled as throttled:
        return _login_form(
            request, {"erreurs": {"identifiant": throttled.message.fr}, "identifiant": identifiant}, 429
        )
    with context.write_lock, context.db.transaction() as session:
        signed = conclude(session, attempt, now=now, lifetime=timedelta(hours=settings.web_session_hours))
    if signed is None:
        return _login_form(
            request, {"erreurs": {"mot_de_passe": BAD_CREDENTIALS.fr}, "identifiant": identifiant}, 401
        )
    response = RedirectResponse("/portefeuille", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=settings.web_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.web_secure_cookies,
    )
    response.delete_cookie(PRE_LOGIN_COOKIE, path="/connexion")
    return response


@router.post("/deconnexion")
def logout(
    request: Request, visitor: VisitorDep, jeton_formulaire: Annotated[str | None, Form()] = None
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    with context.write_lock, context.db.transaction() as session:
        sign_out(session, visitor.session_token, now=context.clock.now())
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/portefeuille", status_code=303)
