"""Public addresses for links that leave the request: e-mails, QR codes, sign-in cards."""

from flask import current_app, url_for

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
    return public_base_url(current_app.config) + url_for(endpoint, **values)
