"""PDF output: WeasyPrint lays out the HTML version. It never touches the network or the disk."""

from __future__ import annotations

import hashlib
import logging

from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


class OfflineURLFetcher(URLFetcher):
    """Serves ``data:`` URIs only; any other URL (http, https, file, ftp…) is refused and remembered.

    A refusal is not fatal: WeasyPrint leaves the resource out and goes on, so a stray link in a picture
    cannot block a deliverable, nor make the server fetch anything.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):  # WeasyPrint's own (untyped) signature
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            logger.warning("deliverable rendering: refused to fetch %s", url[:200])
            raise ValueError(f"network and file access refused: {url[:200]}")
        return super().fetch(url, headers)


def render_pdf(html: str, *, fetcher: OfflineURLFetcher | None = None, tagged: bool = True) -> bytes:
    """The PDF of a self-contained HTML page, tagged for screen readers unless ``tagged`` is False.

    The PDF identifier is derived from the HTML; the bytes still vary between runs (font subsets carry a
    timestamp), so compare PDFs by their text, not their hash."""
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document = HTML(string=html, url_fetcher=fetcher or OfflineURLFetcher(), media_type="print")
    pdf = document.write_pdf(pdf_identifier=identifier, pdf_tags=tagged)
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
