"""The curriculum map: the RSHE statements (training/content/rshe-2025.yaml) and which lessons teach them.

Plain functions with no Flask. The statements are loaded once, with the courses; a lesson that names an
unknown statement stops start-up with its file and line. The content check reports statements of a key
topic that no lesson of a route teaches, and the statements whose wording or paragraph is still to check.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from training.files import ContentError, parse_yaml, read_text, require

STATEMENTS_FILE = Path(__file__).parent / "content" / "rshe-2025.yaml"
STATEMENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Topic:
    """An area statements belong to; a key topic must be taught by some lesson of every route."""

    id: str
    label: str
    key: bool


@dataclass(frozen=True)
class Statement:
    """One statement of the guidance, as this course holds it."""

    id: str
    topic: Topic
    wording: str
    paragraph: int | None  # None until checked against the published guidance
    to_check: str  # what is still to check; empty once checked
    source: str
    line: int


@dataclass(frozen=True)
class Statements:
    """Every statement, in file order, and the topics, as loaded from one file."""

    path: Path
    topics: dict  # id -> Topic
    by_id: dict  # id -> Statement

    def __contains__(self, statement_id):
        return statement_id in self.by_id

    def __iter__(self):
        return iter(self.by_id.values())

    def key(self):
        """The statements of key topics, in file order."""
        return [statement for statement in self if statement.topic.key]


def load_statements(path=STATEMENTS_FILE):
    """Read and validate the statements file; the first problem raises ContentError with the file and line."""
    path = Path(path)
    data = parse_yaml(read_text(path), path)
    topics = {}
    for topic_id, value in require(data, "topics", dict, path).items():
        line = data["topics"].line_of(topic_id)
        if not isinstance(value, dict) or not isinstance(value.get("label"), str) or not value["label"].strip():
            raise ContentError(path, line, f"topic '{topic_id}' needs a 'label' as text")
        if not isinstance(value.get("key", False), bool):
            raise ContentError(path, line, f"topic '{topic_id}': 'key' should be true or false")
        topics[topic_id] = Topic(topic_id, value["label"], value.get("key", False))
    statements = {}
    for item in require(data, "statements", list, path):
        if not hasattr(item, "line_of"):
            raise ContentError(path, data.line_of("statements"), "each statement should be a mapping")
        statement = _statement(item, topics, path)
        if statement.id in statements:
            raise ContentError(path, item.line_of("id"), f"statement id '{statement.id}' is used twice")
        statements[statement.id] = statement
    return Statements(path=path, topics=topics, by_id=statements)


def _statement(item, topics, path):
    statement_id = require(item, "id", str, path)
    if not STATEMENT_ID.fullmatch(statement_id):
        raise ContentError(path, item.line_of("id"), f"'{statement_id}' is not an id like 'seek-help-concern'")
    topic = topics.get(require(item, "topic", str, path))
    if topic is None:
        raise ContentError(path, item.line_of("topic"), f"statement '{statement_id}': unknown topic '{item['topic']}'")
    paragraph, to_check = item.get("paragraph"), item.get("to_check") or ""
    if paragraph is not None and (isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1):
        problem = f"statement '{statement_id}': 'paragraph' should be a number"
        raise ContentError(path, item.line_of("paragraph"), problem)
    if not isinstance(to_check, str):
        raise ContentError(path, item.line_of("to_check"), f"statement '{statement_id}': 'to_check' should be text")
    if paragraph is None and not to_check.strip():
        # A missing paragraph number is never silent: it says what is to be checked.
        problem = f"statement '{statement_id}' has no paragraph number: give it, or say in 'to_check' why not"
        raise ContentError(path, item.line, problem)
    return Statement(
        id=statement_id,
        topic=topic,
        wording=require(item, "wording", str, path),
        paragraph=paragraph,
        to_check=to_check.strip(),
        source=require(item, "source", str, path),
        line=item.line,
    )


def lesson_statements(front, path, statements):
    """A lesson's optional `rshe:` list, checked against the statements: a tuple of ids, in file order."""
    if "rshe" not in front:
        return ()
    ids = require(front, "rshe", list, path)
    source = read_text(path).splitlines()
    start = front.line_of("rshe")
    seen = set()
    for statement_id in ids:
        line = _line_of_item(source, start, statement_id)
        if not isinstance(statement_id, str):
            raise ContentError(path, line, "'rshe' should list statement ids, like 'seek-help-concern'")
        if statements is not None and statement_id not in statements:
            raise ContentError(
                path, line, f"unknown RSHE statement '{statement_id}' (the statements are in {statements.path.name})"
            )
        if statement_id in seen:
            raise ContentError(path, line, f"RSHE statement '{statement_id}' is listed twice")
        seen.add(statement_id)
    return tuple(ids)


def _line_of_item(source, start, value):
    """The line of a list item's value at or after the key's line (YAML keeps no lines for plain values)."""
    item = re.compile(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])")
    for number in range(start, len(source) + 1):
        if item.search(source[number - 1]):
            return number
    return start


def teaching(course, statement_id):
    """The lessons of a course that name a statement, in the order taught."""
    return [lesson for lesson in course.lessons if statement_id in lesson.rshe]


def untaught_key_statements(course, statements):
    """The key-topic statements no lesson of this course names."""
    taught = {statement_id for lesson in course.lessons for statement_id in lesson.rshe}
    return [statement for statement in statements.key() if statement.id not in taught]
