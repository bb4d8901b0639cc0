"""Documented defaults. instance/config.py and FLASK_* environment variables override them."""

# Signs session cookies and CSRF tokens. Set a long random value in production.
SECRET_KEY = "dev-only-change-me"

# Path of the SQLite file. Relative paths are resolved inside the instance folder.
DATABASE = "training.sqlite"

# Local development over plain http on 127.0.0.1: cookies lose the Secure flag and the
# built-in SECRET_KEY is allowed. Never set it on a server pupils use.
DEVELOPMENT = False

# Shows the demo sign-ins on the sign-in page. Only `make run` turns it on.
DEMO_MODE = False

# Cookies: HttpOnly and SameSite=Lax always; Secure everywhere except local development.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = True
# A school day: pupils on shared computers should not stay signed in overnight.
PERMANENT_SESSION_LIFETIME = 8 * 60 * 60

# Failed sign-ins allowed per minute for one name from one address. Keyed on the name too,
# because a whole class shares one school IP address.
SIGN_IN_LIMIT = "5 per minute"
RATELIMIT_STORAGE_URI = "memory://"

# Percentage needed to pass a lesson quiz when the quiz file does not set its own.
DEFAULT_PASS_MARK = 80

# Where the content lives: one subfolder per course (age route), named by the course id,
# in each of these two folders (course and lessons; quizzes).
TRAINING_CONTENT = "training/content"
QUIZ_CONTENT = "quizzes/content"

# Public address used in certificate QR codes, e.g. "https://training.example-school.uk".
# Empty: the address of the current request.
PUBLIC_BASE_URL = ""

# Quick exit: where the exit button and three Shift presses take the pupil.
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"

# Outgoing e-mail for staff notifications. Empty MAIL_SERVER: notifications are not sent.
MAIL_SERVER = ""
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_FROM = "no-reply@localhost"

# Pupil records are deleted this many months after the pupil leaves (archived).
RETENTION_MONTHS_AFTER_LEAVING = 12

# --- Exports and requests (issue 8) ---
# Unknown certificate codes one address may try on /verify: guessing codes is slowed, real checks never are.
VERIFY_UNKNOWN_LIMIT = "10 per 10 minutes"
# Largest request body the app reads at all: the 1 MB roster upload (with its form) fits; nothing else comes near.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
