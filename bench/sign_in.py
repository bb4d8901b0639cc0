"""Sign-in: a wrong password for an unknown name vs a known one, and the cost of the throttle's count.

The unknown name is checked against a dummy scrypt hash, so both should take about as long
(before: 10 ms vs 158 ms). Throttling adds one counting query and, on failure, one insert.
"""

import os
import statistics
import tempfile
import time

from accounts.queries import create_person, create_school
from app import create_app
from db import connect, migrate

TRIES = 15


def _median_ms(client, name, address):
    times = []
    for n in range(TRIES):
        start = time.perf_counter()
        response = client.post(
            "/sign-in", data={"name": name, "password": "wrong"}, environ_base={"REMOTE_ADDR": f"{address}.{n}"}
        )
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(times) * 1000


def run(_app=None):
    """Median time of a failed sign-in: known name, unknown name, with and without throttling."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sign_in.sqlite")
        db = connect(path)
        migrate(db)
        create_person(db, create_school(db, "Bench School"), "pupil", "Ryan", "a-good-password", username="ryan.d")
        db.close()
        for throttled in (False, True):
            app = create_app(
                {"TESTING": True, "DEVELOPMENT": True, "SECRET_KEY": "bench", "DATABASE": path,
                 "WTF_CSRF_ENABLED": False, "SIGN_IN_THROTTLE": throttled,
                 # Each try from its own address and under the name limit: we time the work, not the pause.
                 "SIGN_IN_NAME_LIMIT": 10_000}
            )  # fmt: skip
            client = app.test_client()
            _median_ms(client, "warm.up", "10.9.9")  # the dummy hash is made on first use
            label = "throttle on" if throttled else "throttle off"
            known = _median_ms(client, "ryan.d", "10.1.1")
            unknown = _median_ms(client, "nobody.here", "10.2.2")
            rows.append((f"Wrong password, known name ({label})", f"{known:.0f} ms median of {TRIES}"))
            rows.append((f"Wrong password, unknown name ({label})", f"{unknown:.0f} ms median of {TRIES}"))
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<45} {figure}")
