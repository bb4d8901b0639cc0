"""The parents' view (public, no sign-in): a school's course materials, read only; the page for parents; the setting.

Everything on these pages comes from the content files; nothing about pupils is read. The materials are the
same for every parent of a route, so each route's body is rendered once per process and kept.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.users import role_required
from audit import audit_by
from db import get_db
from languages import DEFAULT as DEFAULT_LANGUAGE
from languages import page_language
from training.courses import course_or_404, courses
from training.files import PAGE_TAGS, render_markdown
from training.parents_forms import ParentsViewForm
from training.parents_queries import parents_setting, save_setting, school_by_slug
from training.parents_rules import contact_or_office
from urls import public_url

bp = Blueprint("parents", __name__)

admin_required = role_required("admin")
# Not for search engines: a school's page is for its own parents, reached from its letter (robots.txt says so too).
NOT_INDEXED = "noindex, nofollow"
PUBLIC_PAGES = ("parents.school", "parents.route")


@bp.after_request
def _not_indexed(response):
    """Every page of a school's parents' view carries X-Robots-Tag, as its <meta name="robots"> does."""
    if request.endpoint in PUBLIC_PAGES:
        response.headers["X-Robots-Tag"] = NOT_INDEXED
    return response


def school_or_404(slug):
    """The open school with this public slug; otherwise the request ends with 404."""
    return school_by_slug(get_db(), slug) or abort(404)


@bp.route("/parents/<slug>/")
def school(slug):
    """A school's parents' view: what the course is and a link to each route's materials (or: not published)."""
    row = school_or_404(slug)
    if not row["parents_view"]:
        return not_published(row)
    return render_template("training/parents_school.html", school=row, courses=courses().values())


@bp.route("/parents/<slug>/<course_id>/")
def route(slug, course_id):
    """Every lesson, question and teacher note of one route, in the order taught, read only."""
    row = school_or_404(slug)
    course = course_or_404(course_id)
    if not row["parents_view"]:
        return not_published(row)
    return render_template(
        "training/parents_route.html", school=row, course=course, courses=courses().values(), body=route_body(course)
    )


def not_published(row):
    """The school has turned its parents' view off: say so plainly, and how else parents see the materials."""
    return render_template("training/parents_off.html", school=row, contact=contact_or_office(row["parents_contact"]))


def route_body(course):
    """One route's materials as HTML: the same for every school and parent, rendered once per process and language
    (the course and the words around it are in the page's language)."""
    kept = current_app.extensions.setdefault("parents_view_body", {})
    language = page_language()
    key = course.id if language == DEFAULT_LANGUAGE else (course.id, language)  # English: by the course's id alone
    body = kept.get(key)
    if body is None or body[0] is not course:  # a new Course object is new content
        body = kept[key] = (course, render_template("training/_parents_body.html", course=course))
    return body[1]


@bp.route("/for-parents")
def for_parents():
    """The page for parents and carers: what online blackmail is, the signs, what to do, who to call."""
    page = current_app.extensions["for_parents"]
    kept = current_app.extensions.setdefault("for_parents_html", {})
    if kept.get("page") is not page:
        kept.update(page=page, html=render_markdown(page.markdown(None), PAGE_TAGS))
    return render_template("training/for_parents.html", title=page.title, body=kept["html"])


@bp.route("/admin/parents-page", methods=["GET", "POST"])
@admin_required
def setting():
    """The admin's setting: publish the parents' view or not, and whom parents ask to see the materials."""
    db = get_db()
    row = parents_setting(db, current_user.school_id)
    form = ParentsViewForm(
        data={"published": "yes" if row["parents_view"] else "no", "contact": row["parents_contact"] or ""}
    )
    if form.validate_on_submit():
        published = form.published.data == "yes"
        save_setting(db, current_user.school_id, published, form.contact.data.strip())
        audit_by(db, current_user, "parents-view-setting", "school")
        flash("Saved: the parents' page is " + ("published." if published else "not published."), "success")
        return redirect(url_for("parents.setting"), 303)
    address = public_url("parents.school", slug=row["public_slug"])
    return render_template("training/parents_setting.html", school=row, form=form, address=address), (
        400 if form.errors else 200
    )
