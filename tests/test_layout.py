"""The house rules a newcomer relies on, checked on the source: retrieval/ is a library (no Discord, no
app settings), the environment is read only by the settings and the entry points, no import cycle
anywhere (imports inside functions included), cogs load as extensions."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "retrieval", "config", "benchmarks", "tests")
ENTRY_POINTS = {"retrieval/__main__.py", "bot/__main__.py", "config/settings.py"}


def _sources(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _runtime_imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every import that runs (at top level or in a function), not typing-only ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[tuple[str, list[str]]]:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                yield from (item for stmt in child.orelse for item in walk_one(stmt))
                continue
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[tuple[str, list[str]]]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [alias.name for alias in node.names]
        yield from walk(node)

    yield from walk(tree)


def _project_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources(*PACKAGES)}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names in _runtime_imports(path):
            # `from pkg import mod` depends on pkg.mod when that is a module of ours, else on pkg
            found = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            if target in modules and len(found) < len(names):
                found.append(target)
            graph[name].update(t for t in found if t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
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
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_anywhere_in_the_project():
    graph = _project_graph()
    assert "bot.cogs.answers" in graph and "retrieval.service" in graph  # the walk saw the project
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    # The check above must be able to fail: a cycle closed by an import inside a function.
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n")
    graph = {"a": {t for t, _ in _runtime_imports_of(tmp_path / "a.py")},
             "b": {t for t, _ in _runtime_imports_of(tmp_path / "b.py")}}
    assert _cycles(graph) == [["a", "b"]]


def _runtime_imports_of(path: Path):
    tree = ast.parse(path.read_text())
    return [(n.module if isinstance(n, ast.ImportFrom) else n.names[0].name, []) for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom))]


@pytest.mark.parametrize("forbidden", ["discord", "bot", "config"])
def test_retrieval_is_a_library_without_discord_or_the_apps_settings(forbidden):
    # The command line (retrieval/__main__.py) is an application: it reads the settings and builds
    # the library's own RetrievalConfig from them, like the bot does.
    offenders = [str(p.relative_to(ROOT)) for p in _sources("retrieval") if p.name != "__main__.py"
                 if any(target.split(".")[0] == forbidden for target, _ in _runtime_imports(p))]
    assert offenders == []


def _reads_environment(path: Path) -> list[str]:
    """Every way Python code reads or changes the process environment."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "environb", "getenv", "putenv", "unsetenv"}:
            found.append(f"{path.name}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"{path.name}:{node.lineno} from os import {a.name}" for a in node.names
                      if a.name in {"environ", "environb", "getenv", "putenv", "unsetenv"}]
    return found


def test_environment_is_read_only_by_settings_and_entry_points():
    offenders = [hit for p in _sources("retrieval", "bot", "config")
                 if str(p.relative_to(ROOT)) not in ENTRY_POINTS for hit in _reads_environment(p)]
    assert offenders == []


@pytest.mark.parametrize("code", [
    "import os\nos.environ.setdefault('X', '1')\n",
    "import os\nos.environ.update(X='1')\n",
    "import os\nx = os.getenv('X')\n",
    "from os import environ\nx = environ['X']\n",
    "import os\nx = os.environ.get('X')\n",
])
def test_the_environment_check_catches_every_form(tmp_path, code):
    path = tmp_path / "m.py"
    path.write_text(code)
    assert _reads_environment(path)


def test_every_cog_is_an_extension_that_imports_the_client_for_typing_only():
    for path in sorted((ROOT / "bot" / "cogs").glob("[!_]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        setups = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "setup"]
        assert setups, f"{path.name} has no `async def setup(bot)`"
        assert "bot.client" not in {t for t, _ in _runtime_imports(path)}, path.name
