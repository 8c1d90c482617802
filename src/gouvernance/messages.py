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


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 jour », « 3 jours », « 0 jour » (French takes the singular below 2)."""
    return f"{count} {singular if abs(count) < 2 else (plural_form or singular + 's')}"


def french_value(value: object) -> str:
    """A value as a person reads it in French: « oui »/« non » rather than True/False, a decimal comma."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if value is None:
        return "non renseigné"
    return str(value)
