"""« Lancer un accompagnement »: a form generated from the chosen model's launch parameters, checked by the
domain's own launch (every reason shown by its field, what the person typed kept), for the roles the API
lets launch (``LAUNCH_ENGAGEMENT``). The engagement page then shows the electoral-period warnings."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gouvernance.access.permissions import organisation_roles
from gouvernance.api.permissions import LAUNCH_ENGAGEMENT
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import (
    TERRITORY_KINDS,
    LaunchRequest,
    Territory,
    launch,
    request_problems,
)
from gouvernance.errors import DomainError, Forbidden, Message, NotFound
from gouvernance.spec.schema import ParameterSpec, ProcessModel
from gouvernance.web import submissions
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    Visitor,
    VisitorDep,
    api_context,
    form_token_ok,
    problem_page,
    render,
)

router = APIRouter(include_in_schema=False)

PAGE = "/accompagnements/nouveau"
TERRITORY_LABELS = {
    "commune": "Commune",
    "epci": "EPCI (intercommunalité)",
    "departement": "Département",
    "region": "Région",
    "autre": "Autre",
}
# The domain's paths (LaunchIn's fields) and the form's fields.
FIELD_OF_PATH = {
    "territory.name": "territoire_nom",
    "territory.kind": "territoire_type",
    "territory.insee": "territoire_code",
    "start_date": "date_debut",
    "lead": "chef_de_projet",
    "model_key": "choix-modele",
}
PARAMETER_PREFIX = "param-"


@dataclass
class LaunchForm:
    """What the person typed (text, as typed) and the reasons of a refusal, by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def refuse(self, problem: Message, parameters: set[str]) -> None:
        path = problem.path or ""
        name = PARAMETER_PREFIX + path if path in parameters else FIELD_OF_PATH.get(path)
        if name is None:
            self.general.append(problem.fr)
        else:
            self.errors.setdefault(name, []).append(problem.fr)


def parameter_fields(model: ProcessModel, form: LaunchForm) -> list[dict[str, Any]]:
    """One field per launch parameter: its input, its bounds, its default as the starting value."""
    fields = []
    for spec in model.parameters:
        name = PARAMETER_PREFIX + spec.key
        fields.append(
            {
                "spec": spec,
                "nom": name,
                "titre": spec.title.text("fr"),
                "aide": spec.description.text("fr") if spec.description else None,
                "valeur": form.values.get(name, _default_text(spec)),
                "erreurs": form.errors.get(name, []),
            }
        )
    return fields


def _default_text(spec: ParameterSpec) -> str:
    if spec.default is None:
        return ""
    if spec.type == "boolean":
        return "oui" if spec.default else "non"
    if spec.type == "number" and float(spec.default).is_integer():
        return str(int(spec.default))
    return str(spec.default)


def _may_launch(visitor: Visitor) -> frozenset[str]:
    return organisation_roles(
        visitor.principal, permission=LAUNCH_ENGAGEMENT.name, required=LAUNCH_ENGAGEMENT.roles
    )


def _page(
    request: Request, visitor: Visitor, model: ProcessModel | None, form: LaunchForm, status: int = 200
) -> HTMLResponse:
    context = api_context(request)
    return render(
        request,
        "lancer.html",
        {
            "modeles": [(m.key, m.title.text("fr")) for m in context.catalog.latest()],
            "modele": model,
            "parametres": parameter_fields(model, form) if model else [],
            "types_territoire": [(kind, TERRITORY_LABELS.get(kind, kind)) for kind in TERRITORY_KINDS],
            "f": form,
            "page": "lancer",
        },
        status=status,
        visitor=visitor,
    )


@router.get(PAGE)
def launch_page(request: Request, visitor: VisitorDep, modele: str = "") -> HTMLResponse:
    try:
        _may_launch(visitor)
    except Forbidden as error:
        return problem_page(request, visitor, error.status, error.message)
    model = None
    form = LaunchForm({"modele": modele, "chef_de_projet": ""})
    if modele:
        try:
            model = api_context(request).catalog.get(modele)
        except NotFound as missing:
            form.errors["choix-modele"] = [missing.message.fr]
    return _page(request, visitor, model, form, 200 if model or not modele else 404)


@router.post(PAGE)
async def launch_action(request: Request, visitor: VisitorDep) -> Response:
    posted = await request.form()
    values = {key: value for key, value in posted.items() if isinstance(value, str)}
    if not form_token_ok(visitor, values.pop("jeton_formulaire", None)):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    submission = values.pop(submissions.FIELD, None)
    return await run_in_threadpool(_launch, request, visitor, values, submission)


def _launch(request: Request, visitor: Visitor, values: dict[str, str], submission: str | None) -> Response:
    context = api_context(request)
    form = LaunchForm({key: value[:2000] for key, value in values.items()})
    try:
        roles = _may_launch(visitor)
        model = context.catalog.get(form.values.get("modele", ""))
    except (Forbidden, NotFound) as error:
        return problem_page(request, visitor, error.status, error.message)
    start = _start_date(form)
    parameters = {
        spec.key: text
        for spec in model.parameters
        if (text := form.values.get(PARAMETER_PREFIX + spec.key, "").strip())
    }
    launch_request = LaunchRequest(
        model,
        Territory(
            form.values.get("territoire_nom", ""),
            form.values.get("territoire_type", ""),
            form.values.get("territoire_code", "").strip() or None,
        ),
        start or context.clock.now().date(),
        parameters,
        form.values.get("chef_de_projet", "").strip() or None,
        organisation_id=visitor.principal.organisation,
    )
    keys = set(model.parameters_by_key)
    for problem in request_problems(launch_request):
        form.refuse(problem, keys)
    if form.errors or form.general:
        return _page(request, visitor, model, form, 422)

    def launch_it(session: Session) -> Response:
        result = launch(
            session, launch_request, actor=ActorRef(visitor.principal.login, roles), clock=context.clock
        )
        return RedirectResponse(f"/accompagnements/{result.engagement_id}?lance=1", status_code=303)

    try:
        return submissions.once(request, visitor, submission, launch_it)
    except DomainError as error:
        for reason in error.reasons or [error.message]:
            form.refuse(reason, keys)
        return _page(request, visitor, model, form, error.status)


def _start_date(form: LaunchForm) -> date | None:
    text = form.values.get("date_debut", "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.errors["date_debut"] = [
            "Indiquez la date de début au format AAAA-MM-JJ (par exemple 2026-01-05)."
            if text
            else "Indiquez la date de début."
        ]
        return None
