"""The message catalogue: the refusals said the same way wherever they arise, each a named factory (code,
French, English, details), so that one wording holds across the door, the API and the CLI.

Messages said in one place only stay beside the rule that raises them; a message moves here as soon as a
second place needs it."""

from __future__ import annotations

from pathlib import Path

from gouvernance.errors import Message


def engagement_not_found(reference: str) -> Message:
    return Message(
        "engagement.not_found",
        f"Accompagnement introuvable : {reference}",
        f"Engagement not found: {reference}",
        details={"engagement_id": reference},
    )


def file_not_found(path: Path | str) -> Message:
    return Message("file.not_found", f"Fichier introuvable : {path}", f"File not found: {path}")
