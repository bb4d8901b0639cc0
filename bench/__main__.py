"""`make bench`: every benchmark, printed as one table. Timing lives here, never in unit tests."""

import importlib
import tempfile

from app import create_app

# Each module has run(app) -> [(label, figure), ...]; a row of the table adds its goal: (label, figure, goal).
BENCHMARKS = (
    "certificates_render", "load", "classroom_roster", "classroom_reports", "sign_in", "talk_request_mail", "jobs_load",
    "heavy_load", "crash_recovery", "trust_figures", "trust_scale", "live_load", "evidence_pack",
)  # fmt: skip


def table(rows, headings):
    """Rows of equal length as a plain-text table under `headings`."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headings, *rows, strict=False)]
    lines = ["  ".join(f"{cell:<{width}}" for cell, width in zip(headings, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def main():
    """Run each benchmark; print the issue's rows (measured beside the goal), then every other figure."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.sqlite"})
        rows = []
        for name in BENCHMARKS:
            module = importlib.import_module(f"bench.{name}")
            print(f"running {name} ...", flush=True)
            rows += module.run(app)
    print()
    print(table([row for row in rows if len(row) == 3], ("goal row", "measured (one run)", "goal")))
    print()
    print(table([row for row in rows if len(row) == 2], ("what", "figure")))


if __name__ == "__main__":
    main()
