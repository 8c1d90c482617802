"""Synthèse de la concertation: the consultations logged (dates, methods, participants counted by category),
what was said at each (its notes and outcome) and the diagnostic findings drawn from it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    capitalised,
    date_text,
    evidence_section,
    field,
    first,
    header,
    items,
    key_values,
    paragraph,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Section

KIND = "synthese_concertation"


class CategoryCount(TypedDict, total=False):
    category: str
    count: int


class ConsultationLogContext(TypedDict, total=False):
    id: int
    step_key: str
    date: str
    method: str  # French label: « Atelier »
    step: str
    stage: str
    participants: int
    by_category: list[CategoryCount]
    notes: str  # what was said
    outcome: str


class FindingContext(TypedDict, total=False):
    kind: str  # « besoin », « atout », « point critique », « projet en cours »
    title: str
    detail: str
    consultation_ids: list[int]


class SyntheseContext(CommonContext, total=False):
    """Context for ``synthese_concertation`` (all keys optional)."""

    consultations: list[ConsultationLogContext]
    constats: list[FindingContext]
    produced_by: list[str]  # keys of the steps that produce this summary: their consultations come first


NO_CONSULTATION = "Aucune consultation n'est encore inscrite au journal de la démarche"


def build_synthese_concertation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Synthèse de la concertation", clock=clock)
    consultations = items(context.get("consultations"))
    findings = _findings_by_consultation(items(context.get("constats")))
    sections = with_optional(
        [
            _purpose(consultations, territory_phrase(fields["territory"])),
            _overview(consultations),
            *_detail(consultations, findings, items(context.get("produced_by"))),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _findings_by_consultation(findings: list[Any]) -> dict[int, list[Any]]:
    linked: dict[int, list[Any]] = defaultdict(list)
    for finding in findings:
        for consultation_id in items(first(finding, "consultation_ids")):
            if isinstance(consultation_id, int):
                linked[consultation_id].append(finding)
    return linked


def _purpose(consultations: list[Any], place: str) -> Section:
    blocks: list[Block] = [
        paragraph(
            f"La présente synthèse rend compte des temps de concertation de la démarche de gouvernance "
            f"partagée de {place} : qui a été entendu, comment, et ce qui a été dit. Elle prépare la "
            "restitution publique : « ce que nous avons entendu, ce que nous en faisons »."
        )
    ]
    if not consultations:
        blocks.append(
            paragraph(
                f"{NO_CONSULTATION} : la synthèse sera établie après le premier temps d'échange.", note=True
            )
        )
        return Section(heading="Objet de la synthèse", blocks=blocks)
    total = sum(_count(first(c, "participants")) for c in consultations)
    first_day = date_text(first(consultations[0], "date"), "date non renseignée")
    last_day = date_text(first(consultations[-1], "date"), "date non renseignée")
    span = f"le {first_day}" if first_day == last_day else f"du {first_day} au {last_day}"
    blocks.append(
        paragraph(
            f"{len(consultations)} temps de concertation se sont tenus {span}, "
            f"totalisant {total} participation{'s' if total > 1 else ''} de parties prenantes."
        )
    )
    return Section(heading="Objet de la synthèse", blocks=blocks)


def _by_category(consultation: Any) -> str:
    counts = [
        f"{field(entry, 'category', default='–').lower()} ({text(first(entry, 'count'), '–')})"
        for entry in items(first(consultation, "by_category"))
    ]
    return ", ".join(counts) if counts else "répartition par catégorie non renseignée"


def _overview(consultations: list[Any]) -> Section:
    rows = [
        [
            date_text(first(c, "date"), "date non renseignée"),
            capitalised(field(c, "method", default="modalité non renseignée")),
            field(c, "step", default="étape non renseignée"),
            f"{_count(first(c, 'participants'))} : {_by_category(c)}",
        ]
        for c in consultations
    ]
    return Section(
        heading="Les temps de concertation",
        blocks=[
            table(
                ["Date", "Modalité", "Étape de la démarche", "Participants par catégorie"],
                rows,
                widths=[2, 2, 4, 5],
                missing=NO_CONSULTATION,
            )
        ],
    )


def _heading(consultation: Any) -> str:
    method = capitalised(field(consultation, "method", default="Consultation"))
    day = date_text(first(consultation, "date"), "date non renseignée")
    return f"{method} du {day} — {field(consultation, 'step', default='étape non renseignée')}"


def _detail(
    consultations: list[Any], findings: dict[int, list[Any]], featured_steps: list[Any]
) -> list[Section | None]:
    """What was said: first at the step that produces this summary (the citizen workshop), then elsewhere."""
    if not consultations:
        return []
    featured = [c for c in consultations if first(c, "step_key") in featured_steps]
    others = [c for c in consultations if c not in featured]
    if not featured:
        return [Section(heading="Ce qui a été dit", subsections=_said(others, findings))]
    step = field(featured[0], "step", default="étape non renseignée")
    return [
        Section(heading=f"Ce qui a été dit à l'étape « {step} »", subsections=_said(featured, findings)),
        Section(
            heading="Ce qui a été dit lors des autres temps de concertation",
            subsections=_said(others, findings),
        )
        if others
        else None,
    ]


def _said(consultations: list[Any], findings: dict[int, list[Any]]) -> list[Section]:
    subsections = []
    for consultation in consultations:
        linked = (
            findings.get(first(consultation, "id"), []) if isinstance(first(consultation, "id"), int) else []
        )
        blocks: list[Block] = [
            key_values(
                [
                    ("Phase", field(consultation, "stage", default="non renseignée")),
                    (
                        "Participants",
                        f"{_count(first(consultation, 'participants'))} : {_by_category(consultation)}",
                    ),
                ]
            ),
            paragraph("Ce qui a été dit :"),
            paragraph(first(consultation, "notes"), "Aucune note n'a été consignée pour ce temps d'échange."),
            paragraph("Suites et enseignements :"),
            paragraph(
                first(consultation, "outcome"), "Aucune suite n'a été consignée pour ce temps d'échange."
            ),
        ]
        if linked:
            blocks.append(paragraph("Constats du diagnostic qui en sont issus :"))
            blocks.append(bullets([_finding_line(finding) for finding in linked]))
        subsections.append(Section(heading=_heading(consultation), blocks=blocks))
    return subsections


def _finding_line(finding: Any) -> str:
    kind = field(finding, "kind", default="constat")
    title = field(finding, "title", default="constat sans intitulé")
    detail = text(first(finding, "detail"), "")
    return f"{kind[0].upper()}{kind[1:]} : {title}" + (f" — {detail}" if detail else "")


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
