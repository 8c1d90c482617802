"""What the flows work with: the runtime of the composition root, built once per process from the settings."""

from __future__ import annotations

from functools import lru_cache

from gouvernance.composition import Runtime, build_runtime
from gouvernance.db.migrate import is_up_to_date, upgrade
from gouvernance.settings import get_settings

__all__ = ["Runtime", "runtime"]


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    built = build_runtime(get_settings())
    if built.db.dialect == "sqlite" and not is_up_to_date(built.db):
        upgrade(built.db)  # the embedded default migrates itself, as the CLI does
    return built
