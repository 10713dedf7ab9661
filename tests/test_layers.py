"""Issue 14 §3: hand-offs between domains without import circles.

The layers contract in pyproject.toml (import-linter) is the check that no domain imports a
domain that imports it and that the ground floor imports nothing above it. These tests run it
from pytest too, and check what the contract cannot see: an import hidden in a function to
dodge a circle, or a module named by a string.
"""

import ast
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
KEFU = ROOT / "kefu"
APPS = {name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("kefu.")}


def _product_modules():
    for path in sorted(KEFU.rglob("*.py")):
        parts = path.relative_to(KEFU).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, parts[0].removesuffix(".py"), ast.parse(path.read_text(), filename=str(path))


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "kefu":
            return [f"kefu.{alias.name}" for alias in node.names]
        return [node.module]
    return []


class _InFunctionImports(ast.NodeVisitor):
    """Imports of another kefu app made inside a function, other than an AppConfig.ready()."""

    def __init__(self, path: Path, app: str):
        self.path, self.app, self.stack, self.found = path, app, [], []

    def visit_FunctionDef(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _check(self, node):
        in_ready = self.path.name == "apps.py" and "ready" in self.stack
        if self.stack and not in_ready:
            for module in _imported(node):
                parts = module.split(".")
                if parts[0] == "kefu" and len(parts) > 1 and parts[1] in APPS and parts[1] != self.app:
                    self.found.append(f"{self.path.relative_to(ROOT)}:{node.lineno} {'.'.join(self.stack)} → {module}")

    visit_Import = visit_ImportFrom = _check


def test_issue14_3_the_layers_contract_is_kept():
    """`lint-imports` (run by `make test`) passes: shell and API over the domains over the ground floor."""
    result = subprocess.run(  # noqa: S603 -- the venv's own import-linter, on our own tree
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_issue14_3_no_lazy_import_of_another_app_outside_appconfig_ready():
    """A domain imports the apps below it at the top of the module; only AppConfig.ready() imports
    in a function (Django's idiom: models are not loaded when apps.py is imported)."""
    found = []
    for path, app, tree in _product_modules():
        if app not in APPS:
            continue  # kefu/celery.py: the worker's entry point, loaded before Django's apps are
        visitor = _InFunctionImports(path, app)
        visitor.visit(tree)
        found += visitor.found
    assert not found, "\n".join(found)


def test_issue14_3_no_module_is_imported_by_a_string():
    """No importlib / __import__ strings: an import the contract cannot see could hide a circle."""
    found = []
    for path, _app, tree in _product_modules():
        for node in ast.walk(tree):
            names = _imported(node)
            if any(name == "importlib" or name.startswith("importlib.") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id in {"import_module", "__import__"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
