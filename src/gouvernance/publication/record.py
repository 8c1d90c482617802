"""The public record read for the outer layers: an engagement's record as JSON-ready data, its feeds and its
open-data package, and an organisation's. Every reader first checks that the engagement is public."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.publication import feeds
from gouvernance.publication.open_data import open_data_zip
from gouvernance.publication.service import (
    PublicEngagement,
    organisation_engagement_ids,
    public_engagement,
    public_engagements,
)
from gouvernance.publication.tables import (
    HASH_ALGORITHM,
    chain_head_rows,
    decision_rows,
    indicator_rows,
    public_tables,
)


def summary(public: PublicEngagement) -> dict[str, Any]:
    engagement = public.engagement
    return {
        "id": engagement.id,
        "organisation": public.organisation_name,
        "territory": {
            "name": engagement.territory_name,
            "kind": engagement.territory_kind,
            "code": engagement.territory_insee,
        },
        "model": {"key": engagement.model_key, "version": engagement.model_version},
        "state": engagement.state,
        "start_date": engagement.start_date,
        "published_at": public.published_at,
    }


def listing(session: Session, *, organisation: str | None = None) -> list[dict[str, Any]]:
    return [summary(public) for public in public_engagements(session, organisation=organisation)]


def engagement_record(
    session: Session, engagement_id: str, *, now: datetime, as_of: date, tz: tzinfo | None = None
) -> dict[str, Any]:
    """Progress by stage, public decisions, public indicators with their measurements and status."""
    public = public_engagement(session, engagement_id)
    tables = public_tables(session, [public], now=now, as_of=as_of, tz=tz)
    indicators = tables["indicateurs"]
    by_indicator: dict[str, list[dict[str, Any]]] = {row["indicateur"]: [] for row in indicators}
    for measurement in tables["mesures"]:
        by_indicator[measurement["indicateur"]].append(
            {"date": measurement["date"], "valeur": measurement["valeur"], "source": measurement["source"]}
        )
    engagement_row = tables["accompagnements"][0]
    return {
        **summary(public),
        "model": {
            "key": public.engagement.model_key,
            "version": public.engagement.model_version,
            "title": engagement_row["titre_parcours"],
        },
        "percent_done": engagement_row["avancement_pct"],
        "stages": [
            {
                **stage,
                "steps": [s for s in tables["etapes"] if s["phase"] == stage["phase"]],
            }
            for stage in tables["etapes_parcours"]
        ],
        "decisions": tables["decisions"],
        "indicators": [{**row, "mesures": by_indicator[row["indicateur"]]} for row in indicators],
        "evaluated_on": as_of,
        "chain_heads": _heads(tables["tetes_registre"]),
    }


def chain_heads(session: Session, engagement_id: str, *, tz: tzinfo | None, days: int = 31) -> dict[str, Any]:
    """The head of the engagement's verifiable record now, and as it stood at the end of each of the last
    ``days`` days that changed it (local days): published, a rewrite of the past shows against them, since
    every later head depends on every earlier entry (``gouvernance audit verify``). The open-data package's
    ``tetes_registre`` table holds the same rows, every day."""
    public_engagement(session, engagement_id)  # NotFound unless public
    return _heads(chain_head_rows(session, [engagement_id], tz=tz), days)


def _heads(rows: list[dict[str, Any]], days: int = 31) -> dict[str, Any]:
    latest = max(rows, key=lambda row: row["numero"], default=None)
    return {
        "algorithm": HASH_ALGORITHM,
        "head": {"seq": latest["numero"], "hash": latest["empreinte"]} if latest else None,
        "daily": [
            {"date": row["date"].isoformat(), "seq": row["numero"], "hash": row["empreinte"]}
            for row in rows[-days:]
        ],
    }


def engagement_decisions(session: Session, engagement_id: str) -> list[dict[str, Any]]:
    public_engagement(session, engagement_id)
    return decision_rows(session, [engagement_id])


def engagement_indicators(session: Session, engagement_id: str, *, as_of: date) -> list[dict[str, Any]]:
    public_engagement(session, engagement_id)
    indicators, measurements = indicator_rows(session, [engagement_id], as_of=as_of)
    return [
        {**row, "mesures": [m for m in measurements if m["indicateur"] == row["indicateur"]]}
        for row in indicators
    ]


def engagement_feed(
    session: Session, engagement_id: str, *, base_url: str, now: datetime, tz: tzinfo
) -> bytes:
    public = public_engagement(session, engagement_id)
    return feeds.engagement_feed(
        public, decision_rows(session, [engagement_id]), base_url=base_url, updated=public.published_at, tz=tz
    )


def organisation_feed(
    session: Session, organisation: str, *, base_url: str, now: datetime, tz: tzinfo
) -> bytes:
    """The organisation's feed; it exists (empty) as soon as the organisation does."""
    organisation_engagement_ids(session, organisation)  # NotFound for an unknown organisation
    publics = public_engagements(session, organisation=organisation)
    decisions = decision_rows(session, [p.engagement.id for p in publics])
    updated = max((p.published_at for p in publics), default=now)
    return feeds.organisation_feed(
        organisation, publics, decisions, base_url=base_url, updated=updated, tz=tz
    )


def engagement_open_data(
    session: Session, engagement_id: str, *, now: datetime, as_of: date, tz: tzinfo | None = None
) -> bytes:
    public = public_engagement(session, engagement_id)
    name = public.engagement.territory_name
    return open_data_zip(
        public_tables(session, [public], now=now, as_of=as_of, tz=tz),
        name=f"gouvernance-{engagement_id}",
        title=f"Accompagnement à la gouvernance partagée — {name}",
        description=f"Registre public de l'accompagnement de {name} : avancement, décisions publiques, "
        f"indicateurs publics et leurs mesures (évalués au {as_of.isoformat()}), consultations et parties "
        "prenantes (les personnes privées sous un pseudonyme), têtes du registre vérifiable jour par jour.",
        created=now,
    )


def portfolio_open_data(
    session: Session, organisation: str, *, now: datetime, as_of: date, tz: tzinfo | None = None
) -> bytes:
    """The organisation's public engagements in one package; its other ones are left out (and counted)."""
    owned = organisation_engagement_ids(session, organisation)
    publics = public_engagements(session, organisation=organisation)
    left_out = len(owned) - len(publics)
    return open_data_zip(
        public_tables(session, publics, now=now, as_of=as_of, tz=tz),
        name=f"gouvernance-portefeuille-{organisation.lower()}",
        title=f"Accompagnements publics — {organisation}",
        description=f"Les {len(publics)} accompagnements publics de l'organisation « {organisation} » "
        f"({left_out} non publics, non inclus) : avancement, décisions et indicateurs publics, "
        "consultations et parties prenantes (les personnes privées sous un pseudonyme), têtes du registre "
        "vérifiable jour par jour.",
        created=now,
    )
