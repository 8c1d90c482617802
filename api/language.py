"""The caller's language: French unless Accept-Language prefers English."""

from typing import Literal

Language = Literal["fr", "en"]
SUPPORTED: tuple[Language, ...] = ("fr", "en")


def language_of(accept_language: str | None) -> Language:
    """The supported language the header ranks highest (ties go to the first listed); French by default."""
    best: Language = "fr"
    best_q = -1.0
    for part in (accept_language or "").split(","):
        tag, *params = (piece.strip() for piece in part.split(";"))
        primary = tag.lower().split("-")[0]
        if primary not in SUPPORTED:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q and q > 0:
            best, best_q = primary, q
    return best
