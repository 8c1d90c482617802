"""HTML output: a Jinja2 template (autoescaped) over the structured document, with the stylesheet inlined."""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from gouvernance.deliverables.french import format_date
from gouvernance.deliverables.model import PLACEHOLDER, DeliverableDocument, outline

TEMPLATE = "document.html.j2"
STYLESHEET = "deliverable.css"


def nl2br(value: object) -> Markup:
    """Escapes the text, then keeps its line breaks."""
    return Markup("<br>\n").join(escape(line) for line in str(value).split("\n"))


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.strip() == PLACEHOLDER


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gouvernance.deliverables", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["nl2br"] = nl2br
    env.tests["placeholder"] = is_placeholder
    return env


@cache
def stylesheet() -> Markup:
    css = resources.files("gouvernance.deliverables").joinpath("templates", STYLESHEET).read_text("utf-8")
    return Markup(css)  # our own file, shipped with the package: never user text


def author_line(document: DeliverableDocument) -> str:
    return f"{document.author}, {document.organisation}" if document.organisation else document.author


def render_html(document: DeliverableDocument) -> str:
    """The full, self-contained HTML page. Same document in, same text out."""
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            document=document,
            outline=outline(document),
            stylesheet=stylesheet(),
            author_line=author_line(document),
            date_label=format_date(document.local_generated_at.date()),
            created_iso=document.local_generated_at.isoformat(timespec="seconds"),
        )
    )
