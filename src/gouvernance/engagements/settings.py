"""Settings every journey accepts at launch, beside the template's own parameters:
- ``echelle_durees``: a scale on every step's duration (0.25 to 4; 1.5 for a territory that works at a slower
  pace, 0.5 for an accelerated journey), applied to due dates;
- ``titres_roles``: the organisation's own titles for the template's roles (« chef_de_projet » is « Directrice
  générale adjointe » here), shown wherever a role is named for this engagement.
(The Mendelow threshold, ``seuil_mendelow``, is the stakeholder feature's own.)"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from gouvernance.errors import Message
from gouvernance.inputs import forbidden_character
from gouvernance.spec.schema import ProcessModel

DURATION_SCALE = "echelle_durees"
ROLE_TITLES = "titres_roles"
SCALE_RANGE = (0.25, 4.0)
MAX_TITLE = 120


def settings_problems(model: ProcessModel, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Message]]:
    """The settings in ``raw`` checked and typed, and every problem with them."""
    values: dict[str, Any] = {}
    problems: list[Message] = []
    if DURATION_SCALE in raw and DURATION_SCALE not in model.parameters_by_key:
        scale = _number(raw[DURATION_SCALE])
        low, high = SCALE_RANGE
        if (
            isinstance(scale, bool)
            or not isinstance(scale, int | float)
            or not math.isfinite(scale)
            or not (low <= scale <= high)
        ):
            problems.append(
                Message(
                    "parameter.duration_scale",
                    f"« {DURATION_SCALE} » : « {raw[DURATION_SCALE]} » doit être un nombre entre 0,25 et 4 "
                    "(1 : les durées du modèle ; 1,5 : moitié plus longues)",
                    f"'{DURATION_SCALE}': '{raw[DURATION_SCALE]}' must be a number from 0.25 to 4",
                    path=DURATION_SCALE,
                )
            )
        else:
            values[DURATION_SCALE] = float(scale)
    if ROLE_TITLES in raw and ROLE_TITLES not in model.parameters_by_key:
        titles = raw[ROLE_TITLES]
        if not isinstance(titles, dict):
            problems.append(
                Message(
                    "parameter.role_titles",
                    f"« {ROLE_TITLES} » : un dictionnaire rôle → intitulé est attendu",
                    f"'{ROLE_TITLES}': a role → title mapping is expected",
                    path=ROLE_TITLES,
                )
            )
        else:
            checked = {}
            for role, title in titles.items():
                problem = _title_problem(model, role, title)
                if problem:
                    problems.append(problem)
                else:
                    checked[role] = title.strip()
            values[ROLE_TITLES] = checked
    return values, problems


def _title_problem(model: ProcessModel, role: Any, title: Any) -> Message | None:
    path = f"{ROLE_TITLES}.{role}"
    if role not in model.roles_by_key:
        known = ", ".join(model.roles_by_key)
        return Message(
            "parameter.role_unknown",
            f"« {ROLE_TITLES} » : rôle inconnu « {role} » (rôles du modèle : {known})",
            f"'{ROLE_TITLES}': unknown role '{role}' (the model's roles: {known})",
            path=path,
        )
    if (
        not isinstance(title, str)
        or not title.strip()
        or len(title) > MAX_TITLE
        or forbidden_character(title)
    ):
        return Message(
            "parameter.role_title",
            f"« {ROLE_TITLES} » : l'intitulé du rôle « {role} » doit être un texte d'une ligne de 1 à "
            f"{MAX_TITLE} caractères",
            f"'{ROLE_TITLES}': the title of role '{role}' must be one line of 1 to {MAX_TITLE} characters",
            path=path,
        )
    return None


def duration_of(parameters: dict[str, Any] | None, duration: timedelta) -> timedelta:
    """A step's duration for this engagement: the template's, times its scale."""
    scale = (parameters or {}).get(DURATION_SCALE, 1.0)
    return duration * scale if scale != 1.0 else duration


def role_title(model: ProcessModel, parameters: dict[str, Any] | None, role: str, lang: str = "fr") -> str:
    """How this engagement names ``role``: its organisation's title if it gave one, else the template's."""
    own = ((parameters or {}).get(ROLE_TITLES) or {}).get(role)
    return str(own) if own else model.role_title(role, lang)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return value
    return value
