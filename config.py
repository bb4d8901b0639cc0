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

# Where the content lives (course, lessons, quizzes).
TRAINING_CONTENT = "training/content/online-blackmail-11-13"
QUIZ_CONTENT = "quizzes/content/online-blackmail-11-13"

# Public address used in certificate QR codes, e.g. "https://training.example-school.uk".
# Empty: the address of the current request.
PUBLIC_BASE_URL = ""

# Quick exit: where the exit button and three Shift presses take the pupil.
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"

# Highest Flesch-Kincaid grade a lesson may have (reading age about 11 = grade 6).
MAX_READING_GRADE = 7.0

# Outgoing e-mail for staff notifications. Empty MAIL_SERVER: notifications are not sent.
MAIL_SERVER = ""
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_FROM = "no-reply@localhost"

# Pupil records are deleted this many months after the pupil leaves (archived).
RETENTION_MONTHS_AFTER_LEAVING = 12

# --- Background jobs and the mail outbox (jobs.py, safeguarding/tasks.py) ---
# The job queue's SQLite file (Huey). Relative paths are beside DATABASE (the instance folder). Its own file,
# so the worker's polling never waits on the app's write lock.
JOBS_DATABASE = "jobs.sqlite"
# Keep the job queue in Redis instead (e.g. "redis://localhost:6379/0"), for more than one
# machine; needs `pip install redis`. Empty: the SQLite file above.
REDIS_URL = ""
# Threads in `flask jobs worker`: a hung mail server holds one thread, never a pupil.
JOBS_WORKERS = 2
# Seconds the worker waits on the mail server per step before the attempt counts as failed.
MAIL_TIMEOUT_SECONDS = 10
