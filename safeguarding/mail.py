"""Sending staff notifications by SMTP (standard library only)."""

import smtplib
from email.message import EmailMessage

# Long enough for a school's mail relay, short enough that a pupil is never kept waiting long.
SMTP_TIMEOUT_SECONDS = 10


def send_mail(settings, recipients, subject, body):
    """Send a plain-text e-mail using MAIL_* settings; returns False if no MAIL_SERVER is set.

    Raises smtplib.SMTPException or OSError when the server cannot be reached: the caller logs it.
    """
    if not settings.get("MAIL_SERVER") or not recipients:
        return False
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings["MAIL_SERVER"], int(settings["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.get("MAIL_USE_TLS"):
            smtp.starttls()
        if settings.get("MAIL_USERNAME"):
            smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"])
        smtp.send_message(message)
    return True
