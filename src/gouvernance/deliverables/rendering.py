"""Rendering behind an interface: a ``Renderer`` turns a ``DeliverableDocument`` into a file.

``DocumentRenderer`` is the real one (Jinja2 for HTML, WeasyPrint for PDF, python-docx for DOCX);
``FakeRenderer`` is the in-memory one for tests of the layers above, which should not pay for PDF layout.
The three libraries are imported on first use: WeasyPrint alone takes seconds to import, and the API, which
builds a ``DocumentRenderer`` at start, must answer before any deliverable is rendered.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, get_args

from gouvernance.deliverables.model import DeliverableDocument, Figure
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


class DocumentRenderer:
    """HTML from Jinja2 templates, PDF from that HTML with WeasyPrint, DOCX from the same structured content.

    ``svg_rasterizer`` turns figures into PNG for DOCX. None of the installed libraries can rasterise SVG
    (WeasyPrint dropped PNG output in v53, Pillow reads no SVG), so by default DOCX shows a caption pointing
    to the HTML/PDF version; ``PopplerSvgRasterizer.if_available()`` is an opt-in using ``pdftoppm``.
    """

    def __init__(self, *, svg_rasterizer: SvgRasterizer | None = None) -> None:
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


class PopplerSvgRasterizer:
    """SVG -> PNG without new Python dependencies: WeasyPrint lays the SVG out on a page of its own size,
    then poppler's ``pdftoppm`` rasterises that page. Returns None (caption fallback) on any failure."""

    def __init__(self, executable: str, *, dpi: int = 150, timeout: float = 30.0) -> None:
        self.executable = executable
        self.dpi = dpi
        self.timeout = timeout

    @classmethod
    def if_available(cls) -> PopplerSvgRasterizer | None:
        executable = shutil.which("pdftoppm")
        return cls(executable) if executable else None

    def __call__(self, svg: str) -> bytes | None:
        from gouvernance.deliverables.pdf_output import OfflineURLFetcher, render_pdf

        width, height = svg_size(svg)
        figure = Figure(svg=svg, caption="", alt="figure")
        html = (
            f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} "
            f"body {{ margin: 0 }} img {{ width: {width}px; height: {height}px; display: block }}</style>"
            f'</head><body><img src="{figure.data_uri}" alt=""></body></html>'
        )
        try:
            pdf = render_pdf(html, fetcher=OfflineURLFetcher(), tagged=False)
            with tempfile.TemporaryDirectory(prefix="gouvernance-svg-") as workdir:
                source = Path(workdir, "figure.pdf")
                source.write_bytes(pdf)
                subprocess.run(
                    [
                        self.executable,
                        "-png",
                        "-singlefile",
                        "-r",
                        str(self.dpi),
                        str(source),
                        f"{workdir}/figure",
                    ],
                    check=True,
                    capture_output=True,
                    timeout=self.timeout,
                )
                return Path(workdir, "figure.png").read_bytes()
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("SVG rasterisation failed, DOCX gets the caption instead: %s", error)
            return None


_LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)


def svg_size(svg: str, default: tuple[int, int] = (800, 600)) -> tuple[int, int]:
    """Pixel width and height from the root element's width/height, else its viewBox, else ``default``."""
    match = _SVG_OPEN.search(svg)
    tag = match.group(0) if match else ""
    attributes = dict(re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', tag))
    width, height = (_LENGTH.match(attributes.get(name, "")) for name in ("width", "height"))
    if width and height:
        return max(1, round(float(width.group(1)))), max(1, round(float(height.group(1))))
    box = attributes.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return max(1, round(float(box[2]))), max(1, round(float(box[3])))
        except ValueError:
            pass
    return default
