"""Reads YAML into plain data while remembering the line of every node, so errors can name the line.

PyYAML's composer gives nodes with marks; we build the Python values ourselves from those nodes, refusing
the parts of YAML a template never needs (anchors and aliases, non-scalar keys, duplicate keys) with a
readable error instead of a surprise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from gouvernance.errors import Message
from gouvernance.spec.yaml_messages import syntax_error_message

YamlPath = tuple[str | int, ...]

_MAX_DEPTH = 64


class YamlSourceError(Exception):
    def __init__(self, message: Message, line: int | None) -> None:
        super().__init__(message.fr)
        self.message = message
        self.line = line


@dataclass
class SourceMap:
    """Maps a path in the document (('stages', 2, 'steps', 0, 'role')) to its 1-based line."""

    lines: dict[YamlPath, int] = field(default_factory=dict)

    def line_of(self, path: YamlPath) -> int | None:
        """The line of the path, or of its nearest ancestor that exists in the file."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)


def format_path(path: YamlPath) -> str:
    """('stages', 2, 'steps', 0, 'role') -> 'stages[2].steps[0].role'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(racine)"


class _ScalarConstructor(yaml.SafeLoader):
    """Only used for its scalar constructors (int, float, bool, null, dates), and to remember the nodes
    already built."""

    seen_nodes: set[int]


# libyaml's parser, which PyYAML's wheels bundle, composes the nodes (marks included) about ten times faster
# than the pure-Python one: reading the shipped templates was most of the API's start-up. A document it
# refuses is read again by the pure-Python parser, whose messages `syntax_error_message` knows how to say in
# French (libyaml words some errors differently); that parser also serves a PyYAML built without libyaml.
_FAST_PARSER: type | None = getattr(yaml, "CSafeLoader", None)


def _compose(parser: type, text: str) -> yaml.Node | None:
    loader = parser(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def load_yaml(text: str) -> tuple[Any, SourceMap]:
    source_map = SourceMap()
    try:
        try:
            node = _compose(_FAST_PARSER, text) if _FAST_PARSER is not None else None
        except yaml.YAMLError:
            node = None
        if node is None:
            node = _compose(_ScalarConstructor, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSourceError(syntax_error_message(exc), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(
            Message("template.yaml_syntax", f"YAML invalide : {exc}", f"Invalid YAML: {exc}"), None
        ) from None
    if node is None:
        return None, source_map
    constructor = _ScalarConstructor("")
    constructor.seen_nodes = set()
    return _build(node, (), source_map, constructor, 0), source_map


_DATA_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


def _refuse(node: yaml.Node, code: str, fr: str, en: str) -> YamlSourceError:
    return YamlSourceError(Message(code, fr, en), node.start_mark.line + 1)


def _build(node: yaml.Node, path: YamlPath, source_map: SourceMap, constructor: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise _refuse(node, "template.too_deep", "Document trop imbriqué.", "Document nested too deeply.")
    if id(node) in constructor.seen_nodes:
        # An alias points back to a node already built: refusing it also defuses "billion laughs" documents.
        raise YamlSourceError(
            Message(
                "template.alias", "Les alias YAML (*nom) ne sont pas admis.", "YAML aliases are not allowed."
            ),
            source_map.line_of(path),
        )
    constructor.seen_nodes.add(id(node))
    source_map.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _DATA_TAGS:
        # !!python/object and the like would build objects, not data: name the tag, it is the reason.
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _refuse(
            node,
            "template.forbidden_tag",
            f"Étiquette YAML interdite : {shown} (un modèle ne contient que des données : textes, nombres, "
            "dates, listes et dictionnaires).",
            f"Forbidden YAML tag: {shown} (a template holds data only: text, numbers, dates, lists, "
            "mappings).",
        )
    if isinstance(node, yaml.ScalarNode):
        try:
            return constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise _refuse(
                node, "template.scalar", f"Valeur illisible : {exc}", f"Unreadable value: {exc}"
            ) from None
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(child, (*path, index), source_map, constructor, depth + 1)
            for index, child in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, source_map, constructor, depth)
    raise _refuse(
        node, "template.node", "Élément YAML inattendu.", "Unexpected YAML node."
    )  # pragma: no cover


def _build_mapping(
    node: yaml.MappingNode, path: YamlPath, source_map: SourceMap, constructor: Any, depth: int
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _refuse(
                key_node,
                "template.key_type",
                "Une clé doit être un simple texte.",
                "A key must be plain text.",
            )
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _refuse(
                key_node,
                "template.merge_key",
                "La clé de fusion « << » n'est pas admise.",
                "Merge keys are not allowed.",
            )
        key = str(key_node.value)
        if key in result:
            raise _refuse(
                key_node,
                "template.duplicate_key",
                f"La clé « {key} » est répétée.",
                f"Key '{key}' appears twice.",
            )
        child_path = (*path, key)
        source_map.lines[child_path] = key_node.start_mark.line + 1
        result[key] = _build(value_node, child_path, source_map, constructor, depth + 1)
        source_map.lines[child_path] = key_node.start_mark.line + 1
    return result
