"""`gouvernance db`: the database's migrations, an operator's job."""

from __future__ import annotations

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Operator, require_operator

db_app = french_app(help="Base de données : migrations.", no_args_is_help=True)


@db_app.command("upgrade", cls=FrenchCommand)
@handle_errors
def db_upgrade(operator: Operator = False) -> None:
    """Applique les migrations (SQLite par défaut, PostgreSQL selon GOUVERNANCE_DATABASE_URL)."""
    from gouvernance.db.engine import Database
    from gouvernance.db.migrate import current_revision, upgrade

    require_operator(operator, "db upgrade")
    db = Database(context.settings().resolved_database_url)
    upgrade(db)
    console.print(
        f"Base à jour (révision {current_revision(db)}) : {db.engine.url.render_as_string()}", highlight=False
    )
