"""App-wide template filters: dates as people read them, one format on every page and PDF."""

import dates
from languages import page_language


def init_app(app):
    """Register the filters every part's templates use: each says its month in the page's language."""
    # Staff screens, in UK local time: '21 Nov 2026, 14:30' and '21 Nov 2026' ('21 Tach 2026' on a Welsh page).
    app.add_template_filter(lambda value: dates.when(value, page_language()), "when")
    app.add_template_filter(lambda value: dates.day(value, page_language()), "classroom_day")
    # Pupils' pages and the certificate PDF: "21 November 2026".
    app.add_template_filter(lambda value: dates.long_date(value, page_language()), "long_date")
