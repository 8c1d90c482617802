"""`gouvernance models`: the process models available, their validation with file and line, and their
diagram."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.errors import Conflict, InvalidInput, Message
from gouvernance.messages import file_not_found
from gouvernance.spec.catalog import template_files
from gouvernance.spec.diagram import mermaid
from gouvernance.spec.diagram_svg import svg
from gouvernance.spec.json_schema import template_schema
from gouvernance.spec.scaffold import scaffold
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
    as_svg: Annotated[
        bool,
        typer.Option("--svg", help="Le diagramme en SVG : graphe des phases, puis étapes de chaque phase."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FICHIER", help="Avec --svg : écrit le SVG dans ce fichier."),
    ] = None,
) -> None:
    """Affiche les phases, étapes et le diagramme Mermaid d'un modèle (ou son diagramme SVG)."""
    model = context.catalog().get(key, version)
    if as_svg:
        drawing = svg(model)
        if out is None:
            typer.echo(drawing, nl=False)
        else:
            out.write_text(drawing, encoding="utf-8")
            console.print(f"Diagramme SVG écrit dans {out}", highlight=False)
        return
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


@models_app.command("schema", cls=FrenchCommand)
@handle_errors
def models_schema(
    out: Annotated[
        Path | None, typer.Option(metavar="FICHIER", help="Fichier à écrire (sinon la sortie).")
    ] = None,
) -> None:
    """Le schéma JSON du format des modèles, pour qu'un éditeur valide et complète pendant la saisie (aussi
    servi par l'API : /process-models/schema.json)."""
    context.plugins()
    text = json.dumps(template_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"Schéma écrit : {out}", highlight=False)


@models_app.command("new", cls=FrenchCommand)
@handle_errors
def models_new(
    key: Annotated[str, typer.Argument(metavar="CLÉ", help="Clé du nouveau modèle, ex. mon-parcours.")],
    source: Annotated[str, typer.Option("--from", "--depuis", metavar="MODÈLE", help="Modèle de départ.")],
    title: Annotated[
        str | None, typer.Option("--titre", metavar="TITRE", help="Titre du nouveau modèle.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FICHIER",
            help="Fichier à créer (par défaut : CLÉ.yaml dans GOUVERNANCE_TEMPLATES_DIR, sinon ici).",
        ),
    ] = None,
) -> None:
    """Crée un modèle (version 1) en copiant un modèle existant, commentaires compris ; il valide d'emblée."""
    text, model = scaffold(context.catalog(), key, source, title)
    target = out or (context.settings().templates_dir or Path.cwd()) / f"{key}.yaml"
    if target.exists():
        raise Conflict(
            Message(
                "file.exists",
                f"Le fichier {target} existe déjà : rien n'a été écrit.",
                f"{target} already exists: nothing written.",
            )
        )
    target.write_text(text, encoding="utf-8")
    console.print(
        f"Modèle créé : {target} — {model.key} v{model.version} ({len(model.stages)} phases, "
        f"{len(model.steps_by_key)} étapes). Modifiez-le, puis : gouvernance models validate {target}",
        highlight=False,
    )
