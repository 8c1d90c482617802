"""What every request needs, built once per application: the runtime (settings, database, clock, blob store,
catalogue… from the composition root), the authenticator, the write lock and the export limiter."""

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from anyio import CapacityLimiter

from gouvernance.api.authentication import Authenticator
from gouvernance.clock import Clock
from gouvernance.composition import Runtime
from gouvernance.db.engine import Database
from gouvernance.evidence.store import BlobStore
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog


@dataclass(frozen=True)
class ApiContext:
    runtime: Runtime
    auth: Authenticator
    write_lock: AbstractContextManager[Any]
    # Large exports run one at a time in threads of their own, outside the few threads of ordinary requests
    # (``api_threads``): a second export waits for the first rather than for a database lock, and step
    # events and health checks are not queued behind exports.
    export_limiter: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(1))

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def store(self) -> BlobStore:
        return self.runtime.store

    @property
    def catalog(self) -> Catalog:
        return self.runtime.catalog
