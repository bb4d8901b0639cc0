"""Public addresses for links that leave the request: e-mails, QR codes, sign-in cards."""

from flask import current_app, has_request_context, url_for
from flask.globals import request_ctx

# `make run` serves here; used only when DEVELOPMENT is on and no address is configured.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url(config):
    """The configured public address, never the request's Host header (a pupil can forge it)."""
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base and config.get("DEVELOPMENT"):
        base = DEVELOPMENT_BASE_URL
    return base


def public_url(endpoint, **values):
    """The absolute public address of `endpoint`, built from PUBLIC_BASE_URL only."""
    base = public_base_url(current_app.config)
    if has_request_context() and request_ctx.url_adapter is not None:
        return base + url_for(endpoint, **values)
    # The job worker has no real request: outside one, or in a test_request_context for a host that
    # TRUSTED_HOSTS refuses ("localhost"), Flask has no URL adapter and url_for raises. Build the
    # path from the app's URL map instead, as a request at "/" would.
    return base + current_app.url_map.bind("localhost").build(endpoint, values)
