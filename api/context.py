"""What every request needs, built once per application: the runtime (settings, database, clock, blob store,
catalogue… from the composition root), the authenticator and the write lock."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

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
