"""Architecture locks: platform SDKs stay inside bot/adapters/, and the handlers stay platform-free."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_PACKAGES = {"slack_bolt", "slack_sdk", "discord"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_platform_sdk_outside_the_adapters() -> None:
    offenders = []
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if (ROOT / "bot" / "adapters") in path.parents:
                continue
            leaked = _imports(path) & PLATFORM_PACKAGES
            if leaked:
                offenders.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(leaked))}")
    assert offenders == []


def test_the_check_would_catch_a_leak(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text("from slack_sdk.web.async_client import AsyncWebClient\nimport discord.ui\n", encoding="utf-8")
    assert _imports(leaky) & PLATFORM_PACKAGES == {"slack_sdk", "discord"}


def test_store_ships_no_python() -> None:
    assert not list((ROOT / "briefings").rglob("*.py"))


# --- import direction (DESIGN.md): every import counts, lazy and type-only ones included ------------------------


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body (``from a import b`` counts ``a.b`` when b
    is a module, else ``a``)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        named: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                named.add(node.module)
                named.update(f"{node.module}.{alias.name}" for alias in node.names)
        edges = set()
        for dotted in named:
            parts = dotted.split(".")
            for end in range(len(parts), 0, -1):
                if (candidate := ".".join(parts[:end])) in modules:
                    edges.add(candidate)
                    break
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_anywhere() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_would_catch_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_handlers_never_import_the_scheduler_the_app_or_an_adapter() -> None:
    graph = _graph()
    forbidden = ("bot.scheduler", "bot.app", "bot.adapters")
    offenders = {
        name: sorted(m for m in imported if m.startswith(forbidden))
        for name, imported in graph.items()
        if name.startswith("handlers")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_command_line_imports_the_app() -> None:
    """The composition root is reached from the command line only; adapters get parts, handlers get ports."""
    importers = {name for name, imported in _graph().items() if "bot.app" in imported}
    assert importers <= {"bot.cli", "bot.cli_oneshot"}
    assert "bot.cli" in importers


def test_the_core_imports_no_platform_and_no_runtime_above_it() -> None:
    """bot.store, bot.state, bot.posting and bot.briefing know nothing of adapters, handlers, the scheduler, the app."""
    graph = _graph()
    core = ("bot.store", "bot.state", "bot.posting", "bot.briefing")
    above = ("bot.adapters", "handlers", "bot.scheduler", "bot.app", "bot.cli")
    offenders = {
        name: sorted(m for m in imported if m.startswith(above))
        for name, imported in graph.items()
        if name.startswith(core)
    }
    assert {name: found for name, found in offenders.items() if found} == {}
