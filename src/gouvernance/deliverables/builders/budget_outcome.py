"""The participatory budget from the vote on: the results (``resultats_vote``), the tracker of the winning
projects' delivery (``tableau_suivi_realisation``) and the review of the whole edition in figures
(``bilan_budget_participatif``). The context is described in ``budget_common``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.budget_common import (
    CHANNELS,
    IRRECEVABLE,
    NON_FAISABLE,
    PUT_TO_VOTE,
    REALISEE,
    STATUS_LABELS,
    WINNERS,
    as_of,
    budget_evidence,
    budget_header,
    budget_table,
    closed_vote_of,
    cost_of,
    cost_text,
    district_of,
    envelope_of,
    euros_or,
    number_of,
    parameters_of,
    percent,
    plural,
    proposals_of,
    results_of,
    status_counts,
    status_of,
    title_of,
    votes_of,
)
from gouvernance.deliverables.builders.common import (
    Context,
    bullets,
    date_text,
    key_values,
    paragraph,
    with_optional,
)
from gouvernance.deliverables.french import as_decimal, format_euros, format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Section

_STATUS_ORDER = {status: index for index, status in enumerate(STATUS_LABELS)}
NOT_RETAINED = "non retenu (coût au-delà du reste de l'enveloppe)"


@dataclass(frozen=True)
class Tally:
    """The vote in figures: voices per channel, and the winners' cost against the envelope."""

    by_channel: dict[str, int]
    winners_cost: Decimal
    envelope: Decimal | None

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    @property
    def remainder(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.winners_cost


def tally(context: Context) -> Tally | None:
    """From the closed vote's results; None while the vote is open."""
    results = results_of(context)
    if not results:
        return None
    by_channel = {channel: 0 for channel in CHANNELS}
    for result in results:
        for channel, count in votes_of(result).items():
            by_channel[channel] = by_channel.get(channel, 0) + count
    winners_cost = sum((cost_of(result) or Decimal(0) for result in results if result.get("won")), Decimal(0))
    return Tally(by_channel, winners_cost, envelope_of(context))


def build_resultats_vote(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(context, default_title="Résultats du vote", clock=clock)
    day = as_of(context, fields["generated_at"])
    results = results_of(context)
    figures = tally(context)
    if figures is None:
        sections = [Section(heading="Résultats", blocks=_open_vote(context, day))]
    else:
        vote = closed_vote_of(context) or {}
        closed_on = date_text(vote.get("closed_on"), "date de clôture non enregistrée")
        winners = [result for result in results if result.get("won")]
        sections = [
            Section(
                heading="Synthèse",
                blocks=[
                    paragraph(
                        f"Vote clos le {closed_on}. "
                        f"{plural(figures.total, 'voix exprimée', 'voix exprimées')} "
                        f"pour {plural(len(results), 'projet')} ; "
                        f"{plural(len(winners), 'projet lauréat', 'projets lauréats')}."
                    ),
                    key_values(_participation(figures, parameters_of(context))),
                ],
            ),
            Section(
                heading="Voix par projet et par canal",
                blocks=[
                    budget_table(
                        ["Rang", "N°", "Projet", "Coût", "En ligne", "Urne", "Total", "Résultat"],
                        [
                            [
                                str(rank),
                                number_of(result),
                                title_of(result),
                                cost_text(result),
                                *_channel_cells(result),
                                format_number(sum(votes_of(result).values())),
                                "lauréat" if result.get("won") else NOT_RETAINED,
                            ]
                            for rank, result in enumerate(results, start=1)
                        ],
                        widths=[1, 1, 4, 2, 2, 2, 2, 3],
                    ),
                    budget_table(
                        ["Canal", "Voix", "Part"],
                        [
                            [
                                label,
                                format_number(figures.by_channel.get(channel, 0)),
                                percent(figures.by_channel.get(channel, 0), figures.total),
                            ]
                            for channel, label in CHANNELS.items()
                        ]
                        + [["Total", format_number(figures.total), percent(figures.total, figures.total)]],
                        widths=[2, 1, 1],
                    ),
                ],
            ),
            Section(heading="Projets lauréats et enveloppe", blocks=_winners(winners, figures)),
        ]
    return DeliverableDocument(
        kind="resultats_vote",
        sections=with_optional([*sections, budget_evidence(context)]),
        orientation="landscape",
        **fields,
    )


def build_tableau_suivi(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(
        context, default_title="Tableau de suivi de la réalisation des projets", clock=clock
    )
    day = as_of(context, fields["generated_at"])
    laureates = [p for p in proposals_of(context) if status_of(p) in WINNERS]
    if not laureates:
        reason = (
            "le vote est clos sans projet lauréat"
            if closed_vote_of(context) is not None
            else "le vote n'est pas encore clos"
        )
        blocks: list[Block] = [paragraph(f"Aucun projet lauréat au {day} : {reason}.")]
    else:
        done = [p for p in laureates if status_of(p) == REALISEE]
        voted = sum((cost_of(p) or Decimal(0) for p in laureates), Decimal(0))
        delivered = sum((cost_of(p) or Decimal(0) for p in done), Decimal(0))
        blocks = [
            paragraph(
                f"Au {day}, {plural(len(done), 'projet réalisé', 'projets réalisés')} sur "
                f"{plural(len(laureates), 'projet lauréat', 'projets lauréats')} "
                f"({percent(len(done), len(laureates))})."
            ),
            key_values(
                [
                    ("Coût voté des projets lauréats", format_euros(voted)),
                    ("dont projets réalisés", format_euros(delivered)),
                    ("dont projets à réaliser", format_euros(voted - delivered)),
                ]
            ),
            budget_table(
                ["N°", "Projet", "Quartier", "Coût voté", "Avancement"],
                [
                    [
                        number_of(p),
                        title_of(p),
                        district_of(p),
                        cost_text(p),
                        "réalisé et réceptionné"
                        if status_of(p) == REALISEE
                        else "lauréat, en cours de réalisation",
                    ]
                    for p in laureates
                ],
                widths=[1, 4, 2, 2, 3],
            ),
            paragraph(
                "L'avancement suit l'état de chaque projet dans le moteur (lauréat, puis réalisé à sa "
                "réception) ; le coût indiqué est le coût estimé soumis au vote. Le coût réel et les étapes "
                "intermédiaires des travaux ne sont pas enregistrés.",
                note=True,
            ),
        ]
    return DeliverableDocument(
        kind="tableau_suivi_realisation",
        sections=with_optional(
            [Section(heading="Projets lauréats", blocks=blocks), budget_evidence(context)]
        ),
        **fields,
    )


def build_bilan(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(context, default_title="Bilan de l'édition", clock=clock)
    day = as_of(context, fields["generated_at"])
    proposals = proposals_of(context)
    counts = status_counts(proposals)
    figures = tally(context)
    parameters = parameters_of(context)
    envelope = envelope_of(context)
    status_rows = [
        [STATUS_LABELS.get(status, status), format_number(count), percent(count, len(proposals))]
        for status, count in sorted(counts.items(), key=lambda pair: _STATUS_ORDER.get(pair[0], 99))
    ]
    put_to_vote = sum(1 for p in proposals if status_of(p) in PUT_TO_VOTE)
    proposals_blocks: list[Block] = (
        [
            paragraph(
                f"{plural(len(proposals), 'idée déposée', 'idées déposées')} ; "
                f"{plural(put_to_vote, 'projet soumis', 'projets soumis')} au vote. "
                f"Statut de chaque idée au {day} :"
            ),
            budget_table(["Statut", "Idées", "Part"], status_rows, widths=[3, 1, 1]),
        ]
        if proposals
        else [paragraph(f"Aucune idée déposée au {day}.")]
    )
    if figures is None:
        vote_blocks: list[Block] = [paragraph(f"Le vote n'est pas clos au {day} : aucun résultat arrêté.")]
        envelope_blocks: list[Block] = [
            paragraph(
                f"Enveloppe de {euros_or(envelope, 'montant non fixé')} ; aucun projet lauréat au {day}."
            )
        ]
    else:
        vote_blocks = [key_values(_participation(figures, parameters))]
        laureates = [p for p in proposals if status_of(p) in WINNERS]
        done = [p for p in laureates if status_of(p) == REALISEE]
        envelope_blocks = [
            key_values(
                [
                    ("Enveloppe", euros_or(envelope, "montant non fixé")),
                    ("Affectée aux projets lauréats", format_euros(figures.winners_cost)),
                    ("Part de l'enveloppe utilisée", percent(figures.winners_cost, envelope or 0)),
                    ("Reliquat non affecté", euros_or(figures.remainder, "non calculable sans enveloppe")),
                    ("Projets lauréats", format_number(len(laureates))),
                    (
                        "Projets réalisés",
                        f"{format_number(len(done))} ({percent(len(done), len(laureates))})",
                    ),
                ]
            )
        ]
    sections = [
        Section(
            heading="L'édition en bref",
            blocks=[
                paragraph(
                    f"Bilan établi au {day} pour l'édition "
                    f"{_edition_number(parameters.get('numero_edition'))} du budget participatif."
                )
            ],
        ),
        Section(heading="Idées et projets", blocks=proposals_blocks),
        Section(heading="Participation au vote", blocks=vote_blocks),
        Section(heading="Enveloppe et réalisation", blocks=envelope_blocks),
        Section(heading="Enseignements", blocks=[bullets(_lessons(proposals, figures, envelope))]),
    ]
    return DeliverableDocument(
        kind="bilan_budget_participatif",
        sections=with_optional([*sections, budget_evidence(context)]),
        **fields,
    )


# --- helpers ----------------------------------------------------------------------------------------------


def _open_vote(context: Context, day: str) -> list[Block]:
    """While the vote is open: the counts recorded so far, or what is missing."""
    in_vote = [p for p in proposals_of(context) if status_of(p) in PUT_TO_VOTE]
    counted = [p for p in in_vote if votes_of(p)]
    if not counted:
        return [paragraph(f"Aucun vote enregistré au {day} : le vote n'est pas clos.")]
    return [
        paragraph(f"Le vote n'est pas clos au {day} : décompte provisoire des voix déjà enregistrées."),
        budget_table(
            ["N°", "Projet", "En ligne", "Urne", "Total"],
            [
                [number_of(p), title_of(p), *_channel_cells(p), format_number(sum(votes_of(p).values()))]
                for p in in_vote
            ],
            widths=[1, 5, 2, 2, 2],
        ),
    ]


def _channel_cells(record: Mapping[str, Any]) -> list[str]:
    votes = votes_of(record)
    return [format_number(votes[channel]) if channel in votes else "non dépouillé" for channel in CHANNELS]


def _participation(figures: Tally, parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = [
        ("Voix exprimées", format_number(figures.total)),
        *[
            (
                f"dont {label.lower()}",
                f"{format_number(figures.by_channel.get(channel, 0))} "
                f"({percent(figures.by_channel.get(channel, 0), figures.total)})",
            )
            for channel, label in CHANNELS.items()
        ],
    ]
    population = as_decimal(parameters.get("population"))
    if population:
        pairs.append(
            ("Voix pour 100 habitants", format_number(round(Decimal(figures.total) * 100 / population, 1)))
        )
    pairs.append(
        (
            "Nombre de votants",
            "non enregistré : les voix sont comptées par projet, un votant peut en donner plusieurs",
        )
    )
    return pairs


def _winners(winners: list[Mapping[str, Any]], figures: Tally) -> list[Block]:
    if not winners:
        return [paragraph("Aucun projet ne tient dans l'enveloppe : aucun lauréat.")]
    blocks: list[Block] = [
        budget_table(
            ["N°", "Projet lauréat", "Voix", "Coût"],
            [
                [number_of(w), title_of(w), format_number(sum(votes_of(w).values())), cost_text(w)]
                for w in winners
            ],
            widths=[1, 5, 2, 2],
        ),
        key_values(
            [
                ("Enveloppe", euros_or(figures.envelope, "montant non fixé")),
                ("Coût des projets lauréats", format_euros(figures.winners_cost)),
                ("Reliquat", euros_or(figures.remainder, "non calculable sans enveloppe")),
            ]
        ),
    ]
    return blocks


def _edition_number(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return f"n° {value}"
    return "(numéro non renseigné)"


def _lessons(
    proposals: list[Mapping[str, Any]], figures: Tally | None, envelope: Decimal | None
) -> list[str]:
    """What the figures say, in sentences a comité de suivi can discuss."""
    if not proposals:
        return ["Aucune idée n'a été déposée : la mobilisation des habitants est à reprendre entièrement."]
    counts = status_counts(proposals)
    lessons = []
    refused = counts[IRRECEVABLE] + counts[NON_FAISABLE]
    if refused:
        lessons.append(
            f"{percent(refused, len(proposals))} des idées ont été écartées "
            f"({format_number(counts[IRRECEVABLE])} irrecevables, "
            f"{format_number(counts[NON_FAISABLE])} non faisables ; motifs publiés dans le rapport "
            "d'analyse) : des ateliers d'aide au dépôt peuvent mieux faire connaître les critères."
        )
    else:
        lessons.append("Aucune idée n'a été écartée : les critères du règlement étaient bien compris.")
    districts = Counter(district_of(p) for p in proposals)
    lessons.append(
        "Répartition des idées : "
        + ", ".join(f"{district} ({count})" for district, count in sorted(districts.items()))
        + "."
    )
    if figures is not None and figures.total:
        online = figures.by_channel.get("en_ligne", 0)
        lessons.append(
            f"Le vote en ligne représente {percent(online, figures.total)} des voix, l'urne "
            f"{percent(figures.total - online, figures.total)} : "
            + (
                "les deux canaux restent nécessaires."
                if 0 < online < figures.total
                else "un seul canal a servi."
            )
        )
        if figures.remainder is not None and figures.remainder > 0 and envelope:
            lessons.append(
                f"Un reliquat de {format_euros(figures.remainder)} "
                f"({percent(figures.remainder, envelope)} de l'enveloppe) n'a pas été affecté : "
                "il peut abonder l'édition suivante."
            )
    elif figures is None:
        lessons.append("Le vote n'étant pas clos, la participation ne peut pas encore être analysée.")
    return lessons
