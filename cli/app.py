"""The `gouvernance` command: its sub-commands assembled from one module per feature."""

from __future__ import annotations

import gc

from gouvernance.cli import background
from gouvernance.cli.access import serve_command, tokens_app, users_app
from gouvernance.cli.audit import audit_app
from gouvernance.cli.budget import budget_app
from gouvernance.cli.communication import communication_app
from gouvernance.cli.context import handle_errors
from gouvernance.cli.convention import convention_app
from gouvernance.cli.database import db_app
from gouvernance.cli.decisions import decisions_app
from gouvernance.cli.demo import demo_command
from gouvernance.cli.diagnostic import diagnostic_app
from gouvernance.cli.engagements import engagements_app, launch_command, status_command
from gouvernance.cli.french import FrenchCommand, french_app, install_catalogue
from gouvernance.cli.migration import migrate_command, models_diff
from gouvernance.cli.models import models_app
from gouvernance.cli.notification_settings import users_set_email, users_set_preferences, webhooks_app
from gouvernance.cli.objectives import objectives_app
from gouvernance.cli.privacy import privacy_app
from gouvernance.cli.publication import export_command, publish_command
from gouvernance.cli.stakeholders import stakeholders_app
from gouvernance.cli.steps import advance_command, attach_command
from gouvernance.cli.tasks import tasks_command
from gouvernance.cli.training import training_app

app = french_app(
    name="gouvernance",
    help="Moteur de processus de gouvernance partagée pour les collectivités.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks_app, name="webhooks")
users_app.command("set-email", cls=FrenchCommand)(users_set_email)
users_app.command("set-preferences", cls=FrenchCommand)(users_set_preferences)
app.add_typer(engagements_app, name="engagements")
app.add_typer(background.reminders_app, name="reminders")
app.add_typer(background.notifications_app, name="notifications")
app.add_typer(background.deliverables_app, name="deliverables")
app.add_typer(stakeholders_app, name="stakeholders")
app.add_typer(objectives_app, name="objectives")
app.add_typer(diagnostic_app, name="diagnostic")
app.add_typer(decisions_app, name="decisions")
app.add_typer(budget_app, name="budget")
app.add_typer(convention_app, name="convention")
app.add_typer(training_app, name="formations")
app.add_typer(communication_app, name="communication")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
app.command("launch", cls=FrenchCommand)(launch_command)
app.command("status", cls=FrenchCommand)(status_command)
app.command("advance", cls=FrenchCommand)(advance_command)
app.command("attach", cls=FrenchCommand)(attach_command)
app.command("tasks", cls=FrenchCommand)(tasks_command)
app.command("demo", cls=FrenchCommand)(demo_command)
app.command("worker", cls=FrenchCommand)(background.worker_command)
app.command("calendar", cls=FrenchCommand)(handle_errors(background.calendar_command))
app.command("launch-many", cls=FrenchCommand)(handle_errors(background.launch_many_command))
app.command("serve", cls=FrenchCommand)(serve_command)
app.command("migrate", cls=FrenchCommand)(migrate_command)
app.command("publish", cls=FrenchCommand)(publish_command)
app.command("export", cls=FrenchCommand)(export_command)
models_app.command("diff", cls=FrenchCommand)(models_diff)

# After the imports above: Typer reads its words when it first renders a help page.
install_catalogue()


def main() -> None:
    gc.enable()  # off while the commands were imported (gouvernance.cli.main); serve turns it off again
    app(prog_name="gouvernance")  # the same name in the usage line for `python -m gouvernance`
