"""PyYAML's syntax errors said in French: its ``problem`` and ``context`` (public attributes of
``MarkedYAMLError``) matched against the messages it writes (its Python parser's, and libyaml's), with the
line and column of their marks. A message not in the table is kept as PyYAML wrote it, so a new wording
still reaches the person."""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from gouvernance.errors import Message

Translate = Callable[[re.Match[str]], str]

# What PyYAML names between quotes (tokens, events), as a person reads it.
_THINGS = {
    "<block mapping start>": "le début d'un dictionnaire",
    "<block sequence start>": "le début d'une liste",
    "<block end>": "la fin d'un bloc",
    "<stream end>": "la fin du fichier",
    "<document start>": "le début d'un document",
    "<scalar>": "une valeur",
    "?": "une clé",
    "-": "un élément de liste",
    ":": "un deux-points",
    "\\t": "une tabulation",
    "\\n": "une fin de ligne",
}


def _thing(text: str) -> str:
    return _THINGS.get(text, f"« {text} »")


def _character(found: re.Match[str]) -> str:
    if found[1] == "\\t":
        return "tabulation : YAML indente avec des espaces, jamais avec des tabulations"
    return f"le caractère « {found[1]} » ne peut pas commencer une valeur (mettez la valeur entre guillemets)"


PROBLEMS: tuple[tuple[re.Pattern[str], Translate], ...] = tuple(
    (re.compile(pattern), translate)
    for pattern, translate in (
        (
            r"^mapping values are not allowed (here|in this context)$",
            lambda _: (
                "un « : » inattendu (une valeur qui contient « : » se met entre guillemets, "
                "ou l'indentation est décalée)"
            ),
        ),
        (r"^could not find expected ':'$", lambda _: "le « : » attendu après la clé manque"),
        (r"^found character '(.*)' that cannot start any token$", _character),
        (
            r"^found undefined alias '(.*)'$",
            lambda found: (
                f"l'alias « *{found[1]} » renvoie à une ancre « &{found[1]} » qui n'est pas définie plus haut"
            ),
        ),
        (
            r"^expected <block end>, but found '(.*)'$",
            lambda found: f"indentation incohérente : la fin du bloc était attendue, pas {_thing(found[1])}",
        ),
        (r"^did not find expected key$", lambda _: "clé attendue introuvable (indentation incohérente ?)"),
        (
            r"^did not find expected '-' indicator$",
            lambda _: "un « - » d'élément de liste était attendu (indentation incohérente ?)",
        ),
        (r"^second occurrence$", lambda _: "ancre définie une seconde fois ici"),
        (
            r"^expected ',' or '(.)', but got '(.*)'$",
            lambda found: f"« , » ou « {found[1]} » attendu, mais trouvé {_thing(found[2])}",
        ),
        (r"^found unexpected end of stream$", lambda _: "le fichier se termine avant la fin de la valeur"),
        (
            r"^found unknown escape character '(.*)'$",
            lambda found: f"séquence d'échappement inconnue « \\{found[1]} » entre guillemets doubles",
        ),
        (r"^but found another document$", lambda _: "un second document commence ici (« --- »)"),
        (
            r"^expected alphabetic or numeric character, but found '(.*)'$",
            lambda found: f"une lettre ou un chiffre était attendu, pas {_thing(found[1])}",
        ),
        (
            r"^expected '(.*)', but found '(.*)'$",
            lambda found: f"{_thing(found[1])} était attendu, pas {_thing(found[2])}",
        ),
    )
)

CONTEXTS: tuple[tuple[re.Pattern[str], Translate], ...] = tuple(
    (re.compile(pattern), translate)
    for pattern, translate in (
        (r"^while scanning a simple key$", lambda _: "en lisant la clé commencée"),
        (r"^while scanning for the next token$", lambda _: "en lisant la suite"),
        (r"^while parsing a block mapping$", lambda _: "dans le dictionnaire commencé"),
        (r"^while parsing a block collection$", lambda _: "dans le bloc commencé"),
        (r"^while parsing a flow sequence$", lambda _: "dans la liste entre crochets commencée"),
        (r"^while parsing a flow mapping$", lambda _: "dans le dictionnaire entre accolades commencé"),
        (r"^while scanning a (double-)?quoted scalar$", lambda _: "dans le texte entre guillemets commencé"),
        (r"^while scanning an anchor$", lambda _: "dans l'ancre commencée"),
        (r"^expected a single document in the stream$", lambda _: "après le document commencé"),
        (
            r"^found duplicate anchor '(.*)'; first occurrence$",
            lambda found: f"l'ancre « &{found[1]} » est déjà définie",
        ),
    )
)


def _translated(text: str, table: tuple[tuple[re.Pattern[str], Translate], ...]) -> str:
    for pattern, translate in table:
        if found := pattern.match(text):
            return translate(found)
    return text


def _where(mark: yaml.Mark | None) -> tuple[str, str]:
    if mark is None:
        return "", ""
    return (
        f"ligne {mark.line + 1}, colonne {mark.column + 1}",
        f"line {mark.line + 1}, column {mark.column + 1}",
    )


def syntax_error_message(error: yaml.MarkedYAMLError) -> Message:
    """The error in French (the common messages translated, the others as PyYAML wrote them) and in
    English, each with the line and column of the problem and of its context."""
    problem = error.problem or str(error)
    where_fr, where_en = _where(error.problem_mark)
    fr = f"YAML invalide{', ' + where_fr if where_fr else ''} : {_translated(problem, PROBLEMS)}"
    en = f"Invalid YAML{' at ' + where_en if where_en else ''}: {problem}"
    if error.context:
        context_fr, context_en = _where(error.context_mark)
        fr += f" ({_translated(error.context, CONTEXTS)}{' ' + context_fr if context_fr else ''})"
        en += f" ({error.context}{' at ' + context_en if context_en else ''})"
    mark = error.problem_mark or error.context_mark
    details: dict[str, object] = {"problem": problem, "context": error.context}
    if mark is not None:
        details |= {"line": mark.line + 1, "column": mark.column + 1}
    return Message("template.yaml_syntax", fr, en, details=details)
