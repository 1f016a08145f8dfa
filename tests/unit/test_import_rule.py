"""The import rule between medshare's rooms, read from the source (every import statement, module-level or local).

* ``spec`` imports nothing outside ``spec``;
* ``reference`` imports ``spec`` and ``reference``;
* ``conformance`` imports ``spec``, ``conformance`` and ``reference.testbed`` (the door to the running system);
* ``models`` imports ``spec``, ``models`` and ``reference.testbed``;
* the face (``medshare/*.py``: the command line and the main job) imports anything, and nothing imports it;
* the package root ``medshare/__init__.py`` holds the version strings, imports nothing, and every room may read it;
* the module import graph has no cycle.

So ``conformance`` and ``models`` never import each other: only the face brings them together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("spec", "reference", "conformance", "models")
FACE = "medshare"
TESTBED = "medshare.reference.testbed"

#: room -> the rooms (or the testbed) it may import; "root" is the package root ``medshare`` itself
ALLOWED = {
    "root": set(),
    "spec": {"root", "spec"},
    "reference": {"root", "spec", "reference"},
    "testbed": {"root", "spec", "reference"},
    "conformance": {"root", "spec", "conformance", "testbed"},
    "models": {"root", "spec", "models", "testbed"},
    "face": {"root", "spec", "reference", "testbed", "conformance", "models", "face"},
}


def module_name(path: Path, root: Path) -> str:
    """``reference/chain/deploy.py`` -> ``medshare.reference.chain.deploy``; ``medshare/cli.py`` -> ``medshare.cli``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts[0] != FACE:
        parts.insert(0, FACE)
    return ".".join(parts)


def sources(root: Path) -> dict[str, Path]:
    """Every module of the rooms and the face, by its import name."""
    found: dict[str, Path] = {}
    for folder in (*ROOMS, FACE):
        for path in sorted((root / folder).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


def room(module: str) -> str:
    """The room a ``medshare`` module name belongs to."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if parts[1] in ROOMS:
        if module == TESTBED or module.startswith(TESTBED + "."):
            return "testbed"
        return parts[1]
    return "face"


def _literal_import(call: ast.Call) -> str | None:
    """``__import__("x")`` and ``importlib.import_module("x")`` with a literal name."""
    fn = call.func
    named = (isinstance(fn, ast.Name) and fn.id in ("__import__", "import_module")) or \
        (isinstance(fn, ast.Attribute) and fn.attr == "import_module")
    if named and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def imports(module: str, path: Path, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the file: the deepest known module each statement names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield node.lineno, sub if sub in known else target
        elif isinstance(node, ast.Call) and (name := _literal_import(node)) is not None:
            yield node.lineno, name


def _in_package(name: str) -> str | None:
    """The ``medshare`` module name an import refers to, or None for a third-party or standard module."""
    top = name.split(".")[0]
    if top == FACE:
        return name
    if top in ROOMS:  # the folder imported by its own name, outside the package: judged as the room
        return f"{FACE}.{name}"
    return None


def graph(root: Path) -> tuple[dict[str, Path], dict[str, dict[str, int]]]:
    """The modules, and module -> imported medshare module -> first line importing it."""
    files = sources(root)
    known = set(files)
    edges: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        out: dict[str, int] = {}
        for line, name in imports(module, path, known):
            target = _in_package(name)
            if target is not None and target != module:
                out[target] = min(line, out.get(target, line))
        edges[module] = out
    return files, edges


def violations(root: Path) -> list[str]:
    files, edges = graph(root)
    found = []
    for module, out in sorted(edges.items()):
        src = room(module)
        for target, line in sorted(out.items(), key=lambda item: item[1]):
            if room(target) not in ALLOWED[src]:
                found.append(f"{files[module].relative_to(root)}:{line}: {module} ({src}) imports {target} "
                             f"({room(target)}); {src} may import {', '.join(sorted(ALLOWED[src])) or 'nothing'}")
    return found


def _resolve(name: str, known: set[str]) -> str | None:
    """The deepest module of the tree that ``name`` lies in (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def cycles(root: Path) -> list[list[str]]:
    """One cycle through each strongly connected component of the module graph that has one."""
    files, edges = graph(root)
    known = set(files)
    succ = {m: sorted({t for n in out if (t := _resolve(n, known)) and t != m}) for m, out in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(succ):
        if v not in index:
            connect(v)
    return [_cycle_in(component, succ) for component in sorted(components)]


def _cycle_in(component: list[str], succ: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first within the component)."""
    start, members = component[0], set(component)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in succ[v]:
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w in members and w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")


# -- the tree ----------------------------------------------------------------------------------------------------


def test_every_room_is_scanned() -> None:
    files = sources(ROOT)
    for folder in (*ROOMS, FACE):
        assert any(p.parent.relative_to(ROOT).parts[0] == folder for p in files.values()), f"nothing in {folder}/"
    assert TESTBED in files, "reference/testbed.py, the door to the running system, is missing"


def test_every_import_follows_the_rule() -> None:
    found = violations(ROOT)
    assert not found, f"{len(found)} imports break the import rule:\n" + "\n".join(found)


def test_no_import_cycle() -> None:
    found = cycles(ROOT)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


# -- the checker itself ------------------------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for folder in (*ROOMS, FACE):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("name, text", [
    ("spec/a.py", "from ..reference import b\n"),
    ("spec/a.py", "def f():\n    from medshare.reference.b import x\n"),
    ("reference/a.py", "import medshare.conformance.c\n"),
    ("reference/sub/a.py", "def f():\n    from ...models import m\n"),
    ("conformance/a.py", "from ..reference.b import x\n"),
    ("conformance/a.py", "from ..models import m\n"),
    ("conformance/a.py", "from .. import cli\n"),
    ("models/a.py", "x = __import__('medshare.reference.b')\n"),
    ("models/a.py", "import importlib\nm = importlib.import_module('medshare.conformance.c')\n"),
    ("medshare/__init__.py", "from .spec import x\n"),
])
def test_the_checker_sees_a_forbidden_import(tmp_path: Path, name: str, text: str) -> None:
    root = _tree(tmp_path, {"reference/b.py": "", "reference/testbed.py": "", "conformance/c.py": "",
                            "models/m.py": "", "medshare/cli.py": "", name: text})
    assert len(violations(root)) == 1


def test_the_checker_allows_the_doors(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reference/testbed.py": "from .b import x\n",
        "reference/b.py": "from ..spec import s\nx = 1\n",
        "spec/s.py": "from .. import SPEC_VERSION\n",
        "conformance/c.py": "from ..reference.testbed import x\nfrom .. import SPEC_VERSION\n",
        "models/m.py": "def f():\n    from medshare.reference.testbed import x\n",
        "medshare/cli.py": "from .conformance import c\nfrom .models import m\nfrom .reference import b\n",
    })
    assert violations(root) == []


def test_the_checker_reports_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"models/a.py": "from . import b\n", "models/b.py": "def f():\n    from .c import x\n",
                            "models/c.py": "from .a import y\n"})
    assert cycles(root) == [["medshare.models.a", "medshare.models.b", "medshare.models.c", "medshare.models.a"]]
