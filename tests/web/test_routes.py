"""Every web page needs a signed-in person, except signing in itself and the public record (which reads
only what its organisation made public): a new page without it fails here (the API's routes have their own
check, tests/api/test_routes.py)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from gouvernance.web.pages import ROUTERS, current_visitor

PUBLIC = {
    ("GET", "/connexion"),
    ("POST", "/connexion"),
    ("GET", "/"),
    ("GET", "/registre-public/{engagement_id}"),
}


def test_every_web_page_but_sign_in_needs_a_session() -> None:
    unguarded = []
    for route in (route for router in ROUTERS for route in router.routes):
        assert isinstance(route, APIRoute)
        calls = {dependency.call for dependency in route.dependant.dependencies}
        for method in route.methods:
            if (method, route.path) not in PUBLIC and current_visitor not in calls:
                unguarded.append(f"{method} {route.path}")
    assert unguarded == []
