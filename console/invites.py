"""Sending an invite: a new one-time link for a person, e-mailed through the outbox (the old link stops)."""

from flask import current_app

from console import queries, rules
from outbox.tasks import queue_mail
from urls import public_url


def send_invite(db, person, org_name, kind, sent_by=None):
    """Make a one-time link for `person`, put its e-mail in the outbox; returns the link."""
    days = int(current_app.config["INVITE_DAYS"])
    token = queries.new_invite(db, person["id"], person["school_id"], sent_by, days)
    link = public_url("invites.accept", token=token)
    subject, body = rules.invite_email(person["first_name"], org_name, kind, link, days)
    queue_mail(db, person["school_id"], [person["email"]], subject, body)
    return link
