"""A territory's code must be the kind of code its kind has: a commune its 5-character INSEE code (2A/2B for
Corsica), an EPCI its 9-digit SIREN, a département and a région their INSEE codes. ``--kind region --insee
45234`` is a commune's code given to a région: refused, saying which code is expected."""

from __future__ import annotations

import re

from gouvernance.errors import Message

# The régions' INSEE codes since 2016 (COG), overseas included.
REGION_CODES = frozenset(
    {
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }
)
_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "commune": (
        re.compile(r"(?:\d{2}|2[AB])\d{3}"),
        "un code INSEE de commune à 5 caractères (ex. 45284, 2A004)",
    ),
    "epci": (re.compile(r"\d{9}"), "un numéro SIREN à 9 chiffres (ex. 244500468)"),
    "departement": (
        re.compile(r"0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6]"),
        "un code de département (01 à 95, 2A, 2B, 971 à 976)",
    ),
    "region": (
        re.compile("|".join(sorted(REGION_CODES))),
        "un code INSEE de région à 2 chiffres (ex. 24, 84)",
    ),
    "autre": (re.compile(r"[0-9A-Za-z]{1,10}"), "un code de 1 à 10 lettres ou chiffres"),
}
_KIND_NAMES = {
    "commune": "une commune",
    "epci": "un EPCI",
    "departement": "un département",
    "region": "une région",
    "autre": "ce territoire",
}


def code_problem(kind: str, code: str | None) -> Message | None:
    """Why ``code`` is not a code of a territory of ``kind``, naming what it looks like instead; None when
    it is one (or when there is no code)."""
    if code is None or kind not in _PATTERNS:
        return None
    pattern, expected = _PATTERNS[kind]
    if pattern.fullmatch(code):
        return None
    looks_like = next(
        (other for other, (p, _) in _PATTERNS.items() if other not in (kind, "autre") and p.fullmatch(code)),
        None,
    )
    hint = f" (c'est le code d'{_KIND_NAMES[looks_like]})" if looks_like else ""
    return Message(
        "territory.code_mismatch",
        f"code « {code} » invalide pour {_KIND_NAMES[kind]}{hint} ; attendu : {expected}",
        f"code '{code}' is not valid for a territory of kind '{kind}'"
        + (f" (it looks like a {looks_like} code)" if looks_like else ""),
        path="territory.insee",
        details={"kind": kind, "code": code, "looks_like": looks_like},
    )
