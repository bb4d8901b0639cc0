"""`flask console add-operator`: the first operator (and any other) from the command line."""

import click
from flask import current_app
from flask.cli import AppGroup

from audit import audit
from console import queries
from console.invites import send_invite
from db import connect

console_command = AppGroup("console", help="The operator's console: operators of the service.")


@console_command.command("add-operator")
@click.argument("email")
@click.option("--first-name", required=True)
@click.option("--last-name", default="")
def add_operator_command(email, first_name, last_name):
    """Invite an operator: e-mails a one-time link and prints it (the first operator may have no mail yet)."""
    db = connect(current_app.config["DATABASE"])
    try:
        if queries.email_taken(db, email):
            raise click.ClickException(f"{email} already has an account.")
        org_id = queries.ensure_operator_org(db)
        person_id = queries.add_pending_admin(db, org_id, first_name.strip(), last_name.strip(), email)
        link = send_invite(db, db["people"].get(person_id), None, "operator")
        audit(db, org_id, None, "console-operator-invite", "staff", person_id)
    finally:
        db.close()
    click.echo(f"Invited {first_name} {last_name} <{email}> as an operator. The invite is e-mailed, and here is the")
    click.echo(f"link (it works once, for {current_app.config['INVITE_DAYS']} days):\n{link}")
