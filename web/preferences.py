"""« Préférences »: how the person's notifications reach them (e-mail address, language, at once, one digest
a day, or in the application only), saved through the same preferences service as the API's
``PUT /me/preferences``; a refusal shows each reason by its field and keeps what was typed."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gouvernance.errors import InvalidInput
from gouvernance.notifications.preferences import DELIVERIES, LANGUAGES, Preferences, set_preferences
from gouvernance.notifications.preferences import preferences_of as read_preferences
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

PAGE = "/preferences"
LANGUAGE_LABELS = {"fr": "Français", "en": "English"}
DELIVERY_LABELS = {
    "immediate": "Un courriel pour chaque notification",
    "daily_digest": "Un courriel récapitulatif par jour",
    "none": "Aucun courriel\u00a0: dans l'application seulement",
}
# The domain's paths (the API's fields) and the form's fields.
FIELD_OF_PATH = {"email": "courriel", "language": "langue", "delivery": "envoi"}


@dataclass
class PreferencesForm:
    """What the person typed (as typed) and the reasons of a refusal, by field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _form_of(preferences: Preferences) -> PreferencesForm:
    return PreferencesForm(
        {"courriel": preferences.email or "", "langue": preferences.language, "envoi": preferences.delivery}
    )


def _page(request: Request, visitor: Visitor, form: PreferencesForm, *, status: int = 200) -> HTMLResponse:
    return render(
        request,
        "preferences.html",
        {
            "page": "preferences",
            "f": form,
            "langues": [(key, LANGUAGE_LABELS.get(key, key)) for key in LANGUAGES],
            "envois": [(key, DELIVERY_LABELS.get(key, key)) for key in DELIVERIES],
            "enregistre": request.query_params.get("enregistre") == "1",
        },
        status=status,
        visitor=visitor,
    )


@router.get(PAGE)
def preferences_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    context = api_context(request)
    with context.db.reading() as session:
        preferences = read_preferences(session, visitor.principal.login)
    return _page(request, visitor, _form_of(preferences))


@router.post(PAGE)
def save_preferences(
    request: Request,
    visitor: VisitorDep,
    courriel: Annotated[str, Form(max_length=2000)] = "",
    langue: Annotated[str, Form(max_length=200)] = "",
    envoi: Annotated[str, Form(max_length=200)] = "",
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    form = PreferencesForm({"courriel": courriel, "langue": langue, "envoi": envoi})
    wanted = Preferences(email=courriel.strip() or None, language=langue, delivery=envoi)
    context = api_context(request)
    try:
        with context.write_lock, context.db.transaction() as session:
            set_preferences(session, visitor.principal.login, preferences=wanted)
    except InvalidInput as error:
        for reason in error.reasons or [error.message]:
            name = FIELD_OF_PATH.get(reason.path or "")
            if name is None:
                form.general.append(reason.fr)
            else:
                form.errors.setdefault(name, []).append(reason.fr)
        return _page(request, visitor, form, status=error.status)
    return RedirectResponse(PAGE + "?enregistre=1", status_code=303)
