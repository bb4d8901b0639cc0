"""Rules for help routes a school edits: well-formed phone numbers and web addresses, and their order.

Plain functions (no Flask): the content check imports phone_problem and url_problem to check the defaults.
"""

import re
from urllib.parse import urlsplit

TITLE_MAX = 80
DETAIL_MAX = 200
# Emergency and service numbers are short (999, 101, 85258, 116 123); full numbers have up to 15 digits (E.164).
PHONE_MIN_DIGITS = 3
PHONE_MAX_DIGITS = 15
# A number this long is a full number, so it starts with 0 (UK) or + (international).
FULL_NUMBER_DIGITS = 7
EMERGENCY_NUMBER = "999"
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def phone_digits(text):
    """The digits of a phone number as typed ('0800 1111' -> '08001111'; '+44 ...' keeps the +)."""
    text = (text or "").strip()
    return ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)


def phone_problem(text):
    """None if `text` is a well-formed phone number, else what is wrong with it, in plain words."""
    text = (text or "").strip()
    if not text:
        return "Type the phone number."
    if not re.fullmatch(r"\+?[0-9 ]+", text):
        return "Use only numbers and spaces (and + at the start for an international number), like 0800 1111."
    digits = re.sub(r"\D", "", text)
    if len(digits) < PHONE_MIN_DIGITS:
        return f"A phone number has at least {PHONE_MIN_DIGITS} digits, like 999."
    if len(digits) > PHONE_MAX_DIGITS:
        return f"A phone number has at most {PHONE_MAX_DIGITS} digits. Check for a number typed twice."
    if text.startswith("+"):
        if len(digits) < FULL_NUMBER_DIGITS:
            return "An international number has the country code and the whole number, like +44 20 7946 0000."
        return None
    if len(digits) >= FULL_NUMBER_DIGITS and not digits.startswith("0"):
        return "A full UK number starts with 0, like 0800 1111 or 01632 960000."
    return None


def url_problem(text):
    """None if `text` is a well-formed https web address, else what is wrong with it, in plain words."""
    text = (text or "").strip()
    if not text:
        return "Type the web address."
    if re.search(r"\s", text):
        return "A web address has no spaces."
    parts = urlsplit(text)
    if parts.scheme != "https":
        return "Start the web address with https://, like https://www.childline.org.uk."
    if parts.username or parts.password or "@" in parts.netloc:
        return "A web address for pupils must not contain a user name or password."
    host = parts.hostname or ""
    labels = host.split(".")
    if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return "Type the whole address of the site, like https://www.childline.org.uk."
    try:
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return "The part after : must be a port number. Most addresses don't need one."
    return None


def is_emergency(route):
    """Whether this route is the 999 route, which always comes first and cannot be removed."""
    return phone_digits(route.get("phone")) == EMERGENCY_NUMBER


def moved(ids, route_id, direction):
    """`ids` (in order) with `route_id` moved one place up or down; unchanged at either end."""
    order = list(ids)
    index = order.index(route_id)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(order):
        return order
    order[index], order[target] = order[target], order[index]
    return order


def emergency_first(routes):
    """Routes in their order, with 999 routes moved to the top: 'In danger now? Call 999' is always first."""
    return sorted(routes, key=lambda route: not is_emergency(route))
