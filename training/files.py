"""Reading content files: YAML that remembers line numbers, front matter, safe Markdown."""

from pathlib import Path

import nh3
import yaml
from markdown_it import MarkdownIt

# What lesson Markdown may produce; anything else (raw HTML, images, scripts) is removed.
ALLOWED_TAGS = {
    "p", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote", "a", "br", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# A page of its own (the page for parents) has its sections as '## ' headings under the page's h1.
PAGE_TAGS = ALLOWED_TAGS | {"h2"}

# "html": False makes raw HTML in a lesson show as text; nh3 is the second lock.
_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


class ContentError(Exception):
    """A content file is broken: says which file, which line and what is wrong."""

    def __init__(self, path, line, problem):
        self.path, self.line, self.problem = Path(path), line, problem
        where = f"{self.path}, line {line}" if line else f"{self.path}"
        super().__init__(f"{where}: {problem}")


class LineDict(dict):
    """A YAML mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key):
        """The line of `key` in the file, or of the mapping if the key is absent."""
        return self.key_lines.get(key, self.line)


# libyaml's parser (in PyYAML's wheels) reads the course ten times as fast as the pure-Python one (33 vs 346 ms
# for every quiz file here) with the same nodes and marks; the pure-Python one stays for a PyYAML built without it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    line_offset = 0

    def construct_mapping(self, node, deep=False):
        mapping = LineDict(yaml.constructor.SafeConstructor.construct_mapping(self, node, deep=True))
        mapping.line = node.start_mark.line + 1 + self.line_offset
        mapping.key_lines = {
            key_node.value: key_node.start_mark.line + 1 + self.line_offset for key_node, _ in node.value
        }
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def parse_yaml(text, path, line_offset=0):
    """Parse YAML text into LineDicts; a syntax error becomes a ContentError with its line."""

    # A subclass per call, so the line offset of one file never leaks into another.
    loader = type("Loader", (_LineLoader,), {"line_offset": line_offset})
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader's subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise ContentError(path, line, f"YAML: {error.problem or error}") from None
    if not isinstance(data, dict):
        raise ContentError(path, 1 + line_offset, "expected a mapping of fields at the top")
    return data


def read_text(path):
    """Read a content file as UTF-8, naming the file if it is not."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ContentError(path, None, f"not UTF-8 text ({error.reason})") from None


def split_front_matter(text, path):
    """Split '---' front matter from a Markdown body: (front matter, body, body's first line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "a lesson must start with '---' and its front matter")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            front = parse_yaml("\n".join(lines[1 : number - 1]), path, line_offset=1)
            return front, lines[number:], number + 1
    raise ContentError(path, 1, "the front matter is not closed with a '---' line")


def render_markdown(text, tags=ALLOWED_TAGS):
    """Markdown to sanitised HTML that is safe to show as it is (`tags`: what it may produce)."""
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "tel", "mailto"},
        link_rel="noopener noreferrer",
    )


def require(mapping, key, kind, path, where=""):
    """mapping[key], checked to be present, of `kind` and not empty, else a ContentError."""
    value = mapping.get(key)
    label = f"{where}: " if where else ""
    if value is None or value == "" or value == []:
        raise ContentError(path, mapping.line, f"{label}'{key}' is missing")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ContentError(path, mapping.line_of(key), f"{label}'{key}' should be {names}")
    return value
