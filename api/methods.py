"""Which methods a path accepts, over every route that serves it.

Starlette answers 405 from the first route whose path matches, so its ``Allow`` lists that route's methods
only, while FastAPI declares one route per method. And a fixed path that a parametrised one also matches
(``…/stakeholders/export`` and ``…/stakeholders/{stakeholder_id}``) is taken by the latter for the methods
the fixed one lacks, which then fails validating its parameter (422) instead of answering 405."""

from collections.abc import Iterable

from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope


class PathMethods:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.routes = [route for route in routes if isinstance(route, Route)]

    def allowed(self, scope: Scope, *, taken_by: Route | None = None) -> list[str]:
        """The methods of the routes whose path matches the request's but not its method. A fixed path wins
        over a parametrised one matching the same text (``…/stakeholders/export`` is not a stakeholder):
        only the routes with the fewest parameters count, and fewer than ``taken_by``, the route that took
        the request, has if there is one."""
        matching = [
            route
            for route in self.routes
            if route.methods and route.matches(scope)[0] is Match.PARTIAL
            if taken_by is None or len(route.param_convertors) < len(taken_by.param_convertors)
        ]
        fewest = min((len(route.param_convertors) for route in matching), default=0)
        return sorted(
            {m for route in matching if len(route.param_convertors) == fewest for m in route.methods or ()}
        )


def route_of(scope: Scope) -> Route | None:
    """The route that took the request."""
    route = scope.get("route")
    return route if isinstance(route, Route) else None
