"""An organisation's webhooks, managed by its admins: listed without their secrets, added (the secret is
returned once, in the answer) and removed."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.notifications.webhooks import SECRET_MAX, SECRET_MIN, URL_MAX, Webhook
from gouvernance.notifications.webhooks import add_webhook as add
from gouvernance.notifications.webhooks import remove_webhook as remove
from gouvernance.notifications.webhooks import webhooks_of as listed

# Any caller gets past the access layer; the domain then lets only the organisation's admins through (403).
MANAGE_WEBHOOKS = Permission("organisation.webhooks", Scope.AUTHENTICATED)
WebhooksAccess = Annotated[Access, Depends(requires(MANAGE_WEBHOOKS))]

router = APIRouter(prefix="/organisations/{key}/webhooks", tags=["Organisations"])
OrganisationKeyPath = Annotated[
    SafeText, Path(max_length=80, description="Identifiant de l'organisation.", examples=["cc-val-fleuri"])
]
WebhookIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant du webhook.")]
_ADMINS_ONLY = "Réservé aux administrateurs de l'organisation (gouvernance users set-admin LOGIN)."


class WebhookIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://hooks.val-fleuri.fr/gouvernance", "events": ["step.submit"]}]
        },
    )

    url: SafeText = Field(
        max_length=URL_MAX, description="Adresse http:// ou https:// qui reçoit les POST signés."
    )
    secret: SafeText | None = Field(
        default=None,
        min_length=SECRET_MIN,
        max_length=SECRET_MAX,
        description="Secret partagé de la signature HMAC-SHA256 ; généré s'il est absent.",
    )
    events: list[Annotated[SafeText, Field(max_length=60)]] = Field(
        default_factory=list,
        max_length=50,
        description="Types d'événements à envoyer (step.submit, engagement.launched…) ; vide : tous.",
    )


class WebhookOut(BaseModel):
    id: int
    organisation: str
    url: str
    events: list[str] = Field(description="Types d'événements envoyés ; vide : tous.")
    active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Le secret de signature, affiché cette seule fois.")


def _out(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        organisation=webhook.organisation,
        url=webhook.url,
        events=list(webhook.events),
        active=webhook.active,
        created_at=webhook.created_at,
    )


@router.get("", summary="Les webhooks de l'organisation (sans leurs secrets)", responses=errors(403))
def list_webhooks(key: OrganisationKeyPath, access: WebhooksAccess, context: ContextDep) -> list[WebhookOut]:
    with context.db.reading() as session:
        return [_out(webhook) for webhook in listed(session, organisation=key, by=access.user.login)]


@router.post(
    "",
    status_code=201,
    summary="Ajouter un webhook (le secret n'est montré qu'ici)",
    description=_ADMINS_ONLY,
    response_model=WebhookCreatedOut,
    responses={
        201: {"description": "Ajouté ; gardez le secret, il ne sera plus montré."},
        **errors(403, 422),
    },
)
def add_webhook(
    key: OrganisationKeyPath, body: WebhookIn, access: WebhooksAccess, writes: WritesDep, context: ContextDep
) -> Response:
    def work(session: Session) -> Response:
        created = add(
            session,
            organisation=key,
            url=body.url,
            by=access.user.login,
            clock=context.clock,
            secret=body.secret,
            events=body.events,
        )
        out = WebhookCreatedOut(**_out(created.webhook).model_dump(), secret=created.secret)
        return json_response(out, 201)

    return writes.run(access.user.login, {"organisation": key, **body.model_dump(mode="json")}, work)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Retirer un webhook",
    description=_ADMINS_ONLY,
    responses=errors(403, 404),
)
def remove_webhook(
    key: OrganisationKeyPath,
    webhook_id: WebhookIdPath,
    access: WebhooksAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        remove(session, organisation=key, webhook_id=webhook_id, by=access.user.login)
        return Response(status_code=204)

    return writes.run(access.user.login, {"remove_webhook": webhook_id, "organisation": key}, work)
