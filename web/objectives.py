"""« Objectifs et indicateurs » of an engagement: each objective with the roles that approved its current
version and those that have not yet, each indicator with its chart (and the same figures in a table) and
its measurements, a form to record a measurement and a button to approve an objective. A thin shell over
the objectives services with the API's own permissions (``api.objectives``): every role reads, the
participants measure and approve, an observer sees no form and a forged POST is refused."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.service import PARTICIPANT_ROLES
from gouvernance.api.objectives import APPROVE_OBJECTIVES, MEASURE, READ_OBJECTIVES
from gouvernance.deliverables.french import format_number
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import DomainError, Forbidden, Message, NotFound
from gouvernance.objectives.charts import indicator_chart
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.records import IndicatorRow, MeasurementRow
from gouvernance.objectives.service import approve_objective
from gouvernance.objectives.views import as_indicator, objectives_view
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel
from gouvernance.web.form_values import Unreadable, read_date, read_number
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

PAGE = "/accompagnements/{engagement_id}/objectifs"
DIRECTIONS = {"hausse": "à la hausse", "baisse": "à la baisse"}
# The domain's paths for the first (only) measurement of a request → the form's fields.
FIELD_OF_PATH = {
    "measurements.0.indicator": "indicateur",
    "measurements.0.date": "date",
    "measurements.0.value": "valeur",
    "measurements.0.source": "source",
    "measurements.0.comment": "commentaire",
}
NOTICES = {
    "mesure": "La mesure a été enregistrée.",
    "validation": "Votre validation de l'objectif a été enregistrée.",
}


@dataclass
class MeasurementForm:
    """What the person typed for one indicator, and each field's errors, to show the form again as it was."""

    indicateur: str
    date: str = ""
    valeur: str = ""
    source: str = ""
    commentaire: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


@router.get(PAGE)
def objectives_page(
    request: Request, engagement_id: str, visitor: VisitorDep, fait: str = ""
) -> HTMLResponse:
    return _page(request, visitor, engagement_id, notice=NOTICES.get(fait))


def _page(
    request: Request,
    visitor: Visitor,
    engagement_id: str,
    *,
    notice: str | None = None,
    form: MeasurementForm | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = api_context(request)
    today = context.clock.now().astimezone(context.settings.tz).date()
    with context.db.reading() as session:
        # Held here, the row stays in the session's identity map: the checks below read it without a query.
        engagement = session.get(EngagementRow, engagement_id)
        try:
            roles = roles_on(session, visitor, engagement_id, READ_OBJECTIVES)
            views = objectives_view(session, engagement_id, as_of=today)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        assert engagement is not None
        model = model_for(session, engagement.model_key, engagement.model_version)
        measured = _measurements(session, engagement_id)
    expected = expected_approvers(model)
    objectives = []
    for view in views:
        approved = set(view.approved_by)
        indicators = []
        for row in view.indicators:
            evaluation = view.indicator_evaluations[row.key]
            chart = indicator_chart(
                as_indicator(row), view.measurements[row.key], as_of=today, id_prefix=f"courbe-{row.key}"
            )
            indicators.append(
                {
                    "ligne": row,
                    "sens": DIRECTIONS.get(row.direction, row.direction),
                    "statut": evaluation.status.label,
                    "raison": evaluation.reason,
                    "courbe": chart.svg,
                    "mesures": measured.get(row.id, []),
                    "formulaire": form if form and form.indicateur == row.key else None,
                }
            )
        objectives.append(
            {
                "vue": view,
                "valide_par": [model.role_title(r) for r in view.approved_by],
                "en_attente": [model.role_title(r) for r in expected if r not in approved],
                "a_valider": sorted(roles & APPROVE_OBJECTIVES.roles - approved),
                "indicateurs": indicators,
            }
        )
    return render(
        request,
        "objectifs.html",
        {
            "engagement": engagement,
            "roles": sorted(roles),
            "objectifs": objectives,
            "peut_mesurer": bool(roles & MEASURE.roles),
            "peut_valider": bool(roles & APPROVE_OBJECTIVES.roles),
            "titre_role": model.role_title,
            "nombre_fr": format_number,
            "avis": notice,
            "formulaire": form,
        },
        status=status,
        visitor=visitor,
    )


def _measurements(session: Session, engagement_id: str) -> dict[int, list[MeasurementRow]]:
    """Every measurement of the engagement with its source and comment, by indicator, oldest first: one
    query whatever the number of indicators."""
    rows: dict[int, list[MeasurementRow]] = defaultdict(list)
    for row in session.scalars(
        select(MeasurementRow)
        .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
        .where(IndicatorRow.engagement_id == engagement_id)
        .order_by(MeasurementRow.indicator_id, MeasurementRow.measured_on, MeasurementRow.id)
    ):
        rows[row.indicator_id].append(row)
    return rows


@router.post(PAGE + "/mesures")
def record_measurement(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    indicateur: Annotated[str, Form(max_length=80)] = "",
    date_mesure: Annotated[str, Form(alias="date", max_length=40)] = "",
    valeur: Annotated[str, Form(max_length=60)] = "",
    source: Annotated[str, Form(max_length=300)] = "",
    commentaire: Annotated[str, Form(max_length=2000)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """One measurement through ``record_measurements``, as the API records it. A date or a value that
    cannot be read is said by its field; the domain's own reasons are shown by their fields too."""
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    form = MeasurementForm(indicateur, date_mesure, valeur, source, commentaire)
    typed_errors: dict[str, list[str]] = {"date": [], "valeur": []}
    day = read_date(form.date, typed_errors["date"])
    value = read_number(form.valeur, typed_errors["valeur"])
    form.errors = {name: texts for name, texts in typed_errors.items() if texts}
    try:
        with context.write_lock, context.db.transaction() as session:
            roles = roles_on(session, visitor, engagement_id, MEASURE)
            if day is None or value is None:
                raise Unreadable
            record_measurements(
                session,
                engagement_id=engagement_id,
                measurements=[MeasurementData(indicateur, day, value, source.strip(), commentaire.strip())],
                actor=ActorRef(visitor.principal.login, roles),
                clock=context.clock,
            )
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except Unreadable:
        return _page(request, visitor, engagement_id, form=form, status=422)
    except DomainError as error:
        for reason in error.reasons or [error.message]:
            name = FIELD_OF_PATH.get(reason.path or "", "valeur")
            form.errors.setdefault(name, []).append(_sentence(reason))
        return _page(request, visitor, engagement_id, form=form, status=error.status)
    return RedirectResponse(
        f"/accompagnements/{engagement_id}/objectifs?fait=mesure#indicateur-{indicateur}", status_code=303
    )


def _sentence(message: Message) -> str:
    text = message.fr
    return text[:1].upper() + text[1:]


@router.post(PAGE + "/{objective_key}/validation")
def approve(
    request: Request,
    engagement_id: str,
    objective_key: str,
    visitor: VisitorDep,
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """The visitor approves the objective's current version, once per role held (``approve_objective``)."""
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    try:
        with context.write_lock, context.db.transaction() as session:
            roles = roles_on(session, visitor, engagement_id, APPROVE_OBJECTIVES)
            approve_objective(
                session,
                engagement_id=engagement_id,
                objective_key=objective_key,
                actor=ActorRef(visitor.principal.login, roles),
                clock=context.clock,
            )
    except DomainError as error:
        return problem_page(request, visitor, error.status, error.message)
    return RedirectResponse(
        f"/accompagnements/{engagement_id}/objectifs?fait=validation#objectif-{objective_key}",
        status_code=303,
    )


def expected_approvers(model: ProcessModel) -> list[str]:
    """The roles whose approval the journey waits for (its ``objectives_validated`` guards), else every
    working role of the journey."""
    asked = {
        role
        for step in model.steps_by_key.values()
        for guard in step.guards
        if guard.get("rule") == "objectives_validated"
        for role in guard.get("roles", ())
    }
    wanted = asked or PARTICIPANT_ROLES
    return [role.key for role in model.roles if role.key in wanted]
