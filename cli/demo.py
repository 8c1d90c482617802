"""`gouvernance demo`: the command; the walk and its display are in `demo_view`, imported when the command
runs so that `gouvernance --help` stays quick."""

from __future__ import annotations

from typing import Annotated

import typer

from gouvernance.cli import context
from gouvernance.cli.context import handle_errors


@handle_errors
def demo_command(
    territory: Annotated[str | None, typer.Option(metavar="NOM", help="Territoire de démonstration.")] = None,
    modele: Annotated[
        str,
        typer.Option(
            "--modele", metavar="MODÈLE", help="Parcours : gouvernance-partagee ou budget-participatif."
        ),
    ] = "gouvernance-partagee",
) -> None:
    """Crée un accompagnement de démonstration et parcourt tout le parcours « gouvernance-partagee » (ou une
    édition de budget participatif avec --modele budget-participatif)."""
    if modele not in ("gouvernance-partagee", "budget-participatif"):
        raise typer.BadParameter(
            f"modèle de démonstration inconnu : « {modele} » (gouvernance-partagee ou budget-participatif)",
            param_hint="--modele",
        )
    if modele == "budget-participatif":
        from gouvernance.cli.budget_demo_view import run_budget_demo

        run_budget_demo(context.catalog(), context.database(), territory or "Saint-Aubin-sur-Loire")
        return
    from gouvernance.cli.demo_view import run_demo

    run_demo(context.catalog(), context.database(), territory or "Communauté de communes du Val Fleuri")
