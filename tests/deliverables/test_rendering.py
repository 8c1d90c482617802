import io
import re
import shutil
import zipfile
from datetime import timedelta

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image

from gouvernance.deliverables.docx_output import FIGURE_FALLBACK
from gouvernance.deliverables.html_output import render_html
from gouvernance.deliverables.model import DeliverableDocument, Figure
from gouvernance.deliverables.pdf_output import OfflineURLFetcher, render_pdf
from gouvernance.deliverables.registry import BUILDERS, build_document
from gouvernance.deliverables.rendering import (
    MEDIA_TYPES,
    CairoSvgRasterizer,
    DocumentRenderer,
    FakeRenderer,
    Renderer,
)
from gouvernance.errors import InvalidInput
from tests.processes import run

from .conftest import FIRST_HEADINGS, HOSTILE_NAME, SAMPLES, ParsedHtml

KINDS = list(BUILDERS)
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


def hostile(kind: str) -> DeliverableDocument:
    """The sample for ``kind``, in a territory whose name is an HTML injection attempt."""
    context = {**SAMPLES[kind], "territory": {**SAMPLES[kind]["territory"], "name": HOSTILE_NAME}}
    context["author"] = 'Claire "<b>" Dupont & associés'
    return build_document(kind, context)


@pytest.fixture(scope="module")
def renderer() -> DocumentRenderer:
    return DocumentRenderer()


@pytest.fixture(scope="module")
def pdfs(renderer):
    """Each kind's PDF, rendered once for the module: WeasyPrint layout is the slow part."""
    return {kind: renderer.render(hostile(kind), "pdf") for kind in KINDS}


def pdf_text(content: bytes) -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text is not checked")
    result = run([PDFTOTEXT, "-layout", "-", "-"], input=content, text=False)
    return " ".join(result.stdout.decode("utf-8").split())


def docx_of(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


# HTML


@pytest.mark.parametrize("kind", KINDS)
def test_html_has_french_structure_and_escapes_user_text(kind, renderer):
    document = hostile(kind)
    rendered = renderer.render(document, "html")
    source = rendered.content.decode("utf-8")
    page = ParsedHtml(source)

    assert rendered.media_type == "text/html; charset=utf-8"
    assert rendered.filename.endswith(".html")
    assert rendered.filename.startswith(kind)
    assert ("html", {"lang": "fr"}) in page.attributes
    assert "script" not in page.tags
    assert "<script>" not in source
    assert "<b>" not in source
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Saint-Martin" in source
    assert HOSTILE_NAME in page.text  # shown as text, exactly as typed

    h1 = [text for tag, text in page.headings if tag == "h1"]
    assert h1 == [document.title]
    headings = page.heading_texts()
    for expected in FIRST_HEADINGS[kind]:
        assert any(heading.endswith(expected) for heading in headings), expected
    assert all(attrs.get("scope") == "col" for tag, attrs in page.attributes if tag == "th")


@pytest.mark.parametrize("kind", KINDS)
def test_html_never_points_outside(kind, renderer):
    source = renderer.render(build_document(kind, SAMPLES[kind]), "html").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]*)"', source)
    assert all(url.startswith(("data:", "#")) for url in urls), urls
    assert "@import" not in source
    assert "url(" not in source


def test_html_has_the_title_block_and_french_date(renderer):
    page = ParsedHtml(
        renderer.render(build_document("plan_action", SAMPLES["plan_action"]), "html").content.decode()
    )
    assert "Commune · code INSEE 38421" in page.text
    assert "Version du 21 novembre 2026" in page.text
    assert "Rédaction Claire Dupont, DiaPPason" in page.text
    assert "Sommaire" in page.heading_texts()


def test_figures_are_inline_images_with_text_alternatives(renderer):
    source = renderer.render(
        build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"]), "html"
    )
    images = [attrs for tag, attrs in ParsedHtml(source.content.decode()).attributes if tag == "img"]
    assert len(images) == 2
    assert all(attrs["src"].startswith("data:image/svg+xml;base64,") and attrs["alt"] for attrs in images)


def test_html_bytes_and_hash_are_stable_for_a_fixed_generation_time(renderer):
    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    first, second = renderer.render(document, "html"), renderer.render(document, "html")
    assert first.content == second.content
    assert first.sha256 == second.sha256
    assert re.fullmatch(r"[0-9a-f]{64}", first.sha256)
    later = document.model_copy(update={"generated_at": document.generated_at + timedelta(days=1)})
    assert renderer.render(later, "html").sha256 != first.sha256


# PDF


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_a_pdf_with_french_headings_and_page_numbers(kind, pdfs):
    rendered = pdfs[kind]
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.media_type == "application/pdf"
    text = pdf_text(rendered.content)
    assert HOSTILE_NAME in text
    for expected in FIRST_HEADINGS[kind][:2]:
        assert expected in text, expected
    pages = int(re.search(r"Page 1 / (\d+)", text).group(1))
    assert f"Page {pages} / {pages}" in text


def test_attendance_sheet_pdf_is_landscape(pdfs):
    if PDFINFO is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed: the page size is not checked")
    info = run([PDFINFO, "-"], input=pdfs["feuille_emargement"].content, text=False)
    width, height = map(float, re.search(rb"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout).groups())
    assert width > height


def test_pdf_rendering_refuses_network_and_files():
    page = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<img src="http://example.invalid/logo.png" alt=""><img src="https://example.invalid/x.svg" alt="">'
        '<img alt="" src="data:image/svg+xml;base64,'
        'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">'
        "<p>Texte</p></body></html>"
    )
    fetcher = OfflineURLFetcher()
    assert render_pdf(page, fetcher=fetcher).startswith(b"%PDF-")
    assert sorted(fetcher.refused) == [
        "file:///etc/passwd",
        "http://example.invalid/logo.png",
        "https://example.invalid/x.svg",
    ]


def test_links_inside_figures_are_not_fetched_either():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<image href="http://example.invalid/track.png" width="20" height="20"/></svg>'
    )
    context = {**SAMPLES["rapport_etat_des_lieux"], "power_interest_svg": svg}
    fetcher = OfflineURLFetcher()
    render_pdf(render_html(build_document("rapport_etat_des_lieux", context)), fetcher=fetcher)
    assert fetcher.refused == ["http://example.invalid/track.png"]


# DOCX


@pytest.mark.parametrize("kind", KINDS)
def test_docx_has_real_headings_tables_and_french_text(kind, renderer):
    document = hostile(kind)
    rendered = renderer.render(document, "docx")
    assert rendered.media_type == MEDIA_TYPES["docx"]
    assert rendered.filename.endswith(".docx")
    word = docx_of(rendered.content)

    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for expected in FIRST_HEADINGS[kind]:
        assert any(heading.endswith(expected) for heading in headings), expected
    assert [p.text for p in word.paragraphs if p.style.name == "Title"] == [document.title]
    assert HOSTILE_NAME in [p.text for p in word.paragraphs]
    assert "Version du 21 novembre 2026" in [p.text for p in word.paragraphs]
    assert word.tables
    header_row = word.tables[-1].rows[0]._tr
    assert header_row.find(qn("w:trPr")) is not None
    assert word.core_properties.language == "fr-FR"
    assert word.core_properties.title == document.title
    section = word.sections[0]
    assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}


def test_docx_tables_carry_the_data(renderer):
    word = docx_of(renderer.render(build_document("plan_action", SAMPLES["plan_action"]), "docx").content)
    actions = next(t for t in word.tables if t.rows[0].cells[0].text == "N°")
    assert [cell.text for cell in actions.rows[0].cells] == [
        "N°",
        "Action",
        "Objectif",
        "Responsable",
        "Échéance",
        "Statut",
    ]
    assert [cell.text for cell in actions.rows[1].cells][1:] == [
        "Atelier de lancement",
        "Élargir la participation",
        "Chef de projet",
        "15 janvier 2027",
        "Réalisée",
    ]
    bullets = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert "Associer les habitants au projet urbain" in bullets


def test_docx_footer_numbers_pages_with_fields(renderer):
    content = renderer.render(build_document("plan_action", SAMPLES["plan_action"]), "docx").content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        footers = [
            package.read(name).decode() for name in package.namelist() if name.startswith("word/footer")
        ]
    assert any(" PAGE " in footer and " NUMPAGES " in footer and "Page " in footer for footer in footers)


def test_docx_attendance_sheet_is_landscape_with_tall_signature_rows(renderer):
    word = docx_of(
        renderer.render(build_document("feuille_emargement", SAMPLES["feuille_emargement"]), "docx").content
    )
    section = word.sections[0]
    assert section.page_width > section.page_height
    sheet = next(t for t in word.tables if t.rows[0].cells[-1].text == "Signature")
    assert len(sheet.rows) == 1 + 5
    assert all(row.cells[-1].text == "" for row in sheet.rows[1:])
    assert all(row.height is not None and row.height.mm >= 11.9 for row in sheet.rows[1:])


def test_docx_ordered_lists_restart_at_one(renderer):
    word = docx_of(
        renderer.render(build_document("rapport_evaluation", SAMPLES["rapport_evaluation"]), "docx").content
    )
    note = build_document("note_securisation_juridique", SAMPLES["note_securisation_juridique"])
    word_note = docx_of(renderer.render(note, "docx").content)
    for document in (word, word_note):
        numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
        assert numbered
        ids = {p._p.pPr.numPr.numId.val for p in numbered}
        assert len(ids) == 1  # one restarted numbering per list; each list here is the only one
        overrides = document.part.numbering_part.element.xpath(
            f'//w:num[@w:numId="{ids.pop()}"]/w:lvlOverride/w:startOverride/@w:val'
        )
        assert overrides == ["1"]


def test_docx_without_rasteriser_points_to_the_html_and_pdf():
    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    word = docx_of(DocumentRenderer(svg_rasterizer=None).render(document, "docx").content)
    fallbacks = [p.text for p in word.paragraphs if p.text.startswith(FIGURE_FALLBACK)]
    assert len(fallbacks) == 2
    assert not word.inline_shapes


def test_docx_embeds_figures_when_a_rasteriser_is_given():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    calls: list[str] = []

    def rasterise(svg: str) -> bytes:
        calls.append(svg)
        return buffer.getvalue()

    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    word = docx_of(DocumentRenderer(svg_rasterizer=rasterise).render(document, "docx").content)
    assert len(calls) == 2
    assert len(word.inline_shapes) == 2
    assert all(description.startswith(("Grille", "Réseau")) for description in picture_descriptions(word))


def picture_descriptions(word: docx.document.Document) -> list[str]:
    """The alternative text (``descr``) of each picture, as Word shows it under « Texte de remplacement »."""
    return [str(value) for value in word.element.body.xpath(".//wp:inline/wp:docPr/@descr")]


def test_docx_of_the_state_of_play_has_the_map_and_the_grid_as_pictures(renderer):
    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    content = renderer.render(document, "docx").content
    word = docx_of(content)
    assert len(word.inline_shapes) == 2
    assert FIGURE_FALLBACK not in "\n".join(p.text for p in word.paragraphs)
    figures = [b for s in document.sections for b in s.blocks if isinstance(b, Figure)]
    assert picture_descriptions(word) == [figure.alt for figure in figures]
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert all(figure.caption in captions for figure in figures)
    images = [name for name in zipfile.ZipFile(io.BytesIO(content)).namelist() if name.endswith(".png")]
    assert len(images) == 2


def test_docx_of_the_evaluation_report_has_a_picture_per_chart(renderer):
    indicator = {
        "name": "Taux de participation",
        "unit": "%",
        "baseline": 10,
        "baseline_on": "2026-01-01",
        "target": 40,
        "deadline": "2027-12-31",
        "direction": "increase",
        "measurements": [{"date": "2026-06-01", "value": 18}, {"date": "2026-12-01", "value": 26}],
    }
    context = {
        **SAMPLES["rapport_evaluation"],
        "evaluation_au": "2027-01-15",
        "objectifs": [
            {"title": "Associer les habitants", "indicators": [indicator, {**indicator, "key": "b"}]}
        ],
    }
    word = docx_of(renderer.render(build_document("rapport_evaluation", context), "docx").content)
    assert len(word.inline_shapes) == 2
    assert FIGURE_FALLBACK not in "\n".join(p.text for p in word.paragraphs)
    assert all(d.startswith("Évolution de « Taux de participation »") for d in picture_descriptions(word))
    width_mm = word.inline_shapes[0].width.mm
    assert 150 < width_mm <= 160.5


def test_cairo_rasteriser_turns_svg_into_png_at_twice_the_css_size():
    png = CairoSvgRasterizer()(SAMPLES["rapport_etat_des_lieux"]["power_interest_svg"])
    assert png is not None
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (960, 720)  # 480 x 360 CSS pixels, scale 2


def test_cairo_rasteriser_fetches_no_external_picture(tmp_path):
    red = tmp_path / "rouge.png"
    Image.new("RGB", (10, 10), "red").save(red)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
        f'height="10"><rect width="10" height="10" fill="#ffffff"/><image xlink:href="{red.as_uri()}" '
        'width="10" height="10"/></svg>'
    )
    png = CairoSvgRasterizer(scale=1)(svg)
    assert png is not None
    assert Image.open(io.BytesIO(png)).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_cairo_rasteriser_gives_up_quietly_on_what_it_cannot_read(caplog):
    assert CairoSvgRasterizer()("<svg xmlns='http://www.w3.org/2000/svg'><g></svg>") is None
    assert "SVG rasterisation failed" in caplog.text


def test_docx_bytes_are_reproducible(renderer):
    document = build_document("convention_partenariat", SAMPLES["convention_partenariat"])
    assert renderer.render(document, "docx").sha256 == renderer.render(document, "docx").sha256


# The interface


def test_unknown_formats_are_refused(renderer):
    document = build_document("plan_action", {})
    for implementation in (renderer, FakeRenderer()):
        with pytest.raises(InvalidInput) as refused:
            implementation.render(document, "odt")  # type: ignore[arg-type]
        assert refused.value.code == "deliverable.unknown_format"
        assert "odt" in refused.value.text("fr")


def test_fake_renderer_records_calls_and_mimics_files(clock):
    fake: Renderer = FakeRenderer()
    document = build_document("plan_action", {"territory": "Voiron"}, clock=clock)
    rendered = fake.render(document, "pdf")
    assert rendered.filename == "plan_action-voiron-2026-11-21.pdf"
    assert rendered.media_type == "application/pdf"
    assert fake.calls == [(document, "pdf")]  # type: ignore[attr-defined]


def test_pasted_control_characters_do_not_break_any_format(renderer):
    document = build_document("plan_action", {"besoins": ["Texte copié\x0b depuis un tableur\x07"]})
    for fmt in ("html", "docx"):
        assert renderer.render(document, fmt).content
    word = docx_of(renderer.render(document, "docx").content)
    assert "Texte copié depuis un tableur" in [p.text for p in word.paragraphs]
