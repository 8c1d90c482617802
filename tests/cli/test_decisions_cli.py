"""`gouvernance decisions …` as a project lead runs it: a deliberation recorded with its votes and dates,
every problem of a bad one listed, the register read by an observer, who may not write in it."""

from __future__ import annotations


def test_a_deliberation_is_recorded_listed_and_shown(team) -> None:
    engagement = team.launch()
    recorded = team.lead(
        "decisions", "add", engagement, "--number", "2026-014",
        "--title", "Lancement de la démarche de gouvernance partagée", "--date", "14/03/2026",
        "--body", "Conseil communautaire", "--legal-basis", "CGCT L2121-29",
        "--for", "23", "--against", "4", "--abstentions", "2",
        "--transmitted", "16/03/2026", "--published", "2026-03-18", "--step", "deliberation_lancement",
    ).stdout  # fmt: skip
    assert "✓ Décision n° 2026-014 inscrite au registre." in recorded

    refused = team.lead(
        "decisions", "add", engagement, "--number", "2026-015", "--title", "Charte",
        "--date", "14/03/2026", "--body", "copil", "--published", "01/03/2026", "--step", "inconnue",
        ok=False,
    )  # fmt: skip
    assert "Erreur (decision.date_before_decision)" in refused.stderr
    assert "• la publication ne peut précéder la décision" in refused.stderr
    assert "• étape inconnue dans ce parcours : « inconnue »" in refused.stderr
    unknown_body = team.lead(
        "decisions", "add", engagement, "--number", "2026-016", "--title", "Charte",
        "--date", "14/03/2026", "--body", "assemblée", ok=False,
    )  # fmt: skip
    assert "--body : « assemblée » inconnu (possibles : conseil municipal, conseil communautaire" in (
        unknown_body.stderr
    )
    forbidden = team.observer(
        "decisions", "add", engagement, "--number", "2026-017", "--title", "Charte",
        "--date", "14/03/2026", "--body", "copil", ok=False,
    )  # fmt: skip
    assert "Action réservée aux rôles chef_de_projet, consultant" in forbidden.stderr

    listed = team.observer("decisions", "list", engagement).stdout
    assert "2026-014" in listed
    assert "conseil communautaire" in listed
    assert "18/03/2026" in listed
    assert "1 décision au registre." in listed
    shown = team.observer("decisions", "show", engagement, "2026-014").stdout
    assert "Décision n° 2026-014 — Lancement de la démarche de gouvernance partagée" in shown
    assert "Votes : 23 pour, 4 contre, 2 abstentions" in shown
    assert "Transmission au contrôle de légalité : 16/03/2026" in shown
    assert "Étape : deliberation_lancement" in shown
    missing = team.observer("decisions", "show", engagement, "99", ok=False)
    assert "Erreur (decision.not_found) : aucune décision n° « 99 » au registre" in missing.stderr
