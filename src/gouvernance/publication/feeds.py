"""Atom feeds of the public decisions, one per public engagement and one per organisation (all its public
engagements), written by feedgen: feed readers and the sites of the collectivités subscribe to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from urllib.parse import quote

from gouvernance.deliverables.french import format_date
from gouvernance.messages import plural
from gouvernance.publication.service import PublicEngagement
from gouvernance.publication.tables import Row


def engagement_feed(
    public: PublicEngagement, decisions: Sequence[Row], *, base_url: str, updated: datetime, tz: tzinfo
) -> bytes:
    engagement = public.engagement
    path = f"/public/engagements/{engagement.id}"
    return _feed(
        feed_id=f"{base_url}{path}/decisions.atom",
        title=f"Décisions publiques — {engagement.territory_name}",
        subtitle=f"Registre public des décisions de l'accompagnement de {engagement.territory_name}",
        author=public.organisation_name or engagement.territory_name,
        home=f"{base_url}{path}",
        page=f"{base_url}/registre-public/{engagement.id}",
        decisions=decisions,
        engagements={engagement.id: public},
        base_url=base_url,
        updated=updated,
        tz=tz,
    )


def organisation_feed(
    organisation: str,
    publics: Sequence[PublicEngagement],
    decisions: Sequence[Row],
    *,
    base_url: str,
    updated: datetime,
    tz: tzinfo,
) -> bytes:
    name = next((p.organisation_name for p in publics if p.organisation_name), organisation)
    return _feed(
        feed_id=f"{base_url}/public/organisations/{organisation}/decisions.atom",
        title=f"Décisions publiques — {name}",
        subtitle=f"Les décisions publiques de tous les accompagnements publics de {name}",
        author=name,
        home=f"{base_url}/public/engagements?organisation={organisation}",
        decisions=decisions,
        engagements={p.engagement.id: p for p in publics},
        base_url=base_url,
        updated=updated,
        tz=tz,
    )


def _feed(
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    author: str,
    home: str,
    decisions: Sequence[Row],
    page: str | None = None,
    engagements: dict[str, PublicEngagement],
    base_url: str,
    updated: datetime,
    tz: tzinfo,
) -> bytes:
    # feedgen, lxml and dateutil are imported by the first feed, not at every start.
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": author})
    feed.language("fr")
    feed.link(href=feed_id, rel="self", type="application/atom+xml")
    feed.link(href=home, rel="alternate", type="application/json")
    if page is not None:
        feed.link(href=page, rel="alternate", type="text/html")
    newest = max((_instant(d["date_decision"], tz) for d in decisions), default=updated)
    feed.updated(newest)
    # feedgen puts the entry added last first: oldest first in, newest first out.
    for decision in sorted(decisions, key=lambda d: (d["date_decision"], d["numero"])):
        public = engagements[decision["accompagnement"]]
        # The id stays what it was when the feed began (readers key on it); the link opens the decision's
        # row on the public page, which a person can read.
        entry = feed.add_entry()
        entry.id(f"{base_url}/public/engagements/{decision['accompagnement']}/decisions#{decision['numero']}")
        entry.title(f"{decision['titre']} (n° {decision['numero']})")
        page_of_decision = f"{base_url}/registre-public/{decision['accompagnement']}"
        entry.link(href=f"{page_of_decision}#decision-{quote(str(decision['numero']))}", rel="alternate")
        instant = _instant(decision["date_decision"], tz)
        entry.published(instant)
        entry.updated(_instant(decision["publiee_le"], tz) if decision["publiee_le"] else instant)
        entry.summary(_summary(decision, public.engagement.territory_name))
        entry.category(term=decision["instance"], label=decision["instance"])
    return bytes(feed.atom_str(pretty=True))


def _instant(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def _summary(decision: Row, territory: str) -> str:
    parts = [f"{territory} — {decision['instance']}, le {format_date(decision['date_decision'])}."]
    if decision["base_legale"]:
        parts.append(f"Base légale : {decision['base_legale']}.")
    votes = (decision["voix_pour"], decision["voix_contre"], decision["abstentions"])
    if any(v is not None for v in votes):
        parts.append(
            f"Votes : {votes[0] or 0} pour, {votes[1] or 0} contre, {plural(votes[2] or 0, 'abstention')}."
        )
    if decision["transmise_le"]:
        parts.append(f"Transmise au contrôle de légalité le {format_date(decision['transmise_le'])}.")
    if decision["texte"]:
        parts.append(decision["texte"])
    return " ".join(parts)
