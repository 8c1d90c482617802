"""Who runs a command, and what they may do.

A person names themselves with ``--login`` (or ``GOUVERNANCE_USER``); their grants are checked by the same
functions the API uses for a token (``access.permissions``), so the command line opens no door the API
keeps shut. An operator (``--operateur`` or ``GOUVERNANCE_OPERATOR=1``) runs what belongs to no one —
migrations, users, tokens — and may work on any organisation's engagements under a role they name; every
operator command is logged with the system user who ran it, since the shell is the only proof of who that
is."""

from __future__ import annotations

import getpass
import logging
import sys
from dataclasses import dataclass
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from gouvernance.access.permissions import engagement_roles, organisation_roles
from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES, ROLES, Principal, principal_of
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Forbidden, InvalidInput, Message

# The names and roles of the API's permissions (api/permissions.py) for the same actions.
ALL_ROLES = frozenset(ROLES)
LAUNCH = ("engagements.launch", LEAD_ROLES)
READ = ("engagements.read", ALL_ROLES)
STEP_EVENT = ("steps.events", PARTICIPANT_ROLES)
ATTACH = ("evidence.attach", PARTICIPANT_ROLES)
WRITE_STAKEHOLDERS = ("stakeholders.write", PARTICIPANT_ROLES)
PERSONAL_DATA = ("stakeholders.personal_data", LEAD_ROLES)
MIGRATE = ("engagements.migrate", LEAD_ROLES)

Login = Annotated[
    str | None,
    typer.Option(
        "--login",
        envvar="GOUVERNANCE_USER",
        metavar="IDENTIFIANT",
        show_envvar=False,
        help="Votre identifiant d'utilisateur (ou la variable GOUVERNANCE_USER) ; vos rôles en découlent.",
    ),
]
Operator = Annotated[
    bool,
    typer.Option(
        "--operateur",
        envvar="GOUVERNANCE_OPERATOR",
        show_envvar=False,
        help="Mode opérateur (ou GOUVERNANCE_OPERATOR=1) : administration et travail sur toutes les "
        "organisations ; journalisé avec votre utilisateur système.",
    ),
]
Role = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="RÔLE",
        help="Rôle sous lequel vous agissez : l'un des vôtres (par défaut : tous) ; obligatoire en mode "
        "opérateur.",
    ),
]

operator_log = logging.getLogger("gouvernance.operator")


class _CurrentStderr(logging.Handler):
    """Writes to the standard error of the moment, which a test runner may have replaced since start-up."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr)
        except Exception:  # a log line must never make the command fail
            self.handleError(record)


def _log_to_stderr() -> None:
    # The CLI configures no logging of its own: without a handler this line would go nowhere.
    if not operator_log.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        operator_log.addHandler(handler)
        operator_log.setLevel(logging.INFO)


def require_operator(operator: bool, command: str) -> str:
    """The system user running an operator command, once logged; Forbidden without operator mode."""
    if not operator:
        raise Forbidden(
            Message(
                "cli.operator_required",
                f"« gouvernance {command} » est réservé aux opérateurs : ajoutez --operateur "
                "(ou GOUVERNANCE_OPERATOR=1).",
                f"'gouvernance {command}' is reserved to operators: add --operateur "
                "(or GOUVERNANCE_OPERATOR=1).",
            )
        )
    system_user = getpass.getuser()
    _log_to_stderr()
    operator_log.info("Mode opérateur : %s — gouvernance %s", system_user, command)
    return system_user


@dataclass(frozen=True)
class Caller:
    """A named user (``principal``), or an operator (``system_user``)."""

    principal: Principal | None = None
    system_user: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.principal is None


def identify(session: Session, login: str | None, operator: bool, command: str) -> Caller:
    if operator:
        return Caller(system_user=require_operator(operator, command))
    return Caller(principal=user(session, login))


def user(session: Session, login: str | None) -> Principal:
    """The named user with their grants; an error in French when no one is named or the login is unknown."""
    if not login:
        raise Forbidden(
            Message(
                "cli.login_required",
                "Qui agit ? Donnez votre identifiant avec --login IDENTIFIANT (ou GOUVERNANCE_USER), "
                "ou passez en mode opérateur avec --operateur.",
                "Who is acting? Give your login with --login LOGIN (or GOUVERNANCE_USER), "
                "or switch to operator mode with --operateur.",
            )
        )
    return principal_of(session, login)


def launcher(caller: Caller, organisation: str | None) -> tuple[ActorRef, str | None]:
    """Who launches, and the organisation that will own the engagement: the user's own; an operator
    names one with --org."""
    if caller.principal is not None:
        name, required = LAUNCH
        roles = organisation_roles(caller.principal, permission=name, required=required)
        return caller.principal.actor(roles), caller.principal.organisation
    if organisation is None:
        raise InvalidInput(
            Message(
                "cli.organisation_required",
                "En mode opérateur, précisez l'organisation propriétaire : --org ORGANISATION.",
                "In operator mode, give the owning organisation: --org ORGANISATION.",
                path="org",
            )
        )
    return ActorRef.of(f"cli:{caller.system_user}", "consultant"), organisation


def actor_on(
    caller: Caller, engagement: EngagementRow, need: tuple[str, frozenset[str]], role: str | None
) -> ActorRef:
    """The actor for an action on ``engagement``: a user with the roles they hold there (or the one of
    them named with --as); an operator with the role they name."""
    name, required = need
    if caller.principal is None:
        if role is None:
            raise InvalidInput(
                Message(
                    "cli.role_required",
                    "En mode opérateur, précisez le rôle sous lequel vous agissez : --as RÔLE.",
                    "In operator mode, give the role you act as: --as ROLE.",
                    path="as",
                )
            )
        return ActorRef.of(f"cli:{caller.system_user}", role)
    held = engagement_roles(
        caller.principal,
        engagement.id,
        exists=True,
        owner=engagement.organisation_id,
        permission=name,
        required=required,
    )
    if role is None:
        return caller.principal.actor(held)
    if role not in held:
        raise Forbidden(
            Message(
                "access.role_not_held",
                f"Vous n'avez pas le rôle « {role} » sur cet accompagnement "
                f"(vos rôles : {', '.join(sorted(held))})",
                f"You do not hold the role '{role}' on this engagement "
                f"(your roles: {', '.join(sorted(held))})",
                details={"role": role, "held_roles": sorted(held)},
            )
        )
    return caller.principal.actor(frozenset({role}))


def engagement_for(
    session: Session,
    caller: Caller,
    reference: str,
    need: tuple[str, frozenset[str]],
    role: str | None = None,
) -> tuple[str, ActorRef]:
    """The engagement a reference (id or prefix) designates, and who acts on it, once the caller's grants
    allow ``need``; one the caller holds no role on is reported as not found."""
    from gouvernance.engagements.progress import find_engagement_id

    row = session.get(EngagementRow, find_engagement_id(session, reference))
    assert row is not None
    return row.id, actor_on(caller, row, need, role)


def readable(session: Session, caller: Caller, reference: str) -> str:
    """The engagement a reference designates, if the caller may read it (an operator reads them all)."""
    from gouvernance.engagements.progress import find_engagement_id

    engagement_id = find_engagement_id(session, reference)
    if caller.principal is not None:
        row = session.get(EngagementRow, engagement_id)
        assert row is not None
        name, required = READ
        engagement_roles(
            caller.principal,
            row.id,
            exists=True,
            owner=row.organisation_id,
            permission=name,
            required=required,
        )
    return engagement_id
