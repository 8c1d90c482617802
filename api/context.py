"""What every request needs, built once per application: settings, database, clock, blob store, catalogue."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from gouvernance.api.authentication import Authenticator
from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.evidence.store import BlobStore
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog


@dataclass(frozen=True)
class ApiContext:
    settings: Settings
    db: Database
    clock: Clock
    store: BlobStore
    catalog: Catalog
    auth: Authenticator
    write_lock: AbstractContextManager[Any]
