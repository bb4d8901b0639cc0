"""The safeguarding lead's and the admin's main screens in Welsh, for a member of staff whose account says cy: the
requests to talk and one request (recording an action), the count and the banner, pupils' records, erasing, the
audit log and the staff e-mails. Where a page names the lead's role it uses the school's nation's title: a school in
Wales reads "person diogelu dynodedig" (designated senior person). None of them shows the English of the site's own
words."""

import pytest
from test_welsh_screens import assert_welsh

from db import write_transaction

from helpers import sign_in


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
        "Cais pob disgybl yn yr ysgol",
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
    assert_welsh(client.get(erased.headers["Location"]), "Mae cofnodion y disgybl wedi'u dileu.")


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
