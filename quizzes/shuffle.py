"""The order a pupil sees a question's options in: new for every attempt, kept with the attempt.

No Flask here. The order is derived from the form's one-time token, so the same form shows
the same order when it comes back with an error, and two pupils (or two attempts) differ.
Marking never looks at the order: it works on option ids.
"""

import hmac
import json
import random
from hashlib import sha256

from quizzes.marking import steps_in_order

# Types whose options are shuffled. red_flags keeps its file order (a chat is a conversation),
# true_false always shows True then False, confidence keeps its scale.
SHUFFLED = {"single", "multiple", "next_step", "order"}
TRUE_FALSE_ORDER = ("true", "false")


def _rng(secret, token, question_id):
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{token}\x00{question_id}".encode(), sha256).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 - an order, not a secret


def display_order(question, secret, token):
    """The option ids of `question` in the order this form (token) shows them."""
    ids = [o.id for o in question.options]
    if question.type == "true_false":
        return [i for i in TRUE_FALSE_ORDER if i in ids]
    if question.type not in SHUFFLED or len(ids) < 2:
        return ids
    rng = _rng(secret, token, question.id)
    order = ids[:]
    rng.shuffle(order)
    if question.type == "order":
        # The steps must never be shown already in a right order (with an `anywhere` step there are several).
        while _shown_right(question, order):
            rng.shuffle(order)
    return order


def _shown_right(question, order):
    """Whether numbering the steps 1, 2, 3... as shown would be a right answer."""
    placed = {option_id: place for place, option_id in enumerate(order, start=1)}
    return len(steps_in_order(question, placed)) == len(question.options)


def ordered_options(question, order=None):
    """The question's options in `order` (ids); file order when `order` is missing or out of date."""
    by_id = {o.id: o for o in question.options}
    if order is None or sorted(order) != sorted(by_id):
        order = display_order(question, b"", "") if question.type == "true_false" else list(by_id)
    return tuple(by_id[i] for i in order)


def encode(order):
    """The order as stored with an answer (JSON list of ids)."""
    return json.dumps(list(order))


def decode(text):
    """A stored order, or None for answers saved before orders were kept."""
    return json.loads(text) if text else None
