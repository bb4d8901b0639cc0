"""Styles and scripts are linked with a hash of their file and kept by browsers for a year; a page asks for them
once, not on every page view."""

import hashlib
import re
from pathlib import Path

from helpers import make_app

STATIC = Path(__file__).parents[2] / "static"


def linked_files(html):
    """(path, version) of every stylesheet and script a page links."""
    return re.findall(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]+)"', html)


def test_every_static_link_carries_its_file_s_hash_and_is_kept_a_year(client):
    page = client.get("/sign-in").text
    linked = linked_files(page)
    assert {"css/app.css", "js/app.js", "js/quick-exit.js"} <= {path for path, _ in linked}
    assert "/static/" not in re.sub(r'/static/[^"?]+\?v=[0-9a-f]+"', "", page)  # no link without its hash
    for path, version in linked:
        assert version == hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]
        response = client.get(f"/static/{path}?v={version}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_old_or_missing_hash_is_asked_for_again_each_time(client):
    for url in ("/static/css/app.css?v=000000000000", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" not in response.headers["Cache-Control"]
    assert client.get("/static/css/none.css?v=1").status_code == 404


def test_local_development_links_files_without_a_hash(tmp_path):
    """`make run`: files change under a running server, so browsers ask each time."""
    app = make_app(tmp_path / "dev.sqlite", TESTING=False)
    page = app.test_client().get("/sign-in").text
    assert '/static/css/app.css"' in page and "?v=" not in page
