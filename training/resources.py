"""Resources for parents and carers: the letter, the "If your child tells you" sheet and the page for parents.

Their texts are content files (training/content/letters/*.md), reviewed like the lessons:
front matter with the document's `title`, then Markdown with named placeholders ({school},
{dsl}, ...) and blocks for one route only, between a `::: route 11-13` line and a `:::` line.
Loaded and validated once at start-up; a broken file stops the app with its file and line.
Plain functions with no Flask.
"""

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

from training.files import ContentError, read_text, render_markdown, require, split_front_matter

# The two resources staff download, by the name in their URL and file name.
RESOURCE_NAMES = ("letter-to-parents", "if-your-child-tells-you")
# The public page for parents and carers (/for-parents): the same for every school, so no placeholders.
PAGE_NAME = "for-parents"
PLACEHOLDERS = {
    "school": "the school's name",
    "dsl": "the school's designated safeguarding lead(s) by name, or a general phrase",
    "years": "the route's year groups, like 'Years 7 and 8'",
    "lessons": "how many lessons the route has",
    "minutes": "the route's teaching time in minutes",
    "materials": "how a parent sees every lesson and question: the school's parents' view, or whom to ask",
    "for_parents": "the address of the page for parents and carers",
}
PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
ROUTE_START = re.compile(r"^:::\s*route\s+(\S+)\s*$")
ROUTE_END = ":::"
# A block for a route no loaded course has is left unused (a copy of the content may hold one route).
ROUTE_NAME = re.compile(r"\d+(?:-\d+)?")
NO_DSL = "your school's designated safeguarding lead"


@dataclass(frozen=True)
class Part:
    """A run of the body's lines: for every route (route None) or for one."""

    route: str | None
    text: str
    line: int


@dataclass(frozen=True)
class Resource:
    """One resource's text, as loaded at start-up."""

    name: str
    title: str
    parts: tuple[Part, ...]
    path: Path

    def markdown(self, route):
        """The Markdown for one route: the shared parts and that route's blocks, in file order."""
        return "\n".join(part.text for part in self.parts if part.route in (None, route))


def load_resources(folder, routes):
    """Load and validate each resource in `folder`: name -> Resource.

    Wherever a file has route blocks, every route of `routes` needs its own, so no route's letter
    leaves out what its course covers.
    """
    folder = Path(folder)
    loaded = {}
    for name in RESOURCE_NAMES:
        path = folder / f"{name}.md"
        if not path.exists():
            raise ContentError(path, None, f"the text of '{name}' is missing")
        loaded[name] = load_resource(path, name, routes)
    return loaded


def load_page(folder, routes):
    """Load and validate the page for parents and carers; it has no placeholders (it is the same for every school)."""
    path = Path(folder) / f"{PAGE_NAME}.md"
    if not path.exists():
        raise ContentError(path, None, f"the text of '{PAGE_NAME}' is missing")
    page = load_resource(path, PAGE_NAME, routes)
    for part in page.parts:
        for number, row in enumerate(part.text.splitlines(), start=part.line):
            if PLACEHOLDER.search(row):
                raise ContentError(path, number, "the page for parents is the same for every school: no placeholders")
    return page


def load_resource(path, name, routes):
    """Read one resource file; the first problem raises ContentError with the file and line."""
    front, body, first_line = split_front_matter(read_text(path), path)
    title = require(front, "title", str, path)
    parts, route, start, lines = [], None, first_line, []

    def close(next_line):
        if lines:
            parts.append(Part(route, "\n".join(lines), start))
        return next_line

    for number, row in enumerate(body, start=first_line):
        opened = ROUTE_START.match(row.strip())
        if opened:
            if route is not None:
                raise ContentError(path, number, f"a route block starts inside the block for {route}")
            if not ROUTE_NAME.fullmatch(opened.group(1)):
                raise ContentError(path, number, f"'{opened.group(1)}' is not a route like 11-13")
            start = close(number + 1)
            route, lines = opened.group(1), []
            continue
        if row.strip() == ROUTE_END:
            if route is None:
                raise ContentError(path, number, "':::' closes no route block")
            start = close(number + 1)
            route, lines = None, []
            continue
        for match in PLACEHOLDER.finditer(row):
            if match.group(1) not in PLACEHOLDERS:
                raise ContentError(
                    path, number, f"unknown placeholder '{match.group(0)}' (known: {_names(PLACEHOLDERS)})"
                )
        lines.append(row)
    if route is not None:
        raise ContentError(path, start - 1, f"the block for route {route} is not closed with ':::'")
    close(None)
    with_blocks = {part.route for part in parts if part.route}
    missing = [r for r in routes if r not in with_blocks]
    if with_blocks and missing:
        raise ContentError(path, first_line, f"no '::: route {missing[0]}' block: every route needs its own")
    if not any(part.text.strip() for part in parts):
        raise ContentError(path, first_line, "the text is empty")
    return Resource(name=name, title=title, parts=tuple(parts), path=Path(path))


def _names(items):
    return ", ".join(sorted(items))


def dsl_phrase(dsl_names):
    """Who the DSL is, to fill {dsl}: their names, or a general phrase when the school has none."""
    names = [name for name in dsl_names if name]
    if not names:
        return NO_DSL
    if len(names) == 1:
        return f"{names[0]} (designated safeguarding lead)"
    return f"{', '.join(names[:-1])} or {names[-1]} (designated safeguarding leads)"


def materials_phrase(view_url, contact):
    """How a parent sees the materials: the parents' view's address, or (when the school turned it off) whom to ask."""
    if view_url:
        return f"all the lessons and questions, with the teacher notes, are on the school's parents' page at {view_url}"
    return f"ask {contact.strip() if contact and contact.strip() else 'the school office'}"


def values_for(course, school_name, dsl_names, materials=None, for_parents=""):
    """Every placeholder's value for a school and the route its class follows."""
    return {
        "school": school_name,
        "dsl": dsl_phrase(dsl_names),
        "years": course.route_label,
        "lessons": str(len(course.lessons)),
        "minutes": str(sum(lesson.minutes for lesson in course.lessons)),
        "materials": materials or materials_phrase(None, None),
        "for_parents": for_parents,
    }


def body_html(resource, route, values):
    """The resource's body for a route as safe HTML, placeholders filled with escaped values.

    Filled after the Markdown is rendered, so a school's name is never read as Markdown or HTML.
    """
    rendered = render_markdown(resource.markdown(route))
    return PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=False), rendered)


def inputs_key(document_html, stylesheet_text):
    """A hash of everything that goes into one render: the filled HTML and the stylesheet.

    The HTML holds the school's name, the DSL's names, the route's wording and the text's version,
    so any change to them is a new key (and a new render); the same inputs find the stored bytes.
    """
    digest = hashlib.sha256()
    for part in (document_html, stylesheet_text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()
