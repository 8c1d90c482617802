"""The « Parties prenantes » page of an engagement: the register with its filters, the CSV import (all or
nothing), the map and the power/interest grid with their tables, key players not yet consulted, conflicts
and their mediators, and the consultation log form. A thin shell over the stakeholder services, with the
API's own permissions (``api.stakeholders.access``): every role on the engagement reads, the participants
write, an observer sees no form and a forged POST is refused."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gouvernance.access.web_login import form_token_matches
from gouvernance.api.stakeholders.access import READ_STAKEHOLDERS, WRITE_STAKEHOLDERS
from gouvernance.api.uploads import read_upload
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import DomainError, Forbidden, Message, NotFound
from gouvernance.stakeholders import consultations, importing
from gouvernance.stakeholders.analysis.classification import mendelow_quadrant
from gouvernance.stakeholders.csv_import import ImportRejected
from gouvernance.stakeholders.vocabulary import Attitude, Category, ConsultationFormat, Quadrant
from gouvernance.web import submissions
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    Visitor,
    VisitorDep,
    api_context,
    problem_page,
    render,
    roles_on,
)

router = APIRouter(include_in_schema=False)

PAGE = "/accompagnements/{engagement_id}/parties-prenantes"
CONSULTATION_FIELDS = ("date", "methode", "etape", "participants", "resume", "resultat")
# The domain's paths (``Message.path``) → the form's fields.
FIELD_OF_PATH = {
    "date": "date",
    "held_on": "date",
    "format": "methode",
    "step_key": "etape",
    "stakeholder_ids": "participants",
    "summary": "resume",
    "outcome": "resultat",
}


@dataclass
class ConsultationForm:
    """What the person typed, and each field's errors, to show the form again as it was."""

    date: str = ""
    methode: str = ""
    etape: str = ""
    participants: list[str] = field(default_factory=list)
    resume: str = ""
    resultat: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)


@dataclass(frozen=True)
class Line:
    """A stakeholder as the register table shows it."""

    id: int
    nom: str
    categorie: Category
    pouvoir: int
    interet: int
    attitude: Attitude
    quadrant: Quadrant
    consultee: bool


@dataclass
class ImportForm:
    """A refused import: each bad line with its reasons, or problems with the file as a whole."""

    lines: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    file_name: str = ""


@router.get(PAGE)
def stakeholders_page(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    categorie: str = "",
    quadrant: str = "",
    consultee: str = "",
    ajoutees: str = "",
    mises_a_jour: str = "",
    consultation: str = "",
) -> HTMLResponse:
    notice = None
    if ajoutees.isdigit() and mises_a_jour.isdigit():
        added = _plural(int(ajoutees), "partie prenante ajoutée", "parties prenantes ajoutées")
        updated = _plural(int(mises_a_jour), "mise à jour", "mises à jour")
        notice = f"Import réussi\u00a0: {added}, {updated}."
    elif consultation == "enregistree":
        notice = "La consultation a été enregistrée."
    filters = {"categorie": categorie, "quadrant": quadrant, "consultee": consultee}
    return _page(request, visitor, engagement_id, filters=filters, notice=notice)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count}\u00a0{one if count <= 1 else many}"


def _page(
    request: Request,
    visitor: Visitor,
    engagement_id: str,
    *,
    filters: dict[str, str] | None = None,
    notice: str | None = None,
    import_form: ImportForm | None = None,
    consultation_form: ConsultationForm | None = None,
    status: int = 200,
) -> HTMLResponse:
    from gouvernance.stakeholders import reports  # NetworkX: imported when first used, as the API does
    from gouvernance.stakeholders.register import load_register

    filters = filters or {"categorie": "", "quadrant": "", "consultee": ""}
    context = api_context(request)
    with context.db.reading() as session:
        try:
            roles = roles_on(session, visitor, engagement_id, READ_STAKEHOLDERS)
            engagement = session.get(EngagementRow, engagement_id)
            model = reports.model_of(session, engagement_id)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        register = load_register(session, engagement_id)
        analysis = reports.analyse(session, engagement_id, register=register)
        pictures = reports.pictures(session, engagement_id, register=register)
    assert engagement is not None
    threshold = analysis.threshold
    consulted = {key for c in register.consultations for key in c.stakeholder_ids}
    rows = [
        Line(
            register.id_of[s.id],
            s.name,
            s.category,
            s.power,
            s.interest,
            s.attitude,
            mendelow_quadrant(s.power, s.interest, threshold),
            s.id in consulted,
        )
        for s in register.stakeholders
    ]
    shown = [
        r
        for r in rows
        if (not filters["categorie"] or r.categorie.value == filters["categorie"])
        and (not filters["quadrant"] or r.quadrant.value == filters["quadrant"])
        and (not filters["consultee"] or r.consultee == (filters["consultee"] == "oui"))
    ]
    names = {s.id: s.name for s in register.stakeholders}
    relations = [(names[r.source], r.type, names[r.target]) for r in register.relations]
    by_quadrant = {q: [r.nom for r in rows if r.quadrant is q] for q in Quadrant}
    key_players = [p for p in analysis.key_players if p.party.id not in consulted]
    steps = [
        (step.key, f"{stage.title.text('fr')} — {step.title.text('fr')}")
        for stage in model.stages
        for step in stage.steps
    ]
    may_write = bool(roles & WRITE_STAKEHOLDERS.roles)
    return render(
        request,
        "parties_prenantes.html",
        {
            "engagement": engagement,
            "roles": sorted(roles),
            "peut_ecrire": may_write,
            "lignes": shown,
            "toutes": rows,
            "filtres": filters,
            "categories": Category.labels(),
            "quadrants": Quadrant.labels(),
            "attitudes": Attitude.labels(),
            "methodes": ConsultationFormat.labels(),
            "etapes": steps,
            "seuil": f"{threshold:g}".replace(".", ","),
            "acteurs_cles": key_players,
            "conflits": analysis.conflicts,
            "relations": relations,
            "par_quadrant": by_quadrant,
            "carte": pictures.stakeholder_map_svg,
            "grille": pictures.power_interest_svg,
            "consultations": len(register.consultations),
            "avis": notice,
            "import_form": import_form,
            "cf": consultation_form or ConsultationForm(),
            "cf_erreurs": bool(consultation_form and consultation_form.errors),
        },
        status=status,
        visitor=visitor,
    )


def _write_roles(request: Request, visitor: Visitor, engagement_id: str) -> frozenset[str]:
    with api_context(request).db.reading() as session:
        return roles_on(session, visitor, engagement_id, WRITE_STAKEHOLDERS)


@router.post(PAGE + "/import")
def import_stakeholders(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    fichier: Annotated[UploadFile | None, File()] = None,
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    try:
        roles = _write_roles(request, visitor, engagement_id)
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    form = ImportForm(file_name=fichier.filename or "" if fichier else "")
    if fichier is None or not fichier.filename:
        form.problems.append("Choisissez un fichier CSV à importer.")
        return _page(request, visitor, engagement_id, import_form=form, status=422)
    try:
        content = read_upload(
            fichier, context.settings.max_evidence_bytes, code="stakeholders.import_too_large"
        )
        with context.db.reading() as session:
            threshold = importing.threshold_for(session, engagement_id)
        checked = importing.check_csv(content, threshold=threshold)

        def import_it(session: Session) -> Response:
            summary = importing.import_parsed(
                session,
                engagement_id=engagement_id,
                parsed=checked,
                actor=ActorRef(visitor.principal.login, roles),
                clock=context.clock,
            )
            return RedirectResponse(
                f"/accompagnements/{engagement_id}/parties-prenantes?ajoutees={summary.created}"
                f"&mises_a_jour={summary.updated}#import",
                status_code=303,
            )

        return submissions.once(request, visitor, soumission, import_it)
    except ImportRejected as rejected:
        form.lines = [(error.line, [reason.fr for reason in error.reasons]) for error in rejected.errors]
        return _page(request, visitor, engagement_id, import_form=form, status=422)
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except DomainError as error:
        form.problems = [reason.fr for reason in error.reasons] or [error.message.fr]
        return _page(request, visitor, engagement_id, import_form=form, status=error.status)


@router.post(PAGE + "/consultations")
def log_consultation(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    date_consultation: Annotated[str, Form(alias="date", max_length=40)] = "",
    methode: Annotated[str, Form(max_length=40)] = "",
    etape: Annotated[str, Form(max_length=200)] = "",
    participants: Annotated[list[str] | None, Form(max_length=5000)] = None,
    resume: Annotated[str, Form(max_length=10_000)] = "",
    resultat: Annotated[str, Form(max_length=10_000)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_matches(visitor.session_token, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    form = ConsultationForm(
        date_consultation.strip(), methode, etape, list(participants or []), resume, resultat
    )
    ids = [int(value) for value in form.participants if value.isdigit()]
    held_on = _parse_date(form)

    def log_it(session: Session) -> Response:
        roles = roles_on(session, visitor, engagement_id, WRITE_STAKEHOLDERS)
        consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=etape,
            held_on=held_on,
            format=methode,
            stakeholder_ids=ids,
            summary=resume.strip(),
            outcome=resultat.strip(),
            actor=ActorRef(visitor.principal.login, roles),
            clock=context.clock,
        )
        return RedirectResponse(
            f"/accompagnements/{engagement_id}/parties-prenantes?consultation=enregistree#consultation",
            status_code=303,
        )

    try:
        return submissions.once(request, visitor, soumission, log_it)
    except (NotFound, Forbidden) as error:
        return problem_page(request, visitor, error.status, error.message)
    except DomainError as error:
        for reason in error.reasons or [error.message]:
            _file_error(form, reason)
        return _page(request, visitor, engagement_id, consultation_form=form, status=422)


def _parse_date(form: ConsultationForm) -> str:
    """The date typed. A missing one is said here in plain words; the domain still refuses it, with the
    other fields' problems (every problem at once)."""
    if not form.date:
        form.add("date", "Indiquez la date de la consultation (obligatoire).")
    return form.date


def _file_error(form: ConsultationForm, reason: Message) -> None:
    name = FIELD_OF_PATH.get(reason.path or "", "date")
    if name == "date" and form.errors.get("date"):
        return  # the missing date is already said
    if reason.code == "consultation.unknown_step" and not form.etape:
        form.add("etape", "Choisissez l'étape du parcours que la consultation a servie.")
        return
    form.add(name, reason.fr)
