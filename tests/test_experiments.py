"""The experiment scripts of docs/experiments/ call sendclf's internals, and run for minutes, so they are not
run here. What breaks them silently is a name that moved: every name they import from sendclf must exist.
The same holds for the imports inside functions of sendclf and of the tests, which run only when that path
does."""

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "docs" / "experiments").glob("*.py"))
MODULES = sorted((ROOT / "sendclf").rglob("*.py")) + sorted((ROOT / "tests").glob("*.py"))


def sendclf_imports(script: Path) -> list[tuple[str, str | None]]:
    """(module, name or None) for every `import sendclf...` and `from sendclf... import name`."""
    found = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sendclf":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "sendclf"]
    return found


def test_there_are_scripts():
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS + MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sendclf_name_a_script_imports_exists(script):
    for module, name in sendclf_imports(script):
        imported = importlib.import_module(module)
        if name is not None:
            assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}"), (
                f"{script.name}: from {module} import {name}")
