"""Certificate rendering: the first render, warm renders, and memory over many renders."""

import statistics
import time

from certificates.issuing import render_certificate

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
