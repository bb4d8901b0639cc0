"""The evidence pack as a tagged PDF (PDF/UA, pdf.py) for governors and inspectors. No Flask here: the evidence
job draws a school's or a trust's, a class's page view its own (one class's is small)."""

from pdf import html_to_pdf
from progress.reports import _jinja


def pack_pdf(title, pack, minimum, as_of, *, trust=False, one_class=False, **learning):
    """The pack's PDF bytes. `learning`: a class's learned, recheck, beliefs, confidence and totals_minimum."""
    html = _jinja.get_template("progress/evidence_pdf.html").render(
        title=title, pack=pack, minimum=minimum, as_of=as_of, trust=trust, one_class=one_class,
        learned=learning.pop("learned", None), **learning,
    )  # fmt: skip
    return html_to_pdf(html, "report.css")
