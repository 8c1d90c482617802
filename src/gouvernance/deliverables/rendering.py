"""Rendering behind an interface: a ``Renderer`` turns a ``DeliverableDocument`` into a file.

``DocumentRenderer`` is the real one (Jinja2 for HTML, WeasyPrint for PDF, python-docx for DOCX);
``FakeRenderer`` is the in-memory one for tests of the layers above, which should not pay for PDF layout.
The three libraries are imported on first use: WeasyPrint alone takes seconds to import, and the API, which
builds a ``DocumentRenderer`` at start, must answer before any deliverable is rendered.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, get_args

from gouvernance.deliverables.model import DeliverableDocument
from gouvernance.errors import InvalidInput, Message

if TYPE_CHECKING:
    from gouvernance.deliverables.docx_output import SvgRasterizer

logger = logging.getLogger(__name__)

OutputFormat = Literal["html", "pdf", "docx"]
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)

MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    media_type: str
    filename: str
    sha256: str

    @classmethod
    def of(cls, content: bytes, *, media_type: str, filename: str) -> RenderedFile:
        return cls(content, media_type, filename, hashlib.sha256(content).hexdigest())


class Renderer(Protocol):
    def render(self, document: DeliverableDocument, fmt: OutputFormat) -> RenderedFile:
        """The document as a file in the given format. Raises InvalidInput for an unknown format."""
        ...


def check_format(fmt: str) -> OutputFormat:
    if fmt not in OUTPUT_FORMATS:
        raise InvalidInput(
            Message(
                code="deliverable.unknown_format",
                fr=f"Format de livrable inconnu : « {fmt} ». Formats possibles : html, pdf, docx.",
                en=f"Unknown deliverable format: '{fmt}'. Possible formats: html, pdf, docx.",
                path="format",
                details={"format": fmt, "allowed": list(OUTPUT_FORMATS)},
            )
        )
    return fmt  # type: ignore[return-value]  # narrowed by the membership test


@dataclass(frozen=True)
class CairoSvgRasterizer:
    """SVG -> PNG with CairoSVG (Kozea's converter, on the cairo library that Debian's ``libcairo2`` ships).

    ``scale`` multiplies the SVG's CSS pixels: 2 gives about 300 dpi for a 1000-pixel map printed 16 cm wide.
    CairoSVG's safe mode (its default, kept here) resolves no XML entity and fetches no external resource, so
    a picture cannot reach the network or the disk. Returns None (the caption fallback) on any failure,
    including a missing cairo library, after logging why.
    """

    scale: float = 2.0

    def __call__(self, svg: str) -> bytes | None:
        try:
            import cairosvg  # deferred: it loads the cairo library, which only DOCX output needs

            return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=self.scale, unsafe=False)
        except Exception as error:  # CairoSVG raises many kinds (OSError, ValueError, XML errors…)
            logger.warning("SVG rasterisation failed, DOCX gets the caption instead: %s", error)
            return None


DEFAULT_RASTERIZER = CairoSvgRasterizer()


class DocumentRenderer:
    """HTML from Jinja2 templates, PDF from that HTML with WeasyPrint, DOCX from the same structured content.

    ``svg_rasterizer`` turns figures into PNG pictures for DOCX (CairoSVG by default). With None, or when it
    fails, DOCX shows the figure's caption and text alternative pointing to the HTML/PDF version instead.
    """

    def __init__(self, *, svg_rasterizer: SvgRasterizer | None = DEFAULT_RASTERIZER) -> None:
        self.svg_rasterizer = svg_rasterizer

    def render(self, document: DeliverableDocument, fmt: OutputFormat) -> RenderedFile:
        fmt = check_format(fmt)
        if fmt == "docx":
            from gouvernance.deliverables.docx_output import render_docx

            content = render_docx(document, rasterize=self.svg_rasterizer)
        else:
            from gouvernance.deliverables.html_output import render_html

            html = render_html(document)
            if fmt == "html":
                content = html.encode("utf-8")
            else:
                from gouvernance.deliverables.pdf_output import render_pdf

                content = render_pdf(html)
        return RenderedFile.of(content, media_type=MEDIA_TYPES[fmt], filename=document.filename(fmt))


@dataclass
class FakeRenderer:
    """In-memory renderer for tests: remembers what it was asked and returns small, predictable files."""

    calls: list[tuple[DeliverableDocument, OutputFormat]] = field(default_factory=list)

    def render(self, document: DeliverableDocument, fmt: OutputFormat) -> RenderedFile:
        fmt = check_format(fmt)
        self.calls.append((document, fmt))
        content = f"{fmt}:{document.kind}:{document.title}".encode()
        return RenderedFile.of(content, media_type=MEDIA_TYPES[fmt], filename=document.filename(fmt))
