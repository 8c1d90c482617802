"""What every page shares: the signed-in person (``VisitorDep``), the form token against forged posts
(``form_token_ok``, ``FORM_TOKEN_MISSING``), the API's own permission check on an engagement (``roles_on``),
and rendering (``render``, ``problem_page``; templates call ``nouvelle_soumission()`` for a write form's
one-time id, see ``gouvernance.web.submissions``). Other page modules import these names; they are stable."""

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from gouvernance.access.permissions import engagement_roles
from gouvernance.access.service import Principal
from gouvernance.access.web_login import form_token, form_token_matches, session_principal
from gouvernance.api.context import ApiContext
from gouvernance.api.permissions import Permission
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Message
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.web import french

SESSION_COOKIE = "gv_session"
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["etat"] = lambda state: STATE_LABELS_FR.get(state, state)
templates.env.filters["nombre"] = french.number
templates.env.filters["pourcent"] = french.percent


def new_submission_id() -> str:
    """A write form's one-time id, new each time the form is rendered (``gouvernance.web.submissions``)."""
    return secrets.token_urlsafe(18)


templates.env.globals["nouvelle_soumission"] = new_submission_id

FORM_TOKEN_MISSING = Message(
    "web.form_token",
    "Le formulaire a expiré ou ne vient pas de ce site (jeton de formulaire absent ou faux). "
    "Rechargez la page puis réessayez.",
    "The form expired or does not come from this site (missing or wrong form token).",
)


@dataclass(frozen=True)
class Visitor:
    principal: Principal
    session_token: str

    @property
    def form_token(self) -> str:
        return form_token(self.session_token)


class NotSignedIn(Exception):
    """Answered by a redirection to the sign-in page."""


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


def current_visitor(request: Request) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    context = api_context(request)
    with context.db.reading() as session:
        principal = session_principal(session, token, now=context.clock.now())
    if principal is None:
        raise NotSignedIn
    return Visitor(principal, token)


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


def form_token_ok(visitor: Visitor, submitted: str | None) -> bool:
    """Whether a posted form carries the token tied to the session (else answer ``FORM_TOKEN_MISSING``)."""
    return form_token_matches(visitor.session_token, submitted)


def render(
    request: Request, name: str, values: dict[str, Any], *, status: int = 200, visitor: Visitor | None = None
) -> HTMLResponse:
    context = api_context(request)
    tz = context.settings.tz
    response = templates.TemplateResponse(
        request,
        name,
        {
            "visitor": visitor,
            "date": lambda value: french.long_date(value, tz),
            "date_heure": lambda value: french.long_datetime(value, tz),
            **values,
        },
        status_code=status,
    )
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def problem_page(request: Request, visitor: Visitor | None, status: int, message: Message) -> HTMLResponse:
    titles = {403: "Action non autorisée", 404: "Page introuvable", 400: "Requête incorrecte"}
    return render(
        request,
        "probleme.html",
        {"titre": titles.get(status, "Erreur"), "message": message.fr},
        status=status,
        visitor=visitor,
    )


def roles_on(
    session: Session, visitor: Visitor, engagement_id: str, permission: Permission
) -> frozenset[str]:
    """The API's own check: NotFound where the person holds no role, Forbidden for other roles."""
    row = session.get(EngagementRow, engagement_id)
    return engagement_roles(
        visitor.principal,
        engagement_id,
        exists=row is not None,
        owner=row.organisation_id if row else None,
        permission=permission.name,
        required=permission.roles,
    )


__all__ = [
    "FORM_TOKEN_MISSING",
    "SESSION_COOKIE",
    "NotSignedIn",
    "Visitor",
    "VisitorDep",
    "api_context",
    "current_visitor",
    "form_token_ok",
    "new_submission_id",
    "problem_page",
    "render",
    "roles_on",
    "templates",
]
