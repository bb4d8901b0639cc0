"""A roster row the CSV reader cannot read (far too long, or an unclosed quote) is named in plain words."""

from classroom import roster


def test_a_far_too_long_roster_row_is_named_in_plain_words():
    data = b"First name,Last name,Year group\nAva,Brown,9\nBen," + b"x" * 200_000 + b",9\n"
    parsed = roster.parse(data, "9B")
    assert len(parsed.problems) == 1
    message = parsed.problems[0].message
    assert message.startswith("Row 3 can't be read") and "field limit" not in message and "CSV (" not in message


def test_an_unclosed_quote_names_the_row_where_it_starts():
    data = b'First name,Last name,Year group\nAva,Brown,9\n"Ben,Clark,9\n' + b"Cal,Day,9\n" * 20_000
    message = roster.parse(data, "9B").problems[0].message
    assert message.startswith("Row 3 can't be read") and "quote mark" in message
