"""Which course: the courses loaded at start-up, a class's route, a pupil's course.

A class follows one course (its route, `classes.course_id`), chosen when the class is made
from its year group and changeable by its teacher. A pupil follows the course of their class;
a pupil in several classes follows the most recently created one (the class they joined for
this course most recently), and a pupil in no class follows the course for their year group.
"""

import json

from flask import abort, current_app, g, redirect, url_for
from flask_babel import gettext

from languages import page_language
from training.queries import pupil_course_id
from urls import template_url_for

# Course ids that URLs once carried: the first edition's single course. A bookmark to one of its
# pages leads to the pupil's course page, not a dead end.
RETIRED_COURSE_IDS = frozenset({"online-blackmail"})


def courses():
    """Every course, id -> Course, in the order they were loaded, in the page's language where it is translated
    (the same ids and answers in every language: training/translations.py)."""
    return current_app.extensions["courses_in"].get(page_language(), current_app.extensions["courses"])


def route_words(course):
    """Course.route_label in the page's language: 'Years 9 to 13', or the audience of a course with no year groups."""
    if not course.year_groups:
        return course.audience
    first, last = min(course.year_groups), max(course.year_groups)
    if first == last:
        return gettext("Year %(year)s", year=first)
    if last == first + 1:
        return gettext("Years %(first)s and %(last)s", first=first, last=last)
    return gettext("Years %(first)s to %(last)s", first=first, last=last)


def staff_courses():
    """The staff course(s), id -> Course: loaded apart from courses(), so no pupil or class ever follows one."""
    return current_app.extensions["staff_courses_in"].get(page_language(), current_app.extensions["staff_courses"])


def staff_course():
    """The staff course: what to do when a pupil tells you (the first in STAFF_TRAINING_CONTENT)."""
    return next(iter(staff_courses().values()))


# Each course page by name: its pupils' endpoint and the staff course's (its own pages, for staff). Templates and
# views shared by both build links with course_url, so one quiz page, feedback page and lesson step serve both.
COURSE_PAGES = {
    "course": ("training.course", "staff_course.course"),
    "lesson": ("training.lesson", "staff_course.lesson"),
    "step": ("training.step", "staff_course.step"),
    "finish": ("training.finish", "staff_course.finish"),
    "lesson_quiz": ("quizzes.lesson_quiz", "staff_course.lesson_quiz"),
    "lesson_review": ("quizzes.lesson_review", "staff_course.lesson_review"),
    "check": ("quizzes.check", "staff_course.check"),
    "check_review": ("quizzes.check_review", "staff_course.check_review"),
    "attempt": ("quizzes.attempt", "staff_course.attempt"),
    "certificate": ("certificates.mine", "staff_course.certificate"),
}
# The pages that are one per person, not per course: their URLs carry no course id.
PERSON_PAGES = frozenset({"course", "certificate"})


def course_url(course, page, **values):
    """The URL of one of `course`'s pages (a COURSE_PAGES name): the pupils' page, or the staff course's."""
    pupils, staff = COURSE_PAGES[page]
    if page not in PERSON_PAGES:
        values["course_id"] = course.id
    # Built once per process, as every template link is (urls.template_url_for): a lesson step shows several.
    return template_url_for(staff if course.for_staff else pupils, **values)


def action_url(course, action):
    """Where the course page's main button goes (training.progress.NextAction), in a pupils' course or the staff
    course."""
    if action.kind in ("baseline", "final"):
        return course_url(course, "check", phase=action.kind)
    if action.kind == "quiz":
        return course_url(course, "lesson_quiz", lesson_id=action.lesson_id)
    if action.kind == "lesson":
        return course_url(course, "step", lesson_id=action.lesson_id, number=action.step)
    return course_url(course, "certificate")


def in_language(course, language):
    """`course` in `language` where its files are translated, else as it is (a job renders in the pupil's language,
    not the page's)."""
    kind = "staff_courses_in" if course.for_staff else "courses_in"
    return current_app.extensions[kind].get(language, {}).get(course.id, course)


def default_course():
    """The first course: the one for classes with no year group set."""
    return next(iter(courses().values()))


def course_or_404(course_id):
    """The course this id names; otherwise the request ends with 404."""
    return courses().get(course_id) or abort(404)


def course_for_year(year_group, all_courses=None):
    """The course whose `year_groups` include this year group, else the first course."""
    all_courses = all_courses or courses()
    for course in all_courses.values():
        if year_group in course.year_groups:
            return course
    return next(iter(all_courses.values()))


def course_for_route(course_id, year_group=None):
    """The course a class's stored route names; if that course is not loaded, by year group."""
    return courses().get(course_id) or course_for_year(year_group)


def course_for_class(class_row):
    """The course a class follows."""
    return course_for_route(class_row["course_id"], class_row["year_group"])


def year_courses(all_courses=None):
    """{"7": course id, ..., "default": course id}: year-group defaults as JSON, for SQL that picks a pupil's course.

    The app's own courses never change while it runs: their JSON is made once (every lesson step reads it)."""
    if all_courses is None:
        loaded = current_app.extensions["courses"]  # ids only: the same in every language
        kept = current_app.extensions.get("year_courses")
        if kept is None or kept[0] is not loaded:
            kept = current_app.extensions["year_courses"] = (loaded, _year_courses_json(loaded))
        return kept[1]
    return _year_courses_json(all_courses)


def lesson_quiz_ids():
    """Every loaded course's lesson quiz ids as a JSON array, made once (the step page's progress bar reads them)."""
    loaded = current_app.extensions["courses"]  # ids only: the same in every language
    kept = current_app.extensions.get("lesson_quiz_ids")
    if kept is None or kept[0] is not loaded:
        ids = sorted({lesson.quiz.id for course in loaded.values() for lesson in course.lessons})
        kept = current_app.extensions["lesson_quiz_ids"] = (loaded, json.dumps(ids))
    return kept[1]


def _year_courses_json(all_courses):
    mapping = {"default": next(iter(all_courses))}
    for course in all_courses.values():
        for year in course.year_groups:
            mapping.setdefault(str(year), course.id)
    return json.dumps(mapping)


def course_for_pupil(db, pupil):
    """The course a pupil (a User or a people row) follows, by the module's rule; kept for the request."""
    row = getattr(pupil, "row", pupil)  # a signed-in User or a people row
    cached = g.get("pupil_course")
    if cached and cached[0] == row["id"]:
        return cached[1]
    return remember_pupil_course(row, pupil_course_id(db, row["id"], row["year_group"], year_courses()))


def remember_pupil_course(pupil, course_id):
    """The course for `course_id` as the pupil's course (read by a caller's own query), kept for the request."""
    row = getattr(pupil, "row", pupil)
    course = course_for_route(course_id, row["year_group"])
    g.pupil_course = (row["id"], course)
    return course


def pupil_course_or_redirect(db, pupil, course_id):
    """The pupil's course if the URL names it. Another route's URL goes to the pupil's course page
    (its lesson ids differ, so there is no matching page), as does the first edition's; an unknown
    course id is a 404."""
    course = course_for_pupil(db, pupil)
    if course_id == course.id:
        return course
    if course_id in courses() or course_id in RETIRED_COURSE_IDS:
        abort(redirect(url_for("training.course"), 303))
    abort(404)
