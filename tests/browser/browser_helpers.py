"""Helpers for browser tests: axe-core checks and signing in. Import from here, not conftest."""

import contextlib
import functools
import json
import threading
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


@contextlib.contextmanager
def provider_demo_server(database_path, oidc, domains, client=("browser-app", "browser-secret"), **config):
    """The demo school's app with sign-in at the loopback OpenID Provider, served on 127.0.0.1.

    `domains`: (provider, Google domain or Microsoft tenant) pairs the school lists; the app is registered
    with the provider for each provider named there. Yields (base URL, app).
    """
    from engines import database_for
    from werkzeug.serving import make_server

    from app import create_app
    from db import connect, migrate, write_transaction
    from demo import seed_demo

    client_id, client_secret = client
    providers = sorted({provider for provider, _value in domains})
    settings = {"TESTING": True, "DEVELOPMENT": True, "SECRET_KEY": "browser-secret",
                "DATABASE": database_for(database_path), "RATELIMIT_ENABLED": False,
                "JOBS_DATABASE": str(Path(database_path).parent / "jobs.sqlite")}  # fmt: skip
    for provider in providers:
        prefix = provider.upper()
        settings |= {f"{prefix}_CLIENT_ID": client_id, f"{prefix}_CLIENT_SECRET": client_secret,
                     f"{prefix}_METADATA_URL": getattr(oidc, f"{provider}_metadata_url")}  # fmt: skip
    app = create_app(settings | config)
    database = connect(app.config["DATABASE"])
    migrate(database)
    seed_demo(database, secret_key=app.config["SECRET_KEY"])  # the DSL, deputy and admin: demo authenticator
    with write_transaction(database):
        for provider, value in domains:
            database["school_sign_in_domains"].insert(
                {"school_id": 1, "provider": provider, "value": value, "added_at": "2026-01-01"}
            )
    database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # redirect URIs and QR links are built from it
    oidc.add_client(
        client_id, client_secret, [f"{base_url}/sign-in/{p}/callback" for p in providers], providers=providers
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url, app
    finally:
        server.shutdown()
