"""Small HTTP helpers shared by the routers: JSON responses, documented error statuses, ETags."""

import re
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gouvernance.errors import DomainError, Message

ERROR_DESCRIPTIONS = {
    400: "Requête mal formée (en-tête illisible…)",
    401: "Jeton absent, inconnu ou révoqué",
    403: "Rôle non autorisé",
    404: "Introuvable, ou invisible pour vous",
    409: "Conflit : version périmée (l'état et la version actuels sont dans la réponse)",
    413: "Contenu trop volumineux",
    415: "Type de fichier non accepté",
    422: "Requête non traitable : validation, ou garde non satisfaite (nommée avec sa raison)",
    428: "En-tête If-Match absent ou vide : renvoyez l'ETag lu",
    429: "Trop de tentatives récentes : réessayez après le délai de Retry-After",
    503: "Base de données indisponible",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the error statuses a route answers with (as problem+json)."""
    return {status: {"description": ERROR_DESCRIPTIONS[status]} for status in statuses}


def json_response(
    body: BaseModel | list[BaseModel], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    content = (
        [item.model_dump(mode="json") for item in body]
        if isinstance(body, list)
        else body.model_dump(mode="json")
    )
    return JSONResponse(content, status_code=status_code, headers=headers)


# --- ETags ----------------------------------------------------------------------------------------------
# A step's (or an engagement's) ETag is its version as a strong entity tag: "7". If-Match accepts it as
# sent, the weak form W/"7" and a bare 7 (handy with curl).

_ENTITY_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


class BadPrecondition(DomainError):
    status = 400


class PreconditionRequired(DomainError):
    status = 428


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for; None when there is no header. Empty or ``*``: 428;
    unreadable: 400."""
    if if_match is None:
        return None
    if not if_match.strip():
        # An empty header asks for no version, as a missing one does, and is answered the same way.
        raise PreconditionRequired(
            Message(
                "precondition.if_match_empty",
                "En-tête If-Match vide : renvoyez l'ETag lu sur l'étape ou l'accompagnement, \"7\".",
                'Empty If-Match header: send back the ETag read from the step or engagement, "7".',
                path="header.If-Match",
            )
        )
    if if_match.strip() == "*":
        raise PreconditionRequired(
            Message(
                "precondition.if_match_wildcard",
                "If-Match: * ne protège pas des modifications concurrentes : envoyez l'ETag lu sur l'étape.",
                "If-Match: * does not protect against concurrent changes: send the ETag read from the step.",
                path="header.If-Match",
            )
        )
    match = _ENTITY_TAG.match(if_match)
    if match is None:
        raise BadPrecondition(
            Message(
                "precondition.if_match_invalid",
                f'If-Match illisible « {if_match[:80]} » : attendu un ETag comme "7"',
                f"Unreadable If-Match '{if_match[:80]}': expected an ETag such as \"7\"",
                path="header.If-Match",
            )
        )
    return int(match[1])


ETAG_HEADER = {
    "ETag": {
        "description": 'La version, en ETag fort : "7". À renvoyer dans If-Match.',
        "schema": {"type": "string", "pattern": r'^"\d+"$'},
    }
}
