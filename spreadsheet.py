"""Cells that a spreadsheet will only ever read as text: OWASP's defence against CSV (formula) injection.

A pupil named `=HYPERLINK("http://evil","x")` must reach a teacher's CSV or XLSX report as that text,
never as a formula Excel, LibreOffice or Google Sheets would run. Every CSV and XLSX export passes
every cell through `safe_cell`. Plain Python, no Flask.
"""

# First characters that make a spreadsheet read a cell as a formula (OWASP: = + - @ tab and CR),
# plus line feed and the full-width forms, which some spreadsheets and input methods treat the same.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A leading apostrophe is the spreadsheet's own "this is text" mark; a person still reads the name.
TEXT_MARK = "'"


def safe_cell(value):
    """`value` ready for a spreadsheet cell: text that could start a formula gets a leading apostrophe.

    Numbers, dates and None are returned unchanged, so real numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def safe_row(values):
    """Every value of a row through the same rule as `safe_cell`, as a list (one call a row: a whole-school
    report neutralises tens of thousands of cells, and a call per cell was a tenth of its time)."""
    return [TEXT_MARK + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in values]
