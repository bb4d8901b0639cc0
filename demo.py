"""The demo school that `make run` seeds, and the create-school and seed-demo commands.

It makes schools, classes, trusts and operators, so it sits above every part (beside app.py)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from accounts.demo import (
    DEMO_CLASSES,
    DEMO_DEPUTY,
    DEMO_MFA_EMAILS,
    DEMO_OPERATOR,
    DEMO_PASSWORD,
    DEMO_SCHOOL,
    DEMO_SECOND_CLASS,
    DEMO_SECOND_SCHOOL,
    DEMO_STAFF,
    DEMO_TRUST,
    DEMO_TRUST_LEAD,
)
from accounts.mfa import DEMO_TOTP_SECRET, encrypt_secret
from accounts.passwords import readable_password
from accounts.queries import create_person, create_school, person_by_login
from classroom.queries import create_class
from console.queries import ensure_operator_org
from db import connect, now, write_transaction
from safeguarding.help_routes import add_default_help_routes


def seed_demo(db, secret_key=None):
    """Create the demo school, its staff, a class on each route and pupils; does nothing if it exists.

    With `secret_key` (the app's SECRET_KEY) the DSL, deputy, admin and trust lead get the demo authenticator.
    """
    if person_by_login(db, DEMO_STAFF[0][3]):
        # A demo database from before trusts and operators gets its trust and its operator now (it was there: False).
        added = seed_demo_trust(db)
        if not person_by_login(db, DEMO_OPERATOR[2]):
            seed_demo_operator(db)
            added = True
        if added and secret_key:
            set_up_demo_authenticators(db, secret_key)
        return False
    with write_transaction(db):
        school_id = create_school(db, DEMO_SCHOOL)
        db["schools"].update(
            school_id,
            {"dsl_name": "Mr Jones", "dsl_where": "Room 12, next to the library"},
        )
        staff = {
            role: create_person(db, school_id, role, first, DEMO_PASSWORD, last_name=last, email=email)
            for role, first, last, email in DEMO_STAFF
        }
        first, last, email = DEMO_DEPUTY
        deputy = create_person(db, school_id, "dsl", first, DEMO_PASSWORD, last_name=last, email=email)
        db["people"].update(deputy, {"dsl_deputy": 1})
        for name, year_group, course_id, pupils in DEMO_CLASSES:
            class_id = create_class(db, school_id, name, year_group, staff["teacher"], course_id)
            for first, last, username in pupils:
                pupil_id = create_person(
                    db, school_id, "pupil", first, DEMO_PASSWORD,
                    last_name=last, username=username, year_group=year_group,
                )  # fmt: skip
                db["class_pupils"].insert({"class_id": class_id, "person_id": pupil_id})
        after_school_created(db, school_id)
        seed_demo_operator(db)
    seed_demo_trust(db)
    if secret_key:
        set_up_demo_authenticators(db, secret_key)
    return True


def seed_demo_trust(db):
    """Put the demo school and a second small school into the demo trust, with its lead; False if there already."""
    if person_by_login(db, DEMO_TRUST_LEAD[2]):
        return False
    with write_transaction(db):
        trust_id = db["schools"].insert({"name": DEMO_TRUST, "kind": "trust", "created_at": now()}).last_pk
        first, last, email = DEMO_TRUST_LEAD
        create_person(db, trust_id, "admin", first, DEMO_PASSWORD, last_name=last, email=email)
        demo_school = next(db.query("SELECT id FROM schools WHERE name = ? AND kind = 'school'", [DEMO_SCHOOL]))
        second_id = create_school(db, DEMO_SECOND_SCHOOL)
        db.execute("UPDATE schools SET trust_id = ? WHERE id IN (?, ?)", [trust_id, demo_school["id"], second_id])
        name, year_group, course_id, pupils = DEMO_SECOND_CLASS
        class_id = create_class(db, second_id, name, year_group, None, course_id)
        for first, last, username in pupils:
            pupil_id = create_person(
                db, second_id, "pupil", first, DEMO_PASSWORD, last_name=last, username=username, year_group=year_group
            )
            db["class_pupils"].insert({"class_id": class_id, "person_id": pupil_id})
        after_school_created(db, second_id)
    return True


def seed_demo_operator(db):
    """The demo operator, in the operators' own row of `schools` (made if missing)."""
    first, last, email = DEMO_OPERATOR
    if not person_by_login(db, email):
        create_person(db, ensure_operator_org(db), "admin", first, DEMO_PASSWORD, last_name=last, email=email)


def set_up_demo_authenticators(db, secret_key):
    """Give the demo DSL, deputy and admin the fixed demo TOTP secret (encrypted with `secret_key`)."""
    stored = encrypt_secret(DEMO_TOTP_SECRET, secret_key)
    with write_transaction(db):
        for email in DEMO_MFA_EMAILS:
            person = person_by_login(db, email)
            db["people"].update(person["id"], {"totp_secret": stored, "totp_set_up_at": now()})


def after_school_created(db, school_id):
    """Give a new school what every school starts with (the default help routes)."""
    add_default_help_routes(db, school_id)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Seed the demo school (safe to run twice)."""
    db = connect(current_app.config["DATABASE"])
    created = seed_demo(db, current_app.config["SECRET_KEY"])
    db.close()
    click.echo("Demo school created." if created else "Demo school already there.")


@click.command("create-school")
@with_appcontext
@click.argument("name")
@click.option("--admin-email", required=True, help="The first admin's e-mail (their sign-in).")
@click.option("--admin-first-name", required=True)
@click.option("--admin-last-name", default="")
def create_school_command(name, admin_email, admin_first_name, admin_last_name):
    """Create a school and its first admin; prints the admin's one-time password."""
    db = connect(current_app.config["DATABASE"])
    if person_by_login(db, admin_email):
        raise click.ClickException(f"{admin_email} already has an account.")
    password = readable_password()
    with write_transaction(db):
        school_id = create_school(db, name)
        create_person(
            db,
            school_id,
            "admin",
            admin_first_name,
            password,
            last_name=admin_last_name,
            email=admin_email,
        )
        after_school_created(db, school_id)
    db.close()
    click.echo(f"Created {name}. Admin {admin_email}, password: {password}")
    click.echo("Sign in and change it, or keep it somewhere safe.")
