"""`gouvernance demo`: the command; the walk and its display are in `demo_view`, imported when the command
runs so that `gouvernance --help` stays quick."""

from __future__ import annotations

from typing import Annotated

import typer

from gouvernance.cli import context
from gouvernance.cli.context import handle_errors


@handle_errors
def demo_command(
    territory: Annotated[
        str, typer.Option(metavar="NOM", help="Territoire de démonstration.")
    ] = "Communauté de communes du Val Fleuri",
) -> None:
    """Crée un accompagnement de démonstration et parcourt tout le parcours « gouvernance-partagee »."""
    from gouvernance.cli.demo_view import run_demo

    run_demo(context.catalog(), context.database(), territory)
