"""Rules of a live lesson: its stages, the teacher's moves, who may see which step, when it ends. No Flask here.

A session walks through positions: 0 is the ground rules, 1 to n the lesson's steps, n + 1 its discussion
prompts, n + 2 its quiz and n + 3 the calm close with each pupil's private check-in. The teacher moves it;
pupils follow and may go back to re-read a step, never past the teacher's position.
"""

import hashlib
import hmac
import re
from datetime import datetime, timedelta

RULES, STEP, DISCUSS, QUIZ, CLOSE = "rules", "step", "discuss", "quiz", "close"
MOVES = ("next", "back", "pause", "resume", "show", "hide", "end")
# A session left this long without a move ends itself (checked when it is next read: no timer needed).
IDLE_LIMIT = timedelta(hours=1)
# The projector shows the class's answers only once this many pupils have answered: fewer could point at one.
TOTALS_THRESHOLD = 5
# A device's last poll is written at most this often (LIVE_SEEN_SECONDS), so polling every second does not
# write every second; it counts as following while its last poll is within FOLLOWING_TIMES that.
SEEN_EVERY = timedelta(seconds=10)
FOLLOWING_TIMES = 3


def last_position(step_count):
    """The close: the last position of a lesson with `step_count` steps."""
    return step_count + 3


def stage(position, step_count):
    """What the position shows: RULES, STEP, DISCUSS, QUIZ or CLOSE."""
    if position <= 0:
        return RULES
    if position <= step_count:
        return STEP
    return {step_count + 1: DISCUSS, step_count + 2: QUIZ}.get(position, CLOSE)


def quiz_position(step_count):
    """The position of the lesson's quiz."""
    return step_count + 2


def moved(state, move, step_count):
    """The session's state after the teacher's `move`, as a dict of the changed fields (empty: nothing changes).

    `state` has position, paused and answers_shown. Moving on or back clears the answers shown (they
    belong to the quiz) and ends a pause: the class follows the teacher to the new step.
    """
    position, paused, shown = state["position"], bool(state["paused"]), bool(state["answers_shown"])
    if move == "next" and position < last_position(step_count):
        return {"position": position + 1, "paused": 0, "answers_shown": 0}
    if move == "back" and position > 0:
        return {"position": position - 1, "paused": 0, "answers_shown": 0}
    if move == "pause" and not paused:
        return {"paused": 1}
    if move == "resume" and paused:
        return {"paused": 0}
    if move == "show" and not shown and position == quiz_position(step_count):
        return {"answers_shown": 1}
    if move == "hide" and shown:
        return {"answers_shown": 0}
    return {}


def may_read(number, position, step_count):
    """Whether a pupil may open step `number` on their own: one the teacher has already reached."""
    return 1 <= number <= step_count and number <= position


def _moment(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def is_idle(moved_at, now):
    """Whether a session last moved at `moved_at` has gone an hour without a move (ISO strings or datetimes)."""
    return _moment(now) - _moment(moved_at) >= IDLE_LIMIT


def is_open(ended_at, moved_at, now):
    """Whether a session is still running: not ended by the teacher, and not idle for an hour."""
    return ended_at is None and not is_idle(moved_at, now)


def idle_since(now):
    """The earliest last move of a session still open at `now` (ISO string)."""
    return (_moment(now) - IDLE_LIMIT).isoformat(timespec="seconds")


def idle_end(moved_at):
    """When an idle session ended: an hour after its last move (ISO string)."""
    return (_moment(moved_at) + IDLE_LIMIT).isoformat(timespec="seconds")


def seen_due(seen_at, now, every=SEEN_EVERY):
    """Whether a device's poll should write its last-seen time (none yet, or older than `every`)."""
    return not seen_at or _moment(now) - _moment(seen_at) >= every


def following_since(now, every=SEEN_EVERY):
    """The earliest last-seen time that still counts as following (ISO string)."""
    return (_moment(now) - FOLLOWING_TIMES * every).isoformat(timespec="seconds")


def totals_shown(answered):
    """Whether the class's totals may be shown: at least TOTALS_THRESHOLD pupils have answered."""
    return answered >= TOTALS_THRESHOLD


def state_tag(version, open_):
    """The state's tag (the poll's ETag, the event server's `tag`): changes with every move and when the session
    ends (also by idling)."""
    return f"{version}{'' if open_ else '-ended'}"


def poll_key(secret, session_id, pupil_id):
    """The key in a pupil's poll URL: it proves the live page was served to that pupil, so the poll needs no
    sign-in cookie (and no query for the person). It opens only the session's state, which names nobody."""
    message = f"live-state:{session_id}:{pupil_id}".encode()
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, message, hashlib.sha256).hexdigest()[:32]


def poll_key_matches(secret, session_id, pupil_id, key):
    """Whether `key` is the poll key for this session and pupil (compared in constant time)."""
    return hmac.compare_digest(poll_key(secret, session_id, pupil_id), key)


def state_json(version, position, paused, open_, step_count):
    """The tiny document a pupil's device polls: what it needs to know whether to change its screen."""
    return {
        "version": version,
        "position": position,
        "stage": stage(position, step_count),
        "paused": bool(paused),
        "ended": not open_,
    }


def tally_choices(question_type, result_response, correct):
    """The totals a pupil's answer to one question adds to: option ids, 'right'/'not right' (order), or 1 to 5."""
    if question_type == "order":
        return ["right" if correct else "not right"]
    if question_type == "confidence":
        return [str(result_response)]
    if isinstance(result_response, str):
        return [result_response]
    return [str(choice) for choice in result_response]


GROUND_RULES_LEAD = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*[^*]*ground rules[^*]*\*\*[.:]?\s*)", re.IGNORECASE)


def ground_rules(before_you_teach_text):
    """The ground rules from a course's "before you teach" (its paragraph or list item that names them),
    without its bold lead-in; None if it has none."""
    blocks = re.split(r"\n\s*\n|\n(?=\s*[-*]\s)", before_you_teach_text)
    for block in blocks:
        if "ground rules" in block.lower():
            text = GROUND_RULES_LEAD.sub("", block.strip())
            text = re.sub(r"^(?:for example|at the start)\s*:\s*", "", text, flags=re.IGNORECASE)
            text = " ".join(line.strip() for line in text.splitlines()).strip()
            return text[:1].upper() + text[1:] or None
    return None
