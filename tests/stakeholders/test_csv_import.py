from __future__ import annotations

import pytest

from gouvernance.errors import InvalidInput
from gouvernance.stakeholders.csv_import import ImportRejected, parse_stakeholder_csv
from gouvernance.stakeholders.records import Contact
from gouvernance.stakeholders.vocabulary import (
    Attitude,
    Category,
    IAP2Level,
    SalienceAttribute,
    StakeholderKind,
)

P, L, U = SalienceAttribute.pouvoir, SalienceAttribute.legitimite, SalienceAttribute.urgence

FRENCH_EXPORT = (
    "Nom;Type;Catégorie;Pouvoir (1-5);INTÉRÊT;Attitude;Légitimité;Urgence;Niveau IAP2;Courriel;Téléphone;"
    "Étiquettes;Commentaire\r\n"
    "Mairie de Voiron;Organisation;Élu;5;5;Favorable;oui;non;Collaborer;;;élus, pilotage;à relancer\r\n"
    "Association « Les Jardins »;;Association;3;5;Opposée;Oui;X;impliquer;"
    'contact@jardins.fr;04 76 00 00 00;"quartier|nature";\r\n'
    ";;;;;;;;;;;;\r\n"
    "Mme Dupont;Personne;Habitant/usager;1;4;neutre;;;;;;;\r\n"
)


def test_a_french_spreadsheet_with_bom_semicolons_and_accents_imports() -> None:
    imported = parse_stakeholder_csv(("\ufeff" + FRENCH_EXPORT).encode("utf-8"))
    assert (imported.separator, imported.encoding) == (";", "utf-8-sig")
    assert imported.ignored_columns == ()
    mairie, jardins, dupont = imported.stakeholders
    assert (mairie.notes, jardins.notes) == ("à relancer", None)  # the « Commentaire » column
    assert [row.line for row in imported.rows] == [
        2,
        3,
        5,
    ]  # the blank line 4 is skipped, lines stay the file's
    assert (mairie.name, mairie.category, mairie.kind) == (
        "Mairie de Voiron",
        Category.elu,
        StakeholderKind.organisation,
    )
    assert (mairie.power, mairie.interest, mairie.attitude) == (5, 5, Attitude.favorable)
    assert mairie.salience == {P, L}  # power 5 is high, legitimacy « oui », urgency « non »
    assert mairie.target_level is IAP2Level.collaborer
    assert mairie.tags == ("élus", "pilotage")
    assert mairie.contact is None
    assert jardins.name == "Association « Les Jardins »"
    assert jardins.kind is StakeholderKind.organisation  # inferred from the category
    assert jardins.attitude is Attitude.oppose
    assert jardins.salience == {L, U}
    assert jardins.tags == ("quartier", "nature")
    assert jardins.contact == Contact(email="contact@jardins.fr", phone="04 76 00 00 00")
    assert dupont.category is Category.habitant_usager
    assert dupont.salience == frozenset()
    assert [s.id for s in imported.stakeholders] == [
        "mairie-de-voiron",
        "association-les-jardins",
        "mme-dupont",
    ]


def test_a_windows_1252_file_with_commas_and_english_headers_imports() -> None:
    content = (
        "name,category,power,interest,attitude,salience,e-mail,tags\n"
        'Syndicat CGT,Organisation syndicale,2,4,opposé,"urgence, légitimité",,a|b\n'
        "Élue référente,elected official,4,4,supportive,définitive,elue@mairie.fr,\n"
    ).encode("cp1252")
    imported = parse_stakeholder_csv(content)
    assert (imported.separator, imported.encoding) == (",", "cp1252")
    syndicat, elue = imported.stakeholders
    assert syndicat.category is Category.organisation_syndicale
    assert syndicat.salience == {L, U}
    assert elue.name == "Élue référente"
    assert elue.salience == {P, L, U}  # a salience class is accepted for the attributes it means
    assert elue.contact == Contact(email="elue@mairie.fr")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned() -> None:
    content = (
        "Nom;Catégorie;Pouvoir;Intérêt;Quadrant;Courriel;Urgence\n"
        "Bonne ligne;association;3;3;;;\n"
        "Trop puissante;association;7;3;;;\n"
        "Venue d'ailleurs;martien;3;3;;pas-une-adresse;\n"
        '"Citation sur\ndeux lignes";entreprise du coin;3;3;;;\n'
        ";elu;x;;;;peut-être\n"
        "Mal rangée;elu;5;5;surveiller;;\n"
    )
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    errors = {error.line: [reason.code for reason in error.reasons] for error in refused.value.errors}
    assert errors == {
        3: ["stakeholders.score_out_of_range"],
        4: ["stakeholders.unknown_value", "stakeholders.invalid_email"],
        # the record starts on line 5 and spans two lines: a name is one line
        5: ["text.control_character", "stakeholders.unknown_value"],
        7: [
            "stakeholders.required",
            "stakeholders.score_out_of_range",
            "stakeholders.required",
            "stakeholders.not_a_yes_no",
        ],
        8: ["stakeholders.inconsistent_quadrant"],
    }
    error = refused.value
    assert isinstance(error, InvalidInput)
    assert error.code == "stakeholders.import_rejected"
    assert "rien n'a été importé" in error.message.fr
    assert "nothing was imported" in error.message.en
    first = error.reasons[0]
    assert first.fr == "Ligne 3 — Pouvoir : « 7 » doit être un entier de 1 à 5."
    assert first.en == "Line 3 — Pouvoir: '7' must be a whole number from 1 to 5."
    assert first.details["line"] == 3
    assert first.path == "Pouvoir"


def test_duplicate_names_are_errors_whatever_the_case_and_accents() -> None:
    content = (
        "Nom;Catégorie;Pouvoir;Intérêt\n"
        "École Jean Macé;autre;2;2\n"
        "Autre;autre;2;2\n"
        "ecole jean mace;autre;3;3\n"
    )
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    [error] = refused.value.errors
    assert error.line == 4
    assert error.reasons[0].code == "stakeholders.duplicate_name"
    assert "ligne 2" in error.reasons[0].fr


def test_identifiers_come_from_the_file_or_from_unique_names() -> None:
    header = "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\n"
    content = header + ";Le Café;autre;2;2\nle-cafe;Café (le);autre;2;2\n;Le café !;autre;1;1\n"
    with pytest.raises(ImportRejected):  # « Le Café » and « Le café ! » are the same name
        parse_stakeholder_csv(content)
    content = header + ";Le Café;autre;2;2\nle-cafe;Café (le);autre;2;2\n"
    assert [s.id for s in parse_stakeholder_csv(content).stakeholders] == ["le-cafe-2", "le-cafe"]
    content = header + "x1;A;autre;2;2\nx1;B;autre;2;2\n"
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    assert refused.value.errors[0].reasons[0].code == "stakeholders.duplicate_id"


def test_missing_and_ambiguous_columns_refuse_the_file_at_line_1() -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv("Nom;Courriel;Email\nA;a@b.fr;a@b.fr\n")
    [error] = refused.value.errors
    assert error.line == 1
    codes = sorted(reason.code for reason in error.reasons)
    assert codes == ["stakeholders.duplicate_column"] + ["stakeholders.missing_column"] * 3


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", "\n\n"])
def test_an_empty_file_is_refused(content: bytes | str) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    assert refused.value.errors[0].reasons[0].code == "stakeholders.empty_file"


def test_a_salience_class_that_contradicts_the_attributes_is_refused() -> None:
    content = "Nom;Catégorie;Pouvoir;Intérêt;Saillance;Classe de saillance\nA;autre;2;2;pouvoir;définitive\n"
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    assert refused.value.errors[0].reasons[0].code == "stakeholders.inconsistent_salience_class"


def test_extra_cells_beyond_the_header_are_refused_rather_than_dropped() -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv("Nom;Catégorie;Pouvoir;Intérêt\nDupont; Jean;habitant;2;2\n")
    assert refused.value.errors[0].line == 2


def test_excel_separator_hint_is_honoured_and_lines_still_count_from_the_top() -> None:
    content = "sep=,\nNom,Catégorie,Pouvoir,Intérêt\nA,autre,2,2\nB,autre,9,2\n"
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content.encode("utf-8"))
    assert [error.line for error in refused.value.errors] == [4]
    imported = parse_stakeholder_csv("sep=,\nNom,Catégorie,Pouvoir,Intérêt\nA,autre,2,2\n")
    assert (imported.separator, imported.rows[0].line) == (",", 3)


@pytest.mark.parametrize("content", [b"\xef\xbb\xbfNom;Cat\xe9gorie\n", b"Nom;Cat\x81gorie\n"])
def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(content: bytes) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    assert refused.value.errors[0].reasons[0].code == "stakeholders.unreadable_file"


def test_control_characters_in_cells_refuse_the_file_listing_every_row() -> None:
    content = (
        "Nom;Catégorie;Pouvoir;Intérêt;Étiquettes;Commentaire\n"
        "Bonne ligne;association;3;3;;libre\u0007ici\n"
        "ctl\u0001\u0002\u000b end;association;3;3;;\n"
        "Nul;association;3;3;a\u0000b;\n"
        '"Deux\nlignes";elu;3;3;;\n'
        "Effacé\u007f;elu;3;3;;\n"
    )
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(content)
    errors = {
        error.line: [(reason.code, reason.path, reason.details.get("column")) for reason in error.reasons]
        for error in refused.value.errors
    }
    assert errors == {
        2: [("text.control_character", "Commentaire", "Commentaire")],  # the notes: BEL is not a line break
        3: [("text.control_character", "Nom", "Nom")],
        4: [("text.control_character", "Étiquettes", "Étiquettes")],
        5: [("text.control_character", "Nom", "Nom")],
        7: [("text.control_character", "Nom", "Nom")],
    }
    first = refused.value.reasons[1]
    assert first.fr == "Ligne 3 — Nom : caractère de contrôle ou invalide interdit (U+0001)."
    assert first.en == "Line 3 — Nom: control or invalid character not allowed (U+0001)."


def test_notes_refuse_control_characters_and_stay_within_their_length() -> None:
    header = "Nom;Catégorie;Pouvoir;Intérêt;Notes\r\n"
    with pytest.raises(ImportRejected) as refused:
        parse_stakeholder_csv(header + "Collectif;Association;3;4;conflit\x00sur le parc\r\n")
    assert [reason.code for reason in refused.value.reasons] == ["text.control_character"]
    assert "U+0000" in refused.value.reasons[0].fr
    with pytest.raises(ImportRejected) as too_long:
        parse_stakeholder_csv(header + f"Collectif;Association;3;4;{'x' * 2001}\r\n")
    assert [reason.code for reason in too_long.value.reasons] == ["stakeholders.notes_too_long"]
    assert "2001 caractères, au plus 2000" in too_long.value.reasons[0].fr
    [kept] = parse_stakeholder_csv(
        header + 'Collectif;Association;3;4;"porteur\r\npolitique\tancien"\r\n'
    ).stakeholders
    assert kept.notes == "porteur\r\npolitique\tancien"
