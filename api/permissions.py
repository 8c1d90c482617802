"""Every route declares one permission: who may call it, checked before the route runs.

A route states its permission by taking an ``Access`` parameter built by ``requires(PERMISSION)``; the
OpenAPI document shows it as ``x-permission`` and a test fails any route that declares none.

Scopes:
- public: no token (health checks).
- authenticated: any valid token; what the route returns is filtered to what the caller may see.
- organisation: an organisation-wide role among ``roles`` (launching an engagement for one's organisation).
- engagement: a role among ``roles`` on the engagement in the path. An engagement where the caller holds no
  role at all answers 404, so another organisation's engagements do not even show they exist.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from starlette.routing import BaseRoute, Mount, Route

from gouvernance.access.permissions import engagement_roles, organisation_roles
from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES, ROLES, Principal
from gouvernance.api.context import ApiContext
from gouvernance.api.dependencies import ContextDep, CredentialsDep, identify
from gouvernance.api.inputs import SafeText
from gouvernance.engagements.actors import ActorRef


class Scope(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    ORGANISATION = "organisation"
    ENGAGEMENT = "engagement"


ALL_ROLES = frozenset(ROLES)


@dataclass(frozen=True)
class Permission:
    name: str
    scope: Scope
    roles: frozenset[str] = ALL_ROLES
    # Also opened by a calendar feed token in the URL (?jeton=gc_…): calendar subscriptions send no header.
    feed: bool = False

    def describe(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "scope": self.scope.value}
        if self.scope in (Scope.ORGANISATION, Scope.ENGAGEMENT):
            data["roles"] = sorted(self.roles)
        if self.feed:
            data["calendar_feed_token"] = True
        return data

    @property
    def error_statuses(self) -> tuple[int, ...]:
        """The refusals this permission can answer with, for the OpenAPI document."""
        return {
            Scope.PUBLIC: (),
            Scope.AUTHENTICATED: (401,),
            Scope.ORGANISATION: (401, 403),
            Scope.ENGAGEMENT: (401, 403, 404),
        }[self.scope]


@dataclass(frozen=True)
class Access:
    """What the permission check established: who calls, and with which roles on the engagement at hand."""

    permission: Permission
    principal: Principal | None
    roles: frozenset[str] = frozenset()
    engagement_id: str | None = None

    @property
    def user(self) -> Principal:
        assert self.principal is not None, f"{self.permission.name} is public"
        return self.principal

    @property
    def actor(self) -> ActorRef:
        return ActorRef(self.user.login, self.roles)


FeedTokenQuery = Annotated[
    SafeText | None,
    Query(
        max_length=200,
        description="Jeton de calendrier (gc_…), pour s'abonner depuis un agenda qui n'envoie pas "
        "d'en-tête : « gouvernance tokens create LOGIN --calendar ».",
    ),
]

EngagementIdPath = Annotated[
    SafeText,
    Path(description="Identifiant de l'accompagnement (UUID).", max_length=36, examples=["6f1c2a9e-…"]),
]


def requires(permission: Permission) -> Callable[..., Any]:
    """The dependency that checks ``permission`` and returns the caller's ``Access``."""

    async def public() -> Access:
        return Access(permission, None)

    async def authenticated(credentials: CredentialsDep, context: ContextDep) -> Access:
        return await _authenticated(credentials, context)

    async def authenticated_or_feed(
        credentials: CredentialsDep, context: ContextDep, jeton: FeedTokenQuery = None
    ) -> Access:
        return await _authenticated(credentials, context, jeton)

    async def _authenticated(
        credentials: HTTPAuthorizationCredentials | None, context: ApiContext, feed_token: str | None = None
    ) -> Access:
        principal = (await identify(context, credentials, feed_token=feed_token))[0]
        roles = principal.organisation_roles
        if permission.scope is Scope.ORGANISATION:
            roles = organisation_roles(principal, permission=permission.name, required=permission.roles)
        return Access(permission, principal, roles)

    async def on_engagement(
        engagement_id: EngagementIdPath, credentials: CredentialsDep, context: ContextDep
    ) -> Access:
        return await _on_engagement(engagement_id, credentials, context)

    async def on_engagement_or_feed(
        engagement_id: EngagementIdPath,
        credentials: CredentialsDep,
        context: ContextDep,
        jeton: FeedTokenQuery = None,
    ) -> Access:
        return await _on_engagement(engagement_id, credentials, context, jeton)

    async def _on_engagement(
        engagement_id: str,
        credentials: HTTPAuthorizationCredentials | None,
        context: ApiContext,
        feed_token: str | None = None,
    ) -> Access:
        principal, exists, owner = await identify(context, credentials, engagement_id, feed_token)
        roles = engagement_roles(
            principal,
            engagement_id,
            exists=exists,
            owner=owner,
            permission=permission.name,
            required=permission.roles,
        )
        return Access(permission, principal, roles, engagement_id)

    checks: dict[Scope, Callable[..., Any]] = {
        Scope.PUBLIC: public,
        Scope.AUTHENTICATED: authenticated_or_feed if permission.feed else authenticated,
        Scope.ORGANISATION: authenticated,
        Scope.ENGAGEMENT: on_engagement_or_feed if permission.feed else on_engagement,
    }
    check = checks[permission.scope]

    # The attribute lets the OpenAPI document and the tests find the permission a route declares.
    check.permission = permission  # type: ignore[attr-defined]
    check.__name__ = f"requires_{permission.name.replace('.', '_')}"
    return check


def api_routes(app: FastAPI, routers: Iterable[APIRouter]) -> list[BaseRoute]:
    """Every route ``app`` serves: the routes of the routers it includes, read from the routers themselves
    (how an application holds an included router is FastAPI's own business: 0.150 keeps the router, not
    its routes), then the application's own routes (the OpenAPI document, /docs)."""
    routes: list[BaseRoute] = [route for router in routers for route in router.routes]
    own = [r for r in app.routes if isinstance(r, Route | Mount) and not isinstance(r, APIRoute)]
    return routes + own


def permission_of(call: Any) -> Permission | None:
    found = getattr(call, "permission", None)
    return found if isinstance(found, Permission) else None


HEALTH = Permission("health.read", Scope.PUBLIC)
READ_PROCESS_MODELS = Permission("process_models.read", Scope.AUTHENTICATED)
LAUNCH_ENGAGEMENT = Permission("engagements.launch", Scope.ORGANISATION, LEAD_ROLES)
LIST_ENGAGEMENTS = Permission("engagements.list", Scope.AUTHENTICATED)
READ_ENGAGEMENT = Permission("engagements.read", Scope.ENGAGEMENT)
SEND_ENGAGEMENT_EVENT = Permission("engagements.events", Scope.ENGAGEMENT, LEAD_ROLES)
READ_STEPS = Permission("steps.read", Scope.ENGAGEMENT)
SEND_STEP_EVENT = Permission("steps.events", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
ATTACH_EVIDENCE = Permission("evidence.attach", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
READ_EVIDENCE = Permission("evidence.read", Scope.ENGAGEMENT)
READ_TIMELINE = Permission("timeline.read", Scope.ENGAGEMENT)
READ_ME = Permission("me.read", Scope.AUTHENTICATED)

HealthAccess = Annotated[Access, Depends(requires(HEALTH))]
ProcessModelsAccess = Annotated[Access, Depends(requires(READ_PROCESS_MODELS))]
LaunchAccess = Annotated[Access, Depends(requires(LAUNCH_ENGAGEMENT))]
ListEngagementsAccess = Annotated[Access, Depends(requires(LIST_ENGAGEMENTS))]
EngagementAccess = Annotated[Access, Depends(requires(READ_ENGAGEMENT))]
EngagementEventAccess = Annotated[Access, Depends(requires(SEND_ENGAGEMENT_EVENT))]
StepsAccess = Annotated[Access, Depends(requires(READ_STEPS))]
StepEventAccess = Annotated[Access, Depends(requires(SEND_STEP_EVENT))]
AttachAccess = Annotated[Access, Depends(requires(ATTACH_EVIDENCE))]
EvidenceAccess = Annotated[Access, Depends(requires(READ_EVIDENCE))]
TimelineAccess = Annotated[Access, Depends(requires(READ_TIMELINE))]
MeAccess = Annotated[Access, Depends(requires(READ_ME))]

# Routes outside the API proper (the OpenAPI document and the offline Swagger UI): public by design.
DOCUMENTATION_PATHS = frozenset({"/openapi.json", "/docs", "/docs/assets"})
