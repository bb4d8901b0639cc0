"""Lengths every part agrees on: a name, a username and an e-mail address, wherever they are typed or read."""

MAX_NAME = 50  # fits on a sign-in card and a certificate
MAX_USERNAME = 30
MAX_EMAIL = 254  # the longest address SMTP allows
