"""« Mot de passe oublié » over HTTP, as the web pages do it: a reset link sent by e-mail, then the new
password chosen with the link's token. No token is needed: the caller has lost their password."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.admin import RESET_LIFETIME, redeem, request_reset_throttled
from gouvernance.access.service import token_digest
from gouvernance.access.web_login import Throttled
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, Permission, Scope, requires
from gouvernance.api.problems import problem_response
from gouvernance.api.writes import WritesDep

_HOURS = int(RESET_LIFETIME.total_seconds() // 3600)
RESET_PASSWORD = Permission("access.password_reset", Scope.PUBLIC)
ResetAccess = Annotated[Access, Depends(requires(RESET_PASSWORD))]

router = APIRouter(prefix="/password-resets", tags=["Organisations"])


class ResetRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "claire.martin@asso-quartiers.fr"}]}
    )

    email: SafeText = Field(max_length=254, description="L'adresse électronique du compte.")


class NewPasswordIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "Jq3…le-jeton-du-lien…", "password": "une phrase de passe assez longue"}]
        },
    )

    token: SafeText = Field(
        max_length=200, description="Le jeton du lien reçu par courriel (ce qui suit …/invitation/)."
    )
    password: str = Field(max_length=1000, description="Le nouveau mot de passe (au moins 12 caractères).")


class ResetRequestedOut(BaseModel):
    detail: str = Field(
        default="Si un compte correspond à cette adresse, un lien pour choisir un nouveau mot de passe "
        f"vient de lui être envoyé ; il reste valable {_HOURS}\u00a0heures.",
        description="La même réponse, qu'un compte corresponde à l'adresse ou non.",
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "inconnue"


@router.post(
    "",
    status_code=202,
    response_model=ResetRequestedOut,
    summary="Demander un lien de réinitialisation du mot de passe, envoyé par courriel",
    description="La même réponse que l'adresse corresponde à un compte ou non. Les demandes sont comptées "
    "comme les connexions manquées : trop de demandes pour une adresse, ou depuis un même poste, et la "
    "réponse est 429 pendant 15\u00a0minutes.",
    responses={
        202: {
            "description": "Demande prise en compte ; le courriel part avec le prochain envoi s'il y a "
            "un compte à cette adresse."
        },
        **errors(422, 429),
    },
)
def request_password_reset(
    body: ResetRequestIn, access: ResetAccess, writes: WritesDep, context: ContextDep, request: Request
) -> Response:
    address = _client(request)

    def work(session: Session) -> Response:
        try:
            request_reset_throttled(
                session,
                email=body.email,
                address=address,
                clock=context.clock,
                base_url=context.settings.base_url,
            )
        except Throttled as throttled:
            return problem_response(request, 429, throttled.message, headers={"Retry-After": "900"})
        return json_response(ResetRequestedOut(), 202)

    return writes.run(f"anonyme:{address}", {"password_reset": body.email}, work)


@router.post(
    "/password",
    status_code=204,
    summary="Choisir un nouveau mot de passe avec le jeton d'un lien reçu par courriel",
    description="Le jeton d'un lien de réinitialisation ou d'invitation ; il ne sert qu'une fois. Les "
    "sessions ouvertes de la personne sont fermées.",
    responses={204: {"description": "Mot de passe enregistré ; le lien ne sert plus."}, **errors(422)},
)
def choose_password(
    body: NewPasswordIn, access: ResetAccess, writes: WritesDep, context: ContextDep, request: Request
) -> Response:
    def work(session: Session) -> Response:
        redeem(session, body.token, body.password, now=context.clock.now())
        return Response(status_code=204)

    # The request is told apart by its token's digest: neither the token nor the password is kept.
    return writes.run(f"anonyme:{_client(request)}", {"redeem": token_digest(body.token)}, work)
