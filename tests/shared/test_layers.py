"""The top-level modules below the parts (the shared services and the ground) import no part.

import-linter builds its graph from packages, so the layers contract in pyproject.toml sees these modules
only from the parts' side; this test checks their own imports, at module level or inside a function."""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PARTS = {
    "accounts",
    "training",
    "quizzes",
    "certificates",
    "classroom",
    "progress",
    "safeguarding",
    "console",
    "trusts",
}
# The factory, the demo school and the pages that send each person home know every part: the top layer.
TOP = {"app.py", "demo.py", "pages.py"}


def parts_imported(path):
    """The parts a module imports, wherever in the module the import is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found & PARTS


def test_the_shared_layer_and_the_ground_import_no_part():
    below = [path for path in sorted(ROOT.glob("*.py")) if path.name not in TOP]
    assert {"audit.py", "job_rows.py", "forms.py", "filters.py", "db.py"} <= {path.name for path in below}
    assert {path.name: sorted(parts_imported(path)) for path in below if parts_imported(path)} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "shared.py"
    module.write_text("def f():\n    from classroom.queries import create_class\n")
    assert parts_imported(module) == {"classroom"}
