"""« Décisions »: the decision register of an engagement (number, title, date, deciding body, legal basis,
votes, transmission and publication dates, public flag) and a form to record a decision through
``decisions.service.record_decision``, with the API's permissions (``api.decisions``): every role on the
engagement reads, the leads record, the others see no form and a forged POST is refused."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gouvernance.api.decisions import READ_DECISIONS, RECORD_DECISIONS
from gouvernance.decisions.service import MAX_VOTES, DecidingBody, DecisionData, decisions, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import DomainError, Forbidden, NotFound
from gouvernance.spec.catalog import model_for
from gouvernance.web.form_values import Unreadable, read_count, read_date
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

PAGE = "/accompagnements/{engagement_id}/decisions"
BODIES = {body.value: body for body in DecidingBody}
# The domain's paths (DecisionData's fields) → the form's fields.
FIELD_OF_PATH = {
    "number": "numero",
    "title": "titre",
    "text": "texte",
    "decided_on": "date",
    "body": "instance",
    "legal_basis": "fondement",
    "votes_for": "pour",
    "votes_against": "contre",
    "abstentions": "abstentions",
    "transmitted_on": "transmission",
    "published_on": "publication",
    "step_key": "etape",
}


@dataclass
class DecisionForm:
    """What the person typed, and each field's errors, to show the form again as it was."""

    numero: str = ""
    titre: str = ""
    date: str = ""
    instance: str = ""
    texte: str = ""
    fondement: str = ""
    pour: str = ""
    contre: str = ""
    abstentions: str = ""
    transmission: str = ""
    publication: str = ""
    etape: str = ""
    publique: bool = True
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text[:1].upper() + text[1:])


@router.get(PAGE)
def decisions_page(request: Request, engagement_id: str, visitor: VisitorDep, fait: str = "") -> HTMLResponse:
    notice = "La décision a été inscrite au registre." if fait == "decision" else None
    return _page(request, visitor, engagement_id, notice=notice)


def _page(
    request: Request,
    visitor: Visitor,
    engagement_id: str,
    *,
    notice: str | None = None,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = api_context(request)
    with context.db.reading() as session:
        # Held here, the row stays in the session's identity map: the checks below read it without a query.
        engagement = session.get(EngagementRow, engagement_id)
        try:
            roles = roles_on(session, visitor, engagement_id, READ_DECISIONS)
            register = decisions(session, engagement_id)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        assert engagement is not None
        model = model_for(session, engagement.model_key, engagement.model_version)
    steps = {
        step.key: f"{stage.title.text('fr')} — {step.title.text('fr')}"
        for stage in model.stages
        for step in stage.steps
    }
    return render(
        request,
        "decisions.html",
        {
            "engagement": engagement,
            "roles": sorted(roles),
            "registre": register,
            "instances": {key: body.label for key, body in BODIES.items()},
            "etapes": steps,
            "peut_inscrire": bool(roles & RECORD_DECISIONS.roles),
            "df": form or DecisionForm(),
            "df_erreurs": bool(form and form.errors),
            "avis": notice,
        },
        status=status,
        visitor=visitor,
    )


@router.post(PAGE)
def record(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    numero: Annotated[str, Form(max_length=40)] = "",
    titre: Annotated[str, Form(max_length=300)] = "",
    date_decision: Annotated[str, Form(alias="date", max_length=40)] = "",
    instance: Annotated[str, Form(max_length=40)] = "",
    texte: Annotated[str, Form(max_length=50_000)] = "",
    fondement: Annotated[str, Form(max_length=200)] = "",
    pour: Annotated[str, Form(max_length=20)] = "",
    contre: Annotated[str, Form(max_length=20)] = "",
    abstentions: Annotated[str, Form(max_length=20)] = "",
    transmission: Annotated[str, Form(max_length=40)] = "",
    publication: Annotated[str, Form(max_length=40)] = "",
    etape: Annotated[str, Form(max_length=80)] = "",
    publique: Annotated[str, Form(max_length=10)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    form = DecisionForm(
        numero, titre, date_decision, instance, texte, fondement, pour, contre, abstentions,
        transmission, publication, etape, publique == "oui",
    )  # fmt: skip
    data = _data(form)
    try:
        with context.write_lock, context.db.transaction() as session:
            roles = roles_on(session, visitor, engagement_id, RECORD_DECISIONS)
            if data is None:
                raise Unreadable
            record_decision(
                session,
                engagement_id=engagement_id,
                data=data,
                actor=ActorRef(visitor.principal.login, roles),
                clock=context.clock,
            )
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except Unreadable:
        return _page(request, visitor, engagement_id, form=form, status=422)
    except DomainError as error:
        for reason in error.reasons or [error.message]:
            form.add(FIELD_OF_PATH.get(reason.path or "", "numero"), reason.fr)
        return _page(request, visitor, engagement_id, form=form, status=error.status)
    return RedirectResponse(f"/accompagnements/{engagement_id}/decisions?fait=decision", status_code=303)


def _data(form: DecisionForm) -> DecisionData | None:
    """The decision as the domain takes it, or None when a field cannot be read (each said by its field)."""
    values = {}
    for name, required in (("date", True), ("transmission", False), ("publication", False)):
        errors: list[str] = []
        values[name] = read_date(getattr(form, name), errors, required=required)
        for text in errors:
            form.add(name, text)
    counts = {}
    for name in ("pour", "contre", "abstentions"):
        errors = []
        counts[name] = read_count(getattr(form, name), errors, maximum=MAX_VOTES)
        for text in errors:
            form.add(name, text)
    if not form.numero.strip():
        form.add("numero", "Indiquez le numéro que l'instance a donné à la décision.")
    if not form.titre.strip():
        form.add("titre", "Indiquez le titre de la décision.")
    body = BODIES.get(form.instance)
    if body is None:
        form.add("instance", "Choisissez l'instance qui a pris la décision.")
    decided_on = values["date"]
    if form.errors or decided_on is None or body is None:
        return None
    return DecisionData(
        number=form.numero.strip(),
        title=form.titre.strip(),
        decided_on=decided_on,
        body=body,
        text=form.texte.strip(),
        legal_basis=form.fondement.strip(),
        votes_for=counts["pour"],
        votes_against=counts["contre"],
        abstentions=counts["abstentions"],
        transmitted_on=values["transmission"],
        published_on=values["publication"],
        step_key=form.etape or None,
        public=form.publique,
    )
