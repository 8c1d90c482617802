"""The command line as a user runs it: a real process, French output, errors without tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_models_list_and_show(cli) -> None:
    listing = cli("models", "list").stdout
    assert "gouvernance-partagee" in listing
    assert "budget-participatif" in listing
    diagram = cli("models", "show", "gouvernance-partagee", "--mermaid").stdout
    assert diagram.startswith("flowchart TD")
    assert "-.->|reprise|" in diagram
    shown = cli("models", "show", "gouvernance-partagee").stdout
    assert "Sécurisation juridique" in shown


def test_validate_reports_file_line_and_path(cli, tmp_path: Path) -> None:
    broken = tmp_path / "parcours.yaml"
    broken.write_text(
        "key: parcours\nversion: 1\ntitle: Parcours\nroles:\n  - {key: consultant, title: C}\n"
        "stages:\n  - key: a\n    title: A\n    steps:\n"
        "      - {key: s, title: S, role: maire, duration: 3 jours}\n",
        encoding="utf-8",
    )
    result = cli("models", "validate", str(broken), ok=False)
    assert f"{broken}:10: stages[0].steps[0].role: rôle inconnu « maire »" in result.stderr
    assert "✓" in cli("models", "validate").stdout


def test_launch_status_advance_attach(cli, crew, tmp_path: Path) -> None:
    me = ("--login", crew.consultant)
    launched = cli(
        "launch",
        "gouvernance-partagee",
        "--territory",
        "Saint-Jean-de-Braye",
        "--start",
        "2026-03-02",
        "--insee",
        "45284",
        "--param",
        "population=21000",
        *me,
    )
    engagement_id = launched.stdout.strip()
    assert UUID.match(engagement_id), launched.stdout
    short = engagement_id[:8]
    status = cli("status", short, *me).stdout
    assert "État des lieux" in status
    assert "0 %" in status
    assert "cadrage_accompagnement : Réunion de cadrage" in status, "the key advance needs, beside the title"
    moved = cli("advance", short, "cadrage_accompagnement", "start", *me)
    assert "in_progress" not in moved.stderr
    assert "prête → en cours" in moved.stdout
    note = tmp_path / "cr.md"
    note.write_text("# Compte rendu de cadrage\n", encoding="utf-8")
    cli(
        "attach",
        short,
        "cadrage_accompagnement",
        "--file",
        str(note),
        "--label",
        "compte rendu de cadrage",
        *me,
    )
    moved = cli("advance", short, "cadrage_accompagnement", "submit", *me).stdout
    assert "en cours → en revue" in moved


def test_bad_launch_input_lists_every_problem(cli, crew) -> None:
    me = ("--login", crew.consultant)
    result = cli(
        "launch",
        "gouvernance-partagee",
        "--territory",
        "X",
        "--start",
        "2026-03-02",
        "--param",
        "population=beaucoup",
        "--param",
        "inconnu=1",
        *me,
        ok=False,
    )
    assert "population" in result.stderr
    assert "paramètre inconnu « inconnu »" in result.stderr
    assert (
        "date de début illisible"
        in cli(
            "launch", "gouvernance-partagee", "--territory", "X", "--start", "02/03/2026", *me, ok=False
        ).stderr
    )
    assert (
        "Modèle de processus inconnu"
        in cli("launch", "nope", "--territory", "X", "--start", "2026-03-02", *me, ok=False).stderr
    )


def test_demo_walks_the_whole_journey(cli) -> None:
    out = cli("demo").stdout
    assert "1. État des lieux" in out
    assert "Reprise" in out
    assert "Refus expliqué" in out
    assert "Accompagnement terminé — 100 %" in out
    # The état des lieux refusal names the key players still to consult; the analysis follows the walk.
    edl = out[out.index("1. État des lieux") : out.index("2. Sécurisation")]
    assert "non consultées pendant cette phase" in edl
    assert "Sous-préfecture de Fleuri" in edl
    assert "Cartographie des parties prenantes — 31 parties prenantes" in out
    assert "gérer étroitement 9" in out
    assert "Acteurs clés isolés (sans relais) : Sous-préfecture de Fleuri" in out
    assert "Conseil de développement du Val Fleuri" in out[out.index("Conflits") :]
    assert "Couverture des consultations" in out


def test_background_commands(cli, crew, tmp_path: Path) -> None:
    engagement_id = cli(
        "launch",
        "gouvernance-partagee",
        "--territory",
        "Olivet",
        "--start",
        "2026-03-02",
        "--login",
        crew.consultant,
    ).stdout.strip()
    swept = cli("reminders", "sweep", "--now", "2030-01-01T09:00").stdout
    assert "notifications créées" in swept or "notification créée" in swept
    again = cli("reminders", "sweep", "--now", "2030-01-01T09:00").stdout
    assert again.startswith("0 notification créée")
    out = tmp_path / "livrables"
    built = cli("deliverables", "build", engagement_id[:8], "--out", str(out), "--key", "plan_action").stdout
    assert "plan_action v1 (pdf)" in built
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".html", ".pdf"]
    assert (out / next(p.name for p in out.iterdir() if p.suffix == ".pdf")).read_bytes().startswith(b"%PDF")
    ics = cli("calendar", engagement_id[:8]).stdout
    assert ics.startswith("BEGIN:VCALENDAR")
    assert "Olivet" in ics
    communes = tmp_path / "communes.csv"
    communes.write_text("Nom;Type;INSEE\nArdon;commune;45006\nOlivet;commune;45232\n", encoding="utf-8")
    first = cli(
        "launch-many",
        "gouvernance-partagee",
        "--territories",
        str(communes),
        "--start",
        "2026-09-07",
        "--key",
        f"lot-{engagement_id[:8]}",
        "--login",
        crew.consultant,
    ).stdout
    second = cli(
        "launch-many",
        "gouvernance-partagee",
        "--territories",
        str(communes),
        "--start",
        "2026-09-07",
        "--key",
        f"lot-{engagement_id[:8]}",
        "--login",
        crew.consultant,
    ).stdout
    assert first.count("déjà lancé") == 0
    assert second.count("déjà lancé") == 2


def test_launch_many_takes_parameters_per_row_and_launches_nothing_if_a_row_is_wrong(
    cli, crew, db, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from gouvernance.engagements.records import EngagementRow

    me = ("--login", crew.consultant)
    lot = f"lot-{tmp_path.name[-12:]}"
    bad = tmp_path / "mauvais.csv"
    bad.write_text(
        "Nom;Type;INSEE;population\nArdon;commune;45006;1200\nLoiret;region;45234;\nOlivet;commune;45232;beaucoup\n",
        encoding="utf-8",
    )
    refused = cli(
        "launch-many", "gouvernance-partagee", "--territories", str(bad), "--start", "2026-09-07",
        "--key", lot, *me, ok=False,
    )  # fmt: skip
    assert "Aucun lancement : 2 lignes invalides sur 3." in refused.stderr
    assert "ligne 2 (Loiret) : code « 45234 » invalide pour une région" in refused.stderr
    assert "ligne 3 (Olivet) : « population »" in refused.stderr
    with db.reading() as session:
        owned = session.scalars(
            select(EngagementRow.parameters).where(EngagementRow.organisation_id == crew.organisation)
        )
        assert list(owned) == []

    good = tmp_path / "communes.csv"
    good.write_text(
        "Nom;Type;INSEE;population\nArdon;commune;45006;1200\nOlivet;commune;45232;\n", encoding="utf-8"
    )
    cli(
        "launch-many", "gouvernance-partagee", "--territories", str(good), "--start", "2026-09-07",
        "--key", lot, "--param", "population=21000", *me,
    )  # fmt: skip
    with db.reading() as session:
        launched = dict(
            session.execute(
                select(EngagementRow.territory_name, EngagementRow.parameters).where(
                    EngagementRow.organisation_id == crew.organisation
                )
            ).all()
        )
    assert launched["Ardon"]["population"] == 1200  # its own column
    assert launched["Olivet"]["population"] == 21000  # an empty cell takes --param


def test_advance_send_back_chooses_the_steps_to_reopen(
    cli, db, clock, mini_model, launch_engagement, people
) -> None:
    from tests.engagements.helpers import finish_a1_a2, fire, step

    engagement_id = launch_engagement(mini_model)
    finish_a1_a2(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    send_back = ("advance", engagement_id, "a_rev", "send_back", "--comment", "Risque juridique")
    operator = ("--as", "elu", "--operateur")
    refused = cli(*send_back, "--step", "b1", *operator, ok=False).stderr
    assert "1 étape que cette revue ne peut pas renvoyer : « b1 » (possibles : « a1 », « a2 »)" in refused
    moved = cli(*send_back, "--step", "a1", *operator).stdout
    assert "a1 : terminée → rouverte" in moved
    assert "a2" not in moved
    assert step(db, engagement_id, "a2").state == "done"
