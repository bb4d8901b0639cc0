"""Public addresses for links that leave the request: e-mails, QR codes, sign-in cards."""

from flask import current_app, has_request_context, url_for
from flask.globals import _cv_request, request_ctx

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


# Links kept per app: more distinct links than this (ids in links) start the store afresh.
LINKS_KEPT = 4096


def template_url_for(endpoint, **values):
    """url_for for templates, each distinct link built once per process: every page links the same stylesheets,
    scripts, menu and footer, and building links took about a fifth of a lesson step's time (measured here).

    A relative link depends only on the endpoint, its values and the request's script root (and, for a
    ".name" endpoint, the blueprint); links with options (`_external`, `_anchor`...), unhashable values or
    no request are built as usual.
    """
    ctx = _cv_request.get(None)  # the request context itself: a page calls this a dozen times or more
    if ctx is None or any(name[0] == "_" for name in values):
        return url_for(endpoint, **values)
    blueprint = ctx.request.blueprint if endpoint[0] == "." else None
    # The value's type too: 1 and True are equal keys but different links.
    key = (ctx.request.script_root, blueprint, endpoint, tuple((k, v.__class__, v) for k, v in sorted(values.items())))
    links = ctx.app.extensions.get("template_links")
    if links is None:
        links = ctx.app.extensions["template_links"] = {}
    try:
        link = links.get(key)
    except TypeError:  # an unhashable value
        return url_for(endpoint, **values)
    if link is None:
        link = url_for(endpoint, **values)
        if len(links) >= LINKS_KEPT:
            links.clear()
        links[key] = link
    return link
