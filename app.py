"""The application factory: config, database, content, extensions, blueprints, commands."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

import db
import filters
import jobs
import languages
import nations
import static_files
from training.course import check_unique_across, load_courses, load_translations
from training.files import ContentError
from training.resources import load_page, load_resources
from urls import template_url_for

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
    if db.is_postgres(app.config["DATABASE"]):
        # The SQLite job queue (when REDIS_URL is not set) has no database file to sit beside.
        app.config["JOBS_DATABASE"] = os.path.join(app.instance_path, app.config["JOBS_DATABASE"])
    else:
        app.config["DATABASE"] = os.path.join(app.instance_path, app.config["DATABASE"])
    if app.config["DEVELOPMENT"]:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    elif app.config["SECRET_KEY"] == "dev-only-change-me" and not app.testing:
        raise SystemExit("Set SECRET_KEY (instance/config.py or FLASK_SECRET_KEY) before serving real pupils.")
    _serve_only_the_public_address(app)
    if app.config["TRUSTED_PROXIES"]:
        # The address the proxy saw, for per-address sign-in limits; never X-Forwarded-Host.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    try:
        # id -> Course, one per folder: the age routes are courses on the same engine.
        app.extensions["courses"] = load_courses(
            ROOT / app.config["TRAINING_CONTENT"],
            ROOT / app.config["QUIZ_CONTENT"],
            app.config["DEFAULT_PASS_MARK"],
            ROOT / app.config["RSHE_STATEMENTS"],
        )
        # The staff course: the same engine, kept apart from courses() so no pupil or class ever gets it.
        app.extensions["staff_courses"] = load_courses(
            ROOT / app.config["STAFF_TRAINING_CONTENT"],
            ROOT / app.config["STAFF_QUIZ_CONTENT"],
            app.config["DEFAULT_PASS_MARK"],
            for_staff=True,
        )
        check_unique_across([*app.extensions["courses"].values(), *app.extensions["staff_courses"].values()])
        _load_translations(app)
        routes = {course.route for course in app.extensions["courses"].values()}
        app.extensions["resources"] = load_resources(ROOT / app.config["RESOURCE_CONTENT"], routes)
        app.extensions["for_parents"] = load_page(ROOT / app.config["RESOURCE_CONTENT"], routes)
    except ContentError as error:
        raise SystemExit(f"Cannot start: a content file is broken.\n{error}") from error

    db.init_app(app)
    jobs.init_app(app)
    filters.init_app(app)
    languages.init_app(app)
    nations.init_app(app)
    static_files.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    app.extensions["security_headers"] = _security_headers_for(app.config["LIVE_EVENTS_URL"])
    app.after_request(_security_headers)
    app.jinja_env.globals["url_for"] = template_url_for
    return app


def _load_translations(app):
    """Every course in each other language the service speaks (training/translations.py), id -> Course, where its
    content files are translated (else English), for training.courses to pick by the page's language."""
    others = [code for code in languages.LANGUAGES if code != languages.DEFAULT]
    pupils = load_translations(
        ROOT / app.config["TRAINING_CONTENT"],
        ROOT / app.config["QUIZ_CONTENT"],
        others,
        app.config["DEFAULT_PASS_MARK"],
        ROOT / app.config["RSHE_STATEMENTS"],
    )
    staff = load_translations(
        ROOT / app.config["STAFF_TRAINING_CONTENT"],
        ROOT / app.config["STAFF_QUIZ_CONTENT"],
        others,
        app.config["DEFAULT_PASS_MARK"],
        for_staff=True,
    )
    app.extensions["courses_in"] = {languages.DEFAULT: app.extensions["courses"], **pupils}
    app.extensions["staff_courses_in"] = {languages.DEFAULT: app.extensions["staff_courses"], **staff}
    # A language whose pages show the course in their own words: every course, pupils' and staff, is translated.
    app.extensions["content_languages"] = frozenset(
        code
        for code in languages.LANGUAGES
        if all(c.language == code for c in (*pupils.get(code, {}).values(), *staff.get(code, {}).values()))
        or code == languages.DEFAULT
    )


def _serve_only_the_public_address(app):
    """Outside development PUBLIC_BASE_URL is required (links in e-mails are built from it) and
    a request for any other host is refused with 400 (Flask's TRUSTED_HOSTS)."""
    base = app.config["PUBLIC_BASE_URL"]
    parts = urlsplit(base)
    if base and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise SystemExit(f"PUBLIC_BASE_URL must be a full address such as https://school.example.uk, not {base!r}.")
    if app.config["DEVELOPMENT"]:
        return
    if not base:
        if app.testing:
            return
        raise SystemExit(
            "Set PUBLIC_BASE_URL (instance/config.py or FLASK_PUBLIC_BASE_URL), e.g. "
            "https://training.example-school.uk: links in e-mails and on cards are built from it."
        )
    app.config["TRUSTED_HOSTS"] = [parts.hostname, *app.config["EXTRA_TRUSTED_HOSTS"]]
    app.register_error_handler(SecurityError, _unknown_host)


def _unknown_host(_error):
    """400 for a Host we do not serve: plain text, since no URL can be built for an unknown host."""
    return "This site is not served at this address.", 400, {"Content-Type": "text/plain; charset=utf-8"}


def _init_extensions(app):
    from accounts import oidc
    from accounts.stores import sessions_in_redis
    from accounts.users import login_manager
    from extensions import csrf, limiter

    try:
        sessions_in_redis(app.config)  # a wrong SESSION_STORE stops start-up, not the first sign-in
    except ValueError as error:
        raise SystemExit(str(error)) from error
    app.config.setdefault("RATELIMIT_ENABLED", True)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        # With Redis, a limit counts across every app server; without it, per process (one server).
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["REDIS_PREFIX"] + "limits")
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    oidc.init_app(app)


def _register_blueprints(app):
    from accounts.language_views import bp as language_bp
    from accounts.mfa_views import bp as mfa_bp
    from accounts.provider_views import bp as providers_bp
    from accounts.views import bp as accounts_bp
    from certificates.views import bp as certificates_bp
    from classroom.join import bp as join_bp
    from classroom.views import bp as classroom_bp
    from console.invite_views import bp as invites_bp
    from console.views import bp as console_bp
    from live.views import bp as live_bp
    from pages import bp as pages_bp
    from progress.evidence_views import bp as evidence_bp
    from progress.views import bp as progress_bp
    from quizzes.views import bp as quizzes_bp
    from safeguarding.views import bp as safeguarding_bp
    from staff_course.views import bp as staff_course_bp
    from training.parents_views import bp as parents_bp
    from training.views import bp as training_bp
    from trusts.console_views import bp as trust_console_bp
    from trusts.views import bp as trusts_bp

    for blueprint in (
        pages_bp,
        accounts_bp,
        language_bp,
        mfa_bp,
        providers_bp,
        join_bp,
        training_bp,
        parents_bp,
        quizzes_bp,
        certificates_bp,
        classroom_bp,
        progress_bp,
        evidence_bp,
        live_bp,
        staff_course_bp,
        safeguarding_bp,
        trusts_bp,
        trust_console_bp,
        console_bp,
        invites_bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app):
    from backups import backup_command
    from console.cli import console_command
    from copy_to_postgres import copy_to_postgres_command
    from demo import create_school_command, seed_demo_command
    from live.cli import live_command
    from safeguarding.cli import retention_command
    from training.check import content_command

    for command in (seed_demo_command, create_school_command, content_command, retention_command, backup_command,
                    copy_to_postgres_command, console_command, live_command):  # fmt: skip
        app.cli.add_command(command)


def _security_headers_for(live_events_url):
    """The headers every response carries; pages may also reach the live lesson's event server if it is elsewhere."""
    parts = urlsplit(live_events_url)
    if not parts.netloc:
        return SECURITY_HEADERS
    policy = CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}"
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def _security_headers(response):
    for name, value in current_app.extensions["security_headers"].items():
        response.headers.setdefault(name, value)
    if request.endpoint == "static":
        static_files.cache_header(response)
    else:
        # Pages and downloads (reports, exports, cards, certificates) hold pupils' data: never keep them
        # in a shared computer's cache. Set, not defaulted: send_file's own "no-cache" still allows storing.
        response.headers["Cache-Control"] = "no-store"
    return response
