"""The web interface for people: server-rendered French pages over the same domain services and the same
permission checks as the API (``access.permissions`` with the API's permissions), every action a plain
HTML form going through the one door. One module per page; this one gathers their routes."""

from fastapi import APIRouter

from gouvernance.web import (
    decisions,
    deliverables,
    engagement,
    launch,
    notifications,
    objectives,
    portfolio,
    preferences,
    public,
    signin,
    tasks,
)
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    NotSignedIn,
    Visitor,
    VisitorDep,
    api_context,
    current_visitor,
    form_token_ok,
    problem_page,
    render,
    roles_on,
)

# Each page's own router; ``router`` includes them all (the application includes it).
ROUTERS: tuple[APIRouter, ...] = tuple(
    page.router
    for page in (
        signin,
        portfolio,
        launch,
        engagement,
        objectives,
        decisions,
        deliverables,
        tasks,
        notifications,
        preferences,
        public,
    )
)
# The pages' routes as they are, in one router (not routers included: see ``create_app``).
router = APIRouter(routes=[route for page_router in ROUTERS for route in page_router.routes])

# The shared helpers live in ``gouvernance.web.session``; re-exported for pages written against this one.
__all__ = [
    "FORM_TOKEN_MISSING",
    "ROUTERS",
    "NotSignedIn",
    "Visitor",
    "VisitorDep",
    "api_context",
    "current_visitor",
    "form_token_ok",
    "problem_page",
    "render",
    "roles_on",
    "router",
]
