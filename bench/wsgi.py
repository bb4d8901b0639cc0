"""The app as gunicorn serves it, plus a bare endpoint: the framework's own speed, for comparison."""

from app import create_app


def app_with_bare_endpoint():
    """create_app() with /bench/bare, a view that returns a short string and touches nothing else."""
    app = create_app()
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    return app
