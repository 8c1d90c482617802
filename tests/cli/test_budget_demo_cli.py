"""`gouvernance demo --modele budget-participatif`: the demo edition of a participatory budget, walked to its
end, and the edition in figures."""

from __future__ import annotations


def test_demo_walks_a_participatory_budget_edition(cli) -> None:
    raw = cli("demo", "--modele", "budget-participatif").stdout
    out = raw.replace("\u202f", " ").replace("\xa0", " ")  # French thin and no-break spaces
    assert "Démonstration — Budget participatif, Saint-Aubin-sur-Loire" in out
    assert "5. Mise en œuvre et suivi" in out
    assert "13 idées déposées" in out
    assert "Irrecevable   3" in out
    assert "Vote : 4 380 voix (2 945 en ligne, 1 435 à l'urne)" in out
    assert "reliquat 2 300 €" in out
