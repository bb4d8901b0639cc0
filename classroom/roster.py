"""Reading a class roster CSV: encodings, forgiving headers, and every problem by row.

Plain Python: the views pass in what the database knows (pupils already in the class, usernames
already taken) and show the result as a preview before anything is saved. Its messages are in the
page's language (Flask-Babel's gettext; English outside a request, as in the rules' own tests).
Row numbers are the spreadsheet's: the header is row 1, the first pupil row 2.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from flask_babel import gettext, lazy_gettext

from accounts.passwords import unique_username, username_stem
from lengths import MAX_EMAIL, MAX_NAME, MAX_USERNAME

MAX_BYTES = 1_000_000  # a roster of 500 pupils is about 20 KB; anything near 1 MB is not a roster
MAX_ROWS = 500  # one import is one class or year group, not the whole school's history
YEAR_GROUPS = range(7, 14)  # secondary school: year 7 to year 13 (sixth form)
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9.]*$")
YEAR_PATTERN = re.compile(r"^(?:y|yr|year)?\s*(\d{1,2})$", re.IGNORECASE)
# The same rule as the staff form: something@somewhere.something, no spaces.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Header names as schools' systems and people write them, compared without case, spaces or
# punctuation: "First name", "first_name" and "FIRSTNAME" are one name.
HEADER_ALIASES = {
    "first_name": ("firstname", "forename", "forenames", "givenname", "first", "preferredname",
                   "preferredfirstname", "legalforename", "pupilfirstname", "studentfirstname"),
    "last_name": ("lastname", "surname", "familyname", "last", "initial", "lastinitial", "surnameinitial",
                  "lastnameorinitial", "surnameorinitial", "legalsurname", "preferredsurname",
                  "pupilsurname", "studentsurname", "pupillastname", "studentlastname"),
    "year_group": ("yeargroup", "year", "yr", "ncyear", "yeargrp", "nationalcurriculumyear", "yeargroupnc"),
    "class_name": ("class", "classname", "form", "formgroup", "tutorgroup", "group", "registrationgroup",
                   "reggroup", "teachinggroup", "set"),
    "username": ("username", "user", "login", "loginname", "userid", "signin"),
    # The pupil's school account e-mail: a Google or Microsoft sign-in with this verified e-mail
    # finds the pupil (provider sign-in matching, step 3).
    "email": ("email", "emailaddress", "schoolemail", "schoolemailaddress", "pupilemail", "studentemail",
              "accountemail", "mail", "emailaccount"),
}  # fmt: skip
REQUIRED = ("first_name", "last_name", "year_group")
# Only the required columns are named in a message (lazy: said in the page's language; shown as plain text).
COLUMN_LABELS = {
    "first_name": lazy_gettext("first name"),
    "last_name": lazy_gettext("last name (or initial)"),
    "year_group": lazy_gettext("year group"),
}

# Files that are clearly not a CSV, by their first bytes.
# Their messages are lazy: said in the page's language when the file is read.
IMAGE = lazy_gettext("This is an image. Only CSV files of names can be uploaded here.")
NOT_CSV = (
    (b"PK\x03\x04", lazy_gettext("This is an Excel workbook (.xlsx), not a CSV. In Excel choose File, Save As, "
                                 "then \"CSV UTF-8\", and upload that file.")),
    (b"\xd0\xcf\x11\xe0", lazy_gettext("This is an old Excel workbook (.xls), not a CSV. In Excel choose File, "
                                       "Save As, then \"CSV UTF-8\", and upload that file.")),
    (b"%PDF", lazy_gettext("This is a PDF, not a CSV. Export the class list from your school's system as CSV.")),
    (b"\x89PNG", IMAGE),
    (b"\xff\xd8\xff", IMAGE),
    (b"GIF8", IMAGE),
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: `row` is the spreadsheet row, or None for the whole file."""

    row: int | None
    message: str


@dataclass
class RosterRow:
    """One pupil as read from the file, tidied but not yet checked against the database."""

    row: int
    first_name: str
    last_name: str
    year_group: int | None
    class_name: str = ""
    username: str = ""
    made: bool = False  # the username was made from the name, not given in the file
    email: str = ""  # the school account e-mail, if the file has one (optional)

    def key(self):
        """What makes two rows the same pupil: names without case or accents, and year group."""
        return pupil_key(self.first_name, self.last_name, self.year_group)

    def as_dict(self):
        """A plain dict, for keeping the preview as JSON."""
        return asdict(self)


@dataclass
class Roster:
    """A parsed file: its rows, its problems, and how it was read."""

    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth a look, but nothing to fix

    @property
    def ok(self):
        """Whether the whole file can be imported: no problems and at least one pupil."""
        return not self.problems and bool(self.rows)

    def problems_by_row(self):
        """{row number: [messages]} for the preview table."""
        found = {}
        for problem in self.problems:
            found.setdefault(problem.row, []).append(problem.message)
        return found


def pupil_key(first_name, last_name, year_group):
    """A comparable key for a pupil: 'Zoë  O'Neill', 9 and 'zoe o'neill', 9 are the same."""

    def fold(text):
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return " ".join(plain.casefold().split())

    return fold(first_name), fold(last_name), year_group


def normalise_header(name):
    """'First name', 'first_name', ' FIRSTNAME ' -> 'firstname'."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def match_headers(headers):
    """Map each known field to its column index; returns (columns, ignored header names)."""
    lookup = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
    columns, ignored = {}, []
    for index, header in enumerate(headers):
        key = lookup.get(normalise_header(header))
        if key and key not in columns:
            columns[key] = index
        elif header.strip():
            ignored.append(header.strip())
    return columns, ignored


def decode(data):
    """(text, name of the encoding used): UTF-8 with or without Excel's BOM, UTF-16, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8 with BOM (as Excel saves it)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), 'UTF-16 (Excel\'s "Unicode text")'
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        # Older Excel on Windows saves CSV in Windows-1252. Five byte values are unused there;
        # replacing them keeps every other character instead of rejecting the whole file.
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_delimiter(first_line):
    """Comma, or the semicolon or tab that Excel uses in some countries and for text exports."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def tidy(text):
    """Trim, drop control characters and collapse inner spaces."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())


def same_class(a, b):
    """Class names compared without case or spaces: '9b' and '9 B' are 9B."""
    return normalise_header(a) == normalise_header(b)


def parse(data, class_name):
    """Read roster bytes for the class `class_name`: rows, problems by row, encoding used."""
    roster = Roster()
    if not data.strip():
        roster.problems.append(Problem(None, gettext("The file is empty.")))
        return roster
    for magic, message in NOT_CSV:
        if data.startswith(magic):
            roster.problems.append(Problem(None, str(message)))
            return roster
    text, roster.encoding = decode(data)
    if "\x00" in text:
        roster.problems.append(
            Problem(None, gettext('This isn\'t a CSV text file. Save the class list as "CSV UTF-8".'))
        )
        return roster

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error:
        # The next record is the one that broke: name its row (in the words: the table has no such row).
        roster.problems.append(Problem(None, unreadable_row(len(records) + 1)))
        return roster
    headers = records[0] if records else []
    columns, roster.ignored_columns = match_headers(headers)
    missing = [COLUMN_LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        found = ", ".join(f'"{h.strip()}"' for h in headers if h.strip()) or gettext("nothing")
        roster.problems.append(
            Problem(
                1,
                gettext(
                    "The header row (row 1) needs a column for %(missing)s. It has %(found)s. "
                    'Name the columns "First name", "Last name", "Year group" and, if you like, "Class", "Username" '
                    'and "E-mail".',
                    missing=_and_list(missing),
                    found=found,
                ),
            )
        )
        return roster

    seen = {}
    seen_usernames = {}
    seen_emails = {}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between pupils are harmless

        def cell(key, cells=cells):
            index = columns.get(key)
            return tidy(cells[index]) if index is not None and index < len(cells) else ""

        row = RosterRow(
            number,
            cell("first_name"),
            cell("last_name"),
            None,
            cell("class_name"),
            cell("username"),
            email=cell("email"),
        )
        roster.rows.append(row)
        problems = _check_row(row, cell("year_group"), class_name)
        if not problems:
            earlier = seen.setdefault(row.key(), number)
            if earlier != number:
                problems.append(
                    gettext(
                        "The same pupil as row %(earlier)s (%(name)s, year %(year)s).",
                        earlier=earlier,
                        name=f"{row.first_name} {row.last_name}",
                        year=row.year_group,
                    )
                )
            if row.username:
                earlier = seen_usernames.setdefault(row.username, number)
                if earlier != number:
                    problems.append(
                        gettext(
                            "Username %(username)s is also on row %(earlier)s. Each pupil needs their own.",
                            username=row.username,
                            earlier=earlier,
                        )
                    )
            if row.email:
                earlier = seen_emails.setdefault(row.email.casefold(), number)
                if earlier != number:
                    problems.append(
                        gettext(
                            "The e-mail %(email)s is also on row %(earlier)s. Each pupil needs their own.",
                            email=row.email,
                            earlier=earlier,
                        )
                    )
        roster.problems.extend(Problem(number, message) for message in problems)

    if not roster.rows:
        roster.problems.append(Problem(None, gettext("The file has a header row but no pupils.")))
    elif len(roster.rows) > MAX_ROWS:
        roster.problems.insert(
            0,
            Problem(
                None,
                gettext(
                    "The file has %(count)s pupils. Import at most %(most)s at a time: split it.",
                    count=len(roster.rows),
                    most=MAX_ROWS,
                ),
            ),
        )
    return roster


def unreadable_row(number):
    """Plain words for a row the CSV reader gave up on (too long, or a quote mark never closed)."""
    return gettext(
        "Row %(number)s can't be read: it is far too long for one pupil, or has a quote mark (\") that is "
        "never closed, which joins the rows after it into one. Check that row in your spreadsheet, "
        'save it again as "CSV UTF-8", and upload it again.',
        number=number,
    )


def _check_row(row, year_text, class_name):
    """The problems of one row on its own (sets row.year_group when it is readable)."""
    problems = []
    # Each name's problems in whole sentences (Welsh mutates a word after "the").
    if not row.first_name:
        problems.append(gettext("The first name is missing."))
    elif len(row.first_name) > MAX_NAME:
        problems.append(
            gettext(
                "The first name is %(length)s characters long; the most is %(most)s.",
                length=len(row.first_name),
                most=MAX_NAME,
            )
        )
    if not row.last_name:
        problems.append(gettext("The last name (or initial) is missing."))
    elif len(row.last_name) > MAX_NAME:
        problems.append(
            gettext(
                "The last name (or initial) is %(length)s characters long; the most is %(most)s.",
                length=len(row.last_name),
                most=MAX_NAME,
            )
        )
    if not year_text:
        problems.append(gettext("The year group is missing."))
    else:
        match = YEAR_PATTERN.match(year_text)
        year = int(match.group(1)) if match else None
        if year in YEAR_GROUPS:
            row.year_group = year
        else:
            problems.append(
                gettext(
                    'The year group "%(year)s" is not a year from %(first)s to %(last)s.',
                    year=year_text,
                    first=YEAR_GROUPS[0],
                    last=YEAR_GROUPS[-1],
                )
            )
    if row.class_name and not same_class(row.class_name, class_name):
        problems.append(
            gettext(
                'The class is "%(given)s", but you are importing into %(class_name)s. '
                "Import each class from its own page, or correct the class.",
                given=row.class_name,
                class_name=class_name,
            )
        )
    if row.username:
        row.username = row.username.lower()
        if len(row.username) > MAX_USERNAME or not USERNAME_PATTERN.match(row.username):
            problems.append(
                gettext(
                    'The username "%(username)s" can only use letters a to z, numbers and dots, start with a letter, '
                    "and be up to %(most)s characters. Or leave it blank and one will be made.",
                    username=row.username,
                    most=MAX_USERNAME,
                )
            )
    if row.email:
        problem = email_problem(row.email)
        if problem:
            problems.append(problem)
    return problems


def email_problem(email):
    """Why `email` (tidied) can't be a pupil's school account e-mail, or None if it can."""
    if len(email) > MAX_EMAIL:
        return gettext(
            "The e-mail is %(length)s characters long; the most is %(most)s.", length=len(email), most=MAX_EMAIL
        )
    if not EMAIL_PATTERN.match(email):
        return gettext(
            '"%(email)s" is not an e-mail address. Type one like sam.taylor@school.sch.uk, or leave it blank.',
            email=email,
        )
    return None


def check_existing(rows, existing_keys, taken_usernames, class_name, taken_emails=frozenset()):
    """Problems against the database: pupils already in the class, usernames and e-mails already used.

    `taken_emails` is casefolded: an e-mail is the same whatever its case.
    """
    problems = []
    for row in rows:
        if row.year_group is not None and row.key() in existing_keys:
            already = gettext(
                "%(name)s (year %(year)s) is already in %(class_name)s.",
                name=f"{row.first_name} {row.last_name}",
                year=row.year_group,
                class_name=class_name,
            )
            problems.append(Problem(row.row, already))
        if row.username and row.username in taken_usernames:
            problems.append(
                Problem(
                    row.row,
                    gettext(
                        "The username %(username)s is already used. Choose another or leave it blank.",
                        username=row.username,
                    ),
                )
            )
        if row.email and row.email.casefold() in taken_emails:
            taken = gettext("The e-mail %(email)s already belongs to someone with an account here.", email=row.email)
            problems.append(Problem(row.row, taken))
    return problems


def stems_needed(rows):
    """The username stems of rows that need a username made, for looking up those already used."""
    return {username_stem(r.first_name, r.last_name) for r in rows if not r.username}


def assign_usernames(rows, taken):
    """The username each row will be created with: its own from the file, else one made from
    the name that no one in `taken` (usernames already used, in any school) and no other row has.

    The preview and the confirm both call this, so the usernames shown are the ones created.
    """
    taken = set(taken) | {r.username for r in rows if r.username}
    names = []
    for row in rows:
        name = row.username or unique_username(username_stem(row.first_name, row.last_name), taken)
        taken.add(name)
        names.append(name)
    return names


def year_warnings(rows, class_year):
    """A warning for each pupil whose year group is not the class's (mixed classes exist, so not a problem)."""
    if not class_year:
        return []
    return [
        Problem(
            r.row,
            gettext(
                "%(name)s is in Year %(year)s, the class is Year %(class_year)s.",
                name=r.first_name,
                year=r.year_group,
                class_year=class_year,
            ),
        )
        for r in rows
        if r.year_group is not None and r.year_group != class_year
    ]


def rows_from_dicts(dicts):
    """RosterRows back from their kept JSON form."""
    return [RosterRow(**values) for values in dicts]


def _and_list(items):
    """['a', 'b', 'c'] -> 'a, b and c' (the words said in the page's language)."""
    items = [str(item) for item in items]
    if len(items) == 1:
        return items[0]
    return gettext("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])
