"""The import rule between medshare's rooms, read from the source (every import statement, module-level or local).

* ``spec`` imports nothing outside ``spec``;
* ``reference`` imports ``spec`` and ``reference``;
* ``conformance`` imports ``spec``, ``conformance`` and ``reference.testbed`` (the door to the running system);
* ``models`` imports ``spec``, ``models`` and ``reference.testbed``;
* the face (``medshare/*.py``: the command line and the main job) imports anything, and nothing imports it;
* the package root ``medshare/__init__.py`` holds the version strings, imports nothing, and every room may read it;
* the module import graph has no cycle.

So ``conformance`` and ``models`` never import each other: only the face brings them together. Through the
testbed they take only the names it offers (its ``__all__``). An import is whatever names a module: import
statements, ``__import__``/``importlib.import_module``/``runpy`` calls, code in string literals given to
``exec``/``eval``/``compile``, ``sys.modules[...]``, and attribute chains on an imported module. A name computed at
run time is allowed only in the discovery modules of :data:`LOADERS`, within the packages they declare. The tests
take what the testbed offers from the testbed, and only the rest from the modules behind it.
"""

from __future__ import annotations

import ast
import re
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


#: the modules that load modules by a computed name (discovery), and the packages they may load from
LOADERS = {
    "medshare.conformance.registry": ("medshare.conformance.ops", "medshare.conformance.generators",
                                      "medshare.conformance.mutants"),
    "medshare.reference.bench": ("medshare.reference.bench",),
}
#: an import whose module name is computed at run time
COMPUTED = "<computed>"
#: the builtins and library functions that import a module, or run code that can
IMPORTERS = {"__import__", "import_module", "run_module", "run_path", "exec", "eval", "compile"}
#: the importlib machinery that loads a module from a file path: always a computed import
BY_PATH = {"spec_from_file_location", "module_from_spec", "exec_module", "load_module", "SourceFileLoader"}


def _text(node: ast.expr | None, module: str, package: str) -> str | None:
    """A literal string argument, or ``__name__`` / ``__package__`` as the module's names."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in ("__name__", "__package__"):
        return module if node.id == "__name__" else package
    return None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _relative(name: str, level: int, package: str) -> str:
    """``name`` imported ``level`` packages up from ``package`` (level 1 is the package itself)."""
    if not level:
        return name
    base = package.split(".")[:len(package.split(".")) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _called(call: ast.Call, aliases: dict[str, str]) -> str | None:
    """The importing function a call names (``importlib.import_module``, an alias of it, ``exec``, ...)."""
    fn = call.func
    if isinstance(fn, ast.Call) and ast.unparse(fn.func) == "getattr" and len(fn.args) == 2 and \
            isinstance(fn.args[1], ast.Constant):  # getattr(importlib, "import_module")(...)
        name = str(fn.args[1].value)
    elif isinstance(fn, ast.Name):
        name = aliases.get(fn.id, fn.id)
    elif isinstance(fn, ast.Attribute) and fn.attr not in ("exec", "eval", "compile"):  # ``model.eval`` is no import
        name = fn.attr
    else:
        return None
    return name if name in IMPORTERS | BY_PATH else None


def _dynamic(call: ast.Call, how: str, module: str, package: str) -> Iterator[str]:
    """The modules a call to an importing function names: literal names resolved, else :data:`COMPUTED`."""
    keyword = {"__import__": "name", "import_module": "name", "run_module": "mod_name", "exec": "source",
               "eval": "source", "compile": "source"}.get(how, "path")
    first = _arg(call, 0, keyword)
    text = _text(first, module, package)
    if how in ("exec", "eval", "compile"):  # code in a string: its own imports, read like the file's
        if text is None:
            yield COMPUTED
            return
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return
        yield from (name for _, name in _statements(tree, module, package))
        return
    if text is None or how == "run_path" or how in BY_PATH:
        yield COMPUTED
        return
    if how == "__import__":
        level = _arg(call, 4, "level")
        if level is not None and not (isinstance(level, ast.Constant) and isinstance(level.value, int)):
            yield COMPUTED
            return
        yield _relative(text, level.value if isinstance(level, ast.Constant) else 0, package)
    elif how == "import_module" and text.startswith("."):
        anchor = _text(_arg(call, 1, "package"), module, package)
        if anchor is None:
            yield COMPUTED
            return
        dots = len(text) - len(text.lstrip("."))
        yield _relative(text[dots:], dots, anchor)
    else:
        yield text


def _statements(tree: ast.AST, module: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for every import statement, importing call and ``sys.modules[...]`` in the tree;
    a ``from`` import names the module and the name (``medshare.spec.group.PairingGroup``)."""
    aliases: dict[str, str] = {}  # a local name of an importing function -> the function
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("importlib", "builtins", "runpy"):
            aliases.update((a.asname or a.name, a.name) for a in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _relative(node.module or "", node.level, package)
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}" if alias.name != "*" else target
        elif isinstance(node, ast.Call) and (how := _called(node, aliases)) is not None:
            yield from ((node.lineno, name) for name in _dynamic(node, how, module, package))
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "sys.modules":
            text = _text(node.slice, module, package)
            yield node.lineno, text if text is not None else COMPUTED
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "sys.modules.get":
            text = _text(_arg(node, 0, "key"), module, package)
            yield node.lineno, text if text is not None else COMPUTED


def _bindings(tree: ast.AST, package: str) -> dict[str, str]:
    """Local name -> the dotted name an import binds it to (``import a.b`` binds ``a``; ``from p import m`` binds
    ``m`` to ``p.m``)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                    alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            target = _relative(node.module or "", node.level, package)
            bound.update((a.asname or a.name, f"{target}.{a.name}") for a in node.names if a.name != "*")
    return bound


def imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for everything the file imports or reaches through an imported module:
    import statements (module-level or local), importing calls with their literal or computed names, code in
    string literals given to ``exec``/``eval``/``compile``, ``sys.modules[...]``, and attribute chains on an
    imported name (``medshare.reference.b.x``, ``testbed._deploy``)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    yield from _statements(tree, module, package)
    bound = _bindings(tree, package)
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = ast.unparse(node)
            head = chain.split(".")[0]
            if head in bound and re.fullmatch(r"[\w.]+", chain):
                yield node.lineno, bound[head] + chain[len(head):]


def _in_package(name: str) -> str | None:
    """The ``medshare`` dotted name an import refers to, or None for a third-party or standard module."""
    top = name.split(".")[0]
    if top == FACE:
        return name
    if top in ROOMS:  # the folder imported by its own name, outside the package: judged as the room
        return f"{FACE}.{name}"
    return None


def _resolve(name: str, known: set[str]) -> str | None:
    """The deepest module of the tree that ``name`` lies in (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _offered(path: Path) -> set[str] | None:
    """The names the testbed offers: its ``__all__`` (None when it has none: then every public name)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)}
    return None


def graph(root: Path, discovery: bool = True) -> tuple[dict[str, Path], dict[str, dict[str, int]], list[str]]:
    """The modules; module -> imported medshare module -> first line importing it; and the imports that are not
    edges of the graph but break the rule (a computed name outside :data:`LOADERS`, a name the testbed does not
    offer taken from it by a room that reaches it only through the door). With ``discovery``, a loader's edges
    run to every module of the packages it loads from; without, they are left out: a discovered module may
    import its loader (``conformance/generators/*`` use the builder, which runs the ops the registry finds)."""
    files = sources(root)
    known = set(files)
    offered = _offered(files[TESTBED]) if TESTBED in files else set()
    edges: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for module, path in files.items():
        out: dict[str, int] = {}
        where = path.relative_to(root)
        for line, name in imports(module, path):
            if name == COMPUTED:
                if module not in LOADERS:
                    problems.append(f"{where}:{line}: {module} imports a module by a computed name")
                    continue
                targets = [m for m in known if discovery and m.startswith(tuple(p + "." for p in LOADERS[module]))]
            elif (dotted := _in_package(name)) is None:
                continue
            else:
                target = _resolve(dotted, known) or dotted
                targets = [target]
                taken = dotted[len(target) + 1:].split(".")[0]
                if target == TESTBED and taken and "reference" not in ALLOWED[room(module)] and \
                        (taken.startswith("_") if offered is None else taken not in offered):
                    problems.append(f"{where}:{line}: {module} takes {taken} from the testbed, which does not "
                                    "offer it (its __all__)")
            for target in targets:
                if target != module:
                    out[target] = min(line, out.get(target, line))
        edges[module] = out
    return files, edges, problems


def violations(root: Path) -> list[str]:
    files, edges, found = graph(root)
    for module, out in sorted(edges.items()):
        src = room(module)
        for target, line in sorted(out.items(), key=lambda item: item[1]):
            if room(target) not in ALLOWED[src]:
                found.append(f"{files[module].relative_to(root)}:{line}: {module} ({src}) imports {target} "
                             f"({room(target)}); {src} may import {', '.join(sorted(ALLOWED[src])) or 'nothing'}")
    return found


def cycles(root: Path) -> list[list[str]]:
    """One cycle through each strongly connected component of the module graph that has one."""
    files, edges, _ = graph(root, discovery=False)
    succ = {m: sorted(t for t in out if t in files) for m, out in edges.items()}
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
    ("conformance/a.py", "from ..reference.testbed import _b\n"),
    ("conformance/a.py", "from ..reference import testbed\nx = testbed._b.y\n"),
    ("models/a.py", "import medshare.reference.testbed\nx = medshare.reference.b.y\n"),
    ("models/a.py", "import importlib\nm = importlib.import_module('..reference.b', __package__)\n"),
    ("conformance/a.py", "m = __import__('cli', globals(), None, [], 2)\n"),
    ("models/a.py", "from importlib import import_module as load\nm = load('medshare.conformance.c')\n"),
    ("models/a.py", "import importlib\nn = 'b'\nm = importlib.import_module(f'medshare.reference.{n}')\n"),
    ("models/a.py", "ex" + "ec('from medshare.reference.b import x')\n"),  # split: no call of it in this file
    ("models/a.py", "import sys\nm = sys.modules['medshare.reference.b']\n"),
    ("spec/a.py", "import runpy\nrunpy.run_module('medshare.reference.b')\n"),
    ("spec/a.py", "import importlib\nm = getattr(importlib, 'import_module')('medshare.reference.b')\n"),
    ("spec/a.py", "import importlib.util as u\ns = u.spec_from_file_location('b', 'reference/b.py')\n"),
])
def test_the_checker_sees_a_forbidden_import(tmp_path: Path, name: str, text: str) -> None:
    root = _tree(tmp_path, {"reference/b.py": "", "reference/testbed.py": "from . import b as _b\nx = 1\n"
                            "__all__ = ['x']\n", "conformance/c.py": "", "models/m.py": "", "medshare/cli.py": "",
                            name: text})
    assert len(violations(root)) == 1


def test_the_checker_allows_the_doors(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reference/testbed.py": "from .b import x\n",
        "reference/b.py": "from ..spec import s\nx = 1\n",
        "spec/s.py": "from .. import SPEC_VERSION\n",
        "conformance/c.py": "from ..reference.testbed import x\nfrom .. import SPEC_VERSION\n",
        "models/m.py": "def f():\n    from medshare.reference.testbed import x\n    return x.y, f.eval('1')\n",
        "reference/bench/__init__.py": "import importlib\nm = importlib.import_module(f'.{1}', __name__)\n",
        "medshare/cli.py": "from .conformance import c\nfrom .models import m\nfrom .reference import b\n",
    })
    assert violations(root) == []


def test_the_checker_reports_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"models/a.py": "from . import b\n", "models/b.py": "def f():\n    from .c import x\n",
                            "models/c.py": "from .a import y\n"})
    assert cycles(root) == [["medshare.models.a", "medshare.models.b", "medshare.models.c", "medshare.models.a"]]


def test_tests_take_the_testbeds_names_from_the_testbed() -> None:
    import importlib

    from medshare.reference import testbed

    offered = [getattr(testbed, name) for name in testbed.__all__]
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("medshare.reference.") and \
                    node.module != TESTBED:
                module = importlib.import_module(node.module)
                found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{a.name}" for a in node.names
                          if any(getattr(module, a.name, None) is value for value in offered)]
    assert not found, "names the testbed offers, imported from behind it:\n" + "\n".join(found)
