"""The teacher's main screens in Welsh, for a member of staff whose account says cy: classes and a class page,
adding a pupil, a class code, sign-in cards, importing a class list (its row problems too); the class's progress,
a pupil's progress, reports and reteaching; the course overview, teacher notes and before-you-teach pages. None of
them shows the English of the site's own words (the course's own words come from its content files)."""

import io
import re

import pytest
from test_welsh_screens import assert_welsh, welsh_pupil  # noqa: F401 (a fixture)

from dates import day, long_date, when
from db import write_transaction
from jobs import run_pending

from helpers import (
    CHECK_URL,
    QUIZ_URL,
    YOUNGER,
    complete_course,
    report_by_job,
    right_answers,
    sign_in,
    submit_quiz,
    wrong_answers,
)


@pytest.fixture
def hillside(make_school, make_staff, make_class, make_pupil, db):
    """A school with a Welsh-speaking teacher (Tess), an English-speaking admin, and a class 9B with one pupil."""
    school = make_school("Hillside School")
    ids = {
        "school": school,
        "teacher": make_staff(school, "teacher@hill.test", first_name="Tess", last_name="Teach"),
        "admin": make_staff(school, "admin@hill.test", role="admin", first_name="Ada"),
    }
    ids["class"] = make_class(school, "9B", teacher_id=ids["teacher"], year_group=9, course_id=YOUNGER)
    ids["pupil"] = make_pupil(
        school, "ryan.d", first_name="Ryan", last_name="Davies", year_group=9, class_id=ids["class"]
    )
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE id = ?", [ids["teacher"]])
    return ids


@pytest.fixture
def welsh_teacher(client, hillside):
    assert sign_in(client, "teacher@hill.test").status_code == 303
    return hillside


def upload(client, class_id, text):
    return client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(text.encode()), "class.csv", "text/csv")},
        content_type="multipart/form-data",
    )


# --- Classes ---------------------------------------------------------------------------------


def test_the_classes_page_and_creating_a_class_in_welsh(client, welsh_teacher):
    page = client.get("/classes")
    assert_welsh(
        page,
        "<h1>Eich dosbarthiadau</h1>",
        "Blwyddyn 9 ·",
        "Llwybr: Blynyddoedd",
        "1 disgybl",
        "Creu dosbarth",
        "Enw'r dosbarth",
        "Cymysg neu heb ei osod",
        "Dewis yn ôl grŵp blwyddyn",
        ">Dosbarthiadau</a>",
        ">Adroddiadau</a>",
        ">Cwrs a nodiadau athrawon</a>",
        ">Eich cyfrif</a>",
    )
    empty = client.post("/classes", data={"name": ""})
    assert_welsh(empty, "Mae problem", "Teipiwch enw'r dosbarth, er enghraifft 9B neu 10 PSHE 2.", status=400)
    taken = client.post("/classes", data={"name": "9B", "year_group": "9"})
    assert_welsh(taken, "Mae gan eich ysgol ddosbarth o'r enw 9B yn barod.", status=400)
    made = client.post("/classes", data={"name": "10 PSHE", "year_group": "10"})
    assert made.status_code == 303
    assert_welsh(
        client.get(made.location),
        "Mae'r dosbarth 10 PSHE wedi'i greu.",
        "Dim disgyblion eto.",
        '<h1>10 PSHE <span class="h1-note">Blwyddyn 10</span></h1>',
    )


def test_a_class_page_in_welsh(client, welsh_teacher):
    url = f"/classes/{welsh_teacher['class']}"
    page = client.get(url)
    assert_welsh(
        page,
        "Gweld cynnydd y dosbarth",
        "Mewnforio disgyblion o CSV",
        "Ychwanegu un disgybl",
        "Cod y dosbarth",
        "1 disgybl. Yn cael ei addysgu gan Tess Teach.",
        "Yn weithgar ddiwethaf",
        'Ailosod y cyfrinair<span class="visually-hidden"> i Ryan Davies</span>',
        "Ailwiriad diweddarach",
        "Rydyn ni'n awgrymu tua 4 i 6 wythnos",
        "Cadw dyddiad yr ailwiriad",
        "Addysgu gwers yn fyw",
        ">Gwers 1: ",
    )
    past = client.post(f"{url}/recheck", data={"day": "2020-01-01", "save": "1"})
    assert_welsh(past, "Dewiswch heddiw neu ddyddiad hwyrach", "<title>Gwall: 9B", status=400)
    bad = client.post(f"{url}/recheck", data={"day": "31/02/2027", "save": "1"})
    assert_welsh(bad, "Teipiwch ddyddiad go iawn, er enghraifft 15/03/2027.", status=400)
    cleared = client.post(f"{url}/recheck", data={"day": "", "clear": "1"})
    assert_welsh(client.get(cleared.location), "Mae'r ailwiriad wedi'i glirio")


def test_adding_a_pupil_and_archiving_one_in_welsh(client, welsh_teacher):
    url = f"/classes/{welsh_teacher['class']}/pupils/new"
    assert_welsh(client.get(url), "Ychwanegu disgybl at 9B", "Cyfenw neu lythyren gyntaf", "Enw defnyddiwr (dewisol)")
    refused = client.post(url, data={"first_name": "", "last_name": "Davies", "year_group": "9", "username": "1x"})
    assert_welsh(refused, "Teipiwch enw cyntaf y disgybl.", "Dim ond llythrennau a i z", status=400)
    twice = client.post(url, data={"first_name": "Ryan", "last_name": "Davies", "year_group": "9"})
    assert_welsh(twice, "Mae Ryan Davies (blwyddyn 9) yn 9B yn barod.", status=400)
    added = client.post(url, data={"first_name": "Amir", "last_name": "K", "year_group": "9"})
    assert_welsh(added, "Ychwanegwyd Amir K", "Rhowch y manylion hyn iddyn nhw.", "(PDF, 1 cerdyn)")
    archive = f"/classes/{welsh_teacher['class']}/pupils/{welsh_teacher['pupil']}/archive"
    assert_welsh(client.get(archive), "Archifo Ryan Davies?", "Canslo", "ar ôl gadael.")
    done = client.post(archive)
    assert_welsh(client.get(done.location), "Mae Ryan Davies wedi'i archifo.")


def test_the_class_code_page_in_welsh(client, welsh_teacher):
    url = f"/classes/{welsh_teacher['class']}/code"
    assert_welsh(
        client.get(url),
        "Does dim cod gan y dosbarth hwn eto.",
        "Gwneud cod dosbarth",
        "Does neb wedi ymuno gyda chod eto.",
    )
    made = client.post(f"{url}/new")
    page = client.get(made.location)
    assert_welsh(page, "Cod y dosbarth nawr yw", "neu sganiwch y cod QR.", "Yn gweithio tan", "Diffodd")
    off = client.post(f"{url}/off")
    assert_welsh(client.get(off.location), "Mae cod y dosbarth wedi'i ddiffodd.", "Troi ymlaen")


def test_new_sign_in_cards_in_welsh(client, app, welsh_teacher):
    url = f"/classes/{welsh_teacher['class']}/cards/new"
    assert_welsh(client.get(url), "Cardiau mewngofnodi newydd i 9B i gyd?", "Gwneud cardiau newydd i 1 disgybl")
    made = client.post(url)
    assert_welsh(client.get(made.location), "Yn gwneud cyfrinair a cherdyn newydd i 1 disgybl.", "Gwirio eto")
    run_pending(app.extensions["huey"])
    assert_welsh(client.get(made.location), "Cardiau mewngofnodi ar gyfer 9B", "(PDF, 1 cerdyn)", "30 munud")


def test_importing_a_class_list_in_welsh(client, welsh_teacher):
    class_id = welsh_teacher["class"]
    page = client.get(f"/classes/{class_id}/import")
    assert_welsh(page, "Mewnforio disgyblion i 9B", "Beth sydd ei angen yn y ffeil", "Uwchlwytho a rhagweld")
    nothing = client.post(f"/classes/{class_id}/import", data={})
    assert_welsh(nothing, "Dewiswch y ffeil CSV i'w huwchlwytho.", status=400)
    no_year = upload(client, class_id, "Forename,Surname\nSam,T\n")
    assert_welsh(
        client.get(no_year.location),
        "Mae angen colofn ar y rhes bennawd (rhes 1) ar gyfer “grŵp blwyddyn”",
        "1 problem i'w datrys",
    )
    rows = "First name,Last name,Year group,Class\n,T,9,9B\nSam,T,15,9B\nAisha,K,9,9C\nRyan,Davies,9,\n"
    problems = client.get(upload(client, class_id, rows).location)
    assert_welsh(
        problems,
        "Mae'r enw cyntaf ar goll.",
        'Dydy\'r grŵp blwyddyn "15" ddim',
        "rydych chi'n mewnforio i 9B",
        "Mae Ryan Davies (blwyddyn 9) yn 9B yn barod.",
        "4 problem i'w datrys",
        "Rhes 2</a>",
    )
    good = client.get(upload(client, class_id, "First name,Last name,Year group\nSam,T,10\nAisha,K,9\n").location)
    assert_welsh(
        good,
        "Gellir ychwanegu'r 2 ddisgybl.",
        "Ychwanegu 2 ddisgybl a gwneud cardiau mewngofnodi",
        "Mae Sam ym Mlwyddyn 10, mae'r dosbarth ym Mlwyddyn 9.",
        "(wedi'i wneud o'r enw)",
    )


# --- Progress --------------------------------------------------------------------------------


def pupil_works(app, course):
    """Ryan takes the quick check (all right) and gets lesson 1's quiz wrong."""
    pupil = app.test_client()
    assert sign_in(pupil, "ryan.d").status_code == 303
    submit_quiz(pupil, CHECK_URL.format("baseline"), course.checks, right_answers(course.checks))
    lesson = course.lessons[0]
    submit_quiz(pupil, QUIZ_URL.format(lesson.id), lesson.quiz, wrong_answers(lesson.quiz))


def test_the_class_progress_in_welsh_and_english_at_once(client, app, welsh_teacher, course):
    url = f"/classes/{welsh_teacher['class']}/progress"
    welsh = client.get(url)
    assert_welsh(
        welsh,
        "Cynnydd: 9B",
        "Heb ddechrau eto (1)",
        "Disgyblion fesul gwers",
        "Beth i'w ailaddysgu",
        ", trefnu yn ôl y golofn hon",
        "Sylfaen %",
        "0 o 1",
        "Byth",
    )
    # The grid is kept per worker: an English admin gets it in English, the Welsh teacher in Welsh again.
    english = app.test_client()
    assert sign_in(english, "admin@hill.test").status_code == 303
    page = english.get(url).text
    assert "Pupils by lesson" in page and "Disgyblion fesul gwers" not in page
    pupil_works(app, course)
    assert_welsh(client.get(url), "Heb ddechrau", "Ar waith")
    assert "Not started" in english.get(url).text
    empty = client.get(f"/classes/{welsh_teacher['class']}/certificates.pdf")
    assert_welsh(client.get(empty.location), "Does gan yr un disgybl yn 9B dystysgrif eto.")


def test_a_pupils_progress_in_welsh(client, app, welsh_teacher, course):
    pupil_works(app, course)
    page = client.get(f"/classes/{welsh_teacher['class']}/pupils/{welsh_teacher['pupil']}")
    assert_welsh(
        page,
        "Ryan Davies: cynnydd",
        "9B: cynnydd",
        "Gwiriad sylfaen",
        "Gwiriad terfynol",
        "Heb ei wneud",
        "Gwers 1:",
        "heb basio eto",
        "Anghywir",
        "Dim tystysgrif eto",
        "Cyflwynwyd",
    )


def test_what_to_reteach_in_welsh(client, app, welsh_teacher, course):
    pupil_works(app, course)
    page = client.get(f"/classes/{welsh_teacher['class']}/reteach")
    assert_welsh(
        page,
        "Beth i'w ailaddysgu: 9B",
        "Cwestiynau, y rhai a fethwyd fwyaf yn gyntaf",
        "Does dim ailwiriad wedi'i osod i'r dosbarth hwn",
        "Wedi'i guddio: mae llai na 5 disgybl",
        "Pa mor sicr mae disgyblion yn teimlo",
        "(1 disgybl)",
    )


def test_reports_in_welsh(client, app, welsh_teacher):
    page = client.get("/reports")
    assert_welsh(
        page,
        "Lawrlwytho adroddiad cynnydd",
        "9B (llwybr Blynyddoedd",
        "Dyddiadau (dewisol)",
        "Llyfr gwaith Excel (XLSX)",
        "Lawrlwytho'r adroddiad",
    )
    scope = str(welsh_teacher["class"])
    wrong = client.post("/reports", data={"scope": scope, "format": "csv", "date_from": "soon"})
    assert_welsh(wrong, "Rhowch ddyddiad fel 2026-11-21, neu gadewch ef yn wag.", status=400)
    backwards = client.post(
        "/reports", data={"scope": scope, "format": "csv", "date_from": "2026-11-21", "date_to": "2026-11-01"}
    )
    assert_welsh(backwards, "Mae'r dyddiad ‘Hyd at’ cyn y dyddiad ‘O’.", status=400)
    queued = client.post("/reports", data={"scope": scope, "format": "pdf"})
    assert_welsh(
        client.get(queued.location),
        "Adroddiad ar gyfer 9B (PDF)",
        "Mae eich adroddiad yn aros",
        "Cynnydd",
        "Gwirio eto",
    )
    assert report_by_job(app, client, {"scope": scope, "format": "csv"}).status_code == 200


# --- The course for staff ----------------------------------------------------------------------


def test_the_course_overview_and_staff_course_panel_in_welsh(client, welsh_teacher, course):
    page = client.get(f"/staff/courses/{course.id}/")
    assert_welsh(
        page,
        "<title>Cwrs a nodiadau athrawon",
        "I staff. Llwybr: Blynyddoedd",
        "Cyn i chi addysgu",
        "Lawrlwytho holl nodiadau'r athrawon (PDF)",
        "Eich cwrs staff:",
        "Wedi gorffen 0 o ",
        "Dechrau: ",
        "Llythyr i rieni a gofalwyr (PDF)",
        "Gwers 1:",
        "Y gwiriadau",
        "Ble mae pob pwnc yn cael ei brofi",
    )


def test_teacher_notes_and_before_you_teach_in_welsh(client, welsh_teacher, course):
    lesson = client.application.extensions["courses_in"]["cy"][course.id].lessons[0]  # the notes' own Welsh words
    notes = client.get(f"/staff/courses/{course.id}/lessons/{lesson.id}")
    assert_welsh(
        notes,
        f"Nodiadau athrawon: Gwers 1, {lesson.title}",
        "Amcanion dysgu",
        "Sbardunau trafod",
        "Os bydd disgybl yn datgelu yn y dosbarth",
        "Rhagolwg: y wers",
        "Cam 1:",
        "Rhagolwg: y cwis, gyda'r atebion",
        "Nesaf: Gwers 2",
    )
    before = client.get(f"/staff/courses/{course.id}/before-you-teach")
    assert_welsh(before, "<h1>Cyn i chi addysgu</h1>", "I staff yn unig.", "Nesaf: nodiadau athrawon Gwers 1")
    pdf = client.get(f"/staff/courses/{course.id}/notes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_translations_page_in_welsh(client, welsh_teacher):
    assert_welsh(client.get("/staff/translations"), "Y cwrs mewn ieithoedd eraill", "Datblygwyr y gwasanaeth")


def test_the_staff_page_for_a_welsh_admin(client, db, hillside):
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE id = ?", [hillside["admin"]])
    assert sign_in(client, "admin@hill.test").status_code == 303
    page = client.get("/staff")
    assert_welsh(
        page, "Cyfrifon staff", "Gweithredol (chi)", "Ychwanegu aelod o staff", "Gweinyddwr yr ysgol", ">Staff</a>"
    )
    refused = client.post("/staff", data={"first_name": "", "last_name": "Jones", "email": "nope", "role": "teacher"})
    assert_welsh(refused, "Teipiwch eu henw cyntaf.", "Teipiwch gyfeiriad e-bost fel name@school.sch.uk.", status=400)
    added = client.post("/staff", data={"first_name": "Rhys", "last_name": "Jones", "email": "rhys@hill.test"})
    assert_welsh(added, "Ychwanegwyd Rhys Jones", "Cadwch hyn yn breifat.", "Athro")
    archive = client.get(f"/staff/{hillside['teacher']}/archive")
    assert_welsh(archive, "Archifo Tess Teach?", "Fydd Tess Teach (teacher@hill.test) ddim yn gallu mewngofnodi")


# --- Dates -------------------------------------------------------------------------------------


def test_dates_say_their_month_in_the_pages_language():
    assert when("2026-07-01T13:30:00+00:00", "cy") == "1 Gorff 2026, 14:30"
    assert day("2026-11-21", "cy") == "21 Tach 2026" and day("2026-11-21") == "21 Nov 2026"
    assert long_date("2026-02-03T09:30:00+00:00", "cy") == "3 Chwefror 2026"
    assert long_date("2026-02-03T09:30:00+00:00") == "3 February 2026"


def test_a_welsh_page_gives_dates_in_welsh_and_an_english_page_in_english(client, app, db, welsh_teacher):
    with write_transaction(db):
        db.execute(
            "UPDATE people SET last_active_at = '2026-11-21T10:00:00+00:00' WHERE id = ?", [welsh_teacher["pupil"]]
        )
    assert "21 Tach 2026" in client.get(f"/classes/{welsh_teacher['class']}").text
    english = app.test_client()
    assert sign_in(english, "admin@hill.test").status_code == 303
    assert "21 Nov 2026" in english.get(f"/classes/{welsh_teacher['class']}").text
    made = client.post(f"/classes/{welsh_teacher['class']}/code/new")
    works_until = re.search(r"Yn gweithio tan (\d+ \w+ \d{4})", client.get(made.location).text).group(1)
    assert works_until.split()[1] in (
        "Ion",
        "Chwef",
        "Maw",
        "Ebr",
        "Mai",
        "Meh",
        "Gorff",
        "Awst",
        "Medi",
        "Hyd",
        "Tach",
        "Rhag",
    )


def test_being_asked_for_the_staff_course_first_in_welsh(client, app, welsh_teacher):
    admin = app.test_client()
    assert sign_in(admin, "admin@hill.test").status_code == 303
    admin.post("/admin/staff-course", data={"required": "yes"})
    asked = client.post("/classes", data={"name": "10 PSHE", "year_group": "10"})
    assert_welsh(
        asked,
        "Cwblhewch y cwrs staff yn gyntaf",
        "Mynd i'r cwrs staff",
        "botwm i greu'r dosbarth",
        ">Creu'r dosbarth</button>",
        'value="10 PSHE"',
        status=403,
    )


def test_revoking_a_certificate_from_a_pupils_page_in_welsh(client, app, db, welsh_teacher, course):
    pupil = app.test_client()
    assert sign_in(pupil, "ryan.d").status_code == 303
    complete_course(pupil, course)
    url = f"/classes/{welsh_teacher['class']}/pupils/{welsh_teacher['pupil']}"
    page = client.get(url)
    assert_welsh(page, "Tystysgrif gyfredol:", "Dirymu'r dystysgrif hon", "Y rheswm dros ddirymu")
    certificate_id = db.execute("SELECT id FROM certificates").fetchone()[0]
    revoke = f"{url}/certificates/{certificate_id}/revoke"
    assert_welsh(client.get(client.post(revoke, data={"reason": ""}).location), "Dywedwch pam mae'r dystysgrif")
    assert_welsh(client.get(client.post(revoke, data={"reason": "Spelt wrongly"}).location), "Cafodd y dystysgrif ei")
    reissued = client.post(f"{url}/certificates/reissue")
    assert_welsh(client.get(reissued.location), "Tystysgrif newydd i Ryan Davies", "Mae'r dystysgrif newydd yn aros")
    run_pending(app.extensions["huey"])
    assert_welsh(client.get(reissued.location), "Cafodd tystysgrif newydd ei rhoi:", "Yn ôl i Ryan Davies")
