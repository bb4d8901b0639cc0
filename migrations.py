"""The schema's history: append-only sqlite_utils.Migrations, applied in order by `flask init-db`.

Never edit a migration that has shipped: add a new one. A table that holds people's records
is never dropped or rebuilt with data loss.
"""

from sqlite_utils.migrations import Migrations

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
