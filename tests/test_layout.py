"""The house rules a newcomer relies on: retrieval/ never imports discord; settings are not read deep inside."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_retrieval_never_imports_discord_or_the_bot():
    offenders = [p.name for p in (ROOT / "retrieval").glob("*.py") if _imports(p) & {"discord", "bot"}]
    assert offenders == []


def test_environment_is_read_only_by_settings_and_entry_points():
    allowed = {"__main__.py"}
    offenders = [
        str(p.relative_to(ROOT)) for folder in ("retrieval", "bot", "config") for p in (ROOT / folder).rglob("*.py")
        if "os.environ[" in p.read_text() or "os.getenv(" in p.read_text() or "environ.get(" in p.read_text()
        if p.name not in allowed
    ]
    assert offenders == []
