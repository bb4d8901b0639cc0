"""The app as gunicorn serves it, plus a bare endpoint (the framework's own speed) and a fresh certificate render
(what a download would cost if the PDF were not stored), for comparison."""

import itertools

from flask import Response

from app import create_app

_codes = itertools.count()


def fresh_certificate():
    """A certificate rendered afresh, with a code of its own (so its own QR code), and not stored."""
    from bench.certificates_render import VALUES
    from certificates.issuing import render_certificate

    pdf = render_certificate(dict(VALUES, code=f"FRSH-{next(_codes):04d}-RNDR"))
    return Response(pdf, mimetype="application/pdf")


def app_with_bare_endpoint():
    """create_app() with /bench/bare, a view that returns a short string and touches nothing else, and
    /bench/fresh-certificate."""
    app = create_app()
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    app.add_url_rule("/bench/fresh-certificate", "bench_fresh_certificate", fresh_certificate)
    return app
