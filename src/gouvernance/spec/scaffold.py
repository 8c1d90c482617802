"""A new template from an existing one: its file copied with the new key and version 1, comments kept, so a
consultant starts from a journey that validates and edits it."""

from __future__ import annotations

import re

from gouvernance.errors import Conflict, InvalidInput, Message
from gouvernance.spec.catalog import Catalog
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import load_model_text

_KEY = re.compile(r"[a-z][a-z0-9_\-]{0,79}")
_TOP_LEVEL = {name: re.compile(rf"{name}:") for name in ("key", "version", "title")}


def scaffold(
    catalog: Catalog, key: str, source_key: str, title: str | None = None
) -> tuple[str, ProcessModel]:
    """The text of template ``key`` (version 1) copied from the latest version of ``source_key``, and the
    model it validates to."""
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            Message(
                "template.invalid_key",
                f"clé « {key} » invalide : minuscules, chiffres, « _ » ou « - », commençant par une lettre",
                f"invalid key '{key}'",
                path="key",
            )
        )
    if catalog.versions(key):
        raise Conflict(
            Message(
                "template.key_taken",
                f"Le modèle « {key} » existe déjà (versions : {catalog.versions(key)}) : choisissez une "
                "autre clé, ou augmentez sa version pour le modifier.",
                f"Template '{key}' already exists.",
                details={"key": key},
            )
        )
    source = catalog.get(source_key)
    text = catalog.source_text(source.key, source.version)
    replacements = {"key": f"key: {key}", "version": "version: 1"}
    if title:
        replacements["title"] = f"title: {{fr: {_quoted(title)}}}"
    for name, line in replacements.items():
        text = _replace_top_level(text, name, line)
    header = f"# Créé à partir de « {source.key} » version {source.version} (gouvernance models new).\n"
    text = header + text
    return text, load_model_text(text, f"{key}.yaml")


def _replace_top_level(text: str, name: str, line: str) -> str:
    """``text`` with its top-level ``name:`` entry (and the indented lines under it) replaced by ``line``."""
    lines = text.splitlines(keepends=True)
    for index, current in enumerate(lines):
        if _TOP_LEVEL[name].match(current):
            end = index + 1
            while end < len(lines) and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
                end += 1
            return "".join([*lines[:index], line + "\n", *lines[end:]])
    return f"{line}\n{text}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
