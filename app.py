"""The application factory: config, database, content, extensions, blueprints, commands."""

import os
from pathlib import Path

from flask import Flask, abort, current_app

import db
import jobs
from training.course import load_course
from training.files import ContentError

__version__ = "0.1.0"

ROOT = Path(__file__).parent

# A strict policy: our own scripts, styles and images only; nothing inline, nothing remote.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The quick-exit site must not learn where the pupil came from.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(test_config=None):
    """Build the app. A broken content file stops start-up with the file and line."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("config")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    app.config["VERSION"] = __version__
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["DATABASE"] = os.path.join(app.instance_path, app.config["DATABASE"])
    if app.config["DEVELOPMENT"]:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    elif app.config["SECRET_KEY"] == "dev-only-change-me" and not app.testing:
        raise SystemExit("Set SECRET_KEY (instance/config.py or FLASK_SECRET_KEY) before serving real pupils.")

    try:
        app.extensions["course"] = load_course(
            ROOT / app.config["TRAINING_CONTENT"],
            ROOT / app.config["QUIZ_CONTENT"],
            app.config["DEFAULT_PASS_MARK"],
        )
    except ContentError as error:
        raise SystemExit(f"Cannot start: a content file is broken.\n{error}") from error

    db.init_app(app)
    jobs.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    app.after_request(_security_headers)
    return app


def current_course():
    """The course loaded at start-up."""
    return current_app.extensions["course"]


def course_or_404(course_id):
    """The course, if the URL names it; otherwise the request ends with 404."""
    course = current_course()
    if course_id != course.id:
        abort(404)
    return course


def _init_extensions(app):
    from accounts.users import login_manager
    from extensions import csrf, limiter

    app.config.setdefault("RATELIMIT_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app):
    from accounts.views import bp as accounts_bp
    from certificates.views import bp as certificates_bp
    from classroom.progress_views import bp as progress_bp
    from classroom.views import bp as classroom_bp
    from pages import bp as pages_bp
    from quizzes.views import bp as quizzes_bp
    from safeguarding.views import bp as safeguarding_bp
    from training.views import bp as training_bp

    for blueprint in (
        pages_bp,
        accounts_bp,
        training_bp,
        quizzes_bp,
        certificates_bp,
        classroom_bp,
        progress_bp,
        safeguarding_bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app):
    from accounts.demo import create_school_command, seed_demo_command
    from safeguarding.cli import retention_command
    from training.check import content_command

    for command in (seed_demo_command, create_school_command, content_command, retention_command):
        app.cli.add_command(command)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Pages hold pupils' progress: never keep them in a shared computer's cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
