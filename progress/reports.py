"""Progress reports: rows from the database to CSV, XLSX or PDF bytes. No Flask here.

The grid's columns are the dashboard's, in the same order, built from the same Grid object,
so a report and the dashboard always show the same numbers.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dates import when
from pdf import html_to_pdf
from progress.queries import (
    ALL_TIME,
    certificates_in_scope,
    first_answers,
    grid_for,
    grid_rows_streamed,
    recheck_summary_for,
)
from progress.reteach import question_stats, topic_gains
from spreadsheet import safe_cell, safe_row
from training.progress import TAUGHT_LIVE, how_taught

# Mimetypes as Flask takes them: it adds "; charset=utf-8" to a text/ type itself (one written here was sent twice).
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STATUS_LABELS = {"not started": "Not started", "in progress": "In progress", "complete": "Complete"}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Plain Jinja (no Flask), so the job worker can render the PDF without a request; UK local times.
_jinja = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, extensions=["jinja2.ext.i18n"]
)
# The PDFs are in English: a template they share with the pages (progress/_class_totals.html) says its words in English.
_jinja.install_null_translations(newstyle=True)
_jinja.filters["when"] = when


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, gathered once."""

    scope: object
    period: object
    route: str  # "ages 11 to 13": the route (course) the report covers
    generated_at: datetime
    grid: object
    questions: list = ()  # re-teach question stats: the XLSX's sheet, the PDF's "most missed"
    topics: list = ()  # baseline against final (and the re-check) by topic: the PDF's summary only
    recheck: object = None  # reteach.RecheckSummary, beside the topics
    certificates: list = ()  # every certificate in scope, revoked ones too: the XLSX's sheet
    names: dict = field(default_factory=dict)  # pupil id -> name, for the certificates sheet


# What each format prints beyond the grid, so none reads or computes what it never shows:
# the re-teach statistics read every first-attempt answer and decode each one.
NEEDS = {
    "csv": frozenset(),
    "xlsx": frozenset({"questions", "certificates"}),
    "pdf": frozenset({"questions", "topics"}),
}
EVERYTHING = frozenset({"questions", "topics", "certificates"})


def collect(db, course, scope, period=ALL_TIME, generated_at=None, fmt=None):
    """Read what a report in `fmt` needs for the scope and period (everything if fmt is None)."""
    needs = NEEDS[fmt] if fmt else EVERYTHING
    grid = grid_for(db, course, scope, period)
    answers = first_answers(db, course, scope, period) if needs & {"questions", "topics"} else ()
    return ReportData(
        scope=scope,
        period=period,
        route=course.route_label,
        generated_at=generated_at or datetime.now(UTC),
        grid=grid,
        questions=question_stats(course, answers) if "questions" in needs else (),
        topics=topic_gains(course, answers) if "topics" in needs else (),
        recheck=recheck_summary_for(db, course, scope, period) if "topics" in needs else None,
        certificates=certificates_in_scope(db, course, scope, period) if "certificates" in needs else (),
        names={row.pupil_id: row.name for row in grid.rows},
    )


def iso_minute(value):
    """A stored timestamp as ISO 8601 to the minute in UTC ('2026-11-21T14:30Z'), or ''."""
    return f"{value[:16]}Z" if value else ""


def as_datetime(value):
    """A stored timestamp as a naive UTC datetime (for spreadsheet cells), or None."""
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


def grid_header(data):
    """The grid's column names, in the dashboard's order."""
    return header_for(data.grid.lessons, data.scope.whole_school)


def header_for(lessons, whole_school):
    """The grid's column names for these lessons, with a Classes column for the whole school."""
    header = ["Pupil"]
    if whole_school:
        header.append("Classes")
    for lesson in lessons:
        header += [f"L{lesson.number} {lesson.title}: status", f"L{lesson.number} best %", f"L{lesson.number} taught"]
    header += [
        "Baseline check %",
        "Final check %",
        "Lessons complete",
        "Last active (UTC)",
        "Certificate code",
        "Route",
    ]
    return header


def grid_rows(data, dates=iso_minute):
    """One list per pupil: numbers as numbers, empty cells as None."""
    return [grid_cells(row, data.scope.whole_school, data.route, dates) for row in data.grid.rows]


def grid_cells(row, whole_school, route, dates=iso_minute):
    """One pupil's row of the grid as a list of cells."""
    cells = [row.name]
    if whole_school:
        cells.append(row.classes)
    for state in row.lessons:
        cells += [STATUS_LABELS[state.status], state.best_percent, taught_label(state)]
    cells += [
        row.baseline,
        row.final,
        row.complete,
        dates(row.last_active) or None,
        row.certificate,
        route,
    ]
    return cells


def taught_label(state):
    """'Taught live 2026-12-07', 'Done on their own' or 'Not yet': how the lesson reached the pupil."""
    how = how_taught(state)
    if how != TAUGHT_LIVE:
        return how.capitalize()
    return f"Taught live {state.taught_live}" + (" (no device)" if state.without_device else "")


def summary_rows(data):
    """(label, value) pairs for the summary page or sheet."""
    period = data.period
    rows = [
        ("Report", "Progress: online blackmail course"),
        ("For", data.scope.name),
        ("Route", data.route),
        ("From", period.start.isoformat() if period.start else "the beginning"),
        ("To", period.end.isoformat() if period.end else "today"),
        ("Generated", when(data.generated_at)),  # UK local time, as people read it on every screen
        ("Pupils", len(data.grid.rows)),
        ("Not started yet", len(data.grid.not_started)),
        ("Completed every lesson", data.grid.finished),
        ("Took the final check", data.grid.final_done),
        ("Hold a certificate", data.grid.certificates),
    ]
    for total in data.grid.totals:
        rows.append((f"L{total.lesson.number} {total.lesson.title}: complete", total.complete))
    return rows


def reteach_header():
    """Columns of the re-teach table."""
    return [
        "Quiz",
        "Question",
        "Answered (first attempt)",
        "Correct at first attempt",
        "% correct at first attempt",
        "Most chosen wrong option",
        "Chosen by",
    ]


def reteach_rows(data):
    """One list per question, most missed first."""
    return [
        [
            s.quiz_title,
            s.question.prompt,
            s.answered,
            s.correct,
            s.share,
            s.wrong_choice,
            s.wrong_count or None,
        ]
        for s in data.questions
    ]


def certificate_rows(data):
    """Pupil, code, issued, score, status and reason for each certificate."""
    return [
        [
            data.names.get(c["pupil_id"], ""),
            c["code"],
            iso_minute(c["issued_at"]),
            c["score"],
            "Revoked" if c["revoked_at"] else "Valid",
            c["revoked_reason"] or None,
        ]
        for c in data.certificates
    ]


CERTIFICATE_HEADER = ["Pupil", "Code", "Issued (UTC)", "Score %", "Status", "Reason revoked"]


def filename(data, fmt):
    """'progress-9B-20261121-1430.csv': the class (or 'whole-school') and when it was made."""
    return filename_for(data.scope, data.generated_at, fmt)


def filename_for(scope, generated_at, fmt):
    """The file name for a report on `scope` made at `generated_at`, before any data is read."""
    name = "whole-school" if scope.whole_school else scope.name
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "class"
    return f"progress-{slug}-{generated_at:%Y%m%d-%H%M}.{fmt}"


def _csv_chunks(header, rows, rows_per_chunk=200):
    """CSV text in chunks of rows: UTF-8 with a BOM so Excel reads names correctly; no formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(map(safe_cell, header))
    for count, cells in enumerate(rows, 1):
        writer.writerow(safe_row(cells))  # every cell neutralised; csv writes None as ""
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_csv(data):
    """The grid as CSV: UTF-8 with a BOM so Excel reads names correctly; ISO dates; no formulas."""
    return b"".join(_csv_chunks(grid_header(data), grid_rows(data)))


def stream_csv(db, course, scope, period=ALL_TIME):
    """The same CSV as to_csv, as chunks of bytes written as the rows are read from the database."""
    whole_school = scope.whole_school
    route = course.route_label
    header = header_for(course.lessons, whole_school)
    rows = (grid_cells(row, whole_school, route) for row in grid_rows_streamed(db, course, scope, period))
    return _csv_chunks(header, rows)


def to_xlsx(data):
    """A workbook with a sheet per view: Summary, Progress grid, Re-teach, Certificates."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def text_cell(ws, value):
        # openpyxl stores any text starting with "=" as a formula: neutralise, then insist on text.
        cell = WriteOnlyCell(ws, value=safe_cell(value))
        if isinstance(value, str):
            cell.data_type = "s"
        return cell

    def sheet(title, header, rows, widths=()):
        ws = book.create_sheet(title)
        for column, width in widths:
            ws.column_dimensions[column].width = width
        if header:
            ws.freeze_panes = "A2"
            cells = []
            for text in header:
                cell = text_cell(ws, text)
                cell.font = bold
                cells.append(cell)
            ws.append(cells)
        for row in rows:
            cells = []
            for value in row:
                cell = text_cell(ws, value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            ws.append(cells)

    sheet("Summary", ["Item", "Value"], summary_rows(data), [("A", 40), ("B", 40)])
    sheet("Progress grid", grid_header(data), grid_rows(data, dates=as_datetime), [("A", 28)])
    sheet("Re-teach", reteach_header(), reteach_rows(data), [("A", 24), ("B", 60), ("F", 50)])
    sheet("Certificates", CERTIFICATE_HEADER, certificate_rows(data), [("A", 28), ("B", 18)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# The grid's last rows share a page (a landscape page holds about 25), so the report never
# ends on a page with one pupil on it.
KEEP_TOGETHER = 6


def to_pdf(data):
    """A summary page, then the grid on landscape pages with the header row repeated."""
    html = _jinja.get_template("progress/reports_pdf.html").render(
        data=data,
        summary=summary_rows(data),
        header=grid_header(data),
        whole_school=data.scope.whole_school,
        status_labels=STATUS_LABELS,
        topics=data.topics,
        recheck=data.recheck,
        hardest=[s for s in data.questions if s.answered][:5],
        keep_together=KEEP_TOGETHER,
    )
    return html_to_pdf(html, "report.css")


BUILDERS = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}


def build(data, fmt):
    """The report in `fmt` ('csv', 'xlsx' or 'pdf') as bytes."""
    return BUILDERS[fmt](data)
