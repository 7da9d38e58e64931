"""The dependency direction of DESIGN.md: a lower layer never imports a higher one."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "v2x"
BASICS = ("errors", "clock", "geo")
# layer -> packages it must not import
FORBIDDEN = {
    "messages": ("v2x.security", "v2x.sim", "v2x.cli"),
    "security": ("v2x.sim", "v2x.cli"),
    "sim": ("v2x.cli",),
}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a source file imports."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = path.relative_to(PACKAGE.parent).parent.parts
                base = ".".join(package[: len(package) - node.level + 1])
                names.add(f"{base}.{node.module}" if node.module else base)
            else:
                names.add(node.module or "")
    return names


def sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py")) if folder.exists() else []


def test_the_scan_sees_relative_and_absolute_imports(tmp_path):
    assert "v2x.errors" in imported_modules(PACKAGE / "messages" / "codec.py")


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_higher_ones(layer):
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sources(PACKAGE / layer)
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert offenders == []


def test_shared_basics_import_no_layer():
    offenders = [
        f"{basic} imports {name}"
        for basic in BASICS
        for name in (imported_modules(PACKAGE / f"{basic}.py")
                     if (PACKAGE / f"{basic}.py").exists() else ())
        if name.startswith("v2x.") and name.split(".")[1] not in BASICS
    ]
    assert offenders == []


def test_radio_models_import_only_numpy_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"numpy", "__future__"}
    offenders = [
        f"{path.name} imports {name}"
        for path in sources(PACKAGE / "sim" / "radio")
        for name in imported_modules(path)
        if name.split(".")[0] not in allowed and not name.startswith("v2x.sim.radio")
    ]
    assert offenders == []
