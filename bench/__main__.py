"""`make bench`: every benchmark, printed as one table. Timing lives here, never in unit tests."""

import importlib
import tempfile

from app import create_app

# Each module has run(app) -> [(label, figure), ...].
BENCHMARKS = ("certificates_render", "load", "classroom_roster", "classroom_reports", "sign_in", "talk_request_mail", "jobs_load")  # noqa: E501  # fmt: skip


def main():
    """Run each benchmark and print a table."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.sqlite"})
        rows = []
        for name in BENCHMARKS:
            module = importlib.import_module(f"bench.{name}")
            print(f"running {name} ...", flush=True)
            rows += module.run(app)
    width = max(len(label) for label, _ in rows)
    print()
    print(f"{'what':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 40}")
    for label, figure in rows:
        print(f"{label:<{width}}  {figure}")


if __name__ == "__main__":
    main()
