"""Typed dependency aliases for the routes: the context, the caller's language, a read-only session and
the authenticated principal. Dependencies that need no database are ``async``: they run on the event loop
instead of costing a hop to the thread pool."""

from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gouvernance.access.service import Principal, is_feed_token
from gouvernance.api.context import ApiContext
from gouvernance.api.language import Language, language_of
from gouvernance.errors import DomainError, Message


class Unauthenticated(DomainError):
    status = 401


async def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


ContextDep = Annotated[ApiContext, Depends(get_context)]


async def get_language(
    accept_language: Annotated[
        str | None,
        Header(description="fr (par défaut) ou en : langue des messages.", examples=["fr", "en"]),
    ] = None,
) -> Language:
    return language_of(accept_language)


LangDep = Annotated[Language, Depends(get_language)]


# Routes open their session inside the route (``with context.db.reading() as session``), not through a
# dependency: a session opened by a dependency would hold its connection across the hop to the thread pool
# that runs the route, and under load every pooled connection can end up held by a request waiting for a
# thread while every thread waits for a connection.


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="jeton",
    bearerFormat="gv_…",
    description="Jeton d'API créé par « gouvernance tokens create LOGIN » (Authorization: Bearer gv_…).",
)
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]

MISSING_TOKEN = Message(
    "auth.token_required",
    "Jeton d'API manquant : envoyez « Authorization: Bearer <jeton> ».",
    "Missing API token: send 'Authorization: Bearer <token>'.",
)
INVALID_TOKEN = Message(
    "auth.token_invalid",
    "Jeton d'API inconnu ou révoqué.",
    "Unknown or revoked API token.",
)


FEED_TOKEN_ONLY = Message(
    "auth.feed_token_required",
    "Le paramètre « jeton » n'accepte qu'un jeton de calendrier (gc_…, « gouvernance tokens create LOGIN "
    "--calendar ») ; un jeton d'API se passe dans l'en-tête Authorization.",
    "The 'jeton' parameter only takes a calendar feed token (gc_…, 'gouvernance tokens create LOGIN "
    "--calendar'); an API token goes in the Authorization header.",
)
FEED_TOKEN_NOT_BEARER = Message(
    "auth.feed_token_not_bearer",
    "Un jeton de calendrier (gc_…) n'ouvre que les calendriers .ics, passé dans l'adresse (?jeton=…).",
    "A calendar feed token (gc_…) only opens the .ics calendars, given in the URL (?jeton=…).",
)


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(MISSING_TOKEN)
    return credentials.credentials


async def identify(
    context: ApiContext,
    credentials: HTTPAuthorizationCredentials | None,
    engagement_id: str | None = None,
    feed_token: str | None = None,
) -> tuple[Principal, bool, str | None]:
    """(principal, whether the engagement exists, its owner): from the caches, else one read.
    ``feed_token``: the calendar feed token in the URL of a route that accepts one."""
    if feed_token is not None:
        if not is_feed_token(feed_token):  # an API token pasted into a URL would end up in logs
            raise Unauthenticated(FEED_TOKEN_ONLY)
        token = feed_token
    else:
        token = bearer_token(credentials)
        if is_feed_token(token):
            raise Unauthenticated(FEED_TOKEN_NOT_BEARER)
    principal, known, owner = context.auth.cached(token, engagement_id)
    if principal is None or not known:
        principal, known, owner = await run_in_threadpool(context.auth.load, token, engagement_id)
    if principal is None:
        raise Unauthenticated(INVALID_TOKEN)
    return principal, known, owner
