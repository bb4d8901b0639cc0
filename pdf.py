"""HTML to PDF with WeasyPrint, shared by certificates, reports and exports.

One FontConfiguration per process (a new one per render grew memory without bound here),
and a URL fetcher that serves our own static files and data: URIs and refuses the rest.
"""

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
                return URLFetcherResponse(path.as_uri(), path.read_bytes())
        raise ValueError(f"not fetched (only our static files): {url}")


_fetcher = StaticOnlyFetcher()


def html_to_pdf(html, stylesheet=None):
    """Render an HTML string (and optionally a stylesheet from static/css) to PDF bytes."""
    stylesheets = []
    if stylesheet:
        stylesheets.append(
            CSS(
                string=(STATIC / "css" / stylesheet).read_text(),
                font_config=_fonts,
                url_fetcher=_fetcher,
            )
        )
    document = HTML(string=html, base_url="static:/", url_fetcher=_fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=_fonts)
