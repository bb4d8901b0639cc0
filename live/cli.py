"""`flask live events`: the live lesson's event server, where pupils' devices wait for the teacher's moves."""

from datetime import timedelta
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from live.events import serve
from training.courses import courses

live_command = AppGroup("live", help="Live lessons.")


@live_command.command("events")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
def events_command(host, port):
    """Serve the event server (long polling) that LIVE_EVENTS_URL points devices at."""
    config = current_app.config
    click.echo(f"Live lesson events on http://{host}:{port} (devices are sent to {config['LIVE_EVENTS_URL'] or '-'})")
    serve(
        config["DATABASE"], current_app.secret_key, courses(), host, port,
        timedelta(seconds=config["LIVE_SEEN_SECONDS"]), app_origin(config),
    )  # fmt: skip


def app_origin(config):
    """The origin of the app's own pages, the only one allowed to read the event server's answers."""
    if config["PUBLIC_BASE_URL"]:
        parts = urlsplit(config["PUBLIC_BASE_URL"])
        return f"{parts.scheme}://{parts.netloc}"
    return "http://127.0.0.1:5000"  # development (`make run`)
