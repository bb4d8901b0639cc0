"""The teacher's side: staff, classes, rosters, roster import and sign-in cards."""

import json
from datetime import UTC, datetime
from io import BytesIO

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename
from wtforms.fields.choices import SelectChoice

import dates
from accounts.mfa_queries import people_with_authenticator
from accounts.passwords import hash_password, readable_password
from accounts.queries import linked_providers, school_by_id, staff_in_school
from accounts.users import role_required, staff_required
from audit import audit_by
from classroom import card_queries, class_codes, code_queries, queries, roster
from classroom.access import class_or_404, code_class_or_404, pupil_or_404, runs_class, sees_whole_school
from classroom.cards import cards_pdf
from classroom.forms import (
    DEPUTY_DSL,
    ROLE_LABELS,
    STAFF_CHOICE_LABELS,
    ClassForm,
    ClassTeachersForm,
    ImportForm,
    PupilForm,
    RecheckForm,
    RouteForm,
    StaffForm,
    route_choices,
)
from classroom.tasks import queue_cards
from db import IntegrityError, get_db
from forms import ConfirmForm
from languages import lazy_gettext as _l
from languages import page_language
from quizzes import recheck
from training.courses import course_for_class, course_for_year, courses, route_words
from training.staff_training import staff_course_first
from urls import public_url

bp = Blueprint("classroom", __name__)

# The multipart wrapping around a 1 MB file is a few hundred bytes; allow a little more.
UPLOAD_LIMIT = roster.MAX_BYTES + 64 * 1024
TOO_LARGE = _l("The file is larger than 1 MB. A class list CSV is much smaller: check it is the right file.")
NOT_AN_IMAGE = _l("This is an image. Only CSV files of names can be uploaded here.")

admin_required = role_required("admin")


def _cards_heading(batch, class_row):
    """What a finished card batch says: an import names the pupils it added."""
    if batch["kind"] == "import":
        return ngettext(
            "%(num)d pupil added to %(class_name)s",
            "%(num)d pupils added to %(class_name)s",
            batch["pupils"],
            class_name=class_row["name"],
        )
    return gettext("Sign-in cards for %(class_name)s", class_name=class_row["name"])


def _sign_in_url():
    return public_url("accounts.sign_in")


def _make_cards(class_row, pupils):
    """Render sign-in cards for pupils (dicts with their new `password`); returns the batch token."""
    db = get_db()
    cards = [
        {
            "name": f"{p['first_name']} {p['last_name']}".strip(),
            "class_name": class_row["name"],
            "username": p["username"],
            "password": p["password"],
        }
        for p in pupils
    ]
    school = school_by_id(db, current_user.school_id)
    pdf = cards_pdf(cards, _sign_in_url(), school["name"])
    return queries.save_card_batch(db, current_user, class_row["id"], len(cards), pdf)


# --- Classes -----------------------------------------------------------------------------


@bp.route("/classes", methods=["GET", "POST"])
@staff_required
def home():
    """The classes this person can see (admin and DSL: the whole school), and a form to add one."""
    db = get_db()
    form = ClassForm()
    form.course_id.choices = route_choices(courses())
    if form.validate_on_submit():
        asked = staff_course_first(db, "create the class")  # a new class is set the pupils' course
        if asked:
            return asked
        name = " ".join(form.name.data.split())
        if queries.class_name_taken(db, current_user.school_id, name):
            form.name.errors.append(_class_name_taken(name))
        else:
            teacher_id = current_user.id if current_user.role == "teacher" else None
            year = int(form.year_group.data) if form.year_group.data else None
            # The route: the teacher's choice, or by default the course for the year group.
            course_id = form.course_id.data or course_for_year(year).id
            try:
                class_id = queries.create_class(db, current_user.school_id, name, year, teacher_id, course_id)
            except IntegrityError:  # made by someone else a moment ago
                form.name.errors.append(_class_name_taken(name))
            else:
                audit_by(db, current_user, "class-create", "class", class_id)
                flash(gettext("Class %(class_name)s created. Now add its pupils.", class_name=name), "success")
                return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    classes = queries.classes_for_staff(db, current_user, sees_whole_school(current_user))
    status = 400 if form.errors else 200
    return render_template("classroom/home.html", classes=classes, form=form), status


def _class_name_taken(name):
    return gettext("Your school already has a class called %(class_name)s. Choose another name.", class_name=name)


@bp.route("/classes/<int:class_id>")
@staff_required
def class_page(class_id):
    """The class roster, with what a teacher can do to it."""
    return _class_page(class_or_404(get_db(), current_user, class_id))


def _class_page(class_row, recheck_form=None, status=200):
    """The class page; `recheck_form` comes back with what was typed and its errors."""
    db = get_db()
    class_id = class_row["id"]
    teachers_form = None
    if current_user.role == "admin":
        teachers_form = _teachers_form(class_row)
    course = course_for_class(class_row)
    route_form = RouteForm(course_id=course.id)
    route_form.course_id.choices = route_choices(courses(), by_year_group=False)
    runs = runs_class(db, current_user, class_id)
    if runs and recheck_form is None:
        recheck_form = RecheckForm(formdata=None, day=recheck.as_date(class_row["recheck_on"]))
    page = render_template(
        "classroom/class.html",
        class_=class_row,
        course=course,
        route_form=route_form if len(courses()) > 1 else None,
        pupils=queries.class_roster(db, class_id, current_user.school_id),
        teachers=queries.class_teachers(db, class_id, current_user.school_id),
        teachers_form=teachers_form,
        shows_code=runs,
        recheck_form=recheck_form if runs else None,
        recheck_on=recheck.as_date(class_row["recheck_on"]),
        recheck_suggestion=gettext(recheck.SUGGESTION),
        recheck_gap_days=recheck.MIN_DAYS_AFTER_FINAL,
    )
    return page, status


@bp.post("/classes/<int:class_id>/recheck")
@staff_required
def class_recheck(class_id):
    """The class's teacher (or an admin) sets, changes or clears the day its delayed re-check opens."""
    db = get_db()
    class_row = class_or_404(db, current_user, class_id)
    if not runs_class(db, current_user, class_id):
        abort(404)  # a DSL sees the class but does not run it
    form = RecheckForm()
    if form.validate_on_submit():
        day = None
        if not form.clear.data:
            problem = recheck.date_problem(form.day.data, dates.uk_today())
            if problem:
                form.day.errors.append(gettext(problem))
                return _class_page(class_row, form, 400)
            day = form.day.data
        queries.set_class_recheck(db, class_id, current_user.school_id, day)
        audit_by(db, current_user, "class-recheck", "class", class_id)
        if day:
            flash(gettext("Re-check set for %(day)s.", day=dates.day(day.isoformat(), page_language())), "success")
        else:
            flash(gettext("The re-check is cleared: no pupil of this class is offered one."), "success")
        return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    return _class_page(class_row, form, 400)


def _teachers_form(class_row, formdata=None):
    """Who teaches the class, as checkboxes of the school's active staff."""
    db = get_db()
    form = ClassTeachersForm(formdata=formdata)
    staff = [s for s in queries.school_staff(db, current_user.school_id) if not s["archived_at"]]
    form.teachers.choices = [
        SelectChoice(s["id"], f"{s['first_name']} {s['last_name']} ({ROLE_LABELS[s['role']]})") for s in staff
    ]
    if formdata is None:
        form.teachers.data = [t["id"] for t in queries.class_teachers(db, class_row["id"], current_user.school_id)]
    return form


@bp.post("/classes/<int:class_id>/teachers")
@admin_required
def class_teachers(class_id):
    """An admin chooses who teaches the class (only their own school's staff are offered)."""
    class_row = class_or_404(get_db(), current_user, class_id)
    form = _teachers_form(class_row, formdata=request.form)
    if form.validate():
        queries.set_class_teachers(get_db(), class_id, form.teachers.data)
        audit_by(get_db(), current_user, "class-teachers", "class", class_id)
        flash(gettext("Teachers saved."), "success")
    else:
        flash(gettext("Those teachers could not be saved: choose from the list."), "error")
    return redirect(url_for("classroom.class_page", class_id=class_id), 303)


@bp.post("/classes/<int:class_id>/route")
@staff_required
def class_route(class_id):
    """The class's teacher (or an admin) changes the route the class follows."""
    class_or_404(get_db(), current_user, class_id)
    form = RouteForm()
    form.course_id.choices = route_choices(courses(), by_year_group=False)
    if form.validate_on_submit():
        asked = staff_course_first(get_db(), "set the class's course")
        if asked:
            return asked
        queries.set_class_course(get_db(), class_id, current_user.school_id, form.course_id.data)
        audit_by(get_db(), current_user, "class-route", "class", class_id)
        route = route_words(courses()[form.course_id.data])
        flash(gettext("The class now follows the route for %(route)s.", route=route), "success")
    else:
        flash(gettext("The route could not be changed: choose one from the list."), "error")
    return redirect(url_for("classroom.class_page", class_id=class_id), 303)


# --- Class code ------------------------------------------------------------------------------


def _join_url(code):
    """The join page's public address with the code filled in (what the QR code holds)."""
    return public_url("join.join", code=class_codes.display(code))


@bp.get("/classes/<int:class_id>/code")
@staff_required
def class_code(class_id):
    """The class's code in large letters and as a QR code, its on/off switch, and who joined with it."""
    db = get_db()
    class_row = code_class_or_404(db, current_user, class_id)
    code = code_queries.current_code(db, class_id)
    qr = join_url = None
    if code:
        join_url = _join_url(code["code"])
        # An <img> with a data: URI (the CSP allows data: images): no inline style, no script.
        qr = segno.make(join_url, error="m").svg_data_uri(scale=8, border=4, dark="#1b1b3a", light="#ffffff")
    return render_template(
        "classroom/class_code.html",
        class_=class_row,
        code=code,
        shown=class_codes.display(code["code"]) if code else None,
        state=class_codes.state(code, datetime.now(UTC)) if code else None,
        join_url=join_url,
        join_page=public_url("join.join"),
        qr=qr,
        days=current_app.config["CLASS_CODE_DAYS"],
        joins=code_queries.joins(db, class_id, current_user.school_id),
        form=ConfirmForm(),
    )


@bp.post("/classes/<int:class_id>/code/new")
@staff_required
def new_class_code(class_id):
    """Make a new code for the class: the old one stops working at once."""
    db = get_db()
    code_class_or_404(db, current_user, class_id)
    if ConfirmForm().validate_on_submit():
        had = code_queries.current_code(db, class_id)
        code = code_queries.make_code(db, class_id, current_user.school_id, current_user.id,
                                      current_app.config["CLASS_CODE_DAYS"])  # fmt: skip
        audit_by(db, current_user, "class-code-new", "class", class_id)
        shown = class_codes.display(code["code"])
        if had:
            flash(gettext("The class code is now %(code)s. The old code no longer works.", code=shown), "success")
        else:
            flash(gettext("The class code is now %(code)s.", code=shown), "success")
    return redirect(url_for("classroom.class_code", class_id=class_id), 303)


@bp.post("/classes/<int:class_id>/code/off")
@staff_required
def class_code_off(class_id):
    """Switch the class's code off: nobody can join with it until it is switched on."""
    db = get_db()
    code_class_or_404(db, current_user, class_id)
    if ConfirmForm().validate_on_submit() and code_queries.switch_off(db, class_id):
        audit_by(db, current_user, "class-code-off", "class", class_id)
        flash(gettext("The class code is switched off. Nobody can join with it now."), "success")
    return redirect(url_for("classroom.class_code", class_id=class_id), 303)


@bp.post("/classes/<int:class_id>/code/on")
@staff_required
def class_code_on(class_id):
    """Switch the class's code on again (the same code) for CLASS_CODE_DAYS more days."""
    db = get_db()
    code_class_or_404(db, current_user, class_id)
    days = current_app.config["CLASS_CODE_DAYS"]
    if ConfirmForm().validate_on_submit() and code_queries.switch_on(db, class_id, days):
        audit_by(db, current_user, "class-code-on", "class", class_id)
        flash(gettext("The class code is switched on for the next %(days)s days.", days=days), "success")
    return redirect(url_for("classroom.class_code", class_id=class_id), 303)


# --- One pupil ------------------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/pupils/new", methods=["GET", "POST"])
@staff_required
def add_pupil(class_id):
    """Add one pupil to the class; shows their one-time password and a sign-in card."""
    class_row = class_or_404(get_db(), current_user, class_id)
    db = get_db()
    form = PupilForm()
    if request.method == "GET" and class_row["year_group"]:
        form.year_group.data = str(class_row["year_group"])
    if form.validate_on_submit():
        first, last = roster.tidy(form.first_name.data), roster.tidy(form.last_name.data)
        year = int(form.year_group.data)
        username = (form.username.data or "").strip().lower()
        email = roster.tidy(form.email.data or "")
        key = roster.pupil_key(first, last, year)
        if key in queries.existing_pupil_keys(db, class_id, roster.pupil_key):
            form.first_name.errors.append(
                gettext(
                    "%(name)s (year %(year)s) is already in %(class_name)s.",
                    name=f"{first} {last}",
                    year=year,
                    class_name=class_row["name"],
                )
            )
        elif username and queries.taken_usernames(db, [username]):
            form.username.errors.append(
                gettext(
                    "The username %(username)s is already used. Choose another or leave it blank.", username=username
                )
            )
        elif email and roster.email_problem(email):
            form.email.errors.append(roster.email_problem(email))
        elif email and queries.taken_emails(db, [email]):
            form.email.errors.append(
                gettext("The e-mail %(email)s already belongs to someone with an account here.", email=email)
            )
        else:
            password = readable_password()
            pupil = {"first_name": first, "last_name": last, "year_group": year, "username": username, "email": email}
            try:
                created = queries.create_pupils(
                    db, current_user.school_id, class_id, [dict(pupil, password_hash=hash_password(password))]
                )[0]
            except IntegrityError:
                form.username.errors.append(
                    gettext("That username or e-mail was taken a moment ago. Check them and try again.")
                )
            else:
                audit_by(db, current_user, "pupil-add", "pupil", created["id"])
                shown = [dict(created, password=password)]
                token = _make_cards(class_row, shown)
                return render_template("classroom/cards_ready.html", class_=class_row, token=token, shown=shown,
                                       pupils=1, heading=gettext("%(name)s added", name=f"{first} {last}"))  # fmt: skip
    status = 400 if form.errors else 200
    return render_template("classroom/add.html", class_=class_row, form=form), status


@bp.route("/classes/<int:class_id>/pupils/<int:pupil_id>/reset-password", methods=["GET", "POST"])
@staff_required
def reset_password(class_id, pupil_id):
    """Give a pupil a new one-time password and a new card (the old card stops working)."""
    class_row, pupil = pupil_or_404(get_db(), current_user, class_id, pupil_id)
    if pupil["archived_at"]:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        db = get_db()
        password = readable_password()
        queries.set_password(db, current_user.school_id, pupil_id, hash_password(password))
        audit_by(db, current_user, "pupil-reset-password", "pupil", pupil_id)
        shown = [dict(pupil, password=password)]
        token = _make_cards(class_row, shown)
        name = f"{pupil['first_name']} {pupil['last_name']}"
        return render_template("classroom/cards_ready.html", class_=class_row, token=token, shown=shown, pupils=1,
                               heading=gettext("New password for %(name)s", name=name))  # fmt: skip
    return render_template(
        "classroom/confirm.html",
        class_=class_row,
        form=form,
        title=gettext("Reset %(name)s's password?", name=f"{pupil['first_name']} {pupil['last_name']}"),
        explain=[
            gettext("They get a new one-time password and a new sign-in card."),
            gettext("Their old password stops working straight away. Their progress is kept."),
        ],
        button=gettext("Reset password and make a new card"),
        warning=False,
    )


@bp.route("/classes/<int:class_id>/pupils/<int:pupil_id>/archive", methods=["GET", "POST"])
@staff_required
def archive_pupil(class_id, pupil_id):
    """Archive a pupil who has left: they can no longer sign in; their records stay for reports."""
    class_row, pupil = pupil_or_404(get_db(), current_user, class_id, pupil_id)
    name = f"{pupil['first_name']} {pupil['last_name']}"
    if pupil["archived_at"]:
        flash(gettext("%(name)s is already archived.", name=name), "info")
        return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        queries.archive_person(get_db(), current_user.school_id, pupil_id)
        audit_by(get_db(), current_user, "pupil-archive", "pupil", pupil_id)
        flash(gettext("%(name)s is archived. They can no longer sign in.", name=name), "success")
        return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    months = current_app.config["RETENTION_MONTHS_AFTER_LEAVING"]
    return render_template(
        "classroom/confirm.html",
        class_=class_row,
        form=form,
        title=gettext("Archive %(name)s?", name=name),
        explain=[
            gettext("Archive a pupil who has left the school. They leave every class and can no longer sign in."),
            gettext(
                "Their results stay in reports until they are deleted, %(months)s months after leaving.", months=months
            ),
        ],
        button=gettext("Archive %(name)s", name=name),
        warning=True,
    )


# --- Roster import ------------------------------------------------------------------------


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    """A file over the limit: the upload page again, with a clear message."""
    class_id = (request.view_args or {}).get("class_id")
    if class_id is None or not current_user.is_authenticated or not current_user.is_staff:
        return str(TOO_LARGE), 413
    class_row = class_or_404(get_db(), current_user, class_id)
    form = ImportForm(formdata=None)
    form.file.errors = [TOO_LARGE]
    return render_template("classroom/import.html", class_=class_row, form=form, max_rows=roster.MAX_ROWS), 413


@bp.route("/classes/<int:class_id>/import", methods=["GET", "POST"])
@staff_required
def import_roster(class_id):
    """Upload a class list CSV; a preview shows every row and problem before anything is saved."""
    class_row = class_or_404(get_db(), current_user, class_id)
    if request.content_length and request.content_length > UPLOAD_LIMIT:
        raise RequestEntityTooLarge()
    request.max_content_length = UPLOAD_LIMIT
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = secure_filename(upload.filename or "") or "upload.csv"
        data = upload.read(roster.MAX_BYTES + 1)
        if (upload.mimetype or "").startswith("image/"):
            form.file.errors.append(NOT_AN_IMAGE)
        elif len(data) > roster.MAX_BYTES:
            form.file.errors.append(TOO_LARGE)
        elif not filename.lower().endswith(".csv"):
            form.file.errors.append(gettext('Upload a .csv file. In Excel choose File, Save As, then "CSV UTF-8".'))
        else:
            parsed = roster.parse(data, class_row["name"])
            if not parsed.encoding:  # not a text file at all: nothing to preview
                form.file.errors.extend(p.message for p in parsed.problems)
            else:
                _assign_usernames(get_db(), parsed.rows)
                token = queries.save_import(get_db(), current_user, class_id, filename, parsed)
                return redirect(url_for("classroom.import_preview", class_id=class_id, token=token), 303)
    status = 400 if form.errors else 200
    return render_template("classroom/import.html", class_=class_row, form=form, max_rows=roster.MAX_ROWS), status


def _assign_usernames(db, rows):
    """Give every row without a username from the file the one it will be created with."""
    taken = queries.usernames_like(db, roster.stems_needed(rows))
    for row, name in zip(rows, roster.assign_usernames(rows, taken), strict=True):
        if not row.username:
            row.username, row.made = name, True


def _checked_preview(class_row, kept):
    """The kept rows with the file's problems and, checked now, the database's; and whether
    the usernames made for them changed since they were kept (someone took one meanwhile)."""
    db = get_db()
    stored = json.loads(kept["rows"])
    rows = roster.rows_from_dicts(stored["rows"])
    shown = [r.username for r in rows]
    for row in rows:
        if row.made:  # made last time: make it again against today's usernames
            row.username, row.made = "", False
    problems = [roster.Problem(row, message) for row, message in stored["problems"]]
    problems += roster.check_existing(
        rows,
        queries.existing_pupil_keys(db, class_row["id"], roster.pupil_key),
        queries.taken_usernames(db, [r.username for r in rows]),
        class_row["name"],
        queries.taken_emails(db, [r.email for r in rows]),
    )
    problems.sort(key=lambda p: p.row or 0)
    _assign_usernames(db, rows)
    changed = [r.username for r in rows] != shown
    if changed:
        queries.keep_import_rows(db, kept["token"], rows)
    parsed = roster.Roster(rows, problems, kept["encoding"], stored["ignored"])
    parsed.warnings = roster.year_warnings(rows, class_row["year_group"])
    return parsed, changed


@bp.route("/classes/<int:class_id>/import/<token>", methods=["GET", "POST"])
@staff_required
def import_preview(class_id, token):
    """Every row and every problem; confirming adds all the pupils at once, or none."""
    class_row = class_or_404(get_db(), current_user, class_id)
    db = get_db()
    kept = queries.import_for(db, current_user, class_id, token)
    if kept is None:
        flash(
            gettext("That preview has expired or was already used. Nothing was saved from it: upload the file again."),
            "warning",
        )
        return redirect(url_for("classroom.import_roster", class_id=class_id), 303)
    parsed, changed = _checked_preview(class_row, kept)
    if changed and request.method == "POST":
        # Confirm only creates the usernames the teacher saw: show the new ones first.
        flash(gettext("Someone else took a username shown here a moment ago. Nothing was saved: check the new "
                      "usernames, then add the pupils."), "warning")  # fmt: skip
        return redirect(url_for("classroom.import_preview", class_id=class_id, token=token), 303)
    form = ConfirmForm()
    if form.validate_on_submit() and parsed.ok:
        # The job worker hashes the passwords, saves every pupil and stores the cards in one
        # transaction (all or none); the cards page shows its progress. A second click finds the same batch.
        batch = card_queries.queue_batch(db, current_user, class_id, "import", len(parsed.rows), import_token=token)
        queue_cards(batch)
        return redirect(url_for("classroom.cards", class_id=class_id, token=batch), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "classroom/preview.html",
        class_=class_row,
        form=form,
        roster=parsed,
        by_row=parsed.problems_by_row(),
        warnings_by_row={w.row: w.message for w in parsed.warnings},
        filename=kept["filename"],
        max_rows=roster.MAX_ROWS,
    ), status


# --- Sign-in cards ----------------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/cards/new", methods=["GET", "POST"])
@staff_required
def new_cards(class_id):
    """New passwords and cards for the whole class, when cards are lost or were never printed."""
    class_row = class_or_404(get_db(), current_user, class_id)
    db = get_db()
    pupils = [p for p in queries.class_roster(db, class_id, current_user.school_id) if not p["archived_at"]]
    if not pupils:
        flash(gettext("The class has no pupils yet. Add or import them first."), "info")
        return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        # The job worker makes the passwords and cards and saves them together; the cards page shows progress.
        batch = card_queries.queue_batch(db, current_user, class_id, "new-cards", len(pupils))
        queue_cards(batch)
        return redirect(url_for("classroom.cards", class_id=class_id, token=batch), 303)
    return render_template(
        "classroom/confirm.html",
        class_=class_row,
        form=form,
        title=gettext("New sign-in cards for all of %(class_name)s?", class_name=class_row["name"]),
        explain=[
            gettext(
                "Every pupil in %(class_name)s (%(count)s) gets a new one-time password and a new card.",
                class_name=class_row["name"],
                count=len(pupils),
            ),
            gettext(
                "Passwords are never stored where anyone can read them, so cards can't be printed again: "
                "new cards mean new passwords. Old passwords and cards stop working straight away."
            ),
            gettext("Their progress is kept."),
        ],
        button=gettext("Make new cards for %(num)s pupils", num=len(pupils)),
        warning=True,
    )


@bp.route("/classes/<int:class_id>/cards/<token>")
@staff_required
def cards(class_id, token):
    """The page to download a batch of sign-in cards, while it is kept."""
    class_row = class_or_404(get_db(), current_user, class_id)
    batch = queries.card_batch_for(get_db(), current_user, class_id, token)
    if batch is None:
        return render_template("classroom/cards_gone.html", class_=class_row), 404
    if batch["status"] != "done":  # being made by the job worker, or failed: the page refreshes until done
        return render_template("classroom/cards_making.html", class_=class_row, batch=batch)
    return render_template("classroom/cards_ready.html", class_=class_row, token=token, pupils=batch["pupils"],
                           shown=None, heading=_cards_heading(batch, class_row),
                           expires_at=batch["expires_at"])  # fmt: skip


@bp.route("/classes/<int:class_id>/cards/<token>.pdf")
@staff_required
def cards_download(class_id, token):
    """The cards PDF, for the person who made it, until it expires."""
    class_row = class_or_404(get_db(), current_user, class_id)
    batch = queries.card_batch_for(get_db(), current_user, class_id, token)
    if batch is None or batch["status"] != "done":
        return render_template("classroom/cards_gone.html", class_=class_row), 404
    stamp = batch["created_at"][:16].replace("-", "").replace(":", "").replace("T", "-")
    # One-time passwords: app.py marks every download Cache-Control: no-store.
    return send_file(
        BytesIO(batch["pdf"]),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"sign-in-cards-{secure_filename(class_row['name']) or 'class'}-{stamp}.pdf",
    )


# --- Staff -----------------------------------------------------------------------------------


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff():
    """The school's staff, and adding one (their one-time password is shown once)."""
    db = get_db()
    form = StaffForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        if queries.email_taken(db, email):
            form.email.errors.append(gettext("%(email)s already has an account.", email=email))
        else:
            password = readable_password()
            first, last = roster.tidy(form.first_name.data), roster.tidy(form.last_name.data)
            deputy = form.role.data == DEPUTY_DSL
            role = "dsl" if deputy else form.role.data
            person_id = queries.add_staff(db, current_user.school_id, role, first, last, email,
                                          hash_password(password), dsl_deputy=deputy)  # fmt: skip
            audit_by(db, current_user, "staff-add", "staff", person_id)
            return render_template(
                "classroom/staff_added.html",
                heading=gettext("%(name)s added", name=f"{first} {last}"),
                name=f"{first} {last}",
                email=email,
                role=STAFF_CHOICE_LABELS[form.role.data],
                password=password,
                sign_in_url=_sign_in_url(),
            )
    status = 400 if form.errors else 200
    return render_template(
        "classroom/staff.html", form=form, staff=queries.school_staff(db, current_user.school_id),
        mfa_set_up=people_with_authenticator(db, current_user.school_id),
        linked=linked_providers(db, current_user.school_id),
    ), status  # fmt: skip


@bp.route("/staff/<int:person_id>/archive", methods=["GET", "POST"])
@admin_required
def archive_staff(person_id):
    """Archive a member of staff who has left: they can no longer sign in."""
    db = get_db()
    person = staff_in_school(db, current_user.school_id, person_id) or abort(404)
    name = f"{person['first_name']} {person['last_name']}"
    if person_id == current_user.id:
        flash(gettext("You can't archive yourself. Ask another admin."), "warning")
        return redirect(url_for("classroom.staff"), 303)
    if person["archived_at"]:
        flash(gettext("%(name)s is already archived.", name=name), "info")
        return redirect(url_for("classroom.staff"), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        queries.archive_person(db, current_user.school_id, person_id)
        audit_by(db, current_user, "staff-archive", "staff", person_id)
        flash(gettext("%(name)s is archived and can no longer sign in.", name=name), "success")
        return redirect(url_for("classroom.staff"), 303)
    return render_template(
        "classroom/confirm.html",
        class_=None,
        form=form,
        title=gettext("Archive %(name)s?", name=name),
        explain=[
            gettext("%(name)s (%(email)s) will no longer be able to sign in.", name=name, email=person["email"]),
            gettext("Their classes stay, with their pupils. Choose who teaches them on each class's page."),
        ],
        button=gettext("Archive %(name)s", name=name),
        warning=True,
    )


@bp.route("/staff/<int:person_id>/reset-password", methods=["GET", "POST"])
@admin_required
def reset_staff_password(person_id):
    """Give a member of staff a new one-time password, shown once."""
    db = get_db()
    person = staff_in_school(db, current_user.school_id, person_id) or abort(404)
    if person["archived_at"] or person_id == current_user.id:
        abort(404)
    name = f"{person['first_name']} {person['last_name']}"
    form = ConfirmForm()
    if form.validate_on_submit():
        password = readable_password()
        queries.set_password(db, current_user.school_id, person_id, hash_password(password))
        audit_by(db, current_user, "staff-reset-password", "staff", person_id)
        return render_template(
            "classroom/staff_added.html",
            heading=gettext("New password for %(name)s", name=name),
            name=name,
            email=person["email"],
            role=ROLE_LABELS[person["role"]],
            password=password,
            sign_in_url=_sign_in_url(),
        )
    return render_template(
        "classroom/confirm.html",
        class_=None,
        form=form,
        title=gettext("Reset %(name)s's password?", name=name),
        explain=[
            gettext(
                "%(name)s gets a new one-time password, shown to you once. Their old password stops working.", name=name
            )
        ],
        button=gettext("Reset password"),
        warning=False,
    )
