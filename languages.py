"""The languages the service speaks, which one each request uses, and Flask-Babel bound to the app.

Translations are gettext catalogues in translations/<code>/LC_MESSAGES/messages.po (the .mo files are compiled by
`make`, never committed); README "Translations" says how to add or update one."""

from urllib.parse import urlsplit

from flask import has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

# Each language: its code (gettext's and the database's), its own name (the switch shows each in its own
# language, as GOV.UK Wales does), and the `lang` attribute its pages carry. English keeps en-GB, as before.
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
HTML_LANG = {"en": "en-GB", "cy": "cy"}
DEFAULT = "en"
# A signed-out visitor's choice (on the sign-in page, say): a cookie that names only the language.
COOKIE = "language"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60

babel = Babel()


class _EscapedLazyString(LazyString):
    """Flask-Babel's lazy string, escaped like any other string when a template shows it: Flask-Babel's own marks
    its words as safe HTML, so an apostrophe in a form's message would reach the page unescaped."""

    def __html__(self):
        return str(escape(str(self)))


def lazy_gettext(string, **variables):
    """gettext when the words are shown, not when the module is loaded: for form labels and messages made once
    per process. `pybabel extract -k _l -k lazy_gettext` finds them (Makefile, `translations`)."""
    return _EscapedLazyString(gettext, string, **variables)


def choose(own=None, cookie=None, school=None, browser=None):
    """The language to use: the person's own choice, else (signed out) their cookie, else their school's default,
    else the browser's best match, else English. Unknown codes are skipped, as if unset."""
    for choice in (own, cookie, school, browser):
        if choice in LANGUAGES:
            return choice
    return DEFAULT


def person_language(person, school):
    """The language of what is made for a person outside their own request (a certificate the job worker makes):
    their own choice, else their school's default, else English (no browser to ask)."""
    return choose(own=person["language"], school=school["language"] if school else None)


def in_languages(school_language, make):
    """`make(gettext)` -> (subject, body), made in English, or for a school whose default language is another (a
    Welsh-medium school) in that language first and then English, in one e-mail every member of staff can read, as
    Welsh schools write. Each language is forced: a Welsh pupil's request still tells an English school in English."""
    other = school_language if school_language in LANGUAGES and school_language != DEFAULT else None
    order = [other, DEFAULT] if other else [DEFAULT]
    parts = []
    for code in order:
        with force_locale(code):
            parts.append(make(gettext))
    return " / ".join(subject for subject, _ in parts), "\n- - -\n\n".join(body for _, body in parts)


def request_translations():
    """Flask-Babel's catalogue for this request's language, kept beside Flask-Babel's own state on `g` until the
    language changes (a certificate in another language is made with force_locale, which sets a new locale)."""
    context = _cv_app.get(None)  # the app context, without a LocalProxy's cost
    state = context and getattr(context.g, "_flask_babel", None)
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "kept_translations", None)
    if locale is None or kept is None or kept[0] is not locale:
        translations = get_translations()  # finds (and keeps) the request's locale first
        state = context and getattr(context.g, "_flask_babel", None)
        if state is not None:
            state.kept_translations = (state.babel_locale, translations)
        return translations
    return kept[1]


def select_locale():
    """Flask-Babel's locale selector: `choose` with what this request knows (the signed-in person's row already
    carries their choice and their school's default, so this runs no query). Outside a request (a job): English."""
    if not has_request_context():
        return DEFAULT
    browser = request.accept_languages.best_match(LANGUAGES)
    if current_user and current_user.is_authenticated:
        row = current_user.row
        return choose(own=row.get("language"), school=row.get("school_language"), browser=browser)
    return choose(cookie=request.cookies.get(COOKIE), browser=browser)


def safe_next(target, fallback="/"):
    """`target` if it is a path on this site (the page the switch was pressed on), else `fallback`: never another
    site (an open redirect), never a scheme or host, never a protocol-relative or backslashed path."""
    if not target or not isinstance(target, str):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return fallback
    return target


def html_lang(code):
    """The `lang` attribute for pages in `code`."""
    return HTML_LANG.get(code, HTML_LANG[DEFAULT])


def init_app(app):
    """Bind Flask-Babel with the selector above, and give templates the language list and the page's `lang`."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel finds the catalogue again on every message (about 11 µs here, fifty times a page); templates find
    # it once per request and language instead.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    # `{% trans %}` blocks: whitespace and line breaks collapse, so a long sentence can wrap in the template and
    # still be one message in the catalogue.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.context_processor(_language_globals)
    # A global, not a context value: macros imported without context (quizzes/_question.html) need it too.
    app.jinja_env.globals["content_lang_attr"] = lambda: content_lang_attr(
        page_language(), app.extensions.get("content_languages", {DEFAULT})
    )


def page_language():
    """The language of this request's page (English outside a request: a job, a command)."""
    if not has_request_context():
        return DEFAULT
    return str(get_locale() or DEFAULT)


def _language_globals():
    code = page_language()
    return {"languages": LANGUAGES, "page_language": code, "html_lang": html_lang(code)}


def content_lang_attr(code, content_languages=(DEFAULT,)):
    """` lang="en-GB"` for the course's own words (lessons, questions, feedback) on a page in a language the course
    is not translated into: they are shown in English, so screen readers and read-aloud use an English voice for
    them (WCAG 3.1.2). Empty where the words are in the page's own language."""
    if code in content_languages:
        return Markup("")
    return Markup(' lang="{}"').format(html_lang(DEFAULT))
