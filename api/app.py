"""The application factory. It starts from the composition root (``gouvernance.composition``); everything
outside the process is injectable (settings, database, clock, blob store, catalogue, or a whole runtime), so
tests build the app on their own database with a frozen clock."""

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from anyio import to_thread
from fastapi import APIRouter, FastAPI

from gouvernance import __version__, web
from gouvernance.api import (
    action_plan,
    admin,
    audit,
    background,
    budget,
    communication,
    convention,
    decisions,
    diagnostic,
    docs,
    engagements,
    evidence,
    health,
    me,
    migration,
    objectives,
    password_reset,
    preferences,
    privacy,
    problems,
    process_models,
    public,
    stakeholders,
    steps,
    timeline,
    training,
    webhooks,
)
from gouvernance.api.authentication import Authenticator
from gouvernance.api.context import ApiContext
from gouvernance.api.limits import BodyLimit
from gouvernance.api.permissions import api_routes
from gouvernance.api.transport import BodyTimeout, SecurityHeaders
from gouvernance.clock import Clock
from gouvernance.composition import Runtime, build_runtime
from gouvernance.db.engine import Database
from gouvernance.evidence.store import BlobStore
from gouvernance.settings import Settings, get_settings
from gouvernance.spec.catalog import Catalog

# Every API route, by feature. The step routes carry most requests (every event a project lead sends):
# matched first, since routes are tried in order. The OpenAPI document groups operations by tag, in TAGS'
# order.
ROUTERS: tuple[APIRouter, ...] = (
    steps.router,
    process_models.router,
    engagements.router,
    evidence.router,
    timeline.router,
    audit.router,
    me.router,
    preferences.router,
    stakeholders.router,
    objectives.router,
    action_plan.router,
    decisions.router,
    diagnostic.router,
    budget.router,
    migration.router,
    convention.router,
    training.router,
    communication.router,
    background.router,
    webhooks.router,
    privacy.router,
    admin.router,
    password_reset.router,
    public.router,
    health.router,
)


log = logging.getLogger("gouvernance.api")


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    blob_store: BlobStore | None = None,
    catalog: Catalog | None = None,
    runtime: Runtime | None = None,
    auth_cache_seconds: float = 5.0,
) -> FastAPI:
    """``auth_cache_seconds``: how long a token's principal (its roles) is reused before it is read again.
    ``runtime``: one already built (the others are then ignored); the app closes its database only when it
    built it."""
    owns_database = runtime is None and database is None
    if runtime is None:
        runtime = build_runtime(
            settings or get_settings(), database=database, clock=clock, blob_store=blob_store, catalog=catalog
        )
    settings, db = runtime.settings, runtime.db
    context = ApiContext(
        runtime=runtime,
        auth=Authenticator(db, ttl_seconds=auth_cache_seconds),
        # SQLite has one writer at a time: writers of this process queue here, in order, rather than in
        # SQLite's busy handler, which polls with growing sleeps and lets late comers overtake.
        write_lock=threading.Lock() if db.dialect == "sqlite" else nullcontext(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in AnyIO's thread pool. Its default of 40 threads only adds contention for the GIL:
        # with a couple, requests wait their turn in order and the slowest 1 % stay closer to the median.
        to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        # What start-up built (routes, schemas, the catalogue) lives as long as the process: freezing it
        # keeps the cyclic garbage collector from walking it again on every full collection. No collection
        # first: it found nothing to free and cost 0.08 s of every start. ``gouvernance serve`` turned the
        # collector off while it started (the same reason): on again from here. The price: the few cycles
        # start-up left unreachable (about 10,000 objects, 2 MB) are frozen with the rest, once per process.
        gc.freeze()
        gc.enable()
        for invalid in runtime.catalog.invalid:  # left out of the catalogue: say so where operators look
            log.warning("Modèle ignoré (invalide) : %s", invalid.render())
        yield
        if owns_database:
            db.dispose()

    app = FastAPI(
        # The routers' routes as they are (prefix and tags included), in order, rather than the routers
        # included: FastAPI (0.150) builds an included router's routes a second time, every parameter and
        # dependency analysed again, on the first request that reaches them; a tenth of a second of the
        # first /readyz, for routes the routers already built (``api/stakeholders`` does the same).
        # Since the app does not include them, ``app.dependency_overrides`` would not reach these routes (each
        # route asks its own router); nothing here uses overrides: tests build the app on their own runtime.
        routes=[route for router in (*ROUTERS, *web.ROUTERS) for route in router.routes],
        lifespan=lifespan,
        title="gouvernance — API",
        version=__version__,
        description=docs.DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.context = context
    problems.install(app, api_routes(app, ROUTERS))
    docs.install(app, ROUTERS)
    web.install(app)  # the pages' style sheet and sign-in redirect (their routes are in ``routes`` above)
    app.add_middleware(BodyLimit, max_upload_bytes=settings.max_evidence_bytes)
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders)
    return app
