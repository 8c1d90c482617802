"""What the seven deliverables of a participatory budget share: readers of the ``budget`` context (filled by
``gouvernance.budget.deliverable_context``, or by hand) and of the launch parameters, with French wording for
what is missing.

The context::

    parameters: {enveloppe_eur, plafond_projet_eur, population, perimetre, numero_edition,
                 avec_plateforme_numerique}
    budget:
      as_of: "2027-03-12"              # the day the documents are as of
      proposals: [{number, title, description, district, estimated_cost, status, status_label, reason,
                   votes: {en_ligne: 812, urne: 240}}]
      vote: {closed_on, envelope, results: [{number, title, cost, votes, by_channel, won}]} | None
      calendar: [{stage, step, due}]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    Context,
    evidence_section,
    first,
    header,
    is_blank,
    items,
    mapping,
    money,
    table,
    text,
    typo,
)
from gouvernance.deliverables.french import (
    as_decimal,
    format_date,
    format_euros,
    format_number,
    parse_temporal,
)
from gouvernance.deliverables.model import Section, Table

DEPOSEE = "deposee"
RECEVABLE = "recevable"
IRRECEVABLE = "irrecevable"
FAISABLE = "faisable"
NON_FAISABLE = "non_faisable"
SOUMISE_AU_VOTE = "soumise_au_vote"
LAUREATE = "laureate"
NON_RETENUE = "non_retenue"
REALISEE = "realisee"

STATUS_LABELS = {
    DEPOSEE: "déposée",
    RECEVABLE: "recevable",
    IRRECEVABLE: "irrecevable",
    FAISABLE: "faisable",
    NON_FAISABLE: "non faisable",
    SOUMISE_AU_VOTE: "soumise au vote",
    LAUREATE: "lauréate",
    NON_RETENUE: "non retenue",
    REALISEE: "réalisée",
}
# The statuses a proposal has when it went past each decision.
PAST_RECEVABILITE = frozenset(
    {RECEVABLE, FAISABLE, NON_FAISABLE, SOUMISE_AU_VOTE, LAUREATE, NON_RETENUE, REALISEE}
)
PAST_FAISABILITE = frozenset({FAISABLE, SOUMISE_AU_VOTE, LAUREATE, NON_RETENUE, REALISEE})
PUT_TO_VOTE = frozenset({SOUMISE_AU_VOTE, LAUREATE, NON_RETENUE, REALISEE})
WINNERS = frozenset({LAUREATE, REALISEE})

CHANNELS = {"en_ligne": "En ligne", "urne": "Urne"}
NO_DISTRICT = "Quartier non précisé"


def budget_header(context: Context, *, default_title: str, clock: Clock | None) -> dict[str, Any]:
    """The common header, saying who or what is missing rather than leaving a placeholder."""
    filled = dict(context)
    if is_blank(filled.get("author")):
        filled["author"] = "rédacteur non renseigné"
    # A missing territory is named by ``header`` itself (« Collectivité non renseignée »).
    engagement = mapping(filled, "engagement")
    if is_blank(engagement.get("reference")):
        filled["engagement"] = {**engagement, "reference": "référence non attribuée"}
    return header(filled, default_title=default_title, clock=clock)


def budget_evidence(context: Context) -> Section | None:
    """The evidence annex, each piece saying what it is even when the context does not."""
    pieces = []
    for item in items(context.get("evidence")):
        piece = dict(item) if isinstance(item, Mapping) else {"title": text(item, "pièce sans titre")}
        piece["title"] = text(first(piece, "title", "name"), "pièce sans titre")
        piece["kind"] = text(piece.get("kind"), "nature non précisée")
        pieces.append(piece)
    return evidence_section({"evidence": pieces})


def budget_of(context: Context) -> Mapping[str, Any]:
    return mapping(context, "budget")


def parameters_of(context: Context) -> Mapping[str, Any]:
    return mapping(context, "parameters")


def as_of(context: Context, generated_at: datetime) -> str:
    """'12 mars 2027': the day the figures are as of, else the document's own day."""
    parsed = parse_temporal(first(budget_of(context), "as_of"))
    return format_date(parsed if parsed is not None else generated_at)


def proposals_of(context: Context) -> list[Mapping[str, Any]]:
    return [item for item in items(budget_of(context).get("proposals")) if isinstance(item, Mapping)]


def status_of(proposal: Mapping[str, Any]) -> str:
    return str(proposal.get("status") or DEPOSEE)


def status_label(proposal: Mapping[str, Any]) -> str:
    return text(proposal.get("status_label"), STATUS_LABELS.get(status_of(proposal), status_of(proposal)))


def number_of(proposal: Mapping[str, Any]) -> str:
    return f"n° {text(proposal.get('number'), '?')}"


def title_of(proposal: Mapping[str, Any]) -> str:
    return text(proposal.get("title"), "proposition sans titre")


def district_of(proposal: Mapping[str, Any]) -> str:
    return text(first(proposal, "district", "quartier"), NO_DISTRICT)


def cost_of(proposal: Mapping[str, Any]) -> Decimal | None:
    return as_decimal(first(proposal, "estimated_cost", "cost"))


def cost_text(proposal: Mapping[str, Any]) -> str:
    return money(first(proposal, "estimated_cost", "cost"), "coût non estimé")


def votes_of(proposal: Mapping[str, Any]) -> dict[str, int]:
    """Votes per channel: a proposal's ``votes`` or a closed vote's result's ``by_channel``."""
    votes = proposal.get("by_channel")
    if not isinstance(votes, Mapping):
        votes = proposal.get("votes")
    if not isinstance(votes, Mapping):
        return {}
    return {str(channel): int(count) for channel, count in votes.items() if isinstance(count, int)}


def amount(parameters: Mapping[str, Any], key: str) -> Decimal | None:
    return as_decimal(parameters.get(key))


def envelope_of(context: Context) -> Decimal | None:
    vote = mapping(budget_of(context), "vote")
    return as_decimal(vote.get("envelope")) or amount(parameters_of(context), "enveloppe_eur")


def ceiling_of(context: Context) -> Decimal | None:
    return amount(parameters_of(context), "plafond_projet_eur")


def euros_or(value: Decimal | None, missing: str) -> str:
    return format_euros(value) if value is not None else missing


def status_counts(proposals: list[Mapping[str, Any]]) -> Counter[str]:
    return Counter(status_of(proposal) for proposal in proposals)


def plural(count: int, singular: str, plural_: str | None = None) -> str:
    """'1 idée', '12 idées', '0 idée'."""
    word = singular if count <= 1 else (plural_ or singular + "s")
    return f"{format_number(count)} {word}"


def percent(part: int | Decimal, whole: int | Decimal) -> str:
    """'42 %' (rounded to the unit), '–' when the whole is zero."""
    if not whole:
        return "–"
    return f"{format_number(round(Decimal(part) * 100 / Decimal(whole)))}\u00a0%"


def closed_vote_of(context: Context) -> Mapping[str, Any] | None:
    vote = budget_of(context).get("vote")
    return vote if isinstance(vote, Mapping) and items(vote.get("results")) else None


def results_of(context: Context) -> list[Mapping[str, Any]]:
    vote = closed_vote_of(context)
    if vote is None:
        return []
    return [item for item in items(vote.get("results")) if isinstance(item, Mapping)]


def budget_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, widths: list[int] | None = None
) -> Table:
    """A table whose cells follow French typography ('n° 3', '12 500 €'); with no rows, one saying so."""
    body = [[typo(cell) for cell in row] for row in rows]
    if not body:
        body = [["aucune donnée", *["–"] * (len(headers) - 1)]]
    return table(headers, body, widths=widths)
