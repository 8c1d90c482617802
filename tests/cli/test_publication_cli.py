"""`gouvernance publish` and `gouvernance export` as a project lead runs them: the open-data package of a
public engagement and of the organisation's portfolio, refused in French for a non-public engagement, an
observer who would publish, or another organisation's portfolio."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from gouvernance.engagements.records import EngagementRow


def _names(path: Path) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return set(archive.namelist())


def test_publish_then_export_an_engagement_and_the_portfolio(team, db, tmp_path: Path) -> None:
    engagement = team.launch()
    out = tmp_path / "donnees.zip"
    refused = team.lead("export", engagement, "--out", str(out), ok=False)
    assert "Erreur (open_data.not_public)" in refused.stderr
    assert "gouvernance publish" in refused.stderr
    forbidden = team.observer("publish", engagement, ok=False)
    assert "Action réservée aux rôles chef_de_projet, consultant" in forbidden.stderr

    published = team.lead("publish", engagement).stdout
    assert "Registre public ouvert : /public/engagements/" in published
    exported = team.lead("export", engagement, "--out", str(out)).stdout
    assert "Données ouvertes écrites" in exported
    assert {"datapackage.json", "csv/decisions.csv", "json/parties_prenantes.json"} <= _names(out)

    with db.reading() as session:
        organisation = session.scalars(
            select(EngagementRow.organisation_id).where(EngagementRow.id.startswith(engagement))
        ).one()
    portfolio = tmp_path / "portefeuille.zip"
    team.lead("export", "--portfolio", organisation, "--out", str(portfolio))
    assert "csv/accompagnements.csv" in _names(portfolio)
    assert engagement in (zipfile.ZipFile(portfolio).read("csv/accompagnements.csv").decode())
    elsewhere = team.lead("export", "--portfolio", "une-autre-orga", "--out", str(portfolio), ok=False)
    assert "organisation introuvable" in elsewhere.stderr
    both = team.lead("export", engagement, "--portfolio", organisation, "--out", str(portfolio), ok=False)
    assert "l'un ou l'autre" in both.stderr

    assert "Registre public fermé" in team.lead("publish", engagement, "--retirer").stdout
    assert "open_data.not_public" in team.lead("export", engagement, "--out", str(out), ok=False).stderr
