"""The translations: every catalogue ready (nothing untranslated, fuzzy, or with lost placeholders, markup or help
numbers), every message in the code in the catalogue, Welsh plural forms, and the language rules' plain functions."""

import shutil
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from flask_babel import force_locale, ngettext

import catalogues
from languages import choose, html_lang, safe_next

ROOT = Path(__file__).parents[2]
WELSH = catalogues.TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"


def test_every_catalogue_is_ready():
    found = catalogues.catalogue_paths()
    assert "cy" in found
    assert {code: catalogues.problems(path) for code, path in found.items()} == {code: [] for code in found}


def _planted(tmp_path, change):
    """A copy of the Welsh catalogue with `change(catalogue)` made to it; returns its path."""
    copy = tmp_path / "messages.po"
    shutil.copy(WELSH, copy)
    with open(copy, "rb") as file:
        catalogue = read_po(file)
    change(catalogue)
    with open(copy, "wb") as file:
        write_po(file, catalogue, width=None)
    return copy


def test_the_check_fails_on_an_untranslated_entry(tmp_path):
    def untranslate(catalogue):
        catalogue["Go to the quiz"].string = ""

    assert catalogues.problems(_planted(tmp_path, untranslate)) == ["'Go to the quiz': not translated"]


def test_the_check_fails_on_a_fuzzy_entry(tmp_path):
    def fuzzy(catalogue):
        catalogue["Next"].flags.add("fuzzy")

    [problem] = catalogues.problems(_planted(tmp_path, fuzzy))
    assert problem.startswith("'Next': fuzzy")


def test_the_check_fails_on_a_lost_or_renamed_placeholder(tmp_path):
    def lose(catalogue):
        catalogue["Step %(number)s of %(total)s"].string = "Cam %(number)s"
        catalogue["Lesson %(number)s: %(title)s"].string = "Gwers %(rhif)s: %(title)s"
        catalogue["Answer question {number}."].string = "Atebwch y cwestiwn."

    found = catalogues.problems(_planted(tmp_path, lose))
    assert len(found) == 3 and all("placeholders" in problem for problem in found)
    assert found[0].startswith("'Answer question {number}.'")


def test_the_check_fails_on_a_lost_help_line_link_or_number_and_a_lone_percent_sign(tmp_path):
    childline = (
        'Call <a href="tel:08001111">Childline on 0800 1111</a>: free, private, any time. If you are in danger now, '
        'call <a href="tel:999">999</a>.'
    )

    def damage(catalogue):
        catalogue[childline].string = "Ffoniwch Childline ar 0800 1111 neu 999."
        catalogue["or press Shift 3 times"].string = "neu pwyswch Shift dair gwaith"
        catalogue[
            "You got %(score)s out of %(max_score)s (%(percent)s%%)."
        ].string = "Cawsoch chi %(score)s allan o %(max_score)s (%(percent)s%)."

    found = catalogues.problems(_planted(tmp_path, damage))
    assert any("markup differs" in problem and "Childline" in problem for problem in found)
    assert any("numbers differ" in problem and "Shift" in problem for problem in found)
    assert any("cannot be filled in" in problem for problem in found)


def test_every_message_in_the_code_is_in_the_welsh_catalogue():
    """A message added to a template or module without `make translations` would show in English on a Welsh page."""
    ignored = {".venv", "tests", "bench", "node_modules", "translations"}
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}}
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

    def wanted(directory):
        return not (set(Path(directory).parts) & ignored) and not Path(directory).name.startswith(".")

    in_code = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(ROOT, method_map, options, keywords, directory_filter=wanted)
    }
    with open(WELSH, "rb") as file:
        in_catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    assert in_code - in_catalogue == set(), "run `make translations`, then translate the new entries"
    assert "Go to the quiz" in in_code


def test_no_template_hides_gettext_behind_a_variable_named_underscore():
    """`{% set _ = ... %}` would replace `_` (gettext) in that template's scope."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "set _ =" in path.read_text() or "set _=" in path.read_text()
    ]
    assert offenders == []


def test_babels_welsh_plural_table_has_six_forms():
    """Babel 2.19's table for cy: 0, 1, 2, 3 and 6 each have their own form; every other number shares the last."""
    rule = get_plural("cy")
    assert rule.num_plurals == 6
    form = c2py(rule.plural_expr)  # gettext's own reading of a catalogue's Plural-Forms
    assert [form(n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 11)] == [0, 1, 2, 3, 5, 5, 4, 5, 5, 5]


@pytest.mark.parametrize(
    ("total", "welsh"),
    [
        (0, "Wedi gorffen 0 o 0 gwers"),
        (1, "Wedi gorffen 0 o 1 wers"),  # un wers: the noun softens after 1 (a feminine noun)
        (2, "Wedi gorffen 0 o 2 wers"),  # dwy wers
        (3, "Wedi gorffen 0 o 3 gwers"),  # tair gwers
        (4, "Wedi gorffen 0 o 4 gwers"),
        (6, "Wedi gorffen 0 o 6 gwers"),  # chwe gwers
        (7, "Wedi gorffen 0 o 7 gwers"),
    ],
)
def test_welsh_plurals_for_lessons_done(app, total, welsh):
    with app.test_request_context(), force_locale("cy"):
        said = ngettext("%(done)d of %(num)d lesson done", "%(done)d of %(num)d lessons done", total, done=0)
    assert said == welsh


def test_each_welsh_plural_form_is_chosen_for_its_numbers(app):
    """Each number reaches the catalogue's own form for it (forms 0 to 5), not just the same words."""
    with open(WELSH, "rb") as file:
        forms = read_po(file)["%(done)d of %(num)d lesson done"].string
    expected = {0: forms[0], 1: forms[1], 2: forms[2], 3: forms[3], 4: forms[5], 6: forms[4], 7: forms[5]}
    with app.test_request_context(), force_locale("cy"):
        for n, form in expected.items():
            said = ngettext("%(done)d of %(num)d lesson done", "%(done)d of %(num)d lessons done", n, done=1)
            assert said == form % {"done": 1, "num": n}, n
    with app.test_request_context(), force_locale("en"):
        assert ngettext("%(done)d of %(num)d lesson done", "%(done)d of %(num)d lessons done", 1, done=1) == (
            "1 of 1 lesson done"
        )


def test_the_language_is_the_persons_choice_then_the_cookie_then_the_school_then_the_browser_then_english():
    assert choose(own="cy", cookie="en", school="en", browser="en") == "cy"
    assert choose(own=None, cookie="cy", school="en", browser="en") == "cy"
    assert choose(own=None, cookie=None, school="cy", browser="en") == "cy"
    assert choose(own=None, cookie=None, school=None, browser="cy") == "cy"
    assert choose() == "en"
    # An unknown code (a tampered cookie, a language since removed) is passed over, never used.
    assert choose(own="fr", cookie="xx", school=None, browser="cy") == "cy"
    assert choose(own="", cookie="../../etc", school="de", browser=None) == "en"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "course",
        "/course\r\nSet-Cookie: x=1",
        "",
        None,
    ],
)
def test_the_page_to_go_back_to_is_never_another_site(target):
    assert safe_next(target, "/home") == "/home"


def test_the_page_to_go_back_to_keeps_a_local_path_and_its_query():
    assert safe_next("/courses/c/lessons/l/steps/2", "/") == "/courses/c/lessons/l/steps/2"
    assert safe_next("/verify?code=AB12", "/") == "/verify?code=AB12"


def test_each_language_has_its_lang_attribute_and_english_keeps_en_gb():
    assert html_lang("en") == "en-GB" and html_lang("cy") == "cy" and html_lang("zz") == "en-GB"


def test_templates_keep_the_catalogue_per_request_and_follow_a_forced_language(app):
    """Templates find the catalogue once a request (languages.request_translations); a certificate made in another
    language inside the same request (force_locale) still gets that language's words, and the page its own after."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Get help') }}"
    with app.test_request_context():
        assert render_template_string(page) == "Get help"
        with force_locale("cy"):
            assert render_template_string(page) == "Cael help"
        assert render_template_string(page) == "Get help"
