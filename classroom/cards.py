"""Printable sign-in cards: ten to an A4 page, dashed cut lines, rendered once when made.

One-time passwords exist in plain text only here, for the moment the cards are made.
"""

from flask import render_template

from pdf import html_to_pdf

CARDS_PER_PAGE = 10  # two columns of five: each card about 105 x 59 mm, a good size to hand out


def pages_of(cards, size=CARDS_PER_PAGE):
    """Split the cards into A4 pages."""
    return [cards[start : start + size] for start in range(0, len(cards), size)]


def cards_pdf(cards, sign_in_url, school_name):
    """The cards PDF for `cards`: dicts of name, class_name, username and password."""
    html = render_template(
        "classroom/cards.html",
        pages=pages_of(list(cards)),
        sign_in_url=sign_in_url,
        school_name=school_name,
    )
    return html_to_pdf(html, "cards.css")
