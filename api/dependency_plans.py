"""Each route's dependencies resolved from a plan made once, instead of re-derived on every request.

FastAPI 0.150's ``solve_dependencies`` re-inspects a route's dependency tree on every request: cache keys
and OAuth scopes, whether each call is a coroutine, each parameter's alias and whether its annotation is a
sequence, and it walks every received header and query parameter. On the step-event route that was 0.9 of
the 2.1 million instructions the HTTP layer spent per request (``bench/api_cost.py``, perf counters).

The plan keeps what does not change between requests (aliases, locations, sequence-ness, cache keys, how
each dependency is called) and does per request only what FastAPI's own code does per request, in the same
order: sub-dependencies first, depth first, each solved even when its value is cached; then path, query,
header and cookie parameters; then the body, with FastAPI's own ``request_body_to_args``. Values, errors
and their locations are the same (``tests/api/test_dependency_plans.py`` compares the two on every route).

Only the applications that ``install`` plans use them. Anything else (another application in the process,
such as Prefect's server, a route with a ``yield`` dependency, OAuth scopes, a parameter model, or dependency
overrides in force) goes to FastAPI's own function, unchanged.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI, params
from fastapi._compat import ModelField, field_annotation_is_sequence, lenient_issubclass
from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import SolvedDependency, get_missing_field_error, request_body_to_args
from fastapi.dependencies.utils import solve_dependencies as fastapi_solve_dependencies
from pydantic import BaseModel, Json
from starlette.background import BackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket


class Unplannable(Exception):
    """The dependant uses something the plan does not reproduce: FastAPI's own solver handles it."""


@dataclass(frozen=True, slots=True)
class _Param:
    field: ModelField
    name: str
    alias: str
    loc: tuple[str, str]
    take_list: bool  # a sequence read from a multi-valued source: every value, not the last one
    sequence: bool  # an empty sequence counts as missing

    def read(self, source: Any) -> Any:
        if self.take_list and isinstance(source, (ImmutableMultiDict, Headers)):
            value = source.getlist(self.alias)
        else:
            value = source.get(self.alias, None)
        if value is None or (self.sequence and len(value) == 0):
            return None  # defaults are applied by validation, as FastAPI does
        return value


@dataclass(frozen=True, slots=True)
class _Call:
    plan: _Plan
    cache_key: Any
    use_cache: bool
    is_coroutine: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    dependant: Dependant
    calls: tuple[_Call, ...]
    path: tuple[_Param, ...]
    query: tuple[_Param, ...]
    header: tuple[_Param, ...]
    cookie: tuple[_Param, ...]


def _param(field: ModelField) -> _Param:
    info = field.field_info
    assert isinstance(info, params.Param)
    alias = getattr(field, "validation_alias", None) or field.alias
    is_json = any(type(item) is Json for item in info.metadata)
    sequence = field_annotation_is_sequence(info.annotation)  # type: ignore[arg-type]
    return _Param(field, field.name, alias, (info.in_.value, alias), sequence and not is_json, sequence)


def _params(fields: list[ModelField]) -> tuple[_Param, ...]:
    if len(fields) == 1 and lenient_issubclass(fields[0].field_info.annotation, BaseModel):
        raise Unplannable("a parameter model")
    return tuple(_param(field) for field in fields)


def make_plan(dependant: Dependant) -> _Plan:
    if dependant.security_scopes_param_name or dependant.own_oauth_scopes:
        raise Unplannable("OAuth scopes")
    calls = []
    for sub in dependant.dependencies:
        if _is_gen_callable(sub.call) or _is_async_gen_callable(sub.call):
            raise Unplannable("a dependency with yield")
        cache_key = _get_cache_key(dependant=sub)
        calls.append(_Call(make_plan(sub), cache_key, sub.use_cache, _is_coroutine_callable(sub.call)))
    return _Plan(
        dependant,
        tuple(calls),
        _params(dependant.path_params),
        _params(dependant.query_params),
        _params(dependant.header_params),
        _params(dependant.cookie_params),
    )


def _read(plan_params: tuple[_Param, ...], source: Any, values: dict[str, Any], errors: list[Any]) -> None:
    for param in plan_params:
        value = param.read(source)
        field = param.field
        if value is None:
            if field.field_info.is_required():
                errors.append(get_missing_field_error(loc=param.loc))
                continue
            value = deepcopy(field.default)
            if not field.field_info.validate_default:
                values[param.name] = value
                continue
        validated, field_errors = field.validate(value, values, loc=param.loc)
        if field_errors:
            errors.extend(field_errors)
        else:
            values[param.name] = validated


async def _solve(
    plan: _Plan,
    request: Request | WebSocket,
    body: Any,
    background_tasks: BackgroundTasks | None,
    response: Response,
    cache: dict[Any, Any],
    embed_body_fields: bool,
) -> SolvedDependency:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for call in plan.calls:
        solved = await _solve(call.plan, request, body, background_tasks, response, cache, embed_body_fields)
        background_tasks = solved.background_tasks
        if solved.errors:
            errors.extend(solved.errors)
            continue
        value = await _call(call, solved.values, cache)
        if call.plan.dependant.name is not None:
            values[call.plan.dependant.name] = value
        if call.cache_key not in cache:
            cache[call.cache_key] = value
    dependant = plan.dependant
    if plan.path:
        _read(plan.path, request.path_params, values, errors)
    if plan.query:
        _read(plan.query, request.query_params, values, errors)
    if plan.header:
        _read(plan.header, request.headers, values, errors)
    if plan.cookie:
        _read(plan.cookie, request.cookies, values, errors)
    if dependant.body_params:
        body_values, body_errors = await request_body_to_args(
            body_fields=dependant.body_params, received_body=body, embed_body_fields=embed_body_fields
        )
        values.update(body_values)
        errors.extend(body_errors)
    background_tasks = _special_parameters(dependant, values, request, background_tasks, response)
    return SolvedDependency(values, errors, background_tasks, response, cache)


async def _call(call: _Call, arguments: dict[str, Any], cache: dict[Any, Any]) -> Any:
    function = call.plan.dependant.call
    assert function is not None
    if call.use_cache and call.cache_key in cache:
        return cache[call.cache_key]
    if call.is_coroutine:
        return await function(**arguments)
    return await run_in_threadpool(function, **arguments)


def _special_parameters(
    dependant: Dependant,
    values: dict[str, Any],
    request: Request | WebSocket,
    background_tasks: BackgroundTasks | None,
    response: Response,
) -> BackgroundTasks | None:
    """The request, response and background tasks, for the parameters that ask for them."""
    if dependant.http_connection_param_name:
        values[dependant.http_connection_param_name] = request
    if dependant.request_param_name and isinstance(request, Request):
        values[dependant.request_param_name] = request
    elif dependant.websocket_param_name and isinstance(request, WebSocket):
        values[dependant.websocket_param_name] = request
    if dependant.background_tasks_param_name:
        if background_tasks is None:
            background_tasks = BackgroundTasks()
        values[dependant.background_tasks_param_name] = background_tasks
    if dependant.response_param_name:
        values[dependant.response_param_name] = response
    return background_tasks


class Plans:
    """The plans of one application's routes, made on first use (FastAPI builds included routes lazily)."""

    def __init__(self) -> None:
        self.plans: dict[int, tuple[Dependant, _Plan | None]] = {}

    def plan_for(self, dependant: Dependant) -> _Plan | None:
        known = self.plans.get(id(dependant))
        if known is not None and known[0] is dependant:
            return known[1]
        try:
            plan: _Plan | None = make_plan(dependant)
        except Unplannable:
            plan = None
        # Holding the dependant keeps its id from being reused by another object.
        self.plans[id(dependant)] = (dependant, plan)
        return plan


async def solve_dependencies(
    *,
    request: Request | WebSocket,
    dependant: Dependant,
    body: Any = None,
    background_tasks: BackgroundTasks | None = None,
    response: Response | None = None,
    dependency_overrides_provider: Any | None = None,
    dependency_cache: dict[Any, Any] | None = None,
    **rest: Any,
) -> SolvedDependency:
    plans: Plans | None = getattr(request.app.state, "dependency_plans", None)
    overridden = dependency_overrides_provider and dependency_overrides_provider.dependency_overrides
    plan = plans.plan_for(dependant) if plans is not None and not overridden else None
    if plan is None:
        return await fastapi_solve_dependencies(
            request=request,
            dependant=dependant,
            body=body,
            background_tasks=background_tasks,
            response=response,
            dependency_overrides_provider=dependency_overrides_provider,
            dependency_cache=dependency_cache,
            **rest,
        )
    if response is None:
        response = Response()
        del response.headers["content-length"]
        response.status_code = None  # type: ignore[assignment]
    return await _solve(
        plan,
        request,
        body,
        background_tasks,
        response,
        {} if dependency_cache is None else dependency_cache,
        rest["embed_body_fields"],
    )


def install(app: FastAPI) -> None:
    """Solve ``app``'s dependencies through plans. FastAPI's request handler looks its solver up in its own
    module on each request, so replacing it there is enough; applications without plans fall through."""
    app.state.dependency_plans = Plans()
    fastapi.routing.solve_dependencies = solve_dependencies
