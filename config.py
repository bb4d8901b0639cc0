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

# Flask-Limiter's store for the routes it still limits (sign-in has its own shared counting below).
# None: REDIS_URL when it is set (every app server counts together), else memory:// (one process).
RATELIMIT_STORAGE_URI = None

# Percentage needed to pass a lesson quiz when the quiz file does not set its own.
DEFAULT_PASS_MARK = 80

# Where the content lives: one subfolder per course (age route), named by the course id,
# in each of these two folders (course and lessons; quizzes).
TRAINING_CONTENT = "training/content"
QUIZ_CONTENT = "quizzes/content"
# The letter to parents and carers and the "If your child tells you" sheet (filled in per school).
RESOURCE_CONTENT = "training/content/letters"
# The RSHE statements lessons name in their `rshe:` list (the curriculum map; training/curriculum.py).
RSHE_STATEMENTS = "training/content/rshe-2025.yaml"
# The staff course (what to do when a pupil tells you), in folders of its own: every course under
# TRAINING_CONTENT is a pupils' course, so this one is kept apart and no pupil or class ever gets it.
STAFF_TRAINING_CONTENT = "training/staff-content"
STAFF_QUIZ_CONTENT = "quizzes/staff-content"


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

# --- Exports and requests ---
# Unknown certificate codes one address may try on /verify: guessing codes is slowed, real checks never are.
VERIFY_UNKNOWN_LIMIT = "10 per 10 minutes"
# Largest request body the app reads at all: the 1 MB roster upload (with its form) fits; nothing else comes near.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024

# --- Public address, hosts, sessions and sign-in throttling ---------------------------

# The site's public address, e.g. "https://training.example-school.uk". Every link that leaves a
# request (e-mails, QR codes, sign-in cards) is built from it, never from the Host header, which
# anyone can forge. Required outside development; its host is the only one served (see below).
PUBLIC_BASE_URL = ""

# Other host names the site may be reached by (e.g. ["localhost"] for a health check on the
# server itself). Outside development any other Host header is refused with 400.
EXTRA_TRUSTED_HOSTS = []

# How many reverse proxies (nginx, Caddy) sit in front of the app and set X-Forwarded-For and
# X-Forwarded-Proto. 0: none. Sign-in throttling counts per address, so behind a proxy this must
# be set, or every person would share the proxy's address.
TRUSTED_PROXIES = 0

# A signed-in session that has not been used for this long is ended (a school day: a shared
# computer left signed in is not signed in the next morning). In seconds.
SESSION_IDLE_LIMIT = 8 * 60 * 60

# Sign-in throttling. Failures are counted in the database, so every worker sees the same count.
# None: on when RATELIMIT_ENABLED is (the tests turn both off, then on where they test them).
SIGN_IN_THROTTLE = None
# Failures are counted over this sliding window, in seconds (and kept no longer than this).
SIGN_IN_WINDOW = 15 * 60
# Wrong passwords for one name from browsers it has not signed in on before, per window: then
# that name is paused for new browsers. The owner's own browser (device cookie) is not paused.
SIGN_IN_NAME_LIMIT = 5
# Wrong passwords from one browser that holds a device cookie for the name, per window: smaller,
# since it is one browser; then that browser is paused for that name.
SIGN_IN_DEVICE_LIMIT = 3
# Per address: a whole school often shares one address, and at the start of a lesson 30 pupils
# with new cards may mistype. 100 failures or 30 different names per window is far above what
# a few classes signing in at once produce, and still stops one machine guessing many names.
# Browsers with a device cookie for the name they type are never paused by the address cap.
SIGN_IN_ADDRESS_LIMIT = 100
SIGN_IN_ADDRESS_NAMES = 30
# How long the device cookie lasts (a school year and a bit), in days, and how many names one
# browser remembers (a shared classroom computer is used by many pupils).
DEVICE_COOKIE_DAYS = 400
DEVICE_COOKIE_NAMES = 10

# --- Background jobs and the mail outbox (jobs.py, safeguarding/tasks.py) ---
# The job queue's SQLite file (Huey). Relative paths are beside DATABASE (the instance folder). Its own file,
# so the worker's polling never waits on the app's write lock.
JOBS_DATABASE = "jobs.sqlite"
# Redis, for more than one app server (e.g. "redis://localhost:6379/0"): see the section below.
REDIS_URL = ""
# Threads in `flask jobs worker`: a hung mail server holds one thread, never a pupil.
JOBS_WORKERS = 2
# The longest an idle worker waits between looks at the SQLite queue (Huey's default, 10 s, was most
# of an import's wait for its cards); one indexed read of a small file each time.
JOBS_POLL_MAX_SECONDS = 0.25
# Seconds the worker waits on the mail server per step before the attempt counts as failed.
MAIL_TIMEOUT_SECONDS = 10

# --- The job worker's CPU priority (jobs.py) ---
# `flask jobs worker` lowers its own priority to this nice value (0-19) as it starts, so on a shared
# machine the web workers win the CPU and lessons stay quick while a big PDF builds. 0 leaves it.
JOBS_WORKER_NICE = 10
# Linux only: the worker also moves to the SCHED_IDLE class, so a web worker that wakes takes the CPU from
# it at once (with nice alone, the lesson's p95 under a whole-school PDF was still ~1.5x; with this ~1.2x).
JOBS_WORKER_SCHED_IDLE = True

# --- Which job workers are running (job_workers.py) ---
# Each `flask jobs worker` beats a heartbeat of its own this often. A job whose worker has not beaten for
# JOBS_WORKER_LEASE_SECONDS (a worker on another machine that died), or whose worker process on this host
# is no longer running (seen at once when a worker starts again), is tried again once or marked failed.
JOBS_WORKER_BEAT_SECONDS = 5
JOBS_WORKER_LEASE_SECONDS = 15

# --- Report jobs on the queue (progress/tasks.py) ---
# Per format, the number of pupils above which a report is built by the job worker, not in the request:
# every report by default (measured: progress/report_jobs.py, BACKGROUND_ABOVE, where the same default is).
REPORT_BACKGROUND_ABOVE = {"csv": 0, "xlsx": 0, "pdf": 0}
# Only for a job run outside `flask jobs worker` (`flask jobs run-pending`, tests), which names no worker:
# a running job whose heartbeat is this many seconds old was cut off, and the sweep tries it again once.
REPORT_JOB_LEASE_SECONDS = 120

# --- Sign-in with Google and Microsoft, class codes, staff MFA ---
# One app registration per provider serves every school (see README, "Sign-in with Google or
# Microsoft"); each school lists the Google Workspace domains and Microsoft tenants it accepts.
# Empty client id: that provider's button is not shown.
GOOGLE_CLIENT_ID = ""
GOOGLE_CLIENT_SECRET = ""
GOOGLE_METADATA_URL = "https://accounts.google.com/.well-known/openid-configuration"
MICROSOFT_CLIENT_ID = ""
MICROSOFT_CLIENT_SECRET = ""
# The multi-tenant ("organizations") endpoint: its issuer is templated with {tenantid}, filled
# from each token's tid claim before the issuer is checked.
MICROSOFT_METADATA_URL = "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"

# Google domains and Microsoft tenants that many schools share, so they never identify a school (accounts/oidc.py):
# Hwb, the Welsh Government's platform, gives every learner in Wales an account in one Google Workspace domain and
# one Microsoft tenant. Each school that uses it lists it on its sign-in settings; people are then matched only by a
# linked account, a verified e-mail on the class list, or a class code. Hwb's Microsoft tenant id is set by the
# operator (FLASK_HWB_MICROSOFT_TENANT in the environment, or instance/config.py), from Hwb's own documentation.
SHARED_SIGN_IN = {"google": ("hwbcymru.net",), "microsoft": ()}
HWB_MICROSOFT_TENANT = ""

# --- Class codes: pupils join a class with the code its teacher shows (classroom/class_codes.py) ---
# A code stops working by itself this many days after it is made or switched on: pupils join in the
# first lessons, and a code photographed off the projector should not stay open all year. The
# teacher switches it on again (same code) or makes a new one with one click.
CLASS_CODE_DAYS = 14
# Wrong codes one account (a pending Google/Microsoft sign-in, or a signed-in pupil) may type per
# SIGN_IN_WINDOW before joining is paused for it: plenty for typos, far too few to guess a code.
CLASS_CODE_TRY_LIMIT = 10
# None: counted when RATELIMIT_ENABLED is (tests turn it off, then on where they test it).
CLASS_CODE_THROTTLE = None

# --- Two-step sign-in for staff who sign in with a password ---
# On: DSLs and admins who sign in with a password must also type a code from an authenticator app,
# teachers too where their school asks. Off: nobody is asked (tests turn it off unless testing it).
# The app's secrets are stored encrypted with a key derived from SECRET_KEY: when rotating
# SECRET_KEY, put the old one in SECRET_KEY_FALLBACKS or every authenticator must be reset.
STAFF_MFA = True

# --- Class dashboard ---
# Rendered progress grids each web worker keeps, by everything they show (about 40 KiB each for a class
# of 30): a refresh with no new work skips the rendering. 0 keeps none.
GRID_HTML_CACHE = 64

# --- More than one app server: Redis ---
# REDIS_URL (above) set: the job queue, Flask-Limiter's counts and failed sign-ins live in Redis, so every
# app server shares them. Empty (the default): the SQLite queue file, memory:// and the database.
# Where sessions live: "database" (the default, None) or "redis". Both are shared by every app server. The
# database stays the default because every request reads the person and their school from it anyway (a
# suspended school signs its people out at once): Redis adds a round trip per page (+0.7 ms p50 measured)
# and saves only the sessions table's writes (one per sign-in, one per active session every 5 minutes).
SESSION_STORE = None
# Put before every key this app writes in Redis (sessions, failures, limits), so deployments can share one.
REDIS_PREFIX = "online-safety:"
# --- Trusts: a group of schools whose lead sees figures across them ---
# A school's figure that counts fewer pupils than this is shown as "fewer than N": in a tiny class a
# count or an average could point at one pupil (small-number suppression, as published statistics do).
TRUST_MIN_COUNT = 5
# The evidence pack (a class's or the school's, for governors and inspectors) applies the same small-number
# rule: a count of fewer pupils than this shows as "fewer than N" (small_numbers.py).
EVIDENCE_MIN_COUNT = 5
# A school's or trust's evidence pack is worked out by a job (progress/evidence_tasks.py), as the trust figures
# are: a page view older than this many minutes queues one job and shows the stored pack meanwhile; asking again
# (the button, or after a failed job) at most this often.
EVIDENCE_PACK_MINUTES = 15
EVIDENCE_PACK_REFRESH_MINUTES = 3
# The lead's figures are worked out by a job (seconds at trust scale, never in a web worker); a page view
# older than this many minutes queues one job to work them out again and shows the stored ones meanwhile.
TRUST_FIGURES_MINUTES = 15
# The lead's "Work out the figures again now" (and a retry after a failed job) at most this often per
# trust and route: each is seconds of a worker's time.
TRUST_FIGURES_REFRESH_MINUTES = 3
# --- The operator's console ---
# An invite link (a school's first admin, a new operator) works once, for this many days: long enough
# for a holiday, short enough that an old e-mail in a forwarded thread is no key to the service.
INVITE_DAYS = 7
# A school's offboarding export (a ZIP of everything it holds) can be downloaded this long, like a report.
SCHOOL_EXPORT_HOURS = 24
# --- Live lessons ---
# Each following device's poll writes its last-seen time at most this often, in seconds, so a
# class polling every second is not a write a second per pupil; the presenter counts a device as following
# while its last poll is within three times this.
LIVE_SEEN_SECONDS = 10
# Where pupils' devices wait for the teacher's moves: the event server (`flask live events`, live/events.py).
# Behind the same proxy as the app, a path such as "/live-events" (route it to the event server's port);
# or a full URL on another port, such as "http://127.0.0.1:5001" (`make run`). Unset, devices poll the app
# about once a second instead, which is fine for a few classes at once (see README "Live lessons").
LIVE_EVENTS_URL = ""
