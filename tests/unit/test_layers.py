"""The layers of DESIGN.md, kept true: who may import whom."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "curator"

DOMAIN = {"models", "errors", "textsafe", "jsonpos", "files"}
STORAGE = {"store", "migrations"}
SERVICES = {"readers", "layouts", "ingest", "tasks", "overview", "schemas", "validation", "review", "session", "formats", "export", "agreement"}
FRONT = {"cli", "show", "reports"}
ALLOWED = {  # layer -> curator modules it may import
    "domain": DOMAIN,
    "storage": DOMAIN | STORAGE,
    "services": DOMAIN | STORAGE | SERVICES,
    "front": DOMAIN | STORAGE | SERVICES | FRONT,
}


def _name(path: Path) -> str:
    """The module's name for the layer table: a package's parts go by the package."""
    return path.parent.name if path.parent != PACKAGE else path.stem


def _layer(name: str) -> str:
    for layer, members in (("domain", DOMAIN), ("storage", STORAGE),
                           ("services", SERVICES), ("front", FRONT)):
        if name in members:
            return layer
    raise AssertionError(f"curator/{name}.py is in no layer: add it to test_layers.py")


def _modules():
    singles = [p for p in PACKAGE.glob("*.py") if p.stem != "__init__"]
    parts = [p for package in ("store", "cli") for p in (PACKAGE / package).glob("*.py")]
    return sorted(singles + parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level >= 1:  # relative: curator's own modules
                found.update((node.module or alias.name).split(".")[0] for alias in node.names)
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_from_its_layer_or_below(path):
    layer = _layer(_name(path))
    allowed = ALLOWED[layer] | ({"tui"} if path.name == "labeling.py" else set())  # label
    local = {m for m in _imports(path) if PACKAGE.joinpath(f"{m}.py").exists()
             or PACKAGE.joinpath(m, "__init__.py").exists()}
    assert local <= allowed | {"__init__"}, (
        f"{path.name} ({layer}) imports {sorted(local - allowed)}")
    third_party = {m.split(".")[0] for m in _imports(path)}
    assert "textual" not in third_party, f"{path.name}: only curator/tui/ may import textual"
    if layer != "storage":
        assert "sqlite_utils" not in third_party and "sqlite3" not in third_party, (
            f"{path.name}: SQL belongs in the storage layer")


def test_headless_modules_do_not_load_textual_or_datasets():
    names = sorted({_name(p) for p in _modules()})
    code = (f"import sys\nfor n in {names!r}: __import__('curator.' + n)\n"
            "print(sorted(m for m in ('textual', 'datasets', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
