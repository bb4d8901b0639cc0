"""The staff e-mail outbox: every e-mail to staff is a row here, sent by the job worker."""
