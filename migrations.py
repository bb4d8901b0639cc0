"""The schema's history: append-only sqlite_utils.Migrations, applied in order by `flask init-db`.

Never edit a migration that has shipped: add a new one. A table that holds people's records
is never dropped or rebuilt with data loss.
"""

from sqlite_utils.migrations import Migrations

from db import widen_check

migrations = Migrations("training")


@migrations()
def m001_schools_and_people(db):
    db.executescript(
        """
        CREATE TABLE schools (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            dsl_name TEXT,                     -- shown in the help panel
            dsl_where TEXT,                    -- where pupils can find the DSL
            created_at TEXT NOT NULL
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            role TEXT NOT NULL CHECK (role IN ('pupil', 'teacher', 'dsl', 'admin')),
            username TEXT UNIQUE,              -- pupils sign in with this; they have no e-mail
            email TEXT UNIQUE COLLATE NOCASE,  -- staff sign in with this
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL DEFAULT '',
            year_group INTEGER,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_active_at TEXT,
            archived_at TEXT,                  -- left the school; retention counts from here
            CHECK (username IS NOT NULL OR email IS NOT NULL)
        );
        CREATE INDEX people_school_role ON people(school_id, role);

        CREATE TABLE classes (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            name TEXT NOT NULL,
            year_group INTEGER,
            created_at TEXT NOT NULL,
            archived_at TEXT,
            UNIQUE (school_id, name)
        );
        CREATE TABLE class_teachers (
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            PRIMARY KEY (class_id, person_id)
        );
        CREATE TABLE class_pupils (
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            PRIMARY KEY (class_id, person_id)
        );
        CREATE INDEX class_pupils_person ON class_pupils(person_id);
        """
    )


@migrations()
def m002_progress_and_attempts(db):
    db.executescript(
        """
        -- One row per pupil per lesson: where they are and whether it is complete.
        CREATE TABLE lesson_progress (
            pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            course_id TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            current_step INTEGER NOT NULL,
            furthest_step INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            PRIMARY KEY (pupil_id, lesson_id)
        );
        -- One row per submitted quiz. `token` comes from the form, so a double click or a
        -- resubmitted page finds the attempt it already made instead of making another.
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            course_id TEXT NOT NULL,
            quiz_id TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('lesson', 'baseline', 'final')),
            content_version TEXT NOT NULL,     -- hash of the question file when answered
            token TEXT NOT NULL,
            score INTEGER NOT NULL,
            max_score INTEGER NOT NULL,
            percent INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            submitted_at TEXT NOT NULL,
            UNIQUE (pupil_id, token)
        );
        CREATE INDEX attempts_pupil_quiz ON attempts(pupil_id, quiz_id);
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            question_type TEXT NOT NULL,
            topic TEXT,
            response TEXT NOT NULL,            -- JSON: the option ids chosen, or id -> position
            correct INTEGER NOT NULL
        );
        CREATE INDEX answers_attempt ON answers(attempt_id);
        CREATE INDEX answers_question ON answers(question_id);

        -- Confidence answers carry no pupil: they are reported as class totals only.
        CREATE TABLE confidence_responses (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            course_id TEXT NOT NULL,
            item_key TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('baseline', 'lesson', 'final')),
            value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
            answered_on TEXT NOT NULL          -- a date, not a time, so it cannot be matched to a sign-in
        );
        CREATE TABLE confidence_response_classes (
            response_id INTEGER NOT NULL REFERENCES confidence_responses(id) ON DELETE CASCADE,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            PRIMARY KEY (response_id, class_id)
        );
        """
    )


@migrations()
def m003_certificates(db):
    db.executescript(
        """
        -- An issued certificate never changes: the PDF is rendered once and kept.
        -- Erasing a pupil clears the personal columns and the PDF but keeps the code,
        -- so the verify page can say "no longer held".
        CREATE TABLE certificates (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            pupil_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            course_id TEXT NOT NULL,
            course_title TEXT NOT NULL,
            pupil_name TEXT,
            pupil_initials TEXT,
            school_name TEXT NOT NULL,
            score INTEGER,
            issued_at TEXT NOT NULL,
            pdf BLOB,
            revoked_at TEXT,
            revoked_reason TEXT,
            revoked_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            erased_at TEXT
        );
        CREATE INDEX certificates_pupil ON certificates(pupil_id);
        """
    )


@migrations()
def m004_safeguarding(db):
    db.executescript(
        """
        -- The help panel's routes, per school, editable by the school's admin.
        CREATE TABLE help_routes (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            phone TEXT,                        -- shown as a tel: link
            sms TEXT,                          -- a number to text
            url TEXT
        );
        CREATE INDEX help_routes_school ON help_routes(school_id, position);

        CREATE TABLE talk_requests (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            addressed_to TEXT NOT NULL CHECK (addressed_to IN ('dsl', 'teacher')),
            teacher_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            urgency TEXT NOT NULL,
            message TEXT,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'seen', 'in-progress', 'closed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX talk_requests_school ON talk_requests(school_id, status);
        CREATE TABLE talk_request_actions (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES talk_requests(id) ON DELETE CASCADE,
            staff_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        -- Who looked at or changed what. Kept when the subject is erased.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            staff_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            action TEXT NOT NULL,
            subject_type TEXT NOT NULL,
            subject_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX audit_log_school ON audit_log(school_id, created_at);
        """
    )


@migrations()
def m005_report_jobs(db):
    db.executescript(
        """
        -- Reports too large to build inside a request are built in the background.
        CREATE TABLE report_jobs (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            requested_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            class_id INTEGER REFERENCES classes(id) ON DELETE CASCADE,
            format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
            date_from TEXT,
            date_to TEXT,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress INTEGER NOT NULL DEFAULT 0,
            filename TEXT,
            content BLOB,
            error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        """
    )


@migrations()
def m006_classroom_roster(db):
    db.executescript(
        """
        -- An uploaded roster between preview and confirm: the parsed rows, never the file.
        -- Only its uploader can confirm it; deleted when confirmed, and after an hour anyway.
        CREATE TABLE roster_imports (
            token TEXT PRIMARY KEY,            -- random; in the preview page's address
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            staff_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            encoding TEXT NOT NULL,
            rows TEXT NOT NULL,                -- JSON: row number, names, year group, username
            created_at TEXT NOT NULL
        );
        -- Sign-in cards carry one-time passwords, known only when made: the PDF is kept
        -- for its maker to download for a short time, then deleted.
        CREATE TABLE card_batches (
            token TEXT PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            staff_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            pupils INTEGER NOT NULL,
            pdf BLOB NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m007_sessions_and_sign_in_throttle(db):
    db.executescript(
        """
        -- One row per sign-in, so a session can be ended from the server (sign-out, password
        -- reset, archive, sign out everywhere). The cookie carries a random session id; only its
        -- SHA-256 is stored, so a copy of the database (a backup, a report gone astray) holds no
        -- session anyone could use.
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,               -- sha256 of the session id in the cookie
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,        -- written at most every few minutes
            user_agent TEXT NOT NULL DEFAULT '', -- a summary such as "Chrome on Windows"
            ended_at TEXT
        );
        CREATE INDEX sessions_person ON sessions(person_id, ended_at);

        -- Failed sign-ins, shared by every worker. Names are stored as a keyed hash (a pupil may
        -- type their password into the name box); rows older than the window are deleted.
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            name_key TEXT NOT NULL,
            address TEXT NOT NULL,
            device TEXT,                       -- the device cookie's id, if it held one for the name
            failed_at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_name ON sign_in_failures(name_key, failed_at);
        CREATE INDEX sign_in_failures_address ON sign_in_failures(address, failed_at, name_key);
        CREATE INDEX sign_in_failures_device ON sign_in_failures(device, failed_at);
        CREATE INDEX sign_in_failures_time ON sign_in_failures(failed_at);
        """
    )


@migrations()
def m009_outbox_and_dsl_alerts(db):
    db.executescript(
        """
        -- Mail waits here and a worker sends it: a slow or hung mail server never holds a pupil.
        -- Never a pupil's name or message: the talk notification does not carry them.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            school_id INTEGER REFERENCES schools(id) ON DELETE CASCADE,
            recipients TEXT NOT NULL,          -- JSON list of addresses
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            sending_since TEXT,                -- set while a worker sends; left behind by a crash
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE INDEX outbox_school ON outbox(school_id, status);
        -- A deputy DSL has role 'dsl' (they see and get everything the DSL does); this only labels them.
        ALTER TABLE people ADD COLUMN dsl_deputy INTEGER NOT NULL DEFAULT 0;
        -- When a request nobody opened in time was sent again to every DSL (once).
        ALTER TABLE talk_requests ADD COLUMN overdue_notified_at TEXT;
        """
    )


@migrations()
def m010_course_routes(db):
    # Two age routes are two courses. A class follows one (its route), by default from its year
    # group: Years 7-8 the younger route, Years 9-13 the older, no year group the younger.
    # The single course 'online-blackmail' became the younger route with the same lesson ids,
    # so its rows are renamed, never dropped: pupils keep their progress and certificates.
    db.execute("ALTER TABLE classes ADD COLUMN course_id TEXT")
    db.execute(
        """
        UPDATE classes SET course_id = CASE
            WHEN year_group BETWEEN 9 AND 13 THEN 'online-blackmail-14-18'
            ELSE 'online-blackmail-11-13' END
        """
    )
    for table in ("lesson_progress", "attempts", "certificates", "confidence_responses"):
        db.execute(
            f"UPDATE {table} SET course_id = 'online-blackmail-11-13' WHERE course_id = 'online-blackmail'"  # noqa: S608
        )


@migrations()
def m011_option_order(db):
    db.executescript(
        """
        -- The order the pupil saw the options in (JSON list of option ids), so feedback, the
        -- pupil's record and the re-teach page show what they saw. NULL: saved before orders
        -- were kept, shown in file order.
        ALTER TABLE answers ADD COLUMN option_order TEXT;

        -- Belief (attitude) answers carry no pupil, like confidence answers: class totals only.
        CREATE TABLE belief_responses (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            course_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('baseline', 'lesson', 'final')),
            option_id TEXT NOT NULL,
            answered_on TEXT NOT NULL          -- a date, not a time, so it cannot be matched to a sign-in
        );
        CREATE TABLE belief_response_classes (
            response_id INTEGER NOT NULL REFERENCES belief_responses(id) ON DELETE CASCADE,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            PRIMARY KEY (response_id, class_id)
        );
        """
    )


@migrations()
def m012_help_routes_second_edition(db):
    # CEOP is part of the National Crime Agency, not "the police": reword the default where a
    # school kept it. Schools get the two over-18 routes the 14-18 route teaches, at the end.
    # The values are written out here, not imported: a migration must not change when code does.
    ceop_detail = "Report online sexual abuse or blackmail to CEOP, part of the National Crime Agency."
    over_18_routes = (
        {"title": "StopNCII", "detail": "18 or over? Stop intimate images of you being shared.",
         "url": "https://stopncii.org"},
        {"title": "Revenge Porn Helpline", "detail": "18 or over? Advice if intimate images are shared or threatened.",
         "url": "https://revengepornhelpline.org.uk"},
    )  # fmt: skip
    old_ceop = "Report online sexual abuse or blackmail to the police's CEOP Safety Centre."
    db.execute("UPDATE help_routes SET detail = ? WHERE detail = ?", [ceop_detail, old_ceop])
    for (school_id,) in db.execute("SELECT id FROM schools").fetchall():
        last = db.execute("SELECT COALESCE(MAX(position), 0) FROM help_routes WHERE school_id = ?", [school_id])
        position = last.fetchone()[0]
        for route in over_18_routes:
            exists = db.execute(
                "SELECT 1 FROM help_routes WHERE school_id = ? AND title = ?", [school_id, route["title"]]
            ).fetchone()
            if not exists:
                position += 1
                db["help_routes"].insert({"school_id": school_id, "position": position, "phone": None, **route})


@migrations()
def m013_report_jobs_on_the_queue(db):
    # Report files and sign-in cards are made by the job worker (classroom/tasks.py); the row is the
    # job's durable state. The worker beats a heartbeat while it builds, so a sweep can tell a job
    # cut off by a crash (retried once, then failed with a message) from one still running.
    for column, kind in (("course_id", "TEXT"), ("started_at", "TEXT"), ("heartbeat_at", "TEXT"),
                         ("attempts", "INTEGER NOT NULL DEFAULT 0")):  # fmt: skip
        db.execute(f"ALTER TABLE report_jobs ADD COLUMN {column} {kind}")
    # A card batch is queued by the page and made by the worker (passwords hashed, pupils saved and
    # the PDF stored in one transaction). Existing batches were made in the request: done.
    for column, kind in (("status", "TEXT NOT NULL DEFAULT 'done'"), ("progress", "INTEGER NOT NULL DEFAULT 100"),
                         ("error", "TEXT"), ("kind", "TEXT"), ("import_token", "TEXT"), ("heartbeat_at", "TEXT"),
                         ("attempts", "INTEGER NOT NULL DEFAULT 0")):  # fmt: skip
        db.execute(f"ALTER TABLE card_batches ADD COLUMN {column} {kind}")
    # One batch per confirmed preview: a second click on Confirm finds the first batch.
    db.execute("CREATE UNIQUE INDEX card_batches_import ON card_batches(import_token)")


@migrations()
def m014_report_indexes(db):
    # A class's confidence and belief totals start from the class's links: the primary keys
    # lead with response_id, so without these every link of every class was read.
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS confidence_response_classes_class
            ON confidence_response_classes(class_id, response_id);
        CREATE INDEX IF NOT EXISTS belief_response_classes_class
            ON belief_response_classes(class_id, response_id);
        """
    )


@migrations()
def m015_school_settings_version(db):
    # The help panel (routes, the DSL's name and where) is cached per worker process; this number
    # tells a worker its copy is stale. Triggers bump it in the same transaction as any change, so
    # no code path (admin pages, migrations, scripts) can edit the panel and forget to.
    db.execute("ALTER TABLE schools ADD COLUMN settings_version INTEGER NOT NULL DEFAULT 0")
    bump = "UPDATE schools SET settings_version = settings_version + 1 WHERE id = {row}.school_id;"
    for trigger in (
        f"CREATE TRIGGER help_routes_inserted AFTER INSERT ON help_routes BEGIN {bump.format(row='NEW')} END",
        f"CREATE TRIGGER help_routes_updated AFTER UPDATE ON help_routes "
        f"BEGIN {bump.format(row='OLD')} {bump.format(row='NEW')} END",
        f"CREATE TRIGGER help_routes_deleted AFTER DELETE ON help_routes BEGIN {bump.format(row='OLD')} END",
        "CREATE TRIGGER school_settings_updated AFTER UPDATE OF name, dsl_name, dsl_where ON schools "
        "BEGIN UPDATE schools SET settings_version = settings_version + 1 WHERE id = NEW.id; END",
    ):
        db.execute(trigger)


@migrations()
def m016_certificate_jobs(db):
    # A class's certificates, merged into one PDF, are made by the job worker on a report_jobs row
    # (same progress, download, sweep and expiry as a report); `kind` tells the worker which.
    db.execute("ALTER TABLE report_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'report'")


@migrations()
def m017_identities_and_sign_in_settings(db):
    # Sign-in with Google or Microsoft. An identity is the provider's issuer and subject (never its
    # tokens), linked to one person. A school accepts the Google Workspace domains (the `hd` claim)
    # and Microsoft tenants (the `tid` claim) it lists here; each belongs to one school, which is
    # how a sign-in finds its school.
    db.executescript(
        """
        CREATE TABLE identities (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
            issuer TEXT NOT NULL,
            subject TEXT NOT NULL,
            email TEXT,                        -- as the provider last sent it, verified
            linked_at TEXT NOT NULL,
            last_used_at TEXT,
            UNIQUE (issuer, subject)
        );
        CREATE INDEX identities_person ON identities(person_id);
        CREATE TABLE school_sign_in_domains (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
            value TEXT NOT NULL COLLATE NOCASE,   -- a Google domain, or a Microsoft tenant id
            added_at TEXT NOT NULL,
            UNIQUE (provider, value)
        );
        """
    )


@migrations()
def m018_class_codes(db):
    # A class's code, shown by its teacher for pupils to join (classroom/class_codes.py). A class has
    # at most one current code (replaced_at IS NULL); "Make a new code" replaces it. Codes are never
    # reused, so an old one can only ever say "not in use". A code stops by itself at expires_at
    # unless the teacher switches it on again. class_code_joins is who joined with which code, for
    # the teacher's screen. Pupils' roster e-mails go in people.email (already UNIQUE, NOCASE).
    db.executescript(
        """
        CREATE TABLE class_codes (
            id INTEGER PRIMARY KEY,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            code TEXT NOT NULL UNIQUE,
            made_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            switched_off_at TEXT,
            replaced_at TEXT
        );
        CREATE UNIQUE INDEX class_codes_current ON class_codes(class_id) WHERE replaced_at IS NULL;
        CREATE TABLE class_code_joins (
            id INTEGER PRIMARY KEY,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES class_codes(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            new_account INTEGER NOT NULL DEFAULT 0,   -- 1: the pupil's account was made by joining
            joined_at TEXT NOT NULL
        );
        CREATE INDEX class_code_joins_class ON class_code_joins(class_id, joined_at);
        CREATE INDEX class_code_joins_person ON class_code_joins(person_id);
        """
    )


@migrations()
def m019_staff_mfa(db):
    # Two-step sign-in for staff who sign in with a password. The TOTP secret is stored
    # encrypted (accounts/mfa.py); totp_last_step is the last 30-second step whose code was used,
    # so the same code cannot be used twice. Recovery codes are stored hashed, each used once.
    # A pending step (password matched, code not yet typed; or a new secret being confirmed) is
    # kept here, not only in the session cookie, so its wrong-code count cannot be reset by
    # replaying an old cookie.
    db.executescript(
        """
        ALTER TABLE people ADD COLUMN totp_secret TEXT;
        ALTER TABLE people ADD COLUMN totp_set_up_at TEXT;
        ALTER TABLE people ADD COLUMN totp_last_step INTEGER;
        ALTER TABLE schools ADD COLUMN mfa_for_teachers INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE mfa_recovery_codes (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX mfa_recovery_codes_person ON mfa_recovery_codes(person_id);
        CREATE TABLE mfa_pending (
            key TEXT PRIMARY KEY,              -- SHA-256 of the random token in the session
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            purpose TEXT NOT NULL CHECK (purpose IN ('sign-in', 'account')),
            started_at TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            new_secret TEXT                    -- encrypted; a secret shown for set-up, not yet confirmed
        );
        CREATE INDEX mfa_pending_person ON mfa_pending(person_id);
        """
    )


@migrations()
def m020_sign_in_flows(db):
    # A Google or Microsoft sign-in in progress: what its callback needs (PKCE verifier, nonce),
    # keyed by a hash of its state. The browser's session holds the state (binding the flow to that
    # browser); used_at makes the state single-use even when a copied cookie still carries it.
    # Rows are deleted an hour after they start; the provider's tokens are never stored.
    db.executescript(
        """
        CREATE TABLE sign_in_flows (
            state_hash TEXT PRIMARY KEY,
            provider TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
            purpose TEXT NOT NULL CHECK (purpose IN ('sign-in', 'try', 'link')),
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,  -- the admin, for "Try it"
            nonce TEXT NOT NULL,
            code_verifier TEXT NOT NULL,
            redirect_uri TEXT NOT NULL,
            next_path TEXT,
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX sign_in_flows_created ON sign_in_flows(created_at);
        """
    )


@migrations()
def m021_organisations(db):
    # Many schools on one service. A trust (a group of schools) and the operator's own team
    # are rows of `schools` with their own kind, so their people sign in, pass two-step checks, keep
    # server-side sessions and are managed on the Staff page exactly as a school's staff are: a trust
    # lead is an admin of a 'trust' row, an operator an admin of the one 'operator' row. A school
    # belongs to at most one trust (trust_id). Suspending a school stops its people signing in;
    # offboarding erases what it holds and keeps only the row, so its certificates verify as no longer held.
    db.executescript(
        """
        ALTER TABLE schools ADD COLUMN kind TEXT NOT NULL DEFAULT 'school'
            CHECK (kind IN ('school', 'trust', 'operator'));
        ALTER TABLE schools ADD COLUMN trust_id INTEGER REFERENCES schools(id);
        ALTER TABLE schools ADD COLUMN suspended_at TEXT;
        ALTER TABLE schools ADD COLUMN offboarded_at TEXT;
        CREATE INDEX schools_trust ON schools(trust_id);
        """
    )


@migrations()
def m022_invites(db):
    # The operator's console. An invite is a one-time link e-mailed to a new admin of a school
    # or a new operator: only a hash of its token is stored, it expires (INVITE_DAYS) and is used once
    # (used_at, set by one conditional UPDATE); a resend withdraws the old link. The invited person is a
    # `people` row from the start, with a password nobody knows, until they choose one through the link.
    # Offboarding a school erases everything it holds; offboarded_certificates keeps only a hash of each
    # of its certificate codes and the school, so /verify can say who issued it and that it is no longer
    # held. school_exports holds the ZIP of everything a school holds, made before it is erased.
    db.executescript(
        """
        CREATE TABLE invites (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,    -- SHA-256 of the token in the link
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            sent_by INTEGER REFERENCES people(id) ON DELETE SET NULL,   -- NULL: the command line
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            withdrawn_at TEXT                   -- a newer link was sent
        );
        CREATE INDEX invites_person ON invites(person_id);
        CREATE INDEX invites_school ON invites(school_id);
        CREATE TABLE offboarded_certificates (
            code_hash TEXT PRIMARY KEY,         -- SHA-256 of the certificate code
            school_id INTEGER NOT NULL REFERENCES schools(id)
        );
        CREATE TABLE school_exports (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            requested_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            heartbeat_at TEXT,
            filename TEXT,
            content BLOB,
            error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            expires_at TEXT
        );
        CREATE INDEX school_exports_school ON school_exports(school_id, created_at);

        -- Deleting a person checks every column that refers to people. Without an index on a column, SQLite
        -- reads that whole table for each person deleted: erasing a school of 1,040 people held the write
        -- lock for 44 s here (40 schools, 20,000 certificates), nearly all on certificates.revoked_by. Mostly
        -- empty columns get partial indexes, which SQLite uses for these checks (measured: 0.015 s for 100).
        CREATE INDEX class_teachers_person ON class_teachers(person_id);
        CREATE INDEX certificates_revoked_by ON certificates(revoked_by) WHERE revoked_by IS NOT NULL;
        CREATE INDEX talk_requests_pupil ON talk_requests(pupil_id);
        CREATE INDEX talk_requests_teacher ON talk_requests(teacher_id) WHERE teacher_id IS NOT NULL;
        CREATE INDEX talk_request_actions_request ON talk_request_actions(request_id);
        CREATE INDEX talk_request_actions_staff ON talk_request_actions(staff_id) WHERE staff_id IS NOT NULL;
        CREATE INDEX audit_log_staff ON audit_log(staff_id) WHERE staff_id IS NOT NULL;
        CREATE INDEX report_jobs_requested_by ON report_jobs(requested_by) WHERE requested_by IS NOT NULL;
        CREATE INDEX roster_imports_staff ON roster_imports(staff_id);
        CREATE INDEX card_batches_staff ON card_batches(staff_id);
        CREATE INDEX class_codes_made_by ON class_codes(made_by) WHERE made_by IS NOT NULL;
        CREATE INDEX class_code_joins_code ON class_code_joins(code_id);
        CREATE INDEX sign_in_flows_person ON sign_in_flows(person_id) WHERE person_id IS NOT NULL;
        CREATE INDEX invites_sent_by ON invites(sent_by) WHERE sent_by IS NOT NULL;
        CREATE INDEX school_exports_requested_by ON school_exports(requested_by) WHERE requested_by IS NOT NULL;
        """
    )


@migrations()
def m023_trust_figures(db):
    # A trust lead's figures, worked out by a job (trusts/tasks.py), never in a web worker: at trust scale
    # (40 schools, a million answers) the queries take seconds. One row per trust and route holds the raw
    # grouped query rows as JSON (the rules, suppression included, run on them at view time) and the job's
    # state, as report jobs keep theirs (job_rows.py): queued -> running -> done or failed.
    # computed_at: when the stored rows were worked out ("Figures as of"); queued_at: when a job was last
    # asked for, so a page view or the lead's button queues at most one, and not more often than a few minutes.
    db.executescript(
        """
        CREATE TABLE trust_figures (
            id INTEGER PRIMARY KEY,
            trust_id INTEGER NOT NULL REFERENCES schools(id),
            course_id TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            heartbeat_at TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            computed_at TEXT,
            table_rows TEXT,                   -- JSON: trusts.queries.figure_rows
            answer_rows TEXT,                  -- JSON: trusts.queries.first_answer_counts
            UNIQUE (trust_id, course_id)
        );
        """
    )


@migrations()
def m024_quiz_reviews(db):
    # After two failed attempts in a row at a quiz, the pupil goes back over the lesson steps that teach what
    # they missed (quizzes/review.py). One row each time they finish a review and try again: failed attempts
    # count afresh from `attempt_id`, the latest attempt when they reviewed (a watermark, not a foreign key:
    # the row goes with the pupil, like their attempts).
    db.executescript(
        """
        CREATE TABLE quiz_reviews (
            id INTEGER PRIMARY KEY,
            pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            course_id TEXT NOT NULL,
            quiz_id TEXT NOT NULL,
            phase TEXT NOT NULL,
            attempt_id INTEGER NOT NULL,
            reviewed_at TEXT NOT NULL
        );
        CREATE INDEX quiz_reviews_pupil_quiz ON quiz_reviews(pupil_id, quiz_id, phase);
        """
    )


@migrations()
def m025_recheck(db):
    # A delayed re-check: a class's teacher sets the day (an ISO date, UK) from which the class's pupils
    # who have done the final check take the checks again, once, as phase 'recheck' (a retention measure).
    # The phase CHECKs are loosened in place: these tables hold pupils' answers and are never rebuilt.
    db.execute("ALTER TABLE classes ADD COLUMN recheck_on TEXT")
    phases = "'lesson', 'baseline', 'final'"
    widen_check(db, "attempts", "phase", f"phase IN ({phases})", f"phase IN ({phases}, 'recheck')")
    phases = "'baseline', 'lesson', 'final'"
    for table in ("confidence_responses", "belief_responses"):
        widen_check(db, table, "phase", f"phase IN ({phases})", f"phase IN ({phases}, 'recheck')")


@migrations()
def m026_resource_pdfs(db):
    # The letter to parents and carers and the "If your child tells you" sheet, filled in for a school and a
    # route (training/resources.py). Each is rendered once per distinct inputs and the bytes kept, so later
    # downloads serve stored bytes: inputs_hash is a SHA-256 of the filled HTML and stylesheet (the school's
    # name, the DSL's names, the route's wording and the text's version). A newer render for the same school,
    # resource and route replaces the older one, so a name that changed does not linger.
    db.executescript(
        """
        CREATE TABLE resource_pdfs (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            resource TEXT NOT NULL,             -- 'letter-to-parents' or 'if-your-child-tells-you'
            course_id TEXT NOT NULL,
            inputs_hash TEXT NOT NULL,
            pdf BLOB NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (school_id, inputs_hash)
        );
        """
    )


@migrations()
def m027_help_routes_third_edition(db):
    # Take It Down does not take images down: it fingerprints an image on the young person's own
    # device for the apps that take part; Report Remove can block an image before it is posted.
    # Reword the defaults where a school kept them; a school's own words stay. Written out here,
    # not imported: a migration must not change when code does.
    rewordings = (
        ("Under 18? Get nude images of you taken down (Childline and the IWF).",
         "Under 18? Get a nude image of you removed, or blocked before it is posted (Childline and the IWF)."),
        ("Get images taken before you were 18 taken down (NCMEC).",
         "Taken before you were 18? Makes a digital fingerprint of the image on your own device, "
         "so the apps that take part can stop it being shared (NCMEC)."),
    )  # fmt: skip
    for old, new in rewordings:
        db.execute("UPDATE help_routes SET detail = ? WHERE detail = ?", [new, old])


@migrations()
def m028_offboarded_certificates_revoked(db):
    # An offboarded school's certificate codes are kept (as hashes) so /verify can still answer; without the
    # day a certificate was revoked, a withdrawn certificate read as genuine once its school's rows were gone.
    # Only the day is kept, not the reason or who revoked it. Schools offboarded before this kept no such day.
    db.execute("ALTER TABLE offboarded_certificates ADD COLUMN revoked_at TEXT")


@migrations()
def m029_job_workers(db):
    # Which job worker runs each job (job_workers.py): every `flask jobs worker` registers itself and beats a
    # heartbeat of its own every few seconds, and each job table's row records the worker that claimed it.
    # A job whose worker is gone (a process on this host that is not running any more, or no heartbeat for a
    # few seconds) is retried or failed at once, not after the two-minute lease on the job's own heartbeat.
    db.executescript(
        """
        CREATE TABLE job_workers (
            id TEXT PRIMARY KEY,               -- a random id per worker process
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            pid_started TEXT,                  -- the process's start (Linux /proc), so a reused pid is told apart
            started_at TEXT NOT NULL,
            beat_at TEXT NOT NULL
        );
        """
    )
    for table in ("report_jobs", "card_batches", "trust_figures", "school_exports"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN worker_id TEXT")
    # A certificate issued again after a revoke is rendered by the job worker too, on a report_jobs row of kind
    # 'reissue' (certificates/tasks.py): the pupil it is for.
    db.execute("ALTER TABLE report_jobs ADD COLUMN pupil_id INTEGER REFERENCES people(id) ON DELETE CASCADE")
    db.execute("CREATE INDEX report_jobs_pupil ON report_jobs(pupil_id)")  # erasing a pupil finds their rows


@migrations()
def m030_live_lessons(db):
    # A live lesson (live/): a class's teacher leads one lesson and each pupil follows on their own device.
    # One row per session holds the whole shared state; `version` goes up on every teacher's move, so a pupil's
    # poll is one primary-key read answered 304 while it is unchanged. At most one open session per class (the
    # partial unique index); one left an hour without a move counts as ended when next read, and `ended_at` is
    # written then. `taught_on` is the UK day it was taught: the evidence of teaching a school must keep.
    # Attendance is who followed on a device and who the teacher ticked as there without one ('no device').
    # `seen_at` is a device's latest poll, written at most every few seconds: the presenter counts followers
    # from it, never who they are. `attempt_id` is the pupil's answers given in the session (their own attempt,
    # the same record as self-paced work). The class's answer totals are kept without the pupil, as counts.
    db.executescript(
        """
        CREATE TABLE live_sessions (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            course_id TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            started_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            position INTEGER NOT NULL DEFAULT 0,  -- 0 ground rules, 1..n the steps, n+1 talk, n+2 quiz, n+3 close
            paused INTEGER NOT NULL DEFAULT 0,
            answers_shown INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            started_at TEXT NOT NULL,
            moved_at TEXT NOT NULL,
            ended_at TEXT,
            taught_on TEXT NOT NULL
        );
        CREATE UNIQUE INDEX live_sessions_open ON live_sessions(class_id) WHERE ended_at IS NULL;
        CREATE INDEX live_sessions_class ON live_sessions(class_id, taught_on);
        CREATE INDEX live_sessions_started_by ON live_sessions(started_by);  -- erasing a person finds their rows
        CREATE TABLE live_attendance (
            session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            how TEXT NOT NULL CHECK (how IN ('device', 'no device')),
            joined_at TEXT NOT NULL,
            seen_at TEXT,
            attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
            PRIMARY KEY (session_id, pupil_id)
        );
        CREATE INDEX live_attendance_pupil ON live_attendance(pupil_id);
        CREATE INDEX live_attendance_attempt ON live_attendance(attempt_id);
        CREATE TABLE live_answer_totals (
            session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            choice TEXT NOT NULL,              -- an option id, 'right' or 'not right' (order), 1 to 5 (confidence)
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, question_id, choice)
        );
        """
    )


@migrations()
def m031_parents_view(db):
    # The parents' view: every lesson, question and teacher note of both routes, public and read only, at
    # /parents/<public_slug>/ (training/parents_views.py). The slug is the school's public name for it (from its
    # name when first needed, never its id, and kept when the name changes: printed letters carry it). A school's
    # admin can turn the view off (parents_view = 0); parents_contact is who parents ask to see the materials
    # instead (the RSHE guidance lets parents see them on request), shown when the view is off.
    db.executescript(
        """
        ALTER TABLE schools ADD COLUMN public_slug TEXT;
        ALTER TABLE schools ADD COLUMN parents_view INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE schools ADD COLUMN parents_contact TEXT;
        CREATE UNIQUE INDEX schools_public_slug ON schools(public_slug);
        """
    )


@migrations()
def m032_evidence_packs(db):
    # The evidence pack of a school (for its admins and DSLs), a trust (for its leads) or a class (its PDF), worked
    # out by a job (progress/evidence_tasks.py), never in a web worker: a school of 2,000 pupils' PDF takes
    # WeasyPrint seconds, a class's most of a second, a trust's 40,000 pupils' counts more. One row per school or
    # trust (both are schools rows; class_id 0) or class holds the job's state, as trust_figures does (job_rows.py),
    # and the raw counts per statement as JSON (no names, no pupil ids): the small-number rule runs on them at view
    # time. The PDF is drawn by the same job with the small-number minimum of the day, kept beside it.
    db.executescript(
        """
        CREATE TABLE evidence_packs (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            class_id INTEGER NOT NULL DEFAULT 0,   -- a class's own pack (its PDF); 0: the school's or trust's
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            heartbeat_at TEXT,
            worker_id TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            computed_at TEXT,
            tally TEXT,                        -- JSON: progress.evidence.tally_json / trust_tally_json
            pdf BLOB,
            pdf_minimum INTEGER,               -- the small-number minimum the PDF was drawn with
            UNIQUE (school_id, class_id)
        );
        """
    )


@migrations()
def m033_staff_course_required(db):
    # A school's setting: staff must complete the staff course (what to do when a pupil tells you) before they
    # start a live lesson or set a class's course. Off by default, so no school's teaching stops on upgrade. Staff's
    # own progress, attempts and certificates for that course sit in the pupils' tables (keyed by people.id, with
    # the staff course's id), so erasure, offboarding and the verify page cover them with no change.
    db.execute("ALTER TABLE schools ADD COLUMN staff_course_required INTEGER NOT NULL DEFAULT 0")


@migrations()
def m034_languages(db):
    # The language each person chose (NULL: they have not chosen, so their school's default or their browser
    # decides) and the school's default for its people (English for every school, as before; NULL when its admin
    # lets each person's browser decide). No CHECK: the codes are checked in languages.py, so adding a language
    # needs no migration.
    db.execute("ALTER TABLE people ADD COLUMN language TEXT")
    db.execute("ALTER TABLE schools ADD COLUMN language TEXT DEFAULT 'en'")


@migrations()
def m035_nations(db):
    # The school's nation (nations.py): what its pages call the safeguarding lead (the designated senior person in
    # Wales) and which help routes it starts with (Wales adds Meic). England for every existing school, as before.
    # No CHECK: the codes are checked in nations.py.
    db.execute("ALTER TABLE schools ADD COLUMN nation TEXT NOT NULL DEFAULT 'england'")


@migrations()
def m036_shared_sign_in(db):
    # A Google domain or Microsoft tenant many schools share (SHARED_SIGN_IN: Hwb, which gives every learner in Wales
    # an account in one tenant and one domain), listed by each school that uses it. It never identifies a school:
    # a person signing in through it is matched by their linked account, a verified e-mail on the class list, or a
    # class code, and only at a school listed here.
    db.execute(
        """
        CREATE TABLE school_shared_sign_in (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
            value TEXT NOT NULL COLLATE NOCASE,
            added_at TEXT NOT NULL,
            UNIQUE (provider, value, school_id)
        )
        """
    )
