"""Sending staff notifications by SMTP (standard library only), and when to try again."""

import smtplib
from datetime import timedelta
from email.message import EmailMessage

# Used when MAIL_TIMEOUT_SECONDS is not set. Only the job worker sends, so no pupil waits on it.
SMTP_TIMEOUT_SECONDS = 10
# After a failed attempt, wait this long before the next: 1, 5, 15, 60 minutes, then give up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
# A send still marked as running after this long was cut off (the worker crashed or restarted).
SENDING_LEASE = timedelta(minutes=5)
NOT_CONFIGURED = "E-mail is not set up (MAIL_SERVER is empty), so this notification was not sent."
NO_RECIPIENTS = "Nobody to tell: the school has no DSL (or the teacher asked for) with an e-mail address."
CUT_OFF = "Sending was cut off (the job worker stopped or restarted part-way); trying again."


def retry_after(attempts):
    """How long to wait after `attempts` failed attempts, or None when it is time to give up."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else None


def describe_error(error):
    """A short, plain description of a sending failure for the staff who see the outbox."""
    # smtplib turns a timeout while waiting for a reply into SMTPServerDisconnected; the cause stays attached.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return "The mail server did not answer in time (timed out)."
    if isinstance(error, ConnectionRefusedError):
        return "The mail server refused the connection (is MAIL_SERVER/MAIL_PORT right?)."
    return f"{type(error).__name__}: {error}"[:300]


def send_mail(settings, recipients, subject, body):
    """Send a plain-text e-mail using MAIL_* settings; returns False if no MAIL_SERVER is set.

    Raises smtplib.SMTPException or OSError (TimeoutError included) when sending fails.
    """
    if not settings.get("MAIL_SERVER") or not recipients:
        return False
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    timeout = float(settings.get("MAIL_TIMEOUT_SECONDS") or SMTP_TIMEOUT_SECONDS)
    with smtplib.SMTP(settings["MAIL_SERVER"], int(settings["MAIL_PORT"]), timeout=timeout) as smtp:
        if settings.get("MAIL_USE_TLS"):
            smtp.starttls()
        if settings.get("MAIL_USERNAME"):
            smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"])
        smtp.send_message(message)
    return True
