"""Real-browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright, axe-core.

Nothing downloads a browser: Playwright starts /usr/bin/chromium. axe-core comes from the npm
registry via `make test` (tests/browser/node_modules).
"""

import threading

import pytest
from engines import database_for
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from db import connect, migrate
from demo import seed_demo

from browser_helpers import NEUTRAL_PATH

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

# expect() waits as long as a page's actions do (10 s): its own 5 s failed once in CI with the machine's two
# cores shared by three test runs, on a step that had loaded a moment later.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo school, on a database of its own."""
    database_path = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "DEVELOPMENT": True,
            "SECRET_KEY": "browser-secret",
            "DATABASE": database_for(database_path),
            "JOBS_DATABASE": str(database_path.parent / "jobs.sqlite"),
            "RATELIMIT_ENABLED": False,
            "DEMO_MODE": True,
            # Demo staff sign in with a password alone; the two-step test turns this on for itself.
            "STAFF_MFA": False,
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
    # Links in e-mails and QR codes come from the configured address, never the Host header.
    live_app.config["PUBLIC_BASE_URL"] = base_url
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
