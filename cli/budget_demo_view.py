"""`gouvernance demo --modele budget-participatif`: walks the demonstration edition of a participatory budget
(``gouvernance.demo.budget_demo``), then prints each stage and the edition in figures: ideas per status, the
vote per channel, the winners within the envelope."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rich.table import Table

from gouvernance.budget.service import ProposalStatus, closed_vote, proposals
from gouvernance.cli import context
from gouvernance.cli.context import console
from gouvernance.db.engine import Database
from gouvernance.deliverables.french import format_euros, format_number
from gouvernance.demo.budget_demo import BUDGET_MODEL, walk_budget_demo
from gouvernance.evidence.store import FileBlobStore
from gouvernance.spec.catalog import Catalog


def run_budget_demo(catalog: Catalog, db: Database, territory: str) -> str:
    model = catalog.get(BUDGET_MODEL)
    console.print(f"[bold]Démonstration[/] — {model.title.fr}, {territory}")
    with console.status("Parcours de l'édition…"):
        demo = walk_budget_demo(db, model, FileBlobStore(context.settings().blob_dir), territory=territory)
    console.print(f"Accompagnement [cyan]{demo.engagement_id}[/]", highlight=False)
    for index, report in enumerate(demo.reports, start=1):
        span = (
            f"{report.started:%d/%m/%Y} → {report.finished:%d/%m/%Y}"
            if report.started and report.finished
            else "—"
        )
        console.print(f"\n[bold]{index}. {report.title}[/]  [dim]{span}[/]", highlight=False)
        if report.deliverables:
            console.print(f"Livrables : {'; '.join(report.deliverables)}", highlight=False)
    with db.reading() as session:
        rows = proposals(session, demo.engagement_id)
        vote = closed_vote(session, demo.engagement_id)
    counts = Counter(ProposalStatus(row.status) for row in rows)
    console.print(
        f"\n[bold]L'édition en chiffres[/] — {format_number(len(rows))} idées déposées", highlight=False
    )
    table = Table(show_header=False, box=None, pad_edge=False)
    for status in ProposalStatus:
        if counts[status]:
            table.add_row(status.label.capitalize(), format_number(counts[status]))
    console.print(table)
    if vote is not None:
        winners = [result for result in vote.results if result["won"]]
        spent = sum((Decimal(result["cost"]) for result in winners), Decimal(0))
        online = sum(result["by_channel"].get("en_ligne", 0) for result in vote.results)
        ballot = sum(result["by_channel"].get("urne", 0) for result in vote.results)
        console.print(
            f"Vote : {format_number(online + ballot)} voix ({format_number(online)} en ligne, "
            f"{format_number(ballot)} à l'urne) ; {len(winners)} projets lauréats pour {format_euros(spent)} "
            f"sur {format_euros(vote.envelope)}, reliquat {format_euros(vote.envelope - spent)}.",
            highlight=False,
        )
    console.print(
        f"Livrables : [bold]gouvernance deliverables build {demo.engagement_id[:8]}[/]", highlight=False
    )
    return demo.engagement_id
