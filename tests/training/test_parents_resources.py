"""The letter to parents and carers and the "If your child tells you" sheet: tagged PDFs that staff
download, filled in with the school's name, its DSL and the route's wording, rendered once per
distinct inputs and then served from stored bytes."""

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

import training.views
from db import write_transaction
from training.files import ContentError
from training.quality import resource_findings
from training.resources import (
    NO_DSL,
    RESOURCE_NAMES,
    body_html,
    dsl_phrase,
    load_resource,
    load_resources,
    values_for,
)

from helpers import OLDER, YOUNGER, assert_tagged, sign_in

ROOT = Path(__file__).parents[2]
LETTERS = ROOT / "training" / "content" / "letters"
LETTER, SHEET = RESOURCE_NAMES
ROUTES = {"11-13", "14-18"}


def url(name, course_id=YOUNGER):
    return f"/staff/courses/{course_id}/parents/{name}.pdf"


def pdf_text(data):
    """The PDF's text, whitespace squeezed."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def school(make_school):
    return make_school("Hillside Academy")


@pytest.fixture
def teacher(client, school, make_staff):
    make_staff(school, "teacher@hillside.test")
    assert sign_in(client, "teacher@hillside.test").status_code == 303


@pytest.fixture
def renders(monkeypatch):
    """Count the renders the download makes (the real renderer still runs)."""
    calls = []
    real = training.views.html_to_pdf

    def counted(html, stylesheet=None):
        calls.append(stylesheet)
        return real(html, stylesheet)

    monkeypatch.setattr(training.views, "html_to_pdf", counted)
    return calls


# ---------------------------------------------------------------- the PDFs


@pytest.mark.parametrize("name", RESOURCE_NAMES)
@pytest.mark.parametrize("role", ["teacher", "dsl", "admin"])
def test_every_staff_role_downloads_a_tagged_pdf_with_the_school_and_its_dsl(client, school, make_staff, name, role):
    make_staff(school, "dsl@hillside.test", role="dsl", first_name="Priya", last_name="Kaur")
    make_staff(school, f"{role}.2@hillside.test", role=role)
    sign_in(client, f"{role}.2@hillside.test")
    response = client.get(url(name))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="{name}-11-13.pdf"' in response.headers["Content-Disposition"]
    assert_tagged(response.data, "Hillside Academy")
    text = pdf_text(response.data)
    assert "Hillside Academy" in text
    assert "Priya Kaur" in text and "at Hillside Academy" in text


def test_the_letter_covers_what_a_parent_needs(client, teacher):
    text = pdf_text(client.get(url(LETTER)).data)
    assert "A letter to parents and carers" in text
    assert "the course for Years 7 and 8:" in text
    assert "no images" in text and "no graphic or sexual detail" in text
    assert "a child who is blackmailed is never to blame" in text
    assert "paragraph 56" in text and "every lesson and every question" in text
    assert "Talking about it at home" in text
    for route in ("999", "101", "ceop.police.uk", "0800 1111", "childline.org.uk/remove"):
        assert route in text
    # No DSL on the staff list and none named on the help panel: a general phrase, never an empty name.
    assert f"please contact {NO_DSL} at Hillside Academy" in text


def test_the_sheet_is_one_page_with_every_step(client, teacher):
    data = client.get(url(SHEET)).data
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = pdf_text(data)
    steps = ["Stay calm and listen", "Thank them for telling you", "take their phone away as a first reaction",
             "Don't pay, and don't reply", "Keep the evidence, never a picture", "Report it", "Stop the image being",
             "Tell the school", "Look after them tonight"]  # fmt: skip
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "messages, usernames, profile links and payment details" in text
    assert "Never copy, screenshot, save or forward any nude or sexual picture" in text
    assert "can block an image before it is ever posted" in text
    assert "digital fingerprint of the image on your child's own device and shares only that fingerprint" in text
    for number in ("101", "999", "0800 1111", "116 123", "85258"):
        assert number in text
    assert "no threat is worth a life" in text


def test_each_route_has_its_own_wording(client, teacher):
    younger_letter, older_letter = (pdf_text(client.get(url(LETTER, c)).data) for c in (YOUNGER, OLDER))
    assert "the course for Years 7 and 8:" in younger_letter
    assert "the course for Years 9 to 13:" in older_letter
    assert "The lessons use everyday words" in younger_letter and "everyday words" not in older_letter
    assert "treated as a victim, not a suspect" in older_letter
    younger_sheet, older_sheet = (pdf_text(client.get(url(SHEET, c)).data) for c in (YOUNGER, OLDER))
    assert "Younger children may not have the words" in younger_sheet and "StopNCII" not in younger_sheet
    assert "StopNCII" in older_sheet and "Younger children" not in older_sheet
    assert len(PdfReader(io.BytesIO(client.get(url(SHEET, OLDER)).data)).pages) == 1


def test_the_help_panel_name_stands_in_when_no_one_has_the_dsl_role(client, make_school, make_staff):
    school = make_school("Lakeside School", dsl_name="Mr Okafor")
    make_staff(school, "teacher@lakeside.test")
    sign_in(client, "teacher@lakeside.test")
    assert "Tell Mr Okafor (designated safeguarding lead) at Lakeside School" in pdf_text(client.get(url(SHEET)).data)


def test_each_school_gets_its_own_name(client, school, make_school, make_staff):
    other = make_school("Riverside High")
    make_staff(other, "dsl@riverside.test", role="dsl", first_name="Ben", last_name="Ade")
    make_staff(school, "dsl@hillside.test", role="dsl", first_name="Priya", last_name="Kaur")
    sign_in(client, "dsl@riverside.test")
    text = pdf_text(client.get(url(SHEET)).data)
    assert "Riverside High" in text and "Ben Ade" in text
    assert "Hillside" not in text and "Priya Kaur" not in text


# ---------------------------------------------------------------- who may download


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_pupils_get_403(client, school, make_pupil, name):
    make_pupil(school, "maya.s")
    assert sign_in(client, "maya.s").status_code == 303
    assert client.get(url(name)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(url(LETTER))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("path", [url("letter-to-pupils"), url(LETTER, "no-such-course")])
def test_an_unknown_resource_or_course_is_404(client, teacher, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page_url", [f"/staff/courses/{OLDER}/", f"/staff/courses/{OLDER}/before-you-teach"])
def test_the_course_pages_link_both_downloads_for_their_route(client, teacher, page_url):
    page = client.get(page_url).text
    assert "For parents and carers" in page
    for name in RESOURCE_NAMES:
        assert f'href="{url(name, OLDER)}"' in page


# ---------------------------------------------------------------- rendered once, then stored


def test_the_second_download_is_served_from_stored_bytes(client, db, teacher, school, renders):
    first = client.get(url(SHEET))
    second = client.get(url(SHEET))
    assert second.status_code == 200 and second.data == first.data
    assert renders == ["parents.css"]  # rendered once, for the first download
    rows = list(db.query("SELECT school_id, resource, course_id, inputs_hash, pdf FROM resource_pdfs"))
    assert [(r["school_id"], r["resource"], r["course_id"]) for r in rows] == [(school, SHEET, YOUNGER)]
    assert bytes(rows[0]["pdf"]) == first.data and len(rows[0]["inputs_hash"]) == 64
    # Another route or resource is another render.
    client.get(url(SHEET, OLDER))
    client.get(url(LETTER))
    assert len(renders) == 3


def test_new_inputs_render_again_and_replace_the_old_bytes(client, db, teacher, school, make_staff, renders):
    before = client.get(url(LETTER)).data
    make_staff(school, "dsl@hillside.test", role="dsl", first_name="Priya", last_name="Kaur")
    after = client.get(url(LETTER))
    assert len(renders) == 2
    assert "Priya Kaur" in pdf_text(after.data) and after.data != before
    rows = list(db.query("SELECT pdf FROM resource_pdfs WHERE resource = ?", [LETTER]))
    assert [bytes(r["pdf"]) for r in rows] == [after.data]  # the older render, without her name, is gone
    with write_transaction(db):
        db.execute("UPDATE schools SET name = 'Hillside Academy Trust School' WHERE id = ?", [school])
    assert "Hillside Academy Trust School" in pdf_text(client.get(url(LETTER)).data)
    assert len(renders) == 3


# ---------------------------------------------------------------- the texts


def test_the_texts_pass_the_content_check():
    paths = [LETTERS / f"{name}.md" for name in RESOURCE_NAMES]
    assert resource_findings(paths) == []


def test_a_blame_phrase_in_a_text_is_found_at_its_line(tmp_path):
    path = tmp_path / f"{SHEET}.md"
    text = (LETTERS / f"{SHEET}.md").read_text(encoding="utf-8")
    path.write_text(text.replace("These steps help.", "These steps help.\n\nIt was careless, but it happens."))
    findings = resource_findings([path])
    line = next(n for n, row in enumerate(path.read_text().splitlines(), start=1) if "careless" in row)
    assert [(f.check, f.line) for f in findings] == [("blame", line)]
    assert '"careless"' in findings[0].problem


def test_a_wrong_number_in_a_text_is_found(tmp_path):
    path = tmp_path / f"{SHEET}.md"
    path.write_text((LETTERS / f"{SHEET}.md").read_text(encoding="utf-8").replace("0800 1111", "0800 111"))
    assert [f.check for f in resource_findings([path])] == ["help routes"]


def test_both_texts_load_for_both_routes():
    resources = load_resources(LETTERS, ROUTES)
    assert set(resources) == set(RESOURCE_NAMES)
    for resource in resources.values():
        younger, older = resource.markdown("11-13"), resource.markdown("14-18")
        assert younger != older
        assert "::: route" not in younger and ":::" not in older


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("{school}", "{school_name}", "unknown placeholder '{school_name}'"),
        ("::: route 14-18\n", "::: route 14-to-18\n", "'14-to-18' is not a route like 11-13"),
        (":::\n::: route 14-18\n", "::: route 14-18\n", "a route block starts inside the block for 11-13"),
    ],
)
def test_a_broken_text_stops_loading_with_file_and_line(tmp_path, old, new, problem):
    path = tmp_path / f"{SHEET}.md"
    text = (LETTERS / f"{SHEET}.md").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_resource(path, SHEET, ROUTES)
    assert error.value.path == path
    wanted = next(n for n, row in enumerate(path.read_text().splitlines(), start=1) if new.split("\n")[0] in row)
    assert error.value.line == wanted
    assert problem in error.value.problem


def test_a_route_without_its_block_or_an_unclosed_block_stops_loading(tmp_path):
    path = tmp_path / f"{SHEET}.md"
    text = (LETTERS / f"{SHEET}.md").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="no '::: route 16-18' block"):
        load_resource(path, SHEET, ROUTES | {"16-18"})
    path.write_text(text.rstrip("\n").removesuffix(":::"), encoding="utf-8")
    with pytest.raises(ContentError, match="route 14-18 is not closed"):
        load_resource(path, SHEET, ROUTES)


def test_a_missing_text_stops_start_up(tmp_path):
    from helpers import make_app

    letters = tmp_path / "letters"
    shutil.copytree(LETTERS, letters)
    (letters / f"{LETTER}.md").unlink()
    with pytest.raises(SystemExit, match=f"{LETTER}.md: the text of '{LETTER}' is missing"):
        make_app(tmp_path / "x.sqlite", RESOURCE_CONTENT=str(letters))


# ---------------------------------------------------------------- filling in


def test_a_school_name_is_filled_in_as_text_never_as_markup(app):
    course = app.extensions["courses"][YOUNGER]
    resource = app.extensions["resources"][SHEET]
    html = body_html(resource, "11-13", values_for(course, "St <Mary's> & *All* Saints", []))
    assert "St &lt;Mary's&gt; &amp; *All* Saints" in html
    assert "<Mary" not in html and "<em>All" not in html


def test_the_dsl_phrase():
    assert dsl_phrase([]) == NO_DSL == "your school's designated safeguarding lead"
    assert dsl_phrase(["Tom Jones"]) == "Tom Jones (designated safeguarding lead)"
    assert dsl_phrase(["Tom Jones", "Amy Khan", "Li Wei"]) == (
        "Tom Jones, Amy Khan or Li Wei (designated safeguarding leads)"
    )


def test_offboarding_a_school_erases_its_stored_pdfs(client, db, teacher, school):
    from console.holdings import erase_school

    client.get(url(LETTER))
    assert erase_school(db, school)["resource_pdfs"] == 1
    assert list(db.query("SELECT id FROM resource_pdfs")) == []


def test_the_content_check_command_reports_a_planted_phrase_in_a_text(tmp_path):
    from helpers import make_app

    letters = tmp_path / "letters"
    shutil.copytree(LETTERS, letters)
    path = letters / f"{LETTER}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Dear parent or carer,", "Why did you let it happen?"))
    app = make_app(tmp_path / "x.sqlite", RESOURCE_CONTENT=str(letters))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "== Resources for parents and carers ==" in result.output
    assert f'{path}, line 4: resource text: "you let it happen"' in result.output
