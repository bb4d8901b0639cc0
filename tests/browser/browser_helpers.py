"""Helpers for browser tests: axe-core checks and signing in. Import from here, not conftest."""

import functools
import json
from pathlib import Path

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# A page the quick exit can leave to without the network: served by the test server itself.
NEUTRAL_PATH = "/__neutral__"


WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
# axe's best-practice rules too: landmarks, region, heading order, one main, unique labels.
ALL_TAGS = (*WCAG_TAGS, "best-practice")


def axe_violations(page, tags=WCAG_TAGS):
    """Run axe-core (by default WCAG 2.0-2.2 A and AA rules) on the page; returns the violations."""
    # Evaluated through DevTools: the app's CSP (rightly) blocks injected <script> tags.
    page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(tags),
    )
    return result["violations"]


@functools.cache
def _axe_source():
    return AXE.read_text() + "\n;true"


def assert_accessible(page):
    """Fail with a readable list if axe finds any WCAG A/AA violation on the page."""
    violations = axe_violations(page)
    summary = [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations
    ]
    assert not violations, f"{page.url}:\n{json.dumps(summary, indent=2)}"


def sign_in(page, name, password="demo-password"):
    """Sign in through the form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Username or e-mail").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def demo_certificate(live_app, code, pupil_name, initials):
    """Make sure the demo school holds a certificate with `code` (for the verify result page); returns the code."""
    from db import connect, now

    db = connect(live_app.config["DATABASE"])
    if not list(db.query("SELECT id FROM certificates WHERE code = ?", [code])):
        db["certificates"].insert(
            {"code": code, "school_id": 1, "course_id": "online-blackmail-11-13",
             "course_title": "Online safety: recognising and responding to online blackmail", "pupil_name": pupil_name,
             "pupil_initials": initials, "school_name": "Riverside Academy (demo)", "score": 90, "issued_at": now()}
        )  # fmt: skip
        db.conn.commit()
    db.close()
    return code
