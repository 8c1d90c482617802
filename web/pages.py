"""The web interface for people: server-rendered French pages over the same domain services and the same
permission checks as the API (``access.permissions`` with the API's permissions), every action a plain
HTML form going through the one door (``engagements.transitions.transition``)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.permissions import engagement_roles
from gouvernance.access.service import Principal, visible_engagements
from gouvernance.access.tasks import is_overdue, tasks_for
from gouvernance.access.web_login import (
    BAD_CREDENTIALS,
    Throttled,
    conclude,
    form_token,
    form_token_matches,
    session_principal,
    sign_out,
    try_password,
)
from gouvernance.api.context import ApiContext
from gouvernance.api.permissions import READ_STEPS, SEND_STEP_EVENT, Permission
from gouvernance.engagements.actions import EventOption, event_options, step_subjects
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.portfolio import PortfolioFilter, figures, list_engagements, stage_figures
from gouvernance.engagements.progress import EngagementProgress, engagement_progress
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.transitions import transition
from gouvernance.errors import Conflict, DomainError, Forbidden, Message, NotFound, TransitionRefused
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.spec.catalog import model_for
from gouvernance.web import french

SESSION_COOKIE = "gv_session"
PRE_LOGIN_COOKIE = "gv_avant_connexion"
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["etat"] = lambda state: STATE_LABELS_FR.get(state, state)
templates.env.filters["nombre"] = french.number
templates.env.filters["pourcent"] = french.percent

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Visitor:
    principal: Principal
    session_token: str

    @property
    def form_token(self) -> str:
        return form_token(self.session_token)


class NotSignedIn(Exception):
    """Answered by a redirection to the sign-in page."""


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


def current_visitor(request: Request) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    context = _context(request)
    with context.db.reading() as session:
        principal = session_principal(session, token, now=context.clock.now())
    if principal is None:
        raise NotSignedIn
    return Visitor(principal, token)


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


def render(
    request: Request, name: str, values: dict[str, Any], *, status: int = 200, visitor: Visitor | None = None
) -> HTMLResponse:
    context = _context(request)
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


def _roles(session: Session, visitor: Visitor, engagement_id: str, permission: Permission) -> frozenset[str]:
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


# --- signing in and out --------------------------------------------------------------------------------


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
        secure=_context(request).settings.web_secure_cookies,
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
    context = _context(request)
    settings = context.settings
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


FORM_TOKEN_MISSING = Message(
    "web.form_token",
    "Le formulaire a expiré ou ne vient pas de ce site (jeton de formulaire absent ou faux). "
    "Rechargez la page puis réessayez.",
    "The form expired or does not come from this site (missing or wrong form token).",
)


@router.post("/deconnexion")
def logout(
    request: Request, visitor: VisitorDep, jeton_formulaire: Annotated[str | None, Form()] = None
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = _context(request)
    with context.write_lock, context.db.transaction() as session:
        sign_out(session, visitor.session_token, now=context.clock.now())
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/portefeuille", status_code=303)


# --- portefeuille --------------------------------------------------------------------------------------


@router.get("/portefeuille")
def portfolio(
    request: Request,
    visitor: VisitorDep,
    territoire: str = "",
    modele: str = "",
    etat: str = "",
    retard: str = "",
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    filters = PortfolioFilter(
        territory=territoire.strip() or None,
        state=etat or None,
        model_key=modele or None,
        overdue={"oui": True, "non": False}.get(retard),
    )
    with context.db.reading() as session:
        rows, total = list_engagements(
            session, now=now, visible=visible_engagements(visitor.principal), filters=filters, limit=100
        )
        ids = [row.id for row in rows]
        numbers = figures(session, ids, now=now)
        per_stage = stage_figures(session, ids)
        models = {
            (r.model_key, r.model_version): model_for(session, r.model_key, r.model_version) for r in rows
        }
    lines = []
    for row in rows:
        model = models[(row.model_key, row.model_version)]
        stages = per_stage.get(row.id, {})
        lines.append(
            {
                "row": row,
                "modele": model.title.text("fr"),
                "chiffres": numbers.get(row.id),
                "etapes": [
                    {
                        "titre": stage.title.text("fr"),
                        "total": stages.get(stage.key, (0, 0))[0],
                        "finies": stages.get(stage.key, (0, 0))[1],
                    }
                    for stage in model.stages
                ],
            }
        )
    totals = {
        "accompagnements": total,
        "en_retard": sum(1 for f in numbers.values() if f.overdue),
        "etapes_en_retard": sum(f.overdue for f in numbers.values()),
    }
    journeys = [(model.key, model.title.text("fr")) for model in context.catalog.latest()]
    return render(
        request,
        "portefeuille.html",
        {
            "lignes": lines,
            "totaux": totals,
            "filtres": {"territoire": territoire, "modele": modele, "etat": etat, "retard": retard},
            "modeles": journeys,
            "etats": ["active", "suspended", "completed", "cancelled", "draft"],
        },
        visitor=visitor,
    )


# --- accompagnement ------------------------------------------------------------------------------------


@dataclass
class StepForm:
    """What the person typed and what went wrong, to show the form again as it was."""

    step_key: str
    comment: str = ""
    errors: list[str] = field(default_factory=list)
    conflict: dict[str, Any] | None = None


@router.get("/accompagnements/{engagement_id}")
def engagement_page(request: Request, engagement_id: str, visitor: VisitorDep) -> HTMLResponse:
    return _engagement(request, visitor, engagement_id, None)


def _engagement(
    request: Request, visitor: Visitor, engagement_id: str, form: StepForm | None, status: int = 200
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    with context.db.reading() as session:
        try:
            roles = _roles(session, visitor, engagement_id, READ_STEPS)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        actor = ActorRef(visitor.principal.login, roles)
        may_act = bool(roles & SEND_STEP_EVENT.roles)
        progress = engagement_progress(session, engagement_id, now=now)
        subjects = {s.step.step_key: s for s in step_subjects(session, engagement_id) if s.step}
        options: dict[str, list[EventOption]] = {
            key: event_options(session, subject, actor, context.clock) if may_act else []
            for key, subject in subjects.items()
        }
    model = progress.model
    steps = []
    for stage in progress.stages:
        for view in stage.steps:
            spec = model.steps_by_key[view.key]
            steps.append(
                {
                    "vue": view,
                    "etape": stage.title,
                    "role": model.role_title(view.role),
                    "options": options.get(view.key, []),
                    "formulaire": form if form and form.step_key == view.key else None,
                    "description": spec.description.text("fr") if spec.description else None,
                }
            )
    return render(
        request,
        "accompagnement.html",
        {
            "progress": progress,
            "engagement": progress.engagement,
            "modele": model.title.text("fr"),
            "etapes": steps,
            "frise": timeline_figure(progress, now),
            "maintenant": now,
            "formulaire": form,
            "roles": sorted(roles),
        },
        status=status,
        visitor=visitor,
    )


LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT = 300, 380, 26


def timeline_figure(progress: EngagementProgress, now: datetime) -> dict[str, Any]:
    """Positions for the SVG timeline: one row per stage, a band from its first to its last due date (the
    part done filled in), and a line for today."""
    dated = [s.due_at for s in progress.steps if s.due_at]
    start = min([*dated, now])
    end = max([*dated, now + timedelta(days=30)])
    span = (end - start).total_seconds()

    def x(moment: datetime) -> float:
        return round(LABEL_WIDTH + 10 + CHART_WIDTH * (moment - start).total_seconds() / span, 1)

    rows = []
    for index, stage in enumerate(progress.stages):
        dues = [s.due_at for s in stage.steps if s.due_at]
        row: dict[str, Any] = {"titre": stage.title, "y": 30 + index * ROW_HEIGHT, "pourcent": stage.percent}
        if dues:
            left, right = x(min(dues)), x(max(dues))
            row["x"], row["largeur"] = left, max(right - left, 8)
        rows.append(row)
    return {
        "lignes": rows,
        "aujourdhui": x(now),
        "hauteur": 40 + len(rows) * ROW_HEIGHT,
        "debut": start,
        "fin": end,
        "largeur": LABEL_WIDTH + CHART_WIDTH + 20,
        "axe": LABEL_WIDTH + 10,
    }


@router.post("/accompagnements/{engagement_id}/etapes/{step_key}")
def step_action(
    request: Request,
    engagement_id: str,
    step_key: str,
    visitor: VisitorDep,
    evenement: Annotated[str, Form(max_length=40)] = "",
    version: Annotated[int | None, Form()] = None,
    commentaire: Annotated[str, Form(max_length=4000)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = _context(request)
    form = StepForm(step_key, commentaire)
    try:
        with context.write_lock, context.db.transaction() as session:
            roles = _roles(session, visitor, engagement_id, SEND_STEP_EVENT)
            transition(
                session,
                engagement_id=engagement_id,
                step_key=step_key,
                event=evenement,
                actor=ActorRef(visitor.principal.login, roles),
                clock=context.clock,
                expected_version=version,
                comment=commentaire.strip() or None,
            )
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except Conflict as error:
        form.conflict = _who_changed(context, engagement_id, step_key, error.message)
        return _engagement(request, visitor, engagement_id, form, 409)
    except TransitionRefused as error:
        form.errors = [reason.fr for reason in error.reasons] or [error.message.fr]
        return _engagement(request, visitor, engagement_id, form, 422)
    except DomainError as error:
        form.errors = [error.message.fr]
        return _engagement(request, visitor, engagement_id, form, error.status)
    return RedirectResponse(f"/accompagnements/{engagement_id}#etape-{step_key}", status_code=303)


def _who_changed(context: ApiContext, engagement_id: str, step_key: str, message: Message) -> dict[str, Any]:
    with context.db.reading() as session:
        last = session.scalar(
            select(EventRow)
            .where(EventRow.engagement_id == engagement_id, EventRow.step_key == step_key)
            .order_by(EventRow.id.desc())
            .limit(1)
        )
    details = message.details or {}
    return {
        "qui": last.actor if last else None,
        "quand": last.occurred_at if last else None,
        "etat": details.get("current_state"),
        "version": details.get("current_version"),
    }


# --- mes tâches ----------------------------------------------------------------------------------------


@router.get("/mes-taches")
def my_tasks(request: Request, visitor: VisitorDep) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    with context.db.reading() as session:
        found = tasks_for(session, visitor.principal)
        models = {
            key: model_for(session, *key)
            for key in {(t.engagement.model_key, t.engagement.model_version) for t in found}
        }
    tasks = []
    for task in found:
        model = models[(task.engagement.model_key, task.engagement.model_version)]
        tasks.append(
            {
                "engagement": task.engagement,
                "step": task.step,
                "titre": model.steps_by_key[task.step.step_key].title.text("fr"),
                "etape": model.stages_by_key[task.step.stage_key].title.text("fr"),
                "role": model.role_title(task.step.role),
                "en_retard": is_overdue(task.step, now),
            }
        )
    return render(request, "mes_taches.html", {"taches": tasks}, visitor=visitor)
