"""The safeguarding lead's and the admin's main screens in Welsh, for a member of staff whose account says cy: the
requests to talk and one request (recording an action), the count and the banner, pupils' records, erasing, the
audit log and the staff e-mails. Where a page names the lead's role it uses the school's nation's title: a school in
Wales reads "person diogelu dynodedig" (designated senior person). None of them shows the English of the site's own
words."""

import pytest
from test_welsh_screens import assert_welsh

from db import write_transaction

from helpers import complete_staff_course, sign_in, staff_course_of


@pytest.fixture
def school(make_school, make_staff, make_class, make_pupil, db):
    """A school in Wales: a Welsh-speaking DSL (Dee), admin (Ada) and teacher (Tess), and 9B with one pupil."""
    school_id = make_school("Ysgol y Bryn", nation="wales")
    ids = {
        "school": school_id,
        "dsl": make_staff(school_id, "dsl@bryn.test", role="dsl", first_name="Dee", last_name="Lewis"),
        "admin": make_staff(school_id, "admin@bryn.test", role="admin", first_name="Ada", last_name="Hughes"),
        "teacher": make_staff(school_id, "teacher@bryn.test", first_name="Tess", last_name="Teach"),
    }
    ids["class"] = make_class(school_id, "9B", teacher_id=ids["teacher"], year_group=9)
    ids["pupil"] = make_pupil(school_id, "ryan.d", first_name="Ryan", last_name="Davies", year_group=9,
                              class_id=ids["class"])  # fmt: skip
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE role <> 'pupil' AND school_id = ?", [school_id])
    return ids


def ask(client, urgency="today", who="dsl"):
    """The pupil asks to talk, on their own device (in English: the request is the same in either language)."""
    device = client.application.test_client()
    sign_in(device, "ryan.d")
    assert device.post("/talk", data={"who": who, "urgency": urgency, "message": "Can we talk?"}).status_code == 303


def test_the_queue_the_count_and_the_banner_in_welsh(client, school):
    ask(client)
    landing = client.get(sign_in(client, "dsl@bryn.test").headers["Location"])
    assert_welsh(
        landing,
        "Mae 1 cais gan ddisgybl i siarad yn aros i gael ei agor. Y mwyaf brys yn gyntaf: heddiw (1).",
        "Agor y ceisiadau i siarad",
        'Ceisiadau i siarad: <strong class="count-badge">1</strong>',
    )
    queue = client.get("/safeguarding/requests")
    assert_welsh(
        queue,
        "<h1>Ceisiadau i siarad</h1>",
        "Ceisiadau pob disgybl yn yr ysgol",
        "Mae agor cais yn cael ei gofnodi yn y log archwilio.",
        ">Ar agor</a>",
        ">Wedi cau</a>",
        "Ceisiadau ar agor, y rhai mwyaf brys yn gyntaf",
        "(Blwyddyn 9)",
        "<td>DSP</td>",  # the request went to the lead, titled as Wales titles the role
        "<strong>Heddiw</strong>",
        ">Newydd</span>",
    )
    assert_welsh(client.get("/safeguarding/requests?show=closed"), "Dim ceisiadau wedi cau.")


def test_a_request_and_recording_an_action_in_welsh(client, school):
    ask(client, urgency="soon")
    sign_in(client, "dsl@bryn.test")
    page = client.get("/safeguarding/requests/1")
    assert_welsh(
        page,
        "<h1>Hoffai Ryan Davies siarad</h1>",
        "<dd>Person diogelu dynodedig yr ysgol</dd>",
        "Yn ystod y dyddiau nesaf",
        "<dd>Wedi'i weld</dd>",
        "rhowch wybod i'r DSP heddiw",
        "ffoniwch 999",
        "Cofnodi cam gweithredu",
        '<label class="label" for="note">Nodyn</label>',
    )
    empty = client.post("/safeguarding/requests/1", data={"status": "in-progress", "note": ""})
    assert_welsh(empty, "Gwall:", "Mae problem", "Ysgrifennwch nodyn byr", status=400)
    saved = client.post("/safeguarding/requests/1", data={"status": "in-progress", "note": "Siarad amser egwyl."})
    assert saved.status_code == 303
    after = client.get(saved.headers["Location"])
    assert_welsh(
        after,
        "Wedi'i gadw. Statws y cais nawr yw “ar waith”.",
        "Newidiodd Dee Lewis y statws i <strong>Ar waith</strong>: Siarad amser egwyl.",
        "Newidiodd Dee Lewis y statws i <strong>Wedi'i weld</strong>: Wedi'i agor.",
    )


def test_a_teacher_reads_that_requests_to_the_lead_go_to_the_designated_senior_person(client, school):
    ask(client, who=f"teacher-{school['teacher']}")
    sign_in(client, "teacher@bryn.test")
    assert_welsh(
        client.get("/safeguarding/requests"),
        "<h1>Ceisiadau i siarad â chi</h1>",
        "Mae ceisiadau i'r person diogelu dynodedig yn mynd atyn nhw, nid yma.",
        "<td>Tess Teach</td>",
    )


def test_pupils_records_and_erasing_in_welsh(client, school):
    ask(client)
    sign_in(client, "dsl@bryn.test")
    assert_welsh(client.get("/safeguarding/pupils?q=ryan"), "<h1>Cofnodion disgyblion</h1>", "ryan.d, Blwyddyn 9")
    assert_welsh(client.get("/safeguarding/pupils?q=nobody"), "Does dim disgyblion yn cyfateb i “nobody”.")
    pupil = f"/safeguarding/pupils/{school['pupil']}"
    assert_welsh(client.get(pupil), "Cyfrif wedi'i wneud", "Lawrlwytho PDF darllenadwy", "Dileu'r disgybl hwn…")
    erase = client.get(pupil + "/erase")
    assert_welsh(
        erase,
        "<h1>Dileu Ryan Davies?</h1>",
        "0 cofnod cynnydd gwers, a hefyd 0 ymgais ar gwis gyda'u hatebion",
        "1 cais i siarad a'r nodiadau arno",
        "Mae gan y disgybl hwn geisiadau i siarad.",
    )
    wrong = client.post(pupil + "/erase", data={"confirm": "no"})
    assert_welsh(wrong, "Teipiwch y gair ERASE i gadarnhau", status=400)
    erased = client.post(pupil + "/erase", data={"confirm": "ERASE"})
    assert erased.status_code == 303
    assert_welsh(
        client.get(erased.headers["Location"]),
        "Mae cofnodion y disgybl wedi'u dileu.",
        "Mae ei dystysgrifau nawr yn dangos “dydy hi ddim yn cael ei chadw bellach”.",
    )


def test_an_admin_reads_that_the_designated_senior_person_holds_the_requests(client, school):
    ask(client)
    sign_in(client, "admin@bryn.test")
    pupil = f"/safeguarding/pupils/{school['pupil']}"
    assert_welsh(
        client.get(pupil),
        "<dd>Yn nwylo'r person diogelu dynodedig</dd>",
        "gofynnwch i'r person diogelu dynodedig eu hallforio",
    )
    assert_welsh(
        client.get(pupil + "/erase"),
        "(yn nwylo'r person diogelu dynodedig)",
        "<strong>Gofynnwch i'r person diogelu dynodedig cyn dileu.</strong>",
    )
    assert_welsh(client.get("/safeguarding/notifications"), "<h1>E-byst staff</h1>", "E-byst, problemau yn gyntaf",
                 "yng nghiw'r DSP", "Yn aros i'w anfon")  # fmt: skip


def test_the_audit_log_in_welsh(client, school):
    ask(client)
    sign_in(client, "dsl@bryn.test")
    client.get("/safeguarding/requests/1")
    log = client.get("/safeguarding/audit-log")
    assert_welsh(
        log,
        "<h1>Log archwilio</h1>",
        "Wedi agor cais i siarad",
        "Cais i siarad 1",
        'Dee Lewis <span class="muted">(DSP)</span>',
        ">Unrhyw un</option>",
        ">Unrhyw beth</option>",
        "Dangos",
    )
    assert_welsh(client.get("/safeguarding/audit-log?action=erase"), "Dangos popeth", "Does dim byd yn cyfateb")


def test_a_school_in_england_names_the_designated_safeguarding_lead_in_welsh(client, school, db):
    with write_transaction(db):
        db.execute("UPDATE schools SET nation = 'england', settings_version = settings_version + 1")
    ask(client)
    sign_in(client, "dsl@bryn.test")
    page = client.get("/safeguarding/requests/1")
    assert_welsh(page, "<dd>Arweinydd diogelu dynodedig yr ysgol</dd>", "rhowch wybod i'r DSL heddiw")


# --- The admin's screens ------------------------------------------------------------------------------------------
@pytest.fixture
def welsh_admin(client, school):
    assert sign_in(client, "admin@bryn.test").status_code == 303
    return school


def test_the_help_routes_and_a_route_form_in_welsh(client, welsh_admin, db):
    routes = client.get("/safeguarding/help-routes")
    assert_welsh(
        routes,
        "<h1>Ffyrdd o gael help</h1>",
        "<h2>Eich person diogelu dynodedig</h2>",
        ">Cymru</a>",
        "Yr enw mae disgyblion yn eu hadnabod wrtho",
        "Ffoniwch 999.",
        "Ychwanegu ffordd o gael help",
        'Symud i lawr<span class="visually-hidden">',
    )
    empty = client.post("/safeguarding/help-routes/new", data={"title": "", "phone": "0800 ABC"})
    assert_welsh(empty, "Teipiwch deitl, fel Childline.", "Defnyddiwch rifau a bylchau yn unig", "Gwall:", status=400)
    added = client.post("/safeguarding/help-routes/new", data={"title": "Nyrs yr ysgol", "detail": "Bob dydd"})
    assert added.status_code == 303
    assert_welsh(client.get(added.headers["Location"]), "Wedi ychwanegu “Nyrs yr ysgol”.")
    [route] = db.execute("SELECT id FROM help_routes WHERE title = 'Nyrs yr ysgol'").fetchall()
    assert_welsh(client.get(f"/safeguarding/help-routes/{route[0]}/edit"), "<h1>Golygu “Nyrs yr ysgol”</h1>")
    assert_welsh(
        client.get(f"/safeguarding/help-routes/{route[0]}/remove"), "<h1>Tynnu “Nyrs yr ysgol”?</h1>", "Ei gadw"
    )


def test_the_school_language_setting_in_welsh(client, welsh_admin):
    page = client.get("/admin/language")
    assert_welsh(page, "<h1>Iaith ddiofyn</h1>", "Porwr pob person sy'n penderfynu", "Dewiswch y rhagosodiad")
    assert_welsh(client.post("/admin/language", data={}), "Dewiswch iaith ddiofyn.", status=400)
    saved = client.post("/admin/language", data={"language": "cy"})
    assert_welsh(client.get(saved.headers["Location"]), "Wedi'i gadw: Cymraeg nes bod pob person yn dewis.")


def test_the_sign_in_settings_and_two_step_setting_in_welsh(client, welsh_admin):
    page = client.get("/admin/sign-in")
    assert_welsh(
        page,
        "<h1>Gosodiadau mewngofnodi</h1>",
        "Parthau Google Workspace",
        "Hwb, wedi'i rannu ag ysgolion eraill",
        "Mewngofnodi dau gam i athrawon",
        "Nac oes: gall athrawon ddewis gosod un",
    )
    empty = client.post("/admin/sign-in", data={"provider": "google", "value": ""})
    assert_welsh(empty, "Teipiwch barth Google Workspace eich ysgol", status=400)
    personal = client.post("/admin/sign-in", data={"provider": "google", "value": "gmail.com"})
    assert_welsh(personal, "gmail.com yw cyfeiriad Google ar gyfer cyfrifon personol", status=400)
    added = client.post("/admin/sign-in", data={"provider": "google", "value": "bryn.sch.uk"})
    assert_welsh(client.get(added.headers["Location"]), "Wedi ychwanegu bryn.sch.uk.", "<code>bryn.sch.uk</code>")
    setting = client.post("/admin/two-step-sign-in", data={"teachers": "yes"})
    assert_welsh(client.get(setting.headers["Location"]), "Wedi'i gadw: rhaid i athrawon ddefnyddio ap dilysu.")


def test_your_account_and_setting_up_an_authenticator_in_welsh(client, welsh_admin):
    account = client.get("/account")
    assert_welsh(
        account, "<h1>Eich cyfrif</h1>", "Ble rydych chi wedi mewngofnodi", "(yr un hwn)", "Allgofnodi ym mhobman"
    )
    set_up = client.get("/account/two-step")
    assert_welsh(set_up, "<h1>Gosodwch eich ap dilysu</h1>", "Sganiwch y cod QR hwn gydag ef.", "Gwirio'r cod")
    wrong = client.post("/account/two-step", data={"code": "000000"})
    assert_welsh(wrong, "Dydy'r cod yna ddim yn gywir.", status=400)


def test_the_staff_page_and_a_new_member_of_staff_in_welsh(client, welsh_admin):
    page = client.get("/staff")
    assert_welsh(page, "<h1>Staff</h1>", "Cyfrifon staff", "Yn mewngofnodi gyda", "Ychwanegu a dangos eu cyfrinair")
    added = client.post(
        "/staff", data={"first_name": "Nia", "last_name": "Roberts", "email": "nia@bryn.test", "role": "teacher"}
    )
    assert_welsh(added, "Rhowch y manylion hyn i Nia Roberts yn breifat", "<dt>Cyfrinair</dt>", "Yn ôl i'r staff")


# --- The staff course ---------------------------------------------------------------------------------------------
def test_the_staff_course_setting_and_who_has_completed_it_in_welsh(client, welsh_admin):
    setting = client.get("/admin/staff-course")
    assert_welsh(setting, "<h1>Gosodiad y cwrs staff</h1>", "Nawr: <strong>i ffwrdd</strong>.", "Nac oes: gall staff")
    assert_welsh(client.post("/admin/staff-course", data={}), "Dewiswch oes neu nac oes.", status=400)
    saved = client.post("/admin/staff-course", data={"required": "yes"})
    assert_welsh(client.get(saved.headers["Location"]), "Wedi'i gadw: rhaid i staff ei gwblhau cyn addysgu")
    completions = client.get("/staff/training/completions")
    assert_welsh(
        completions,
        "<h1>Cwrs staff: pwy sydd wedi'i gwblhau</h1>",
        "Mae 0 o 3 aelod o staff wedi'i gwblhau o fewn y flwyddyn.",
        "<td>Ddim eto</td>",
        "<td>Heb ei wneud</td>",
        "cwrs y disgyblion: <strong>oes</strong>.",
    )


def test_the_staff_course_its_facilitator_notes_and_certificate_page_in_welsh(client, school):
    sign_in(client, "dsl@bryn.test")
    page = client.get("/staff/training/")
    assert_welsh(
        page,
        "Cwrs a nodiadau athrawon",
        "Y gwersi",
        "Heb ddechrau",
        "Gwiriad terfynol",
        "Heb ei wneud eto",
        "mae eich person diogelu dynodedig a gweinyddwyr yn ei weld",
    )
    course = client.application.extensions["staff_courses"]
    course_id = next(iter(course))
    # The notes' own words cite guidance by its English title (Keeping children safe in education), so this page is
    # checked for its own words only.
    notes = client.get(f"/staff/training/{course_id}/facilitator")
    assert notes.status_code == 200 and '<html lang="cy">' in notes.text
    assert "<h1>Nodiadau'r hwylusydd: cynnal y cwrs staff gyda grŵp</h1>" in notes.text.replace("&#39;", "'")
    assert "Cyn i chi ei gynnal" in notes.text and "Before you run it" not in notes.text
    assert_welsh(client.get("/staff/training/certificate"), "<h1>Tystysgrif eich cwrs staff</h1>", "Byddwch chi'n cael")


def test_after_the_staff_course_a_teacher_carries_on_in_welsh(app, client, school):
    admin = app.test_client()
    sign_in(admin, "admin@bryn.test")
    assert admin.post("/admin/staff-course", data={"required": "yes"}).status_code == 303
    sign_in(client, "teacher@bryn.test")
    assert client.post("/classes", data={"name": "10C", "year_group": "10"}).status_code == 403
    complete_staff_course(client, staff_course_of(app))
    page = client.get("/staff/training/")
    assert_welsh(
        page,
        "Fe wnaethoch chi gwblhau'r cwrs hwn ar",
        "Gallwch chi barhau",
        "Roeddech chi ar fin creu'r dosbarth: mae'r hyn a ddewisoch chi wedi'i gadw.",
        ">Creu'r dosbarth</button>",
    )
    assert_welsh(client.get("/staff/training/certificate"), "Cod y dystysgrif", "Lawrlwytho eich tystysgrif (PDF)")
