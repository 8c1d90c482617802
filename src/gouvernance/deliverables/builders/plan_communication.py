"""Plan de communication: how the approach, once conceived among the élus, is made known to residents and
partners — each action with its audience, channel, period, owner, status and budget, in date order, then the
channels used and the budget they take."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    date_text,
    field,
    first,
    header,
    items,
    key_values,
    money,
    paragraph,
    table,
)
from gouvernance.deliverables.french import as_decimal, format_euros, parse_temporal
from gouvernance.deliverables.model import Block, DeliverableDocument, Section
from gouvernance.messages import plural

KIND = "plan_communication"


class CommunicationActionContext(TypedDict, total=False):
    title: str
    public: str
    canal: str
    debut: date | str
    fin: date | str | None
    porteur: str
    statut: str
    annulee: bool
    budget: float | str | None
    message: str | None


class PlanCommunicationContext(CommonContext, total=False):
    """Context for ``plan_communication`` (all keys optional). ``actions`` given as a list, even empty, is
    what the engine knows; missing altogether, the table is left for the consultant to fill in."""

    contexte: str
    actions: list[CommunicationActionContext]


def build_plan_communication(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Plan de communication", clock=clock)
    registered = isinstance(context.get("actions"), list)
    actions = sorted(items(context.get("actions")), key=_when)
    sections = [
        _stakes(context),
        _actions(actions, registered),
        _messages(actions),
        _channels(actions, registered),
        _budget(actions, registered),
    ]
    return DeliverableDocument(kind=KIND, sections=[s for s in sections if s is not None], **fields)


def _when(action: Any) -> tuple[int, str]:
    start = parse_temporal(first(action, "debut"))
    return (0, start.isoformat()) if start is not None else (1, "")


def _period(action: Any) -> str:
    start, end = first(action, "debut"), first(action, "fin")
    if start and end:
        return f"du {date_text(start)} au {date_text(end)}"
    return date_text(start, default="date non fixée")


def _stakes(context: Context) -> Section:
    blocks: list[Block] = [
        paragraph(
            "Conçue d'abord entre élus, la démarche de gouvernance partagée est ensuite communiquée "
            "aux habitants et aux partenaires : chacun doit savoir à quoi il est invité, quand et "
            "comment il peut donner son avis, être consulté, voire participer à la décision."
        ),
        paragraph(
            "Dans les six mois précédant le mois d'une élection générale, la communication "
            "institutionnelle ne peut promouvoir le bilan de l'équipe sortante (article L52-1 du code "
            "électoral) : les actions prévues dans cette période s'en tiennent à l'information sur la "
            "démarche.",
            note=True,
        ),
    ]
    if context.get("contexte"):
        blocks.insert(1, paragraph(context["contexte"]))
    return Section(heading="Enjeux", blocks=blocks)


def _actions(actions: list[Any], registered: bool) -> Section:
    rows = [
        [
            _period(action),
            field(action, "title", "name", default="action sans intitulé"),
            field(action, "public", default="public non précisé"),
            field(action, "canal", default="canal non précisé"),
            field(action, "porteur", default="porteur non désigné"),
            field(action, "statut", default="–"),
            money(first(action, "budget"), default="–"),
        ]
        for action in actions
    ]
    if not rows:
        recorded = "enregistrée" if registered else "renseignée"
        rows = [["–", f"aucune action de communication {recorded}", "–", "–", "–", "–", "–"]]
    return Section(
        heading="Actions de communication",
        blocks=[
            table(
                ["Période", "Action", "Public", "Canal", "Porteur", "Statut", "Budget"],
                rows,
                widths=[3, 4, 3, 2, 2, 2, 2],
            )
        ],
    )


def _messages(actions: list[Any]) -> Section | None:
    described = [action for action in actions if first(action, "message")]
    if not described:
        return None
    return Section(
        heading="Messages",
        blocks=[
            key_values(
                [
                    (field(action, "title", default="Action sans intitulé"), field(action, "message"))
                    for action in described
                ]
            )
        ],
    )


def _channels(actions: list[Any], registered: bool) -> Section:
    used = Counter(field(action, "canal", default="canal non précisé") for action in actions)
    rows = [[channel, plural(count, "action")] for channel, count in used.most_common()]
    if not rows:
        rows = [["aucun canal retenu", "–"]]
    return Section(heading="Canaux", blocks=[table(["Canal", "Actions"], rows, widths=[3, 1])])


def _budget(actions: list[Any], registered: bool) -> Section:
    live = [action for action in actions if not first(action, "annulee")]
    amounts = [as_decimal(first(action, "budget")) for action in live]
    known = [amount for amount in amounts if amount is not None]
    if known:
        total = format_euros(sum(known, Decimal(0)))
    else:
        total = "aucun budget enregistré pour les actions" if registered else "aucun budget renseigné"
    unpriced = sum(1 for amount in amounts if amount is None)
    blocks: list[Block] = [key_values([("Budget des actions (hors actions annulées)", total)])]
    if known and unpriced:
        blocks.append(paragraph(f"Sans budget renseigné : {plural(unpriced, 'action')}.", note=True))
    return Section(heading="Budget", blocks=blocks)
