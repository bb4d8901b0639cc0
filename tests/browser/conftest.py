"""Real-browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright, axe-core.

Nothing downloads a browser: Playwright starts /usr/bin/chromium. axe-core comes from the npm
registry via `make test` (tests/browser/node_modules).
"""

import functools
import json
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from accounts.demo import seed_demo
from app import create_app
from db import connect, migrate

CHROMIUM = "/usr/bin/chromium"
# Root needs --no-sandbox; the rest keep Chromium off the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# A page the quick exit can leave to without the network: served by the test server itself.
NEUTRAL_PATH = "/__neutral__"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo school, on a database of its own."""
    database_path = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "DEVELOPMENT": True,
            "SECRET_KEY": "browser-secret",
            "DATABASE": str(database_path),
            "RATELIMIT_ENABLED": False,
            "DEMO_MODE": True,
        }
    )
    database = connect(app.config["DATABASE"])
    migrate(database)
    seed_demo(database)
    database.close()

    @app.route(NEUTRAL_PATH)
    def neutral():
        return "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"

    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served by a real WSGI server on 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["QUICK_EXIT_URL"] = base_url + NEUTRAL_PATH
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A new browser context and page; JavaScript on, downloads accepted."""
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_violations(page):
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page; returns the violations."""
    # Evaluated through DevTools: the app's CSP (rightly) blocks injected <script> tags.
    page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
        })"""
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
