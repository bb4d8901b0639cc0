"""Roster import and sign-in cards: a class of 30 from upload to cards, and the cards PDF alone."""

import io
import os
import statistics
import tempfile
import time

from accounts.demo import DEMO_PASSWORD
from app import create_app
from classroom.cards import cards_pdf
from classroom.roster import parse
from classroom.tasks import hash_passwords
from db import connect, migrate
from demo import seed_demo

RUNS = 5
PUPILS = 30
FIRST_NAMES = ("Sam", "Aisha", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla")


def roster_csv(class_name, count=PUPILS):
    """A class list as Excel saves it (UTF-8 with BOM, CRLF)."""
    lines = ["First name,Last name,Year group,Class"]
    lines += [f"{FIRST_NAMES[n % 10]},{chr(65 + n // 10)}{n},10,{class_name}" for n in range(count)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def ms(seconds):
    """Seconds as milliseconds (one decimal below 10 ms)."""
    return f"{seconds * 1000:.1f} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"


def median_time(action, runs=RUNS):
    """The median wall time of `action()` over `runs` runs (after one warm-up)."""
    action(-1)
    times = []
    for number in range(runs):
        start = time.perf_counter()
        action(number)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(_app=None):
    """Time parsing, the whole import (upload, preview, confirm with cards) and the cards PDF."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "DATABASE": os.path.join(folder, "roster.sqlite"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        db = connect(app.config["DATABASE"])
        migrate(db)
        seed_demo(db)
        db.close()
        client = app.test_client()
        client.post("/sign-in", data={"name": "teacher@demo.school", "password": DEMO_PASSWORD})

        data = roster_csv("10R")
        rows.append((f"Roster CSV parse ({PUPILS} rows)", ms(median_time(lambda _n: parse(data, "10R"), 20))))

        def import_class(number):
            name = f"B{number + 1}"
            created = client.post("/classes", data={"name": name, "year_group": "10"})
            class_id = created.location.rsplit("/", 1)[1]
            upload = client.post(
                f"/classes/{class_id}/import",
                data={"file": (io.BytesIO(roster_csv(name)), "class.csv", "text/csv")},
                content_type="multipart/form-data",
            )
            assert client.get(upload.location).status_code == 200
            done = client.post(upload.location)
            assert done.status_code == 303, done.status_code

        rows.append(
            (f"Roster import, {PUPILS} pupils (upload+preview+confirm+cards)", ms(median_time(import_class, 3)))
        )
        passwords = ["otter-maple-47"] * PUPILS
        rows.append(
            (
                f"  of which: scrypt, {PUPILS} passwords (2 threads)",
                ms(median_time(lambda _n: hash_passwords(passwords), 3)),
            )
        )

        cards = [
            {"name": f"{FIRST_NAMES[n % 10]} Test{n}", "class_name": "10R", "username": f"pupil.t{n}",
             "password": "otter-maple-47"}
            for n in range(PUPILS)
        ]  # fmt: skip
        with app.test_request_context():
            pdf = cards_pdf(cards, "https://training.example.test/sign-in", "Riverside Academy")
            seconds = median_time(lambda _n: cards_pdf(cards, "https://training.example.test/sign-in", "Riverside"))
        rows.append((f"Sign-in cards PDF, {PUPILS} pupils (3 pages)", f"{ms(seconds)}, {len(pdf) // 1024} KB"))
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label}: {figure}")
