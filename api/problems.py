"""Errors as ``application/problem+json`` (RFC 9457), in the caller's language.

Domain errors keep their code, message and reasons; request validation errors become reasons with the
offending path; anything unexpected is logged and answered with a 500 that carries no traceback.
"""

import logging
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gouvernance.api.http import etag
from gouvernance.api.language import language_of
from gouvernance.api.methods import PathMethods, route_of
from gouvernance.errors import DomainError
from gouvernance.errors import Message as DomainMessage

log = logging.getLogger("gouvernance.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"

TITLES: dict[int, tuple[str, str]] = {
    400: ("Requête invalide", "Bad request"),
    401: ("Authentification requise", "Authentication required"),
    403: ("Action non autorisée", "Forbidden"),
    404: ("Ressource introuvable", "Not found"),
    405: ("Méthode non autorisée", "Method not allowed"),
    406: ("Format de réponse non disponible", "Not acceptable"),
    409: ("Conflit", "Conflict"),
    408: ("Délai dépassé", "Request timeout"),
    413: ("Contenu trop volumineux", "Content too large"),
    415: ("Type de contenu non accepté", "Unsupported media type"),
    422: ("Requête non traitable", "Unprocessable content"),
    428: ("Précondition requise", "Precondition required"),
    429: ("Trop de requêtes", "Too many requests"),
    500: ("Erreur interne", "Internal server error"),
    503: ("Service indisponible", "Service unavailable"),
}

# Domain codes that deserve a more precise HTTP status than their error class gives.
STATUS_BY_CODE = {
    "evidence.too_large": 413,
    "evidence.content_type": 415,
    "evidence.content_mismatch": 415,
    "request.too_large": 413,
}


class ProblemReason(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. guard.evidence_missing.")
    message: str
    path: str | None = Field(default=None, description="The offending field, parameter or header.")
    details: dict[str, Any] | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, with the domain's code and every reason."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "type": "urn:gouvernance:problem:transition.refused",
                "title": "Requête non traitable",
                "status": 422,
                "detail": "« Soumettre » refusé pour l'étape « cadrage_accompagnement » : fichier "
                "« compte rendu de cadrage » joint à l'étape (0 sur 1)",
                "code": "transition.refused",
                "instance": "/engagements/6f1c…/steps/cadrage_accompagnement/events",
                "reasons": [
                    {
                        "code": "guard.evidence_missing",
                        "message": "fichier « compte rendu de cadrage » joint à l'étape (0 sur 1)",
                        "details": {"label": "compte rendu de cadrage", "kind": "file", "found": 0},
                    }
                ],
            }
        },
    )

    type: str = Field(description="A URI naming the kind of problem: urn:gouvernance:problem:<code>.")
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    reasons: list[ProblemReason] = Field(default_factory=list)
    details: dict[str, Any] | None = None
    current_state: str | None = Field(default=None, description="409 on a stale version: the state now.")
    current_version: int | None = Field(default=None, description="409 on a stale version: the version now.")


def problem_response(
    request: Request,
    status: int,
    message: DomainMessage,
    *,
    reasons: list[DomainMessage] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang = language_of(request.headers.get("accept-language"))
    title_fr, title_en = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    body: dict[str, Any] = {
        "type": f"urn:gouvernance:problem:{message.code}",
        "title": title_en if lang == "en" else title_fr,
        "status": status,
        "detail": message.text(lang),
        "code": message.code,
        "instance": request.url.path,
        "reasons": [reason.as_dict(lang) for reason in reasons or []],
    }
    if message.details:
        body["details"] = message.details
        for key in ("current_state", "current_version"):
            if key in message.details:
                body[key] = message.details[key]
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Content-Language": lang, **(headers or {})},
    )


def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = STATUS_BY_CODE.get(error.code, error.status)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    current_version = (error.message.details or {}).get("current_version")
    if status == 409 and isinstance(current_version, int):
        # The version to send back in If-Match, as a GET would give it: a retry needs no second request.
        headers["ETag"] = etag(current_version)
    return problem_response(request, status, error.message, reasons=error.reasons, headers=headers)


# --- request validation ---------------------------------------------------------------------------------

_VALIDATION_FR = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "string_pattern_mismatch": "format invalide",
    "string_unicode": "texte Unicode invalide",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "booléen attendu (true/false)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_inexact": "date attendue (AAAA-MM-JJ), sans heure",
    "literal_error": "valeur non prévue",
    "enum": "valeur non prévue",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
    "json_invalid": "JSON illisible",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "text_control_character": "caractère de contrôle ou invalide interdit ({character})",
    "json_too_deep": "JSON trop imbriqué (au plus {max_depth} niveaux)",
    "json_too_large": "JSON trop volumineux (au plus {max_bytes} octets)",
    "number_not_finite": "nombre fini attendu ({value})",
    "int_out_of_range": "nombre entier entre -2^63 et 2^63-1 attendu ({bits} bits)",
    "date_out_of_range": "date hors limites : du {minimum} au {maximum}",
}


def _path(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where, rest = parts[0], parts[1:]
        return ".".join(rest) if where == "body" and rest else ".".join([where, *rest])
    return ".".join(parts)


def _validation_reason(error: dict[str, Any]) -> DomainMessage:
    kind = str(error.get("type", "value_error"))
    english = str(error.get("msg", "invalid value"))
    details: dict[str, Any] = {}
    context = error.get("ctx")
    if isinstance(context, dict):
        details = {k: v for k, v in context.items() if isinstance(v, str | int | float | bool)}
    template = _VALIDATION_FR.get(kind)
    french = template.format_map(details) if template else f"valeur invalide ({english})"
    if "expected" in details:
        french = f"{french} : {details['expected']}"
    return DomainMessage(
        f"validation.{kind}", french, english, path=_path(tuple(error.get("loc", ()))), details=details
    )


def _is_missing_if_match(error: dict[str, Any]) -> bool:
    location = [str(part).lower() for part in error.get("loc", ())]
    return error.get("type") == "missing" and location == ["header", "if-match"]


def _validation_error(methods: PathMethods, request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = list(error.errors())
    if any(_is_missing_if_match(e) for e in errors):
        return problem_response(request, 428, MISSING_IF_MATCH)
    if all(e.get("loc", ("",))[0] == "path" for e in errors):
        # A fixed path taken by a parametrised one for a method it lacks: the method is the mistake.
        allowed = methods.allowed(request.scope, taken_by=route_of(request.scope))
        if allowed:
            return _method_not_allowed(request, allowed)
    return problem_response(
        request,
        422,
        DomainMessage(
            "request.invalid",
            "La requête ne respecte pas le format attendu",
            "The request does not match the expected format",
        ),
        reasons=[_validation_reason(e) for e in errors],
    )


MISSING_IF_MATCH = DomainMessage(
    "precondition.if_match_required",
    "En-tête If-Match obligatoire : renvoyez l'ETag lu sur l'étape (GET …/steps/{step_key}).",
    "The If-Match header is required: send back the ETag read from the step (GET …/steps/{step_key}).",
    path="header.If-Match",
)


UNREADABLE_BODY = DomainMessage(
    "request.unreadable",
    "Corps de requête illisible (encodage ou format)",
    "Unreadable request body (encoding or format)",
)


def _body_unreadable(error: StarletteHTTPException) -> bool:
    """FastAPI answers 400 when the body does not decode (not UTF-8, nested too deep…), raising it from the
    decoding error; a malformed multipart form is Starlette's own 400, raised without a cause."""
    return error.status_code == 400 and isinstance(error.__cause__, Exception)


def _http_error(methods: PathMethods, request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    if status == 405:
        return _method_not_allowed(request, methods.allowed(request.scope))
    title_fr, title_en = TITLES.get(status, (str(error.detail), str(error.detail)))
    message = getattr(error, "problem", None) or DomainMessage(f"http.{status}", title_fr, title_en)
    if _body_unreadable(error):
        message = UNREADABLE_BODY
    return problem_response(request, status, message, headers=dict(error.headers or {}))


def _method_not_allowed(request: Request, allowed: list[str]) -> JSONResponse:
    title_fr, title_en = TITLES[405]
    message = DomainMessage("http.405", title_fr, title_en, details={"allowed": allowed})
    return problem_response(request, 405, message, headers={"Allow": ", ".join(allowed)})


def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", error)
    return problem_response(
        request,
        503,
        DomainMessage(
            "database.unavailable",
            "La base de données est momentanément indisponible : réessayez.",
            "The database is unavailable for the moment: retry.",
        ),
        headers={"Retry-After": "1"},
    )


INTERNAL_ERROR = DomainMessage(
    "internal.error",
    "Erreur interne : l'incident est journalisé. Réessayez ou contactez l'administrateur.",
    "Internal error: the incident has been logged. Retry or contact the administrator.",
)


class UnexpectedErrors:
    """Outermost safety net (pure ASGI): an exception nobody handled is logged with its traceback and the
    client gets a 500 problem without one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = problem_response(Request(scope), 500, INTERNAL_ERROR)
            await response(scope, receive, send)


def install(app: FastAPI, routes: list[BaseRoute]) -> None:
    """``routes``: every route the app serves, for the methods a 405 allows."""
    methods = PathMethods(routes)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, partial(_validation_error, methods))
    app.add_exception_handler(StarletteHTTPException, partial(_http_error, methods))
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_middleware(UnexpectedErrors)
