"""The config file as a pydantic-settings source, and validation errors told at the file's line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, YamlConfigSettingsSource

from bot.errors import ConfigError


class ConfigFileSource(YamlConfigSettingsSource):
    """The config file through pydantic-settings' YAML source, so its values, the ``BRIEFBOT_*`` variables and the
    command-line flags are validated together. A file that cannot be read or is not a mapping is a ConfigError
    naming the file, and a relative ``store`` is taken from the project folder (the one holding ``config/``)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls, yaml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        from bot.config_cache import cached_parse  # the parse of an unchanged file is kept: no PyYAML import

        loaded = cached_parse(Path(file_path), _parse)
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {file_path} must be a mapping of settings")
        data: dict[str, Any] = loaded
        if "store" in data and not Path(str(data["store"])).is_absolute():
            data["store"] = (Path(file_path).parent.parent / str(data["store"])).resolve()
        return data


def _parse(path: Path) -> object:
    import yaml  # here, not at import: a command whose config file is cached never needs PyYAML

    try:
        # libyaml's loader where PyYAML has it (as the store's): the pure-Python one pydantic-settings uses
        # takes about 10 ms of every command for this short file
        with path.open(encoding="utf-8") as file:
            return yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None


def describe_invalid(exc: ValidationError, path: Path | None, flags: set[str]) -> str:
    """``file:line: setting: problem`` when the wrong value is in the file, else ``file: setting: problem``."""
    problems: list[str] = []
    line: int | None = None
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        problems.append(f"{'.'.join(map(str, loc))}: {error['msg']}")
        if line is None and path is not None and loc and not _set_outside_file(str(loc[0]), flags):
            line = _line_in_file(path, loc)
    where = f"{path}:{line}" if line is not None else str(path or "settings")
    return f"{where}: {'; '.join(problems)}"


def _set_outside_file(key: str, flags: set[str]) -> bool:
    """Whether a top-level setting came from a flag or a ``BRIEFBOT_*`` variable, which win over the file."""
    prefix = f"BRIEFBOT_{key.upper()}"
    return key in flags or any(name == prefix or name.startswith(f"{prefix}__") for name in os.environ)


def _line_in_file(path: Path, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest part of it the file has)."""
    import yaml

    try:
        node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    if node is None:
        return None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        else:
            child = None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1
