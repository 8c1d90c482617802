"""« Accompagnement »: the timeline of an engagement, each step with its guards and the actions the person
may take through the one door (``transitions.transition``), and evidence to attach to a step."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.api.context import ApiContext
from gouvernance.api.evidence import check_content
from gouvernance.api.permissions import ATTACH_EVIDENCE, READ_EVIDENCE, READ_STEPS, SEND_STEP_EVENT
from gouvernance.api.uploads import read_upload
from gouvernance.engagements.actions import EventOption, event_options, step_subjects
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.elections import electoral_warnings
from gouvernance.engagements.progress import EngagementProgress, engagement_progress
from gouvernance.engagements.rules import allowed_roles
from gouvernance.engagements.subject import Subject
from gouvernance.engagements.transitions import transition
from gouvernance.errors import Conflict, DomainError, Forbidden, Message, NotFound, TransitionRefused
from gouvernance.evidence.service import (
    attach_file,
    attach_link,
    evidence_for_step,
    expected_labels,
    get_evidence,
)
from gouvernance.history.records import EventRow
from gouvernance.history.timeline import event_label, timeline
from gouvernance.spec.schema import ProcessModel
from gouvernance.web import submissions
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    Visitor,
    VisitorDep,
    api_context,
    form_token_ok,
    problem_page,
    render,
    roles_on,
)

router = APIRouter(include_in_schema=False)


@dataclass
class StepForm:
    """What the person typed and what went wrong, to show the form again as it was."""

    step_key: str
    comment: str = ""
    errors: list[str] = field(default_factory=list)
    conflict: dict[str, Any] | None = None


@dataclass
class EvidenceForm:
    """A piece of evidence being attached to a step: what was typed, and the reasons by field."""

    step_key: str
    label: str = ""
    url: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


EVIDENCE_NOT_FOUND = Message("evidence.not_found", "Pièce introuvable.", "Evidence not found.")
EVIDENCE_FIELDS = {"label": "libelle", "url": "lien", "file": "fichier", "file.filename": "fichier"}
# What each step action does, shown under its button (with who may do it: ``who_may``), so that « Émettre un
# avis favorable » and « Valider l'étape » cannot be taken one for the other.
ACTION_HELP = {
    "start": "Commence le travail de l'étape.",
    "submit": "Transmet le travail à qui doit le valider ou en décider.",
    "endorse": "Enregistre l'accord de votre rôle sur le travail, sans terminer l'étape\u00a0: certaines "
    "étapes attendent l'avis favorable d'un rôle avant d'être validées.",
    "approve": "Accepte le travail en revue et termine l'étape\u00a0; les étapes qui en dépendent peuvent "
    "alors commencer.",
    "adopt": "Adopte la proposition soumise à décision et termine l'étape.",
    "reject": "Rejette la proposition, qui repart en préparation (commentaire obligatoire).",
    "request_rework": "Renvoie le travail à son responsable pour reprise (commentaire obligatoire).",
    "send_back": "Renvoie les étapes relues pour reprise\u00a0; cette revue attend qu'elles soient de "
    "nouveau terminées (commentaire obligatoire).",
    "skip": "Passe l'étape sans la faire (commentaire obligatoire).",
    "reopen": "Rouvre l'étape terminée pour la reprendre (commentaire obligatoire).",
    "open_consultation": "Ouvre la consultation aux parties prenantes.",
    "close_consultation": "Clôt la consultation\u00a0; sa synthèse passe en revue.",
}
# Evidence is offered on the steps under way, not on those to come or finished.
NO_EVIDENCE_STATES = frozenset({"pending", "done", "skipped", "cancelled"})


# The engagement page shows its latest events; the whole timeline is the API's (GET …/timeline, paged).
RECENT_EVENTS = 30


def _timeline_line(row: EventRow, model: ProcessModel) -> dict[str, Any]:
    step = model.steps_by_key.get(row.step_key) if row.step_key else None
    return {
        "quand": row.occurred_at,
        "quoi": event_label(row.event),
        "etape": step.title.text("fr") if step else None,
        "qui": row.actor,
        "role": model.role_title(row.actor_role) if row.actor_role else None,
        "vers": row.to_state,
        "commentaire": row.comment,
    }


@router.get("/accompagnements/{engagement_id}")
def engagement_page(
    request: Request, engagement_id: str, visitor: VisitorDep, lance: int = 0
) -> HTMLResponse:
    return _engagement(request, visitor, engagement_id, None, launched=bool(lance))


def _engagement(
    request: Request,
    visitor: Visitor,
    engagement_id: str,
    form: StepForm | None,
    status: int = 200,
    *,
    evidence: EvidenceForm | None = None,
    launched: bool = False,
) -> HTMLResponse:
    context = api_context(request)
    now = context.clock.now()
    with context.db.reading() as session:
        try:
            roles = roles_on(session, visitor, engagement_id, READ_STEPS)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        actor = ActorRef(visitor.principal.login, roles)
        may_act = bool(roles & SEND_STEP_EVENT.roles)
        may_attach = bool(roles & ATTACH_EVIDENCE.roles)
        progress = engagement_progress(session, engagement_id, now=now)
        subjects = {s.step.step_key: s for s in step_subjects(session, engagement_id) if s.step}
        options: dict[str, list[EventOption]] = {
            key: event_options(session, subject, actor, context.clock) if may_act else []
            for key, subject in subjects.items()
        }
        helps = {
            key: {o.event: action_help(subjects[key], o.event) for o in step_options}
            for key, step_options in options.items()
        }
        pieces = {key: evidence_for_step(session, s.step.id) for key, s in subjects.items() if s.step}
        expected = {key: expected_labels(subject) for key, subject in subjects.items()}
        recent, events_total = timeline(session, engagement_id, limit=RECENT_EVENTS, newest_first=True)
    model = progress.model
    engagement = progress.engagement
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
                    "aides": helps.get(view.key, {}),
                    "formulaire": form if form and form.step_key == view.key else None,
                    "description": spec.description.text("fr") if spec.description else None,
                    "pieces": pieces.get(view.key, []),
                    "joindre": may_attach and view.key in subjects and view.state not in NO_EVIDENCE_STATES,
                    "libelles": expected.get(view.key, []),
                    "piece": evidence if evidence and evidence.step_key == view.key else None,
                }
            )
    warnings = []
    if launched:
        warnings = [
            w.text("fr")
            for w in electoral_warnings(
                model, engagement.territory_kind, engagement.start_date, engagement.parameters
            )
        ]
    return render(
        request,
        "accompagnement.html",
        {
            "progress": progress,
            "engagement": engagement,
            "modele": model.title.text("fr"),
            "etapes": steps,
            "frise": timeline_figure(progress, now),
            "maintenant": now,
            "formulaire": form,
            "piece": evidence,
            "lance": launched,
            "avertissements": warnings,
            "roles": sorted(roles),
            "chronologie": [_timeline_line(row, model) for row in recent],
            "evenements_total": events_total,
        },
        status=status,
        visitor=visitor,
    )


def action_help(subject: Subject, event: str) -> str:
    """What the action does and who may do it, in a sentence or two."""
    return f"{ACTION_HELP.get(event, '')} {who_may(subject, event)}".strip()


def who_may(subject: Subject, event: str) -> str:
    model = subject.model
    roles = allowed_roles(subject, event)
    if roles >= set(model.roles_by_key):
        return "Ouvert à tous les rôles de l'accompagnement."
    titles = ", ".join(sorted(model.role_title(role) for role in roles if role in model.roles_by_key))
    return f"Réservé à\u00a0: {titles}." if titles else ""


@router.post("/accompagnements/{engagement_id}/etapes/{step_key}/pieces")
def attach_evidence(
    request: Request,
    engagement_id: str,
    step_key: str,
    visitor: VisitorDep,
    libelle: Annotated[str, Form(max_length=200)] = "",
    lien: Annotated[str, Form(max_length=2000)] = "",
    fichier: Annotated[UploadFile | None, File()] = None,
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    """A file or a link, through the evidence service as the API attaches it (same size limit, same content
    check), so that a guard waiting for this evidence is satisfied."""
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    form = EvidenceForm(step_key, libelle, lien)
    chosen = fichier if fichier is not None and fichier.filename else None
    url = lien.strip()
    if (chosen is None) == (not url):
        form.errors["fichier"] = ["Choisissez un fichier, ou indiquez un lien (l'un des deux, pas les deux)."]
        return _engagement(request, visitor, engagement_id, None, 422, evidence=form)
    limit = context.settings.max_evidence_bytes
    try:
        content = b""
        if chosen is not None:
            content = read_upload(chosen, limit, code="evidence.too_large")
            check_content(chosen.content_type or "application/octet-stream", content)

        def attach(session: Session) -> Response:
            roles = roles_on(session, visitor, engagement_id, ATTACH_EVIDENCE)
            actor = ActorRef(visitor.principal.login, roles)
            if chosen is not None:
                attach_file(
                    session,
                    engagement_id=engagement_id,
                    step_key=step_key,
                    label=libelle,
                    filename=(chosen.filename or "piece")[:255],
                    content=content,
                    content_type=chosen.content_type or "application/octet-stream",
                    actor=actor,
                    store=context.store,
                    clock=context.clock,
                    max_bytes=limit,
                )
            else:
                attach_link(
                    session,
                    engagement_id=engagement_id,
                    step_key=step_key,
                    label=libelle,
                    url=url,
                    actor=actor,
                    clock=context.clock,
                )
            return RedirectResponse(
                f"/accompagnements/{engagement_id}?piece=1#etape-{step_key}", status_code=303
            )

        return submissions.once(request, visitor, soumission, attach)
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except DomainError as error:
        for reason in error.reasons or [error.message]:
            name = EVIDENCE_FIELDS.get(reason.path or "", "libelle" if not reason.path else "fichier")
            form.errors.setdefault(name, []).append(reason.fr)
        return _engagement(request, visitor, engagement_id, None, error.status, evidence=form)


@router.get("/accompagnements/{engagement_id}/etapes/{step_key}/pieces/{evidence_id}")
def download_evidence(
    request: Request, engagement_id: str, step_key: str, evidence_id: int, visitor: VisitorDep
) -> Response:
    context = api_context(request)
    with context.db.reading() as session:
        try:
            roles_on(session, visitor, engagement_id, READ_EVIDENCE)
            row = get_evidence(session, engagement_id, evidence_id)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
    if row.kind != "file" or row.sha256 is None or row.step_id != _step_id(context, engagement_id, step_key):
        return problem_page(request, visitor, 404, EVIDENCE_NOT_FOUND)
    return Response(
        context.store.get(row.sha256),
        media_type=row.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename or 'piece')}",
            "X-Content-Type-Options": "nosniff",
        },
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
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    form = StepForm(step_key, commentaire)

    def advance(session: Session) -> Response:
        roles = roles_on(session, visitor, engagement_id, SEND_STEP_EVENT)
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
        return RedirectResponse(f"/accompagnements/{engagement_id}#etape-{step_key}", status_code=303)

    try:
        return submissions.once(request, visitor, soumission, advance)
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


def _step_id(context: ApiContext, engagement_id: str, step_key: str) -> int | None:
    with context.db.reading() as session:
        subject = next(
            (s for s in step_subjects(session, engagement_id) if s.step and s.step.step_key == step_key), None
        )
    return subject.step.id if subject and subject.step else None


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
