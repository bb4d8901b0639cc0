"""A flask-wtf form built for each quiz, one field (or one per step) for each question."""

import functools
import re
import secrets

from flask import current_app, has_app_context
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from languages import lazy_gettext as _l
from quizzes.questions import MULTIPLE_CHOICE, SINGLE_CHOICE
from quizzes.shuffle import display_order, ordered_options

# One short message per question that names it, so a list of them (the error summary at the
# top, or a screen reader jumping between errors) says which question each is about.
# Lazy: the form classes are made once per process, and each message is said in the language of the request.
UNANSWERED = _l("Answer question {number}.")
CHOOSE_SOME = _l("Choose at least one answer for question {number}.")
PLACE_EVERY_STEP = _l("Give every step in question {number} a number.")
DISTINCT_PLACES = _l("Question {number}: two steps have the same number. Give each step its own number.")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for "choose all that apply"."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReviewForm(FlaskForm):
    """The review page's "Try the quiz again" button: a POST with CSRF that records the review."""


class QuizForm(FlaskForm):
    """Hidden fields common to every quiz; the questions are added per quiz."""

    # A new token each time the quiz page is opened: a resubmitted page reuses its token,
    # so it finds its first attempt instead of making a second one.
    token = HiddenField()
    version = HiddenField()

    quiz = None
    question_errors: dict
    option_orders: dict  # question id -> option ids in the order this form shows them

    def validate(self, extra_validators=None):
        """Validate every field, then check that order questions use each number once."""
        valid = super().validate(extra_validators)
        self.question_errors = {}
        for number, question in enumerate(self.quiz.questions, start=1):
            errors = [e for name in field_names(question) for e in self[name].errors]
            if not errors and question.type == "order":
                places = [self[name].data for name in field_names(question)]
                if len(set(places)) != len(places):
                    errors = [DISTINCT_PLACES]
            if errors:
                self.question_errors[question.id] = errors[0].format(number=number)
        return valid and not self.question_errors

    def options_for(self, question):
        """The question's options in the order this form shows them."""
        return ordered_options(question, self.option_orders.get(question.id))


@functools.lru_cache(maxsize=4096)
def _safe(text):
    return re.sub(r"\W", "_", text)


# The confidence scale's words as a pupil reads them, in the page's language (questions.CONFIDENCE_SCALE keeps the
# English the loader and reports use).
CONFIDENCE_WORDS = {
    "1": _l("Not sure at all"), "2": _l("A little sure"), "3": _l("Quite sure"), "4": _l("Sure"), "5": _l("Very sure"),
}  # fmt: skip


def confidence_words(value):
    """A point of the confidence scale ('1' to '5') in the page's language."""
    return CONFIDENCE_WORDS.get(str(value), value)


def field_name(question, option=None):
    """The form field for a question (or, for order questions, for one of its steps)."""
    base = "q_" + _safe(question.id)
    return f"{base}__{_safe(option.id)}" if option else base


def field_names(question):
    """Every form field that belongs to `question`."""
    if question.type == "order":
        return [field_name(question, option) for option in question.options]
    return [field_name(question)]


def quiz_form(quiz, secret=None, **kwargs):
    """A form of the class made for `quiz`, instantiated with `kwargs`; options ordered by its token."""
    form = quiz_form_class(quiz)(**kwargs)
    if not form.token.data:
        form.token.data = secrets.token_urlsafe(16)
        form.version.data = quiz.version
    # The order follows the token the form carries, so a page sent back with an error shows
    # the options where they were; the app's secret stops a pupil working it out in advance.
    secret = current_app.secret_key if secret is None else secret
    form.option_orders = {q.id: display_order(q, secret, form.token.data) for q in quiz.questions}
    return form


def quiz_form_class(quiz):
    """The form class for `quiz`, made once per loaded quiz: its fields depend on the quiz alone, and making
    the class (and wtforms reading its fields) was a large share of a quiz submission's time (measured here)."""
    if not has_app_context():
        return _make_form_class(quiz)
    kept = current_app.extensions.setdefault("quiz_forms", {})
    made = kept.get(quiz.id)
    if made is None or made[0] is not quiz:
        made = kept[quiz.id] = (quiz, _make_form_class(quiz))
    return made[1]


def _make_form_class(quiz):
    fields = {}
    for question in quiz.questions:
        choices = [SelectChoice(o.id, o.text) for o in question.options]
        if question.type in SINGLE_CHOICE:
            fields[field_name(question)] = RadioField(
                question.prompt, choices=choices, validators=[InputRequired(UNANSWERED)]
            )
        elif question.type in MULTIPLE_CHOICE:
            fields[field_name(question)] = MultiCheckboxField(
                question.prompt,
                choices=choices,
                validators=[InputRequired(CHOOSE_SOME)],
            )
        elif question.type == "confidence":
            fields[field_name(question)] = RadioField(
                question.prompt,
                choices=choices,
                coerce=int,
                validators=[InputRequired(UNANSWERED)],
            )
        elif question.type == "order":
            numbers = [SelectChoice("", _l("Choose…"))] + [
                SelectChoice(str(n)) for n in range(1, len(question.options) + 1)
            ]
            for option in question.options:
                fields[field_name(question, option)] = SelectField(
                    option.text,
                    choices=numbers,
                    validators=[InputRequired(PLACE_EVERY_STEP)],
                )
    return type(f"Quiz_{_safe(quiz.id)}", (QuizForm,), {**fields, "quiz": quiz})


def responses_from_form(form):
    """The pupil's answers in the shape marking expects: question id -> response."""
    responses = {}
    for question in form.quiz.questions:
        if question.type == "order":
            responses[question.id] = {o.id: int(form[field_name(question, o)].data) for o in question.options}
        elif question.type in MULTIPLE_CHOICE:
            responses[question.id] = set(form[field_name(question)].data)
        else:
            responses[question.id] = form[field_name(question)].data
    return responses
