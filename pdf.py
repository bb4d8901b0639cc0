"""HTML to PDF with WeasyPrint, shared by certificates, reports and exports.

Every PDF is tagged PDF/UA-1 (structure tree, reading order, /Lang from <html lang>, title
from <title>) so screen readers can read certificates, cards, reports and notes; it costs
about 8% of a certificate's render time (measured: 42 ms -> 46 ms).
One FontConfiguration per process (a new one per render grew memory without bound here),
and a URL fetcher that serves our own static files and data: URIs and refuses the rest.
"""

import functools
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).parent / "static").resolve()
_fonts = FontConfiguration()


class StaticOnlyFetcher(URLFetcher):
    """Fetch `static:...` paths from our static folder and data: URIs; refuse everything else."""

    def fetch(self, url, headers=None):
        """Serve the resource, or raise ValueError so WeasyPrint leaves it out."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("static:"):
            path = (STATIC / url.removeprefix("static:").lstrip("/")).resolve()
            if path.is_relative_to(STATIC) and path.is_file():
                return URLFetcherResponse(path.as_uri(), _static_bytes(path))
        raise ValueError(f"not fetched (only our static files): {url}")


@functools.cache
def _static_bytes(path):
    """A static file's bytes, read once per process (images and fonts are fetched on every render)."""
    return path.read_bytes()


_fetcher = StaticOnlyFetcher()
# PDF/UA-1 (PDF 1.7, tagged): the variant readers and checkers such as PAC know best.
PDF_VARIANT = "pdf/ua-1"


@functools.cache
def _stylesheet(name):
    """A stylesheet from static/css, parsed once per process: parsing was most of a certificate's render."""
    return CSS(string=(STATIC / "css" / name).read_text(), font_config=_fonts, url_fetcher=_fetcher)


def parse(html):
    """Parse an HTML string for WeasyPrint with our fetcher (html_to_pdf's first stage)."""
    return HTML(string=html, base_url="static:/", url_fetcher=_fetcher)


def lay_out(document, stylesheet=None):
    """Style and lay out a parsed document into pages (html_to_pdf's second stage)."""
    stylesheets = [_stylesheet(stylesheet)] if stylesheet else []
    return document.render(font_config=_fonts, stylesheets=stylesheets, pdf_variant=PDF_VARIANT)


def html_to_pdf(html, stylesheet=None):
    """Render an HTML string (and optionally a stylesheet from static/css) to tagged PDF bytes.

    The HTML must say its language (<html lang="en-GB">) and have a <title>: PDF/UA needs both.
    The last stage draws the pages and writes the PDF (fonts subset, structure tree).
    """
    return lay_out(parse(html), stylesheet).write_pdf(pdf_variant=PDF_VARIANT)
