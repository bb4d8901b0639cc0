"""Help on every page, quick exit, privacy notices, talk requests and the DSL's queue, help routes, pupils' records."""

import functools
import json
from datetime import UTC, datetime, timedelta
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, gettext, ngettext
from flask_login import current_user, logout_user, user_logged_in
from wtforms.fields.choices import SelectChoice

import audit as audit_words
from accounts.queries import school_by_id
from accounts.users import pupil_required, role_required
from audit import audit_by, audit_view_by
from db import get_db, now
from forms import ConfirmForm
from languages import DEFAULT, in_languages
from nations import capitalised, nation
from outbox import queries as outbox
from outbox.tasks import queue_mail
from pdf import html_to_pdf
from safeguarding import queries, records
from safeguarding.forms import (
    PUPIL_URGENCIES,
    STATUS_WORDS,
    ActionForm,
    AuditFilterForm,
    DslForm,
    EraseForm,
    HelpRouteForm,
    NationForm,
    TalkForm,
)
from safeguarding.help_routes import DEFAULT_WORDS, NATION_ROUTES, help_panel_for
from safeguarding.routes_rules import is_emergency, moved
from safeguarding.talk_rules import (
    STATUSES,
    URGENCIES,
    first_view_status,
    is_overdue,
    notification,
    parse_who,
    waiting_summary,
    who_choices,
)
from urls import public_url

bp = Blueprint("safeguarding", __name__)

AUDIT_PAGE_SIZE = 100
dsl_required = role_required("dsl")
admin_required = role_required("admin")
# Requests: the DSL sees the school's; a teacher (or an admin who teaches) sees only those addressed to them.
requests_role = role_required("dsl", "teacher", "admin")
records_role = role_required("admin", "dsl")
# Mail problems older than this no longer show as a notice (the outbox page still lists them).
MAIL_PROBLEMS_SHOWN_FOR = timedelta(days=14)
DSL_BANNER_KEY = "dsl_sign_in_banner"


@bp.app_context_processor
def help_everywhere():
    """Every page gets the help panel's routes and, for pupils and visitors, quick exit."""
    user = current_user._get_current_object()
    school_id = user.school_id if user.is_authenticated else None
    # Same for every page of a school: kept per process, keyed by the school's settings_version,
    # which the session query already read (no query here unless the school's settings changed).
    version = user.row.get("school_settings_version") if school_id else None
    cache = current_app.extensions.setdefault("help_panel", {})
    routes, school = help_panel_for(get_db() if school_id else None, school_id, cache, version)
    is_pupil = user.is_authenticated and user.is_pupil
    return {
        "help_routes": routes,
        "school_dsl": school,
        "help_panel": functools.partial(help_panel_html, routes, school, version, school_id, is_pupil),
        "show_quick_exit": not (user.is_authenticated and user.is_staff),
        # In the page's language; the records' PDF is given STATUSES' and URGENCIES' English instead.
        "status_labels": STATUS_WORDS,
        "urgency_labels": PUPIL_URGENCIES,
    }


@bp.app_template_filter()
def help_route_words(words):
    """A help route's words in the page's language when they are a default's, kept by the school; else as written."""
    return gettext(words) if words in DEFAULT_WORDS else words


def help_panel_html(routes, school, version, school_id, is_pupil):
    """The help panel's HTML, rendered once per worker for each school, settings version and kind of page.

    Every page shows it and it is the same for every pupil of a school, so re-rendering its macro
    per page was a large share of a lesson step's time; the settings version keys it as for the routes."""
    on_help_page = request.endpoint == "safeguarding.help_page"
    cache = current_app.extensions.setdefault("help_panel_html", {})
    # Each language has its own copy: the panel's words are translated when it is rendered.
    key = (school_id, is_pupil, on_help_page, str(get_locale()))
    kept = cache.get(key)
    if kept is not None and kept[0] == version and kept[1] is routes:
        return kept[2]
    template = current_app.jinja_env.get_template("safeguarding/_help_panel.html")
    # Rendered with autoescape like any page template; base.html marks the result safe.
    html = template.render(
        help_routes=[
            dict(route, title=help_route_words(route["title"]), detail=help_route_words(route["detail"]))
            for route in routes
        ],
        school_dsl=school,
        is_pupil=is_pupil,
        on_help_page=on_help_page,
        talk_url=url_for("safeguarding.talk"),
        lead=nation(school and school["nation"]),
    )
    cache[key] = (version, routes, html)
    return html


@bp.app_context_processor
def dsl_alerts():
    """For DSLs (deputies too): the unopened-request count in the header, and the banner after signing in.

    Both are functions the templates call, so a page that does not show them (and every pupil's page)
    runs no query for them.
    """
    return {"dsl_waiting": dsl_waiting, "dsl_sign_in_banner": dsl_sign_in_banner}


def is_dsl():
    """Whether the signed-in person is a DSL or deputy DSL (both have role 'dsl')."""
    return current_user.is_authenticated and current_user.role == "dsl"


def dsl_waiting():
    """How many requests nobody has opened yet, for a DSL; None for anyone else. One COUNT query."""
    if not is_dsl():
        return None
    if "dsl_waiting" not in g:
        g.dsl_waiting = queries.waiting_count(get_db(), current_user.school_id)
    return g.dsl_waiting


def dsl_sign_in_banner():
    """The words of the banner shown once after a DSL signs in (None if nothing is waiting, or not due)."""
    if not is_dsl() or not session.pop(DSL_BANNER_KEY, None):
        return None
    counts = queries.waiting_by_urgency(get_db(), current_user.school_id)
    return waiting_summary(counts, labels=PUPIL_URGENCIES, ngettext=ngettext)


@user_logged_in.connect
def _banner_after_sign_in(_app, user, **_extra):
    """A DSL's first page after signing in shows what is waiting (Flask-Login's signal, so sign-in code stays as is)."""
    if user.role == "dsl":
        session[DSL_BANNER_KEY] = True


def mail_problems_since():
    """The start of the period whose mail problems staff are shown."""
    return (datetime.now(UTC) - MAIL_PROBLEMS_SHOWN_FOR).isoformat(timespec="seconds")


# Pages for everyone ------------------------------------------------------------------------------
@bp.route("/help")
def help_page():
    """What to do if someone is blackmailing you, and every way to get help."""
    return render_template("safeguarding/help.html")


@bp.route("/privacy")
def privacy():
    """The privacy notice for pupils."""
    return render_template("safeguarding/privacy.html", months=current_app.config["RETENTION_MONTHS_AFTER_LEAVING"])


@bp.route("/privacy/schools")
def privacy_schools():
    """The privacy notice for schools: what is stored, for how long, who sees it."""
    return render_template(
        "safeguarding/privacy_schools.html", months=current_app.config["RETENTION_MONTHS_AFTER_LEAVING"]
    )


# Sent with the exit's redirect: the browser drops this site's cookies, cached pages and storage,
# so neither Back nor a copied cookie brings a signed-in page back.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@bp.route("/exit")
def quick_exit():
    """Quick exit: sign out on the server first, then leave for the neutral site."""
    # A GET, so the plain link works without JavaScript; it only ever signs out (SameSite=Lax
    # keeps other sites' images and frames from triggering it).
    if current_user.is_authenticated:
        logout_user()  # ends this session's row on the server (accounts' user_logged_out hook)
    session.clear()
    response = redirect(current_app.config["QUICK_EXIT_URL"], 303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Cache-Control"] = "no-store"
    return response


# Talk to someone -----------------------------------------------------------------------------------
def dsl_label(school):
    """How the DSL appears in the 'who' choices, titled as the school's nation titles the role."""
    our_lead = nation(school["nation"] if school else None).our_lead
    if school and school["dsl_name"]:
        return gettext("%(name)s, %(our_lead)s", name=school["dsl_name"], our_lead=our_lead)
    return gettext(
        "%(our_lead)s (the member of staff whose job is keeping pupils safe)", our_lead=capitalised(our_lead)
    )


@bp.route("/talk", methods=["GET", "POST"])
@pupil_required
def talk():
    """Ask to talk to a trusted adult at school: who, how soon, and an optional short message."""
    db = get_db()
    school = school_by_id(db, current_user.school_id)
    teachers = queries.teachers_of_pupil(db, current_user.id, current_user.school_id)
    form = TalkForm()
    teacher_words = gettext("%(name)s (your teacher)")  # no values given: the placeholder is filled in below
    choices = who_choices(dsl_label(school), teachers, teacher_words)
    form.who.choices = [SelectChoice(value, label) for value, label in choices]
    if form.validate_on_submit():
        addressed_to, teacher_id = parse_who(form.who.data, {t["id"] for t in teachers})
        message = (form.message.data or "").strip()
        request_id = send_talk_request(db, addressed_to, teacher_id, form.urgency.data, message)
        return redirect(url_for("safeguarding.talk_sent", request_id=request_id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("safeguarding/talk.html", form=form, school=school, teachers=teachers), status


def send_talk_request(db, addressed_to, teacher_id, urgency, message):
    """The signed-in pupil's request to talk, stored, and the staff e-mail queued; returns the request's id.

    The talk page and a live lesson's check-in both ask through here."""
    request_id = queries.create_request(
        db, current_user.school_id, current_user.id, addressed_to, teacher_id, urgency, message
    )
    # The request is committed first; the e-mail only goes into the outbox, for the job worker
    # to send: a slow or hung mail server never holds the pupil.
    notify_staff(db, addressed_to, teacher_id, urgency)
    return request_id


def notify_staff(db, addressed_to, teacher_id, urgency):
    """Queue the e-mail to the DSLs and deputies (or the teacher) that a pupil asked to talk: no name, no message."""
    recipients = queries.recipients_for(db, current_user.school_id, addressed_to, teacher_id)
    url = public_url("safeguarding.requests")
    subject, body = in_languages(current_user.row.get("school_language"), partial(notification, urgency, url))
    queue_mail(db, current_user.school_id, recipients, subject, body)


@bp.route("/talk/sent/<int:request_id>")
@pupil_required
def talk_sent(request_id):
    """A calm confirmation: who will see the request, and what happens next."""
    row = next(
        get_db().query("SELECT * FROM talk_requests WHERE id = ? AND pupil_id = ?", [request_id, current_user.id]),
        None,
    )
    if row is None:
        abort(404)
    db = get_db()
    school = school_by_id(db, current_user.school_id)
    if row["addressed_to"] == "teacher":
        teacher = next((t for t in queries.teachers_of_pupil(db, current_user.id, current_user.school_id)
                        if t["id"] == row["teacher_id"]), None)  # fmt: skip
        who = teacher["name"] if teacher else gettext("your teacher")
    else:
        who = school["dsl_name"] if school and school["dsl_name"] else nation(school and school["nation"]).our_lead
    return render_template("safeguarding/talk_sent.html", talk_request=row, who=who)


# The queue -----------------------------------------------------------------------------------------
@bp.route("/safeguarding/requests")
@requests_role
def requests():
    """The DSL's queue (the whole school's requests) or a teacher's (only theirs)."""
    db = get_db()
    closed = request.args.get("show") == "closed"
    rows = queries.requests_for_staff(db, current_user, closed=closed)
    audit_view_by(db, current_user, "list", "talk_requests", since=audit_words.visit_start())
    stamp = now()
    overdue = {r["id"] for r in rows if is_overdue(r["status"], r["urgency"], r["created_at"], stamp)}
    mail_problems = outbox.mail_problem_count(db, current_user.school_id, mail_problems_since()) if is_dsl() else 0
    return render_template(
        "safeguarding/requests.html", talk_requests=rows, closed=closed, overdue=overdue, mail_problems=mail_problems
    )


@bp.route("/safeguarding/notifications")
@records_role
def notifications():
    """The school's staff e-mails of the last weeks: those that failed or are being retried first, with why."""
    db = get_db()
    rows = outbox.school_outbox(db, current_user.school_id, mail_problems_since())
    return render_template(
        "safeguarding/notifications.html",
        messages=rows,
        days=MAIL_PROBLEMS_SHOWN_FOR.days,
        mail_configured=bool(current_app.config.get("MAIL_SERVER")),
    )


@bp.route("/safeguarding/requests/<int:request_id>", methods=["GET", "POST"])
@requests_role
def talk_request(request_id):
    """One request: who asked, how soon, their message, what staff have done; record an action."""
    db = get_db()
    row = queries.request_for_staff(db, current_user, request_id)
    if row is None:
        abort(404)
    form = ActionForm()
    if request.method == "GET":
        audit_view_by(db, current_user, "view", "talk_request", request_id, since=audit_words.visit_start())
        if first_view_status(row["status"]) != row["status"]:
            queries.record_action(db, request_id, current_user.id, first_view_status(row["status"]), "Opened.")
            row = queries.request_for_staff(db, current_user, request_id)
        form.status.data = "in-progress" if row["status"] == "seen" else row["status"]
    elif form.validate_on_submit():
        queries.record_action(db, request_id, current_user.id, form.status.data, form.note.data.strip())
        audit_by(db, current_user, "update", "talk_request", request_id)
        status = str(STATUS_WORDS[form.status.data]).lower()
        flash(gettext("Saved. The request is now “%(status)s”.", status=status), "success")
        return redirect(url_for("safeguarding.talk_request", request_id=request_id), 303)
    return render_template(
        "safeguarding/request.html",
        talk_request=row,
        actions=queries.actions_for_request(db, request_id),
        classes=queries.class_names_of_pupil(db, row["pupil_id"]),
        form=form,
    ), (400 if form.errors else 200)


@bp.route("/safeguarding/audit-log")
@dsl_required
def audit_log():
    """Who looked at or changed what, newest first, by person and action: the DSL's check on everyone."""
    db = get_db()
    form = AuditFilterForm(formdata=request.args)
    people = queries.audit_people(db, current_user.school_id)
    form.person.choices = [SelectChoice("", gettext("Anyone"))] + [
        SelectChoice(str(p["id"]), f"{p['first_name']} {p['last_name']}") for p in people
    ]
    form.action.choices = [SelectChoice("", gettext("Anything"))] + [
        SelectChoice(code, words) for code, words in audit_words.ACTIONS.items()
    ]
    if not form.validate():
        abort(404)  # a person or action that is not in the list: an address typed or kept from before
    chosen = {"person": form.person.data or None, "action": form.action.data or None}
    filters = queries.audit_filters(
        current_user.school_id, int(chosen["person"]) if chosen["person"] else None, chosen["action"]
    )
    pages = max(1, -(-queries.audit_count(db, filters) // AUDIT_PAGE_SIZE))
    page = audit_words.page_number(request.args.get("page"), pages)
    if page is None:
        abort(404)
    entries = queries.audit_page(db, filters, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE)
    return render_template(
        "safeguarding/audit_log.html",
        entries=[(entry, audit_words.link(entry, current_user.role)) for entry in entries],
        page=page,
        pages=pages,
        form=form,
        kept={name: value for name, value in chosen.items() if value},
        describe=audit_words.describe,
        subject=audit_words.subject,
    )


# Help routes (admin) -------------------------------------------------------------------------------
@bp.route("/safeguarding/help-routes", methods=["GET", "POST"])
@admin_required
def help_routes():
    """The school's help routes in order, with the DSL's name and where to find them."""
    db = get_db()
    school = school_by_id(db, current_user.school_id)
    dsl_form = DslForm(data={"dsl_name": school["dsl_name"], "dsl_where": school["dsl_where"]})
    if dsl_form.validate_on_submit():
        queries.update_dsl(db, current_user.school_id, dsl_form.dsl_name.data.strip(), dsl_form.dsl_where.data.strip())
        audit_by(db, current_user, "help-routes", "school", current_user.school_id)
        flash(gettext("Saved. The help panel now shows the new details."), "success")
        return redirect(url_for("safeguarding.help_routes"), 303)
    return render_template(
        "safeguarding/help_routes.html",
        routes=queries.routes_for_school(db, current_user.school_id),
        dsl_form=dsl_form,
        button=ConfirmForm(),
        is_emergency=is_emergency,
    ), (400 if dsl_form.errors else 200)


@bp.route("/safeguarding/nation", methods=["GET", "POST"])
@admin_required
def school_nation():
    """The admin's setting: the school's nation, which names the safeguarding lead's role on every page and adds
    the nation's own help routes (Meic, in Wales)."""
    db, school_id = get_db(), current_user.school_id
    saved = nation(school_by_id(db, school_id)["nation"])
    # The saved value fills the form only when it is opened: a POST with no choice is an error, not a default.
    form = NationForm(data={"nation": saved.code} if request.method == "GET" else None)
    if form.validate_on_submit():
        chosen = nation(form.nation.data)
        added = queries.set_nation(db, school_id, chosen.code, NATION_ROUTES.get(chosen.code, ()))
        audit_by(db, current_user, "school-nation-setting", "school", school_id)
        flash(
            gettext("Saved: %(nation)s. Pages now call the role “%(lead)s”.", nation=chosen.name, lead=chosen.lead),
            "success",
        )
        for title in added:
            flash(gettext("“%(title)s” is added at the end of your help routes.", title=title), "success")
        return redirect(url_for("safeguarding.school_nation"), 303)
    page = render_template("safeguarding/nation.html", form=form, saved=saved)
    return page, 400 if form.errors else 200


def route_or_404(route_id):
    """One of the signed-in admin's school's routes; another school's id gives 404."""
    return queries.route_for_school(get_db(), route_id, current_user.school_id) or abort(404)


def routes_changed(message):
    """Audit, tell the admin, and go back to the list."""
    audit_by(get_db(), current_user, "help-routes", "school", current_user.school_id)
    flash(message, "success")
    return redirect(url_for("safeguarding.help_routes"), 303)


@bp.route("/safeguarding/help-routes/new", methods=["GET", "POST"])
@admin_required
def new_help_route():
    """Add a help route (a local service, for example) at the end of the list."""
    form = HelpRouteForm()
    if form.validate_on_submit():
        queries.add_route(get_db(), current_user.school_id, form.values())
        return routes_changed(gettext("Added “%(title)s”.", title=form.title.data.strip()))
    return render_template("safeguarding/help_route_form.html", form=form, route=None), (400 if form.errors else 200)


@bp.route("/safeguarding/help-routes/<int:route_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_help_route(route_id):
    """Change a help route's words, number or address."""
    route = route_or_404(route_id)
    form = HelpRouteForm(data=route)
    if form.validate_on_submit():
        queries.update_route(get_db(), route_id, current_user.school_id, form.values())
        return routes_changed(gettext("Saved “%(title)s”.", title=form.title.data.strip()))
    return render_template("safeguarding/help_route_form.html", form=form, route=route), (400 if form.errors else 200)


@bp.post("/safeguarding/help-routes/<int:route_id>/move")
@admin_required
def move_help_route(route_id):
    """Move a route one place up or down. The 999 route always stays first."""
    route_or_404(route_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    routes = queries.routes_for_school(db, current_user.school_id)
    order = moved([r["id"] for r in routes], route_id, request.form.get("direction", ""))
    by_id = {r["id"]: r for r in routes}
    if is_emergency(by_id[order[0]]) or not any(is_emergency(r) for r in routes):
        queries.set_order(db, current_user.school_id, order)
        return routes_changed(gettext("Moved."))
    flash(gettext("“In danger now? Call 999” always stays at the top."), "warning")
    return redirect(url_for("safeguarding.help_routes"), 303)


@bp.route("/safeguarding/help-routes/<int:route_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_help_route(route_id):
    """Remove a route, after a confirm step. The 999 route cannot be removed."""
    route = route_or_404(route_id)
    if is_emergency(route):
        flash(gettext("“In danger now? Call 999” must stay on every page, so it can't be removed."), "warning")
        return redirect(url_for("safeguarding.help_routes"), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        queries.remove_route(get_db(), route_id, current_user.school_id)
        return routes_changed(gettext("Removed “%(title)s”.", title=route["title"]))
    return render_template("safeguarding/help_route_remove.html", route=route, form=form)


# Pupils' records (admin and DSL) -------------------------------------------------------------------
def pupil_or_404(pupil_id):
    """A pupil of the signed-in person's school; another school's id gives 404."""
    return queries.pupil_for_school(get_db(), pupil_id, current_user.school_id) or abort(404)


@bp.route("/safeguarding/pupils")
@records_role
def pupils():
    """Find a pupil to export or erase their records (pupils who have left included)."""
    q = request.args.get("q", "").strip()[:80]
    return render_template(
        "safeguarding/pupils.html", q=q, pupils=queries.find_pupils(get_db(), current_user.school_id, q)
    )


@bp.route("/safeguarding/pupils/<int:pupil_id>")
@records_role
def pupil(pupil_id):
    """What is held about one pupil, with export and erase."""
    person = pupil_or_404(pupil_id)
    db = get_db()
    audit_view_by(db, current_user, "view-pupil", "pupil", pupil_id, since=audit_words.visit_start())
    return render_template(
        "safeguarding/pupil.html",
        pupil=person,
        counts=records.counts_for(db, pupil_id),
        sees_talk=records.sees_talk_requests(current_user.role),
    )


@bp.route("/safeguarding/pupils/<int:pupil_id>/export.json")
@records_role
def export_json(pupil_id):
    """Everything held about the pupil, as JSON (for a subject access request)."""
    pupil_or_404(pupil_id)
    db = get_db()
    data = records.export_pupil(db, pupil_id, include_talk=records.sees_talk_requests(current_user.role))
    audit_by(db, current_user, "export-json", "pupil", pupil_id)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="pupil-{pupil_id}-records.json"',
        },
    )


@bp.route("/safeguarding/pupils/<int:pupil_id>/export.pdf")
@records_role
def export_pdf(pupil_id):
    """Everything held about the pupil, as a readable PDF."""
    pupil_or_404(pupil_id)
    db = get_db()
    data = records.export_pupil(db, pupil_id, include_talk=records.sees_talk_requests(current_user.role))
    with force_locale(DEFAULT):  # the record is in English, its dates too, whatever the page's language
        html = render_template(
            "safeguarding/record_pdf.html", data=data, status_labels=STATUSES, urgency_labels=URGENCIES
        )
    audit_by(db, current_user, "export-pdf", "pupil", pupil_id)
    return Response(
        html_to_pdf(html, "record.css"),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="pupil-{pupil_id}-records.pdf"',
        },
    )


@bp.route("/safeguarding/pupils/<int:pupil_id>/erase", methods=["GET", "POST"])
@records_role
def erase(pupil_id):
    """Erase a pupil and everything held about them, after typing ERASE to confirm."""
    person = pupil_or_404(pupil_id)
    db = get_db()
    form = EraseForm()
    if form.validate_on_submit():
        records.erase_pupil(db, pupil_id, staff_id=current_user.id)
        flash(
            gettext("The pupil's records have been erased. Their certificates now show as “no longer held”."), "success"
        )
        return redirect(url_for("safeguarding.pupils"), 303)
    return render_template(
        "safeguarding/erase.html",
        pupil=person,
        counts=records.counts_for(db, pupil_id),
        sees_talk=records.sees_talk_requests(current_user.role),
        form=form,
    ), (400 if form.errors else 200)
