"""PyYAML's syntax errors reach the person in French, with the line and column, from real broken
templates; a message not in the table is kept as PyYAML wrote it."""

from __future__ import annotations

import pytest
import yaml

from gouvernance.spec.validation import TemplateInvalid, load_model_text
from gouvernance.spec.yaml_messages import syntax_error_message

# (broken YAML, what the French message says) — the Python parser the loader uses.
BROKEN = [
    ("key: a: b\n", "YAML invalide, ligne 1, colonne 7 : un « : » inattendu (une valeur qui contient « : »"),
    (
        "key: a\nversion\ntitle: T\n",
        "YAML invalide, ligne 3, colonne 1 : le « : » attendu après la clé manque "
        "(en lisant la clé commencée ligne 2, colonne 1)",
    ),
    (
        "key: a\nroles:\n\t- consultant\n",
        "YAML invalide, ligne 3, colonne 1 : tabulation : YAML indente avec des espaces, jamais avec des "
        "tabulations (en lisant la suite)",
    ),
    (
        "key: a\ntitle: *titre\n",
        "YAML invalide, ligne 2, colonne 8 : l'alias « *titre » renvoie à une ancre « &titre » qui n'est pas "
        "définie plus haut",
    ),
    (
        "key: a\nstages:\n  titre: T\n cle: b\n",
        "YAML invalide, ligne 4, colonne 2 : indentation incohérente : la fin du bloc était attendue, pas le "
        "début d'un dictionnaire (dans le dictionnaire commencé ligne 1, colonne 1)",
    ),
    (
        "key: a\nroles:\n  - consultant\n  elu: 1\n",
        "YAML invalide, ligne 4, colonne 3 : indentation incohérente : la fin du bloc était attendue, "
        "pas une clé (dans le bloc commencé ligne 3, colonne 3)",
    ),
    (
        "key: &k a\ntitle: &k T\n",
        "YAML invalide, ligne 2, colonne 8 : ancre définie une seconde fois ici (l'ancre « &k » est déjà "
        "définie ligne 1, colonne 6)",
    ),
    (
        "key: a\nroles: [consultant, elu\n",
        "YAML invalide, ligne 3, colonne 1 : « , » ou « ] » attendu, mais trouvé la fin du fichier (dans la "
        "liste entre crochets commencée ligne 2, colonne 8)",
    ),
    (
        "key: a\ntitle: 'Mon parcours\n",
        "YAML invalide, ligne 3, colonne 1 : le fichier se termine avant la fin de la valeur (dans le texte "
        "entre guillemets commencé ligne 2, colonne 8)",
    ),
    (
        'key: a\ntitle: "Parcours \\q"\n',
        "YAML invalide, ligne 2, colonne 19 : séquence d'échappement inconnue « \\q » entre guillemets "
        "doubles (dans le texte entre guillemets commencé ligne 2, colonne 8)",
    ),
    (
        "key: a\n---\nkey: b\n",
        "YAML invalide, ligne 2, colonne 1 : un second document commence ici (« --- ») (après le document "
        "commencé ligne 1, colonne 1)",
    ),
    (
        "key: a\ntitle: @parcours\n",
        "YAML invalide, ligne 2, colonne 8 : le caractère « @ » ne peut pas commencer une valeur (mettez la "
        "valeur entre guillemets) (en lisant la suite)",
    ),
]


@pytest.mark.parametrize(("text", "said"), BROKEN)
def test_common_yaml_errors_are_said_in_french_with_line_and_column(text: str, said: str) -> None:
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text(text, "parcours.yaml")
    [problem] = invalid.value.problems
    assert problem.message.code == "template.yaml_syntax"
    assert problem.message.fr.startswith(said), problem.message.fr
    english = [
        word for word in ("found", "expected", "while", "allowed", "mapping") if word in problem.message.fr
    ]
    assert not english, problem.message.fr
    assert problem.message.en.startswith("Invalid YAML at line"), problem.message.en  # PyYAML's own words
    assert problem.line == problem.message.details["line"]


# libyaml (PyYAML's C parser) words a few errors its own way.
LIBYAML = [
    ("key: a\nstages:\n  titre: T\n cle: b\n", "clé attendue introuvable (indentation incohérente ?)"),
    ("key: a\nroles:\n  - consultant\n  elu: 1\n", "un « - » d'élément de liste était attendu"),
    ("key: a: b\n", "un « : » inattendu"),
]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize(("text", "said"), LIBYAML)
def test_libyaml_wordings_are_translated_too(text: str, said: str) -> None:
    with pytest.raises(yaml.MarkedYAMLError) as error:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    assert said in syntax_error_message(error.value).fr


def test_an_unknown_wording_is_kept_as_pyyaml_wrote_it() -> None:
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text("%YAML 1.1\n%YAML 1.1\n---\nkey: a\n", "parcours.yaml")
    [problem] = invalid.value.problems
    assert problem.message.fr == "YAML invalide, ligne 2, colonne 1 : found duplicate YAML directive"
