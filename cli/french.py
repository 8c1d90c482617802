"""Typer's own words in French: the help's panel titles and markers, the usage line, the help option.

Typer looks most of its words up with ``gettext.gettext`` in the default "messages" domain when it first
renders a help page; ``install_catalogue`` points that domain at the catalogue shipped here
(``locale/fr/LC_MESSAGES/messages.po``, compiled to ``messages.mo`` by ``python -m gouvernance.cli.french``).
The usage prefix and the help option's text are fixed strings in Typer: the command and group classes below
set them through Click's public hooks (``formatter_class``, ``get_help_option``), and reword the usage errors
Typer writes in English (a missing argument, an unknown option…) before Typer prints them."""

from __future__ import annotations

import ast
import gettext
import os
import re
import struct
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
USAGE_PREFIX = "Utilisation : "
HELP_OPTION_TEXT = "Afficher cette aide et quitter."


def install_catalogue() -> None:
    """Typer's words in French for this process. The command line speaks French whatever the shell's
    locale, so French is the language gettext is told to look for. Call it once every module is imported:
    python-statemachine makes its own domain the global one when it is imported, and Typer looks its words
    up in the global domain."""
    gettext.bindtextdomain("messages", str(LOCALE_DIR))
    gettext.textdomain("messages")
    os.environ["LANGUAGE"] = "fr"


class FrenchFormatter(typer.Context.formatter_class):  # type: ignore[misc,valid-type]
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)


class FrenchContext(typer.Context):
    formatter_class = FrenchFormatter


def _french_help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION_TEXT
        option.metavar = ""  # a flag takes no value: no type to show
    return option


def _no_type_on_flags(params: list[Any]) -> None:
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class FrenchUsageError(typer.BadParameter):
    """A usage error whose message is already written in French: printed as it is."""

    def format_message(self) -> str:
        return self.message


_DETAILS = (
    (re.compile(r"Input should be a valid integer.*"), "un nombre entier est attendu"),
    (re.compile(r"Input should be greater than or equal to (?P<n>\S+)"), "au moins {n}"),
    (re.compile(r"Input should be less than or equal to (?P<n>\S+)"), "au plus {n}"),
)
_USAGE_ERRORS = (
    (re.compile(r"Missing argument '(?P<name>.+)'\."), "Argument manquant : {name}."),
    (re.compile(r"Missing option '(?P<name>.+)'\."), "Option obligatoire manquante : {name}."),
    (
        re.compile(r"No such option: (?P<name>\S+)(?: Did you mean (?P<hint>.+)\?)?"),
        "Option inconnue : {name}.",
    ),
    (
        re.compile(r"No such command '(?P<name>.+)'\.(?: Did you mean (?P<hint>.+)\?)?"),
        "Commande inconnue : {name}.",
    ),
    (re.compile(r"Got unexpected extra argument\(s\) \((?P<name>.+)\)"), "Argument(s) en trop : {name}."),
    (re.compile(r"Option '(?P<name>.+)' requires .+"), "L'option {name} attend une valeur."),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<detail>.+)"),
        "Valeur invalide pour {name} : {detail}.",
    ),
)


def _french_detail(detail: str) -> str:
    for pattern, french in _DETAILS:
        if found := pattern.fullmatch(detail):
            return french.format(**found.groupdict())
    return detail.rstrip(".")


def _in_french(error: typer.TyperException, ctx: Any) -> typer.TyperException:
    """The same usage error in French, when its English wording is one Typer is known to use."""
    text = error.format_message() if hasattr(error, "format_message") else str(error)
    for pattern, french in _USAGE_ERRORS:
        if found := pattern.fullmatch(text):
            words = {k: v for k, v in found.groupdict().items() if v is not None}
            if "detail" in words:
                words["detail"] = _french_detail(words["detail"])
            message = french.format(**words)
            if hint := words.get("hint"):
                message += f" Vouliez-vous dire {hint} ?"
            return FrenchUsageError(message, ctx=getattr(error, "ctx", None) or ctx)
    return error


class FrenchCommand(TyperCommand):
    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_type_on_flags(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _french_help_option(super().get_help_option(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as error:
            raise _in_french(error, ctx) from None


class FrenchGroup(TyperGroup):
    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_type_on_flags(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _french_help_option(super().get_help_option(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as error:
            raise _in_french(error, ctx) from None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:
            raise _in_french(error, ctx) from None


def french_app(**settings: Any) -> typer.Typer:
    """A Typer (sub-)application whose help speaks French; its commands take ``cls=FrenchCommand``.
    Typer's shell-completion options explain themselves in English only: they are left out."""
    return typer.Typer(
        cls=FrenchGroup, add_completion=False, subcommand_metavar="COMMANDE [ARGUMENTS]...", **settings
    )


# --- the catalogue --------------------------------------------------------------------------------------


def read_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a simple .po file (no plural forms, no contexts)."""
    entries: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    field = None

    def flush() -> None:
        if field == "msgstr" and key is not None:
            entries[key] = "".join(current)

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("msgid "):
            flush()
            field, current = "msgid", [ast.literal_eval(line[6:])]
        elif line.startswith("msgstr "):
            key = "".join(current)
            field, current = "msgstr", [ast.literal_eval(line[7:])]
        elif line.startswith('"'):
            current.append(ast.literal_eval(line))
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo form of ``entries`` (what ``msgfmt`` writes), sorted by msgid as gettext expects."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + 8 * len(keys)
    data_start = strs_table + 8 * len(keys)
    offsets: list[int] = []
    data = b""
    for value in ids + strs:
        offsets += [len(value), data_start + len(data)]
        data += value + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), ids_table, strs_table, 0, 0)
    return header + struct.pack(f"<{len(offsets)}I", *offsets) + data


def compiled_catalogue() -> bytes:
    return compile_mo(read_po(CATALOGUE.read_text(encoding="utf-8")))


if __name__ == "__main__":
    CATALOGUE.with_suffix(".mo").write_bytes(compiled_catalogue())
    print(f"{CATALOGUE.with_suffix('.mo')} compilé.")
