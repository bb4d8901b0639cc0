"""Checks on a language's catalogue (translations/<code>/LC_MESSAGES/messages.po): nothing left in English, nothing
a page would break on. Plain functions over Babel's reader, so a test (and later a command) can run them."""

import re
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).parent
TRANSLATIONS = ROOT / "translations"

# Named placeholders: gettext's %(name)s or %(name)d, and str.format's {name} (the quiz form's messages).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Markup a message carries (links to help lines, emphasis): kept as it is, so tel: links and numbers survive.
TAG = re.compile(r"</?[a-z][^>]*>")
DIGITS = re.compile(r"\d+")


class _AnyValue(dict):
    """Formats any %(name)s or %(name)d: to find a msgstr that % formatting would refuse (a lone % sign)."""

    def __missing__(self, key):
        return 1


def catalogue_paths(root=TRANSLATIONS):
    """Every language's catalogue, by language code."""
    return {path.parts[-3]: path for path in sorted(Path(root).glob("*/LC_MESSAGES/messages.po"))}


def placeholders(text):
    """The named placeholders in `text`, as a multiset."""
    return Counter(a or b for a, b in PLACEHOLDER.findall(text))


def problems(path):
    """What is wrong with the catalogue at `path`, one line each (empty when it is ready): an entry not translated,
    still fuzzy, with other placeholders, markup or numbers than its English, or that % formatting would refuse."""
    with open(path, "rb") as file:
        catalogue = read_po(file)
    found = []
    if catalogue.fuzzy:
        found.append("the catalogue's header is marked fuzzy")
    for message in catalogue:
        if not message.id:
            continue
        english = message.id[-1] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        name = f"{english!r}"
        if message.fuzzy:
            found.append(f"{name}: fuzzy (its English changed; check the translation, then remove the flag)")
        if not all(forms):
            found.append(f"{name}: not translated")
            continue
        for form in forms:
            if placeholders(form) != placeholders(english):
                wanted = sorted(placeholders(english))
                found.append(f"{name}: placeholders {sorted(placeholders(form))} in {form!r}, not {wanted}")
            if Counter(TAG.findall(form)) != Counter(TAG.findall(english)):
                found.append(f"{name}: markup differs in {form!r}")
            if set(DIGITS.findall(form)) != set(DIGITS.findall(english)):
                found.append(f"{name}: numbers differ in {form!r} (help lines' numbers stay as they are)")
            try:
                form % _AnyValue()
            except (ValueError, TypeError) as error:
                found.append(f"{name}: {form!r} cannot be filled in ({error}); write a % sign as %%")
    return found
