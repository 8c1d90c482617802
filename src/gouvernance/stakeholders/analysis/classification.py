"""Where a stakeholder stands: Mendelow's quadrant (power × interest) and Mitchell, Agle & Wood's
salience class (power, legitimacy, urgency); key players are those to manage closely."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from gouvernance.errors import InvalidInput, Message
from gouvernance.stakeholders.records import SCORE_MAX, SCORE_MIN
from gouvernance.stakeholders.vocabulary import (
    SALIENCE_CLASS_BY_ATTRIBUTES,
    Quadrant,
    SalienceAttribute,
    SalienceClass,
)

# out of five in the top half and crowd « gérer étroitement » with middling stakeholders. High is 4 or 5
# (or, for averaged scores, 3.5 and above).
HIGH_SCORE_THRESHOLD = 3.5
# The engagement's own threshold, a launch setting every engagement accepts (stored with its parameters).
THRESHOLD_SETTING = "seuil_mendelow"


def threshold_problem(value: Any) -> Message | None:
    """Why ``value`` cannot be a Mendelow threshold (a number strictly between the ends of the scale)."""
    if (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and SCORE_MIN < value < SCORE_MAX
    ):
        return None
    return Message(
        "stakeholders.threshold_out_of_range",
        f"« {THRESHOLD_SETTING} » : « {value} » doit être un nombre strictement compris entre {SCORE_MIN} et "
        f"{SCORE_MAX} (par exemple 3,5 : 4 et 5 sont élevés ; 3 : 3, 4 et 5 le sont).",
        f"'{THRESHOLD_SETTING}': '{value}' must be a number strictly between {SCORE_MIN} and {SCORE_MAX} "
        "(e.g. 3.5: 4 and 5 are high; 3: 3, 4 and 5 are).",
        THRESHOLD_SETTING,
        {"value": str(value), "min": SCORE_MIN, "max": SCORE_MAX},
    )


def threshold_of(parameters: Mapping[str, Any] | None) -> float:
    """The engagement's Mendelow threshold: its launch setting, or the default."""
    value = (parameters or {}).get(THRESHOLD_SETTING)
    return HIGH_SCORE_THRESHOLD if value is None or threshold_problem(value) else float(value)


def mendelow_quadrant(power: float, interest: float, threshold: float = HIGH_SCORE_THRESHOLD) -> Quadrant:
    """Mendelow's strategy for a stakeholder from power and interest (1 to 5): a score at or above
    ``threshold`` is high (by default 4 and 5)."""
    for value, fr, en in ((power, "Pouvoir", "Power"), (interest, "Intérêt", "Interest")):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not SCORE_MIN <= value <= SCORE_MAX
        ):
            raise InvalidInput(
                Message(
                    "stakeholders.score_out_of_range",
                    f"{fr} : « {value} » doit être compris entre {SCORE_MIN} et {SCORE_MAX}.",
                    f"{en}: '{value}' must be between {SCORE_MIN} and {SCORE_MAX}.",
                    en.lower(),
                )
            )
    high_power, high_interest = power >= threshold, interest >= threshold
    if high_power:
        return Quadrant.gerer_etroitement if high_interest else Quadrant.satisfaire
    return Quadrant.informer if high_interest else Quadrant.surveiller


def mitchell_class(attributes: Iterable[SalienceAttribute | str]) -> SalienceClass:
    """Mitchell, Agle & Wood's class from the salience attributes held (pouvoir, légitimité, urgence)."""
    held: set[SalienceAttribute] = set()
    for value in attributes:
        try:
            held.add(SalienceAttribute(value))
        except ValueError:
            raise InvalidInput(
                Message(
                    "stakeholders.unknown_value",
                    f"Saillance : « {value} » n'est pas un attribut (pouvoir, légitimité, urgence).",
                    f"Salience: '{value}' is not an attribute (power, legitimacy, urgency).",
                    "salience",
                )
            ) from None
    return SALIENCE_CLASS_BY_ATTRIBUTES[frozenset(held)]


def is_key_player(quadrant: Quadrant, salience_class: SalienceClass) -> bool:
    """To be managed closely: high power and high interest, or all three salience attributes."""
    return quadrant is Quadrant.gerer_etroitement or salience_class is SalienceClass.definitive
