"""A person's notification preferences: the address e-mails go to, the language they read, and how
notifications reach them besides the application (at once, in one digest a day, or not at all)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy.orm import Session

from gouvernance.access.service import require_user
from gouvernance.errors import InvalidInput, Message
from gouvernance.notifications.records import ContactRow

Language = Literal["fr", "en"]
Delivery = Literal["immediate", "daily_digest", "none"]
LANGUAGES: tuple[str, ...] = get_args(Language)
DELIVERIES: tuple[str, ...] = get_args(Delivery)

# One address, no spaces or line breaks (it ends up in a mail header), a dot in the domain.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_EMAIL_MAX = 254


@dataclass(frozen=True)
class Preferences:
    email: str | None = None
    language: str = "fr"
    delivery: str = "immediate"  # none: in the application only, never by e-mail


def preferences_of(session: Session, login: str) -> Preferences:
    """The user's preferences; the defaults when they never set any."""
    require_user(session, login)
    row = session.get(ContactRow, login)
    if row is None:
        return Preferences()
    return Preferences(email=row.email, language=row.language, delivery=row.delivery)


def set_preferences(session: Session, login: str, *, preferences: Preferences) -> Preferences:
    """Replaces the user's preferences, after checking every field (each problem is reported)."""
    require_user(session, login)
    wanted = _checked(preferences)
    row = session.get(ContactRow, login)
    if row is None:
        row = ContactRow(login=login)
        session.add(row)
    row.email, row.language, row.delivery = wanted.email, wanted.language, wanted.delivery
    session.flush()
    return wanted


def _checked(preferences: Preferences) -> Preferences:
    email = preferences.email.strip() if preferences.email is not None else None
    problems = []
    if email is not None and (len(email) > _EMAIL_MAX or not _EMAIL.match(email)):
        problems.append(
            Message(
                "preferences.email",
                f"adresse électronique invalide « {email[:80]} » (attendu : nom@domaine.fr)",
                f"invalid e-mail address '{email[:80]}' (expected: name@domain.org)",
                path="email",
            )
        )
    if preferences.language not in LANGUAGES:
        problems.append(
            Message(
                "preferences.language",
                f"langue inconnue « {preferences.language} » ({', '.join(LANGUAGES)})",
                f"unknown language '{preferences.language}' ({', '.join(LANGUAGES)})",
                path="language",
            )
        )
    if preferences.delivery not in DELIVERIES:
        problems.append(
            Message(
                "preferences.delivery",
                f"mode d'envoi inconnu « {preferences.delivery} » ({', '.join(DELIVERIES)})",
                f"unknown delivery mode '{preferences.delivery}' ({', '.join(DELIVERIES)})",
                path="delivery",
            )
        )
    if problems:
        raise InvalidInput(
            Message("preferences.invalid", "Préférences de notification invalides", "Invalid preferences"),
            reasons=problems,
        )
    return Preferences(email=email, language=preferences.language, delivery=preferences.delivery)
