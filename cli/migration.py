"""`gouvernance models diff` and `gouvernance migrate`: what changed between two versions of a template, and
moving running engagements to a corrected version — one, or every engagement of a version at once."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.identity import (
    MIGRATE,
    Login,
    Operator,
    Role,
    engagement_for,
    identify,
    require_operator,
)
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.migration import (
    MigrationPlan,
    engagements_of,
    migrate,
    migrate_each,
    plan_migration,
    refusal,
    target_model,
)
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural
from gouvernance.spec.diff import describe, diff_models

_ACTIONS = {"keep": "conservée", "add": "ajoutée", "remove": "supprimée"}


@handle_errors
def models_diff(
    key: Annotated[str, typer.Argument(metavar="MODÈLE", help="Clé du modèle, ex. gouvernance-partagee.")],
    old: Annotated[int, typer.Argument(metavar="V1", help="Version de départ.")],
    new: Annotated[int, typer.Argument(metavar="V2", help="Version d'arrivée.")],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Ce qui change d'une version d'un modèle à une autre, étape par étape."""
    with context.database().reading() as session:
        before = target_model(session, context.catalog(), key, old)
        after = target_model(session, context.catalog(), key, new)
    diff = diff_models(before, after)
    if as_json:
        typer.echo(json.dumps(diff.as_dict(), ensure_ascii=False, indent=2))
        return
    for line in describe(diff, before, after):
        console.print(line, highlight=False, markup=False)


@handle_errors
def migrate_command(
    engagement: Annotated[
        str | None,
        typer.Argument(metavar="ACCOMPAGNEMENT", help="Identifiant (ou début) de l'accompagnement."),
    ] = None,
    to_version: Annotated[
        int, typer.Option("--to-version", "--vers", metavar="N", help="Version d'arrivée.")
    ] = 0,
    from_version: Annotated[
        int | None,
        typer.Option(
            "--from-version",
            "--depuis",
            metavar="N",
            help="Migration en masse : tous les accompagnements de cette version du modèle (avec --modele).",
        ),
    ] = None,
    model_key: Annotated[
        str | None, typer.Option("--modele", metavar="MODÈLE", help="Migration en masse : le modèle.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "--essai", help="Affiche le plan sans rien changer.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
    role: Role = None,
) -> None:
    """Fait passer un accompagnement en cours (ou tous ceux d'une version) à une autre version de son modèle :
    chaque étape est conservée avec son état, ajoutée ou supprimée ; refus motivé si l'historique ou la
    position en cours seraient perdus."""
    if to_version < 1:
        raise InvalidInput(
            Message(
                "cli.to_version_required", "Précisez la version d'arrivée : --vers N.", "Give --to-version N."
            )
        )
    if engagement is None:
        _migrate_all(model_key, from_version, to_version, dry_run=dry_run, as_json=as_json, operator=operator)
        return
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "migrate")
        engagement_id, actor = engagement_for(session, caller, engagement, MIGRATE, role)
        row = session.get(EngagementRow, engagement_id)
        assert row is not None
        target = target_model(session, context.catalog(), row.model_key, to_version)
        plan = plan_migration(session, engagement_id, target)
        if plan.possible:
            migrate(session, engagement_id, target, actor=actor, clock=context.clock(), dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(plan.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_plan(plan, dry_run=dry_run)
    if not plan.possible:
        raise refusal(plan)


def _print_plan(plan: MigrationPlan, *, dry_run: bool) -> None:
    console.print(
        f"{plan.engagement_id} — {plan.model_key} v{plan.from_version} → v{plan.to_version}", highlight=False
    )
    for step in plan.steps:
        mark = "✗" if step.blocking else {"keep": "=", "add": "+", "remove": "-"}[step.action]
        state = f" [{step.state}]" if step.state else ""
        changes = f" ({', '.join(step.changes)})" if step.changes else ""
        console.print(
            f"  {mark} {step.step_key}{state} : {_ACTIONS[step.action]}{changes}",
            highlight=False,
            markup=False,
        )
    if plan.possible:
        verdict = "Plan seulement (--dry-run) : rien n'a changé." if dry_run else "Migration effectuée."
        console.print(f"{plan.summary()}. {verdict}", highlight=False)


def _migrate_all(
    model_key: str | None,
    from_version: int | None,
    to_version: int,
    *,
    dry_run: bool,
    as_json: bool,
    operator: bool,
) -> None:
    if model_key is None or from_version is None:
        raise InvalidInput(
            Message(
                "cli.migration_target_required",
                "Précisez un accompagnement, ou --modele MODÈLE --depuis N pour les migrer tous.",
                "Give an engagement, or --modele KEY --from-version N to migrate them all.",
            )
        )
    system_user = require_operator(operator, "migrate --modele")
    with context.database().reading() as session:
        target = target_model(session, context.catalog(), model_key, to_version)
        ids = engagements_of(session, model_key, from_version)
    outcome = migrate_each(
        context.database(),
        ids,
        target,
        actor=ActorRef.of(f"cli:{system_user}", "consultant"),
        clock=context.clock(),
        dry_run=dry_run,
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "migrated": [result.plan.as_dict() for result in outcome.migrated],
                    "blocked": [{"engagement_id": e, "reason": m.fr} for e, m in outcome.blocked],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        moved = plural(
            len(outcome.migrated),
            "accompagnement migrable" if dry_run else "accompagnement migré",
            "accompagnements migrables" if dry_run else "accompagnements migrés",
        )
        console.print(
            f"{model_key} v{from_version} → v{to_version} : {moved}, "
            f"{plural(len(outcome.blocked), 'bloqué')}.",
            highlight=False,
        )
        for engagement_id, reason in outcome.blocked:
            console.print(f"  ✗ {engagement_id} : {reason.fr}", highlight=False, markup=False)
    if outcome.blocked:
        raise typer.Exit(1)
