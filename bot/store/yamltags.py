"""How PyYAML's safe loader reads a plain (unquoted) scalar: as text, or as a bool, null, number or date. YAML 1.1
rules, the store's reference (``on`` is true, ``012`` is ten), shared by both fast paths of :mod:`yamlparse`."""

from __future__ import annotations

__all__ = ["IMPLICIT", "MAP", "SEQ", "STANDARD_TAG", "STR", "TIMESTAMP", "Loader", "plain_tag"]

try:  # libyaml is about 5x faster; PyYAML wheels ship it, but a source build may not
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

STANDARD_TAG = "tag:yaml.org,2002:"  # what '!!' stands for
STR, SEQ, MAP, TIMESTAMP = (STANDARD_TAG + name for name in ("str", "seq", "map", "timestamp"))

IMPLICIT = Loader.yaml_implicit_resolvers
assert None not in IMPLICIT  # what plain_tag leaves out: wildcard resolvers,
assert not Loader.yaml_path_resolvers  # and path resolvers

_SHORT: dict[str, str] = {}  # the tag of short plain scalars (keys, ids, dates), which recur in every file


def plain_tag(value: str) -> str:
    """The tag PyYAML gives ``value`` written plain: the first implicit resolver (by first character) that
    matches it, else str."""
    known = _SHORT.get(value)
    if known is not None:
        return known
    found = STR
    for tag, regexp in IMPLICIT.get(value[0] if value else "", ()):
        if regexp.match(value):
            found = tag
            break
    if len(value) <= 24 and len(_SHORT) < 20_000:
        _SHORT[value] = found
    return found
