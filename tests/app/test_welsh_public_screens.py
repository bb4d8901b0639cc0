"""The pages anyone can reach, and the pupil's pages that were still English, in Welsh: help and the privacy notices,
checking a certificate, joining a class with its code (and a provider sign-in refused), the live lesson on the pupil's
device (and on the projector), and the parents' view. A signed-out visitor gets Welsh from their browser
(Accept-Language: cy) or the language cookie; a pupil from their account. None of the pages shows the English of the
site's own words (tests/app/test_welsh_screens.py's check)."""

import re

import pytest
from flask import render_template
from test_welsh_screens import assert_welsh

from accounts import oidc_rules as rules
from accounts.provider_views import refused
from certificates.forms import VerifyForm
from classroom import class_codes, code_queries
from db import now, write_transaction
from languages import COOKIE
from training.parents_queries import parents_setting

from helpers import QUIZ_URL, complete_course, sign_in, wrong_answers

WELSH_BROWSER = {"Accept-Language": "cy"}
LESSON = "what-is-online-blackmail"


@pytest.fixture
def visitor(app):
    """A signed-out visitor whose browser asks for Welsh."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy"
    return client


@pytest.fixture
def room(db, make_school, make_staff, make_pupil, make_class):
    """Hillside (in England): 8B with its teacher and a pupil whose account says cy, a DSL, and the school's id."""
    school_id = make_school("Hillside School")
    teacher = make_staff(school_id, "tara@hill.test", first_name="Tara", last_name="Jones")
    make_staff(school_id, "dsl@hill.test", role="dsl", first_name="Dee")
    pupil = make_pupil(school_id, "ryan.d", first_name="Ryan", last_name="Davies")
    class_id = make_class(school_id, "8B", teacher, [pupil])
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE id = ?", [pupil])
    return {"school_id": school_id, "class_id": class_id, "pupil": pupil, "teacher": teacher}


def signed_in(app, name):
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


# --- help and privacy ---------------------------------------------------------------------------------------------


def test_help_and_the_privacy_notices_in_welsh_for_a_visitor(visitor):
    help_page = visitor.get("/help")
    assert_welsh(
        help_page,
        "<h1>Cael help</h1>",
        "Os oes rhywun yn eich blacmelio chi",
        "<strong>nid eich bai chi yw e</strong>",
        "neu'r arweinydd diogelu dynodedig yn eich ysgol",  # the nation's title, in a whole Welsh sentence
    )
    assert 'href="tel:08001111">Childline ar 0800 1111</a>' in help_page.text  # the help line's name and number stay
    privacy = visitor.get("/privacy")
    assert_welsh(
        privacy, "Eich preifatrwydd", "Beth rydyn ni'n ei gadw", "a'r arweinydd diogelu dynodedig yn eich ysgol"
    )
    schools = visitor.get("/privacy/schools")
    assert_welsh(schools, "Hysbysiad preifatrwydd i ysgolion, rhieni a gofalwyr", "<strong>rheolydd data</strong>")
    assert re.search(r"<strong>\d+ mis ar ôl i'r disgybl adael</strong>", schools.text)


def test_the_language_cookie_gives_welsh_too_and_english_stays_as_it_was(app):
    chosen = app.test_client()
    chosen.set_cookie(COOKIE, "cy")
    assert_welsh(chosen.get("/help"), "Cael help")
    english = app.test_client().get("/help").text
    assert '<html lang="en-GB">' in english
    assert "a teacher, or your school's designated safeguarding lead. You can do this first" in english


# --- checking a certificate ---------------------------------------------------------------------------------------


def test_checking_a_certificate_in_welsh(visitor, app, room, course, db):
    form = visitor.get("/verify")
    assert_welsh(form, "Gwirio tystysgrif", "Cod y dystysgrif", "12 llythyren a rhif, fel K7QM-3XHA-PWN9")
    empty = visitor.post("/verify", data={"code": ""})
    assert_welsh(empty, "Mae problem", "Teipiwch y cod sydd wedi'i argraffu ar y dystysgrif.", status=400)
    short = visitor.post("/verify", data={"code": "ABC"})
    assert_welsh(
        short,
        "Dydy hwnna ddim yn edrych fel cod tystysgrif.",
        "Mae gan hwnna 3 o lythrennau a rhifau, nid 12.",
        status=400,
    )
    unknown = visitor.get("/verify/ABCD-EFGH-JKMN")
    assert_welsh(unknown, "Allwn ni ddim dod o hyd i'r dystysgrif honno", "Does dim tystysgrif gyda'r cod", status=404)

    complete_course(signed_in(app, "ryan.d"), course)
    [code] = [row[0] for row in db.execute("SELECT code FROM certificates WHERE pupil_id = ?", [room["pupil"]])]
    valid = visitor.get(f"/verify/{code}")
    assert_welsh(valid, f"Tystysgrif {code}", "<strong>Dilys.</strong>", "<dt>Disgybl</dt><dd>R. D.</dd>", "Dyddiad")
    with write_transaction(db):
        db.execute("UPDATE certificates SET revoked_at = ? WHERE code = ?", [now(), code])
    assert_welsh(
        visitor.get(f"/verify/{code}"), "<strong>Wedi'i dirymu.</strong> Cafodd y dystysgrif hon ei thynnu'n ôl"
    )


def test_the_slow_down_page_in_welsh(app):
    with app.test_request_context("/verify/ABCD-EFGH-JKMN", headers=WELSH_BROWSER):
        page = render_template("certificates/slow_down.html", form=VerifyForm(formdata=None))
    assert '<html lang="cy">' in page and "Arhoswch ychydig funudau" in page and "<code>ABCD-EFGH-JKMN</code>" in page
    assert "Please wait a few minutes" not in page


# --- joining a class, and a provider sign-in refused --------------------------------------------------------------


def test_joining_a_class_with_its_code_in_welsh(app, room, db, make_class):
    pupil = signed_in(app, "ryan.d")
    page = pupil.get("/join")
    assert_welsh(page, "Ymuno â'ch dosbarth", "Cod y dosbarth", "Does dim ots am briflythrennau", "Yn ôl i'ch gwersi")
    typo = pupil.post("/join", data={"code": "KXR0-PMQ"})
    assert_welsh(typo, "Mae gan god dosbarth 8 llythyren a rhif, fel KXR7-PMQ4. Gwiriwch", status=400)
    wrong = pupil.post("/join", data={"code": "bcdf-ghjk"})
    assert_welsh(wrong, "Does dim dosbarth gyda'r cod yna.", status=400)
    empty = pupil.post("/join", data={"code": ""})
    assert_welsh(empty, "Teipiwch y cod dosbarth mae eich athro yn ei ddangos i chi.", status=400)

    class_9c = make_class(room["school_id"], "9C", room["teacher"])
    code = code_queries.make_code(db, class_9c, room["school_id"], None, 14)["code"]
    joined = pupil.post("/join", data={"code": class_codes.display(code)})
    assert joined.status_code == 303
    assert "Rydych chi wedi ymuno â 9C." in pupil.get(joined.location).text
    again = pupil.post("/join", data={"code": code}, follow_redirects=True)
    assert "Rydych chi yn 9C yn barod." in again.text


def test_joining_signed_out_and_after_a_provider_sign_in_in_welsh(visitor, room):
    assert_welsh(visitor.get("/join"), "I ymuno â'ch dosbarth, mewngofnodwch yn gyntaf gyda'ch cyfrif ysgol.")
    with visitor.session_transaction() as session:
        session["oidc_pending"] = {
            "provider": "google", "issuer": "https://accounts.google.com", "subject": "g-1", "email": None,
            "given_name": "Maya", "family_name": "Singh", "school_id": room["school_id"], "started_at": now(),
        }  # fmt: skip
    page = visitor.get("/join")
    assert_welsh(
        page,
        "Helo Maya. Fe wnaethoch chi fewngofnodi gan ddefnyddio eich cyfrif Google.",
        "Does gennych chi ddim cyfrif",
    )


def test_a_refused_provider_sign_in_in_welsh(app):
    """The refusals are made by the rules without a request, and said in the page's language when shown."""
    message = rules.refusal_for_school("google", {"email": "pat@gmail.com"}, None, "pat@gmail.com")
    archived = rules.match([1], "sam@hill.test", identity_person={"archived_at": "x", "school_id": 1}, staff=None,
                           pupil=None).message  # fmt: skip
    for said, welsh in (
        (message, "Fe wnaethoch chi fewngofnodi fel pat@gmail.com, sydd ddim yn gyfrif Google Workspace"),
        (archived, "Mae'r cyfrif hwnnw'n perthyn i rywun sydd wedi gadael yr ysgol yma"),
    ):
        with app.test_request_context("/sign-in/google/callback", headers=WELSH_BROWSER):
            page, status = refused("google", said)
        assert status == 403 and '<html lang="cy">' in page
        page = page.replace("&#39;", "'")
        assert "Wnaeth mewngofnodi gyda Google ddim gweithio" in page and welsh in page and "You signed in" not in page
    # Without a request (and on an English page) the words are the English they always were.
    assert str(message).startswith("You signed in as pat@gmail.com, which is not a Google Workspace account")


# --- the live lesson ----------------------------------------------------------------------------------------------


def move(client, db, session_id, what="next"):
    version = db.execute("SELECT version FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0]
    assert client.post(f"/live/{session_id}/move", data={"move": what, "version": version}).status_code == 303


def test_the_live_lesson_on_a_welsh_pupils_device(app, db, room, course):
    teacher = signed_in(app, "tara@hill.test")
    started = teacher.post(f"/classes/{room['class_id']}/live", data={"lesson_id": LESSON})
    session_id = int(re.search(r"/live/(\d+)/teach", started.location).group(1))
    pupil = signed_in(app, "ryan.d")
    url = f"/live/{session_id}"
    assert_welsh(pupil.get(url), "Gwers fyw: ", "Mae eich athro yn addysgu'r wers hon nawr.", "Ymuno â'r wers fyw")
    assert pupil.post(f"{url}/join").status_code == 303
    assert_welsh(pupil.get(url), "Cyn i ni ddechrau", "Yn fyw gyda'ch athro: Gwers 1,", "Mynd i gam yr athro")

    lesson = course.lessons[0]
    steps = len(lesson.steps)
    for _ in range(2):
        move(teacher, db, session_id)
    assert_welsh(pupil.get(url), f"Cam 2 o {steps}", "Darllen y cam cynt")
    assert_welsh(pupil.get(f"{url}/steps/1"), "Rydych chi'n darllen cam 1 eto. Mae eich athro ymhellach ymlaen.")
    for _ in range(steps):
        move(teacher, db, session_id)
    quiz = pupil.get(url)
    assert_welsh(
        quiz,
        "Atebwch ar eich pen eich hun.",
        "Anfon fy atebion",
        'data-submit-once data-move-up="Symud i fyny"',
        'data-already-first="Mae “{step}” yn gyntaf yn barod."',
        'data-words="{done} o {total} wedi\'u hateb"',
    )
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', quiz.text).group(1)
    sent = pupil.post(f"{url}/quiz", data=dict(wrong_answers(lesson.quiz), token=token, version=lesson.quiz.version))
    assert sent.status_code == 303
    assert_welsh(pupil.get(url), "Mae eich atebion wedi'u cadw", "Gweld yr adborth ar eich atebion")

    move(teacher, db, session_id)
    close = pupil.get(url)
    assert_welsh(
        close,
        "I orffen",
        "Anadlwch i mewn yn araf",
        "Sut rydych chi'n teimlo ar ôl y wers hon?",
        "Yn poeni neu'n ofidus",
        "Does dim rhaid i chi ateb hwn.",
    )
    refused_check_in = pupil.post(f"{url}/check-in", data={"feeling": "worried"})
    assert_welsh(refused_check_in, "Dewiswch a hoffech chi siarad.", status=400)
    assert pupil.post(f"{url}/check-in", data={"feeling": "worried", "talk": "today"}).status_code == 303
    # The DSL's record keeps one language: the pupil's Welsh page, the request in English.
    [message] = [row[0] for row in db.execute("SELECT message FROM talk_requests")]
    assert message == "Asked in the check-in at the end of a live lesson. How I'm feeling: Worried or upset."

    move(teacher, db, session_id, "end")
    assert_welsh(pupil.get(url), "Mae'r wers fyw wedi dod i ben", "Diolch am gymryd rhan. Mae eich atebion wedi'u cadw")


def test_the_projector_in_welsh_for_a_teacher_whose_account_says_cy(app, db, room):
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE id = ?", [room["teacher"]])
    teacher = signed_in(app, "tara@hill.test")
    started = teacher.post(f"/classes/{room['class_id']}/live", data={"lesson_id": LESSON})
    session_id = int(re.search(r"/live/(\d+)/teach", started.location).group(1))
    present = teacher.get(f"/live/{session_id}/present").text
    assert "Cyn i ni ddechrau: ein rheolau sylfaenol" in present and "Gadael y dudalen hon" in present
    assert "Before we start: our ground rules" not in present


# --- the quiz script's words on a self-paced quiz -----------------------------------------------------------------


def test_the_quiz_script_gets_its_words_in_welsh(app, room, course):
    page = signed_in(app, "ryan.d").get(QUIZ_URL.format(course.lessons[0].id)).text
    assert 'class="quiz-form" data-submit-once data-move-up="Symud i fyny" data-move-down="Symud i lawr"' in page
    assert 'data-now-at="Mae “{step}” nawr yn rhif {number} o {total}."' in page


# --- the parents' view --------------------------------------------------------------------------------------------


def test_the_parents_view_in_welsh(visitor, app, db, room, course):
    slug = parents_setting(db, room["school_id"])["public_slug"]
    school = visitor.get(f"/parents/{slug}/")
    assert_welsh(
        school,
        "Beth mae Hillside School yn ei addysgu am flacmel ar-lein",
        "Y cwrs ar gyfer pob grŵp oedran",
        "Os ydych chi'n poeni",
    )
    assert re.search(r"\(\d+ g?wers, tua \d+ munud i gyd\)", school.text)
    route = visitor.get(f"/parents/{slug}/{course.id}/")
    assert_welsh(
        route,
        "Sut mae'r cwrs yn dechrau",
        "Cwis gwers 1, gyda'r atebion",
        "Pwy ysgrifennodd y deunyddiau hyn:",
        "Dewisodd Hillside School addysgu'r cwrs hwn",
    )
    # Rendered once per language: an English parent still gets English, from its own kept copy.
    english = app.test_client().get(f"/parents/{slug}/{course.id}/").text
    assert "How the course starts" in english and "Sut mae'r cwrs yn dechrau" not in english
    assert "Sut mae'r cwrs yn dechrau" in visitor.get(f"/parents/{slug}/{course.id}/").text

    letter = visitor.get("/for-parents")
    assert_welsh(letter, "I rieni a gofalwyr: blacmel ar-lein")
    # The page's own words are its content file's, still English: marked so for screen readers.
    assert re.search(r'<div lang="en-GB">\s*<', letter.text)

    with write_transaction(db):
        db.execute("UPDATE schools SET parents_view = 0, parents_contact = 'office@hill.test' WHERE id = ?",
                   [room["school_id"]])  # fmt: skip
    off = visitor.get(f"/parents/{slug}/")
    assert_welsh(off, "Dydy Hillside School ddim wedi cyhoeddi deunyddiau ei chwrs yma", "office@hill.test")
