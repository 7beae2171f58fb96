"""Layers you can draw: no import points up or sideways, and no module imports itself
back through others. The layers are listed once, in ``wms/layers.py``.

Imports are read from the source with ``ast``: those at the top of a module, inside
functions and under ``TYPE_CHECKING`` alike, since an import that dodges a circle by
waiting until it runs is still a circle.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import wms
from wms.layers import LAYERS, ROOT, layer_of

SOURCE = Path(wms.__file__).parent
ARCHITECTURE = SOURCE.parent / "ARCHITECTURE.md"


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. wms.receiving.services
    target: str  # the imported module, e.g. wms.core.stock
    where: str  # file and line, for the message

    def packages(self) -> tuple[str, str]:
        return package_of(self.source), package_of(self.target)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def modules_in(source: Path) -> dict[str, Path]:
    """Every module of the package at ``source`` by its dotted name."""
    found = {}
    for path in sorted(source.rglob("*.py")):
        parts = list(path.relative_to(source.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_in(source: Path) -> list[Import]:
    """Every import of one module of ``source`` by another (module level and in functions).

    ``from package import name`` names the module ``package.name`` when there is one,
    else the package itself.
    """
    modules = modules_in(source)
    found = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        package_init = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = module.split(".") if package_init else module.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join([*here, base] if base else here)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != module:
                    where = f"{path.relative_to(source.parent)}:{node.lineno}"
                    found.append(Import(module, target, where))
    return found


def wrong_way(imports: list[Import]) -> list[str]:
    """Imports of a package in the importer's own layer or above, or of one with no layer."""
    wrong = []
    for imp in imports:
        source, target = imp.packages()
        if source == target:
            continue
        below, above = layer_of(target), layer_of(source)
        if below is None or above is None or below >= above:
            wrong.append(f"{imp.where}: {source} imports {target} ({imp.target})")
    return wrong


def circles(imports: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        edges[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_every_package_has_its_place_in_a_layer() -> None:
    packages = {package_of(module) for module in modules_in(SOURCE)}

    assert sorted(p for p in packages if layer_of(p) is None) == []


def test_each_package_is_listed_in_one_layer_only() -> None:
    listed = [name for layer in LAYERS for name in layer]

    assert len(listed) == len(set(listed))


def test_no_import_points_up_or_sideways() -> None:
    assert wrong_way(imports_in(SOURCE)) == []


def test_no_module_imports_itself_back_through_others() -> None:
    assert circles(imports_in(SOURCE)) == []


def test_architecture_draws_the_layers_as_listed() -> None:
    """ARCHITECTURE.md's drawing names every layer's packages, the app factory on top."""
    drawing = ARCHITECTURE.read_text().split("```")[1]
    drawn = [
        re.findall(r"[a-z_0-9]+", line.split("|")[1])
        for line in drawing.splitlines()
        if "|" in line
    ]

    assert drawn == [[ROOT], *(list(layer) for layer in reversed(LAYERS))]


# ------------------------------------------------------------------ the check itself


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "wms" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "wms"


def test_the_check_finds_an_import_inside_a_function_that_points_up(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/stock.py": "def f():\n    from wms.orders.services import g\n",
            "orders/__init__.py": "",
            "orders/services.py": "from wms.core import stock\n",
        },
    )

    assert wrong_way(imports_in(source)) == [
        "wms/core/stock.py:2: core imports orders (wms.orders.services)"
    ]


def test_the_check_finds_a_circle_through_a_package_init(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "orders/__init__.py": "bp = 1\nfrom wms.orders import routes\n",
            "orders/routes.py": "from wms.orders import bp\n",
            "orders/queries.py": "from . import routes\n",
        },
    )

    assert circles(imports_in(source)) == [["wms.orders", "wms.orders.routes"]]
