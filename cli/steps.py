"""`gouvernance advance` and `attach`: move a step on through the one door, and join a piece of evidence to
it, as a user with the roles they hold on the engagement."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

import typer

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.engagements import EngagementReference
from gouvernance.cli.identity import ATTACH, STEP_EVENT, Login, Operator, Role, engagement_for, identify
from gouvernance.engagements.transitions import transition
from gouvernance.errors import InvalidInput, Message
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.messages import file_not_found

StepKey = Annotated[
    str, typer.Argument(metavar="ÉTAPE", help="Clé de l'étape (affichée par « gouvernance status »).")
]


@handle_errors
def advance_command(
    engagement: EngagementReference,
    step: StepKey,
    event: Annotated[
        str,
        typer.Argument(metavar="ÉVÉNEMENT", help="start, submit, approve, request_rework, skip, reopen…"),
    ],
    comment: Annotated[str | None, typer.Option(metavar="TEXTE", help="Commentaire ou motif.")] = None,
    expected_version: Annotated[
        int | None, typer.Option("--version", metavar="N", help="Version attendue (verrou).")
    ] = None,
    steps: Annotated[
        list[str] | None,
        typer.Option(
            "--step",
            metavar="ÉTAPE",
            help="send_back : une étape à renvoyer parmi celles que la revue liste (répétable ; toutes "
            "par défaut).",
        ),
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Fait avancer une étape ; dit pourquoi si c'est refusé."""
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "advance")
        engagement_id, actor = engagement_for(session, caller, engagement, STEP_EVENT, role)
        result = transition(
            session,
            engagement_id=engagement_id,
            step_key=step,
            event=event,
            actor=actor,
            clock=context.clock(),
            expected_version=expected_version,
            comment=comment,
            payload={"steps": steps} if steps else None,
        )
    for item in result.all():
        label = item.step_key or "accompagnement"
        console.print(
            f"{label} : {STATE_LABELS_FR.get(item.from_state, item.from_state)} → "
            f"{STATE_LABELS_FR.get(item.to_state, item.to_state)} (version {item.version})",
            highlight=False,
        )


@handle_errors
def attach_command(
    engagement: EngagementReference,
    step: StepKey,
    label: Annotated[str, typer.Option(metavar="LIBELLÉ", help="Libellé, ex. « note juridique ».")],
    file: Annotated[Path | None, typer.Option(metavar="FICHIER", help="Fichier à joindre.")] = None,
    link: Annotated[str | None, typer.Option(metavar="URL", help="Lien à joindre (http/https).")] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Joint une pièce (fichier ou lien) à une étape."""
    from gouvernance.evidence.service import attach_file, attach_link
    from gouvernance.evidence.store import FileBlobStore

    if (file is None) == (link is None):
        raise InvalidInput(
            Message(
                "evidence.one_of", "donnez --file ou --link (un seul)", "give --file or --link (exactly one)"
            )
        )
    settings = context.settings()
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "attach")
        engagement_id, actor = engagement_for(session, caller, engagement, ATTACH, role)
        if file is not None:
            if not file.is_file():
                raise InvalidInput(file_not_found(file))
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            row = attach_file(
                session,
                engagement_id=engagement_id,
                step_key=step,
                label=label,
                filename=file.name,
                content=file.read_bytes(),
                content_type=content_type,
                actor=actor,
                store=FileBlobStore(settings.blob_dir),
                clock=context.clock(),
                max_bytes=settings.max_evidence_bytes,
            )
        else:
            assert link is not None
            row = attach_link(
                session,
                engagement_id=engagement_id,
                step_key=step,
                label=label,
                url=link,
                actor=actor,
                clock=context.clock(),
            )
    console.print(f"Pièce {row.id} jointe à « {step} » : {row.filename or row.url}", highlight=False)
