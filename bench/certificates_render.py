"""Certificate rendering: the first render, warm renders, and memory over many renders."""

import statistics
import time

import pdf
from certificates.issuing import certificate_html, render_certificate
from pdf import html_to_pdf

WARM_RENDERS = 20
MEMORY_RENDERS = 500
VALUES = {
    "code": "K7QM-3XHA-PWN9",
    "course_title": "Online safety: recognising and responding to online blackmail",
    "pupil_name": "Ryan Davies",
    "school_name": "Riverside Academy",
    "score": 93,
    "issued_at": "2026-11-21T10:00:00+00:00",
}


def rss_mib():
    """This process's resident memory, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fresh_vs_trivial():
    """A fresh certificate (its own code, so its own QR) vs a trivial one-page render, interleaved."""
    trivial = "<!doctype html><html lang=en><title>t</title><p>Hello</p></html>"
    html_to_pdf(trivial)
    fresh, plain = [], []
    for number in range(WARM_RENDERS):
        start = time.perf_counter()
        render_certificate(dict(VALUES, code=f"K7QM-3XHA-{number:04d}"))
        fresh.append(time.perf_counter() - start)
        start = time.perf_counter()
        html_to_pdf(trivial)
        plain.append(time.perf_counter() - start)
    ratio = statistics.median(fresh) / statistics.median(plain)
    return (
        "Certificate PDF: fresh render vs trivial one-page render",
        f"{ratio:.2f}x ({statistics.median(fresh) * 1000:.1f} vs {statistics.median(plain) * 1000:.1f} ms)",
        "<= 1.5x",
    )


def fresh_vs_weasyprint():
    """Like for like: a fresh certificate (its page, QR code and PDF) vs WeasyPrint alone, with its own defaults,
    rendering the same page's HTML with the same stylesheet: what our code adds to the floor, interleaved."""
    import weasyprint

    static = pdf.STATIC
    stylesheet = static / "css" / "certificate.css"
    ours, theirs = [], []
    for number in range(WARM_RENDERS + 3):
        values = dict(VALUES, code=f"K7QM-3XHW-{number:04d}")
        start = time.perf_counter()
        render_certificate(values)
        ours.append(time.perf_counter() - start)
        html = certificate_html(values)
        start = time.perf_counter()
        weasyprint.HTML(string=html, base_url=str(static)).write_pdf(
            stylesheets=[weasyprint.CSS(filename=str(stylesheet))], pdf_variant=pdf.PDF_VARIANT
        )
        theirs.append(time.perf_counter() - start)
    ours, theirs = statistics.median(ours[3:]), statistics.median(theirs[3:])
    return (
        "Certificate PDF: fresh certificate vs WeasyPrint alone rendering the same page (like-for-like floor)",
        f"{ours / theirs:.2f}x ({ours * 1000:.1f} vs {theirs * 1000:.1f} ms, median of {WARM_RENDERS})",
        "<= 1.2x",
    )


def stages(html, stylesheet):
    """Seconds for WeasyPrint's three stages: parse, style and layout, then drawing and writing the PDF."""
    start = time.perf_counter()
    document = pdf.parse(html)
    parsed = time.perf_counter()
    rendered = pdf.lay_out(document, stylesheet)
    laid_out = time.perf_counter()
    rendered.write_pdf(pdf_variant=pdf.PDF_VARIANT)
    return parsed - start, laid_out - parsed, time.perf_counter() - laid_out


def where_the_time_goes():
    """A fresh certificate's stages beside the trivial page's, interleaved, and the floor that leaves.

    Drawing and writing a PDF (text runs, font subsetting, the PDF/UA structure tree) is work each
    document does for its own content: compared with a whole trivial render it bounds what caching
    the parse, styles or layout could ever reach.
    """
    trivial = "<!doctype html><html lang=en><title>t</title><p>Hello</p></html>"
    certificate, plain = [], []
    for number in range(WARM_RENDERS + 3):
        html = certificate_html(dict(VALUES, code=f"K7QM-3XHC-{number:04d}"))
        certificate.append(stages(html, "certificate.css"))
        plain.append(stages(trivial, None))
    certificate, plain = certificate[3:], plain[3:]

    def ms(samples, stage):
        return statistics.median(sample[stage] for sample in samples) * 1000

    trivial_total = statistics.median(sum(sample) for sample in plain) * 1000
    split = " / ".join(f"{ms(certificate, stage):.1f} vs {ms(plain, stage):.1f}" for stage in range(3))
    return [
        ("Certificate PDF: parse / style+layout / draw+write, certificate vs trivial", f"{split} ms"),
        (
            "Certificate PDF: its draw+write stage alone vs a whole trivial render",
            f"{ms(certificate, 2) / trivial_total:.2f}x ({ms(certificate, 2):.1f} vs {trivial_total:.1f} ms)",
        ),
    ]


def run(app):
    """Time the first and warm certificate renders; watch memory over 500 renders."""
    rows = []
    with app.test_request_context(base_url="https://training.example.test"):
        start = time.perf_counter()
        render_certificate(VALUES)
        rows.append(("Certificate PDF: first render", f"{(time.perf_counter() - start) * 1000:.0f} ms"))
        times = []
        for _ in range(WARM_RENDERS):
            start = time.perf_counter()
            size = len(render_certificate(VALUES))
            times.append(time.perf_counter() - start)
        rows.append(
            (f"Certificate PDF: median of {WARM_RENDERS} warm renders", f"{statistics.median(times) * 1000:.1f} ms")
        )
        rows.append(("Certificate PDF: size", f"{size / 1024:.0f} KiB"))
        rows.append(fresh_vs_trivial())
        rows.append(fresh_vs_weasyprint())
        rows += where_the_time_goes()
        before = rss_mib()
        checkpoints = []
        for number in range(1, MEMORY_RENDERS + 1):
            render_certificate(VALUES)
            if number in (100, MEMORY_RENDERS):
                checkpoints.append(rss_mib())
        rows.append(
            (
                f"Certificate PDF: memory over {MEMORY_RENDERS} renders",
                f"{before:.0f} MiB -> {checkpoints[0]:.0f} (after 100) -> {checkpoints[1]:.0f} MiB",
            )
        )
    return rows
