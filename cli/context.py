"""What every command needs: the runtime of the composition root (settings, the database, migrated, the
catalogue, a clock, the mailer…), and error output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from gouvernance.clock import Clock
from gouvernance.composition import Runtime, build_runtime, register_plugins
from gouvernance.db.engine import Database
from gouvernance.db.migrate import is_up_to_date, upgrade_embedded
from gouvernance.errors import DomainError, Message
from gouvernance.settings import Settings, get_settings
from gouvernance.spec.catalog import Catalog, default_directories

console = Console()
errors = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


_built: list[Runtime] = []  # at most one: the runtime of the current settings


def runtime() -> Runtime:
    """Built once for the current settings, and again when they change (tests point the CLI elsewhere)."""
    current = get_settings()
    if _built and _built[0].settings is current:
        return _built[0]
    if _built:
        _built.pop().db.dispose()
    _built.append(build_runtime(current))
    return _built[0]


def plugins() -> None:
    """The guard rules, for the commands that read templates without the runtime (``models validate``)."""
    register_plugins()


def settings() -> Settings:
    return get_settings()


def catalog_directories() -> list[Path]:
    return default_directories(settings().templates_dir)


def catalog() -> Catalog:
    return runtime().catalog


def database(*, migrate_embedded: bool = True) -> Database:
    """The configured database. The embedded SQLite default is migrated on first use so that a fresh
    machine just works; PostgreSQL is migrated only by `gouvernance db upgrade`, as operators expect."""
    db = runtime().db
    if is_up_to_date(db):
        return db
    if db.dialect == "sqlite" and migrate_embedded:
        upgrade_embedded(db)
        return db
    raise DomainError(
        Message(
            "db.not_migrated",
            "La base n'est pas à jour : lancez « gouvernance db upgrade --operateur ».",
            "The database schema is not up to date: run 'gouvernance db upgrade --operateur'.",
        )
    )


def clock() -> Clock:
    return runtime().clock


def print_error(error: DomainError) -> None:
    headline = error.text()
    # A refusal's message repeats its reasons on one line for one-line readers (the API's problem detail);
    # here each reason gets a line of its own, so the headline stops before them.
    repeated = " : " + " ; ".join(reason.fr for reason in error.reasons)
    if error.reasons and headline.endswith(repeated):
        headline = headline.removesuffix(repeated)
    errors.print(f"[bold red]Erreur[/] ({error.code}) : {headline}", highlight=False)
    for reason in error.reasons:
        errors.print(f"  • {reason.fr}  [dim]({reason.code})[/]", highlight=False)


def handle_errors(function: F) -> F:
    """Domain errors are printed in French with their reasons, never as a traceback; exit code 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            print_error(error)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            errors.print("Interrompu.")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
