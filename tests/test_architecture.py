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
