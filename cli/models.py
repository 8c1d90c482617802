"""`gouvernance models`: the process models available, their validation with file and line, and their
diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import file_not_found
from gouvernance.spec.catalog import template_files
from gouvernance.spec.diagram import mermaid
from gouvernance.spec.validation import TemplateInvalid, load_model_file

models_app = french_app(help="Modèles de processus (parcours YAML).", no_args_is_help=True)


@models_app.command("list", cls=FrenchCommand)
@handle_errors
def models_list() -> None:
    """Liste les modèles disponibles (livrés et répertoire supplémentaire)."""
    catalog = context.catalog()
    table = Table("Clé", "Versions", "Titre", "Phases", "Étapes")
    for model in catalog.latest():
        table.add_row(
            model.key,
            ", ".join(map(str, catalog.versions(model.key))),
            model.title.fr,
            str(len(model.stages)),
            str(len(model.steps_by_key)),
        )
    console.print(table)
    for invalid in catalog.invalid:
        context.errors.print(f"[yellow]Ignoré[/] : {invalid.render()}", highlight=False)


@models_app.command("validate", cls=FrenchCommand)
@handle_errors
def models_validate(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="CHEMIN", help="Fichier ou répertoire (par défaut : tous les modèles)."),
    ] = None,
) -> None:
    """Valide des fichiers de modèle et signale chaque problème avec sa ligne."""
    context.plugins()
    directories = [path] if path else context.catalog_directories()
    if path is not None and not path.exists():
        raise InvalidInput(file_not_found(path))
    files = template_files(directories)
    failures = 0
    for file in files:
        try:
            model = load_model_file(file)
        except TemplateInvalid as invalid:
            failures += 1
            context.errors.print(f"[red]✗[/] {file}", highlight=False)
            for problem in invalid.problems:
                context.errors.print(f"    {problem.render(str(file))}", highlight=False)
            continue
        console.print(
            f"[green]✓[/] {file} — {model.key} v{model.version} "
            f"({len(model.stages)} phases, {len(model.steps_by_key)} étapes)",
            highlight=False,
        )
    if not files:
        raise InvalidInput(Message("file.none", "Aucun fichier YAML trouvé", "No YAML file found"))
    if failures:
        raise typer.Exit(1)


@models_app.command("show", cls=FrenchCommand)
@handle_errors
def models_show(
    key: Annotated[str, typer.Argument(metavar="MODÈLE", help="Clé du modèle, ex. gouvernance-partagee.")],
    version: Annotated[
        int | None, typer.Option(metavar="N", help="Version (par défaut : la plus récente).")
    ] = None,
    diagram_only: Annotated[
        bool, typer.Option("--mermaid", help="N'affiche que le diagramme Mermaid.")
    ] = False,
) -> None:
    """Affiche les phases, étapes et le diagramme Mermaid d'un modèle."""
    model = context.catalog().get(key, version)
    if diagram_only:
        typer.echo(mermaid(model), nl=False)
        return
    console.print(f"[bold]{model.title.fr}[/] — {model.key} v{model.version}")
    if model.description:
        console.print(model.description.fr)
    for index, stage in enumerate(model.stages, start=1):
        after = f" (après : {', '.join(stage.after)})" if stage.after else ""
        console.print(f"\n[bold]{index}. {stage.title.fr}[/]{after}", highlight=False)
        table = Table("Étape", "Type", "Rôle", "Durée", "Gardes", "Livrables", box=None, pad_edge=False)
        for step in stage.steps:
            guards = ", ".join(g.describe().fr for g in step.compiled_guards) or "—"
            table.add_row(
                step.title.fr,
                step.kind,
                model.role_title(step.role),
                f"{step.duration.days} j",
                guards,
                ", ".join(step.deliverables.produces) or "—",
            )
        console.print(table)
    console.print("\n[bold]Diagramme (Mermaid)[/]")
    typer.echo(mermaid(model), nl=False)
