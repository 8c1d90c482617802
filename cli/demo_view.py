"""`gouvernance demo`: launches the demonstration engagement, walks it with a progress bar, then prints a
summary per stage and the analysis of its stakeholder map."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console
from gouvernance.cli.stakeholders import render_analysis
from gouvernance.db.engine import Database
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.walkthrough import JourneyWalker, StageReport
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.progress import engagement_progress
from gouvernance.engagements.transitions import TransitionResult, transition
from gouvernance.evidence.store import FileBlobStore
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.spec.catalog import Catalog
from gouvernance.stakeholders.reports import analyse as analyse_stakeholders


def run_demo(catalog: Catalog, db: Database, territory: str) -> str:
    model = catalog.get(DEMO_MODEL)
    demo = launch_demo(db, model, territory)
    console.print(f"[bold]Démonstration[/] — {model.title.fr}, {territory}")
    console.print(
        f"Accompagnement [cyan]{demo.engagement_id}[/] (base : {db.engine.url.render_as_string()})",
        highlight=False,
    )
    total = len(model.steps_by_key)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Parcours des étapes", total=total)

        def advance(result: TransitionResult) -> None:
            finished = sum(1 for item in result.all() if item.to_state in ("done", "skipped"))
            reopened = sum(1 for item in result.all() if item.event == "reopen")
            progress.advance(task, finished - reopened)

        walker = JourneyWalker(
            db,
            model,
            demo.engagement_id,
            demo.clock,
            FileBlobStore(context.settings().blob_dir),
            on_event=advance,
        )
        reports = walker.run()
    with db.transaction() as session:
        transition(
            session,
            engagement_id=demo.engagement_id,
            step_key=None,
            event="complete",
            actor=ActorRef.of("claire.martin", "consultant"),
            clock=demo.clock,
            comment="Parcours achevé, rapport d'évaluation remis.",
        )
    _print_reports(reports)
    with db.reading() as session:
        progress_view = engagement_progress(session, demo.engagement_id, now=demo.clock.now())
    state = STATE_LABELS_FR.get(progress_view.engagement.state, progress_view.engagement.state)
    console.print(
        f"\nAccompagnement {state} — {progress_view.percent} % des étapes "
        f"terminées, {walker.actions} actions enregistrées.",
        highlight=False,
    )
    with db.reading() as session:
        analysis = analyse_stakeholders(session, demo.engagement_id)
    console.print()
    render_analysis(analysis, model)
    console.print(f"Voir l'état : [bold]gouvernance status {demo.engagement_id[:8]}[/]", highlight=False)
    console.print(
        f"Analyse détaillée : [bold]gouvernance stakeholders analyse {demo.engagement_id[:8]}[/]",
        highlight=False,
    )
    return demo.engagement_id


def _print_reports(reports: list[StageReport]) -> None:
    for index, report in enumerate(reports, start=1):
        span = (
            f"{report.started:%d/%m/%Y} → {report.finished:%d/%m/%Y}"
            if report.started and report.finished
            else "—"
        )
        console.print(f"\n[bold]{index}. {report.title}[/]  [dim]{span}[/]", highlight=False)
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_row(
            "Étapes", f"{report.steps} ({report.events} transitions, {report.evidence} pièces jointes)"
        )
        if report.skipped:
            table.add_row("Sautées", "; ".join(report.skipped))
        for refusal in report.refusals:
            table.add_row("Refus expliqué", refusal)
        for rework in report.reworks:
            table.add_row("Reprise", rework)
        if report.deliverables:
            table.add_row("Livrables", "; ".join(report.deliverables))
        console.print(table)
