"""Static files (styles and scripts) kept by browsers for a year: each link carries a hash of its file.

Without it every page asked again for its stylesheet and two to four scripts (each answered 304 by a web
worker): five requests a page where one does. A changed file has a new hash, so a new link, so browsers
fetch it at once. Off in local development (`make run`), where files change under a running server.
"""

import hashlib
from pathlib import Path

from flask import current_app, request

# A year, and "immutable": browsers need not even revalidate on reload.
KEPT = "public, max-age=31536000, immutable"


def init_app(app):
    """Add `?v=<hash>` to every static link the app builds, unless serving for local development."""
    if app.config["DEVELOPMENT"] and not app.testing:
        return
    app.extensions["static_versions"] = {}
    app.url_defaults(_add_version)


def static_version(filename):
    """The first 12 hex digits of the file's SHA-256 (read once per process), or None for no such file."""
    versions = current_app.extensions["static_versions"]
    if filename not in versions:
        path = Path(current_app.static_folder, filename)
        try:
            versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:  # a missing file: the link is built as usual, and answers 404
            versions[filename] = None
    return versions[filename]


def _add_version(endpoint, values):
    if endpoint == "static" and "v" not in values:
        version = static_version(values.get("filename", ""))
        if version:
            values["v"] = version


def cache_header(response):
    """On a static file asked for by its current hash: kept for a year. Any other asks again each time."""
    if "static_versions" not in current_app.extensions:
        return
    filename = (request.view_args or {}).get("filename", "")
    # 200 first: only a file Flask found inside the static folder is ever read to hash.
    if response.status_code == 200 and request.args.get("v") == static_version(filename):
        response.headers["Cache-Control"] = KEPT
