"""Tag tables: rules mapping tags (OSM keys, Amap type codes, Baidu tags) onto categories.

A table is YAML with ``rules``, each a ``category`` and the ``tags`` an element must carry
(a value, a list of values, or ``"*"``), tried in order; see ``tags.yaml`` beside this
module for the full description. The Amap/Baidu table uses the same matcher on the
columns of a POI export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zonekit.errors import ProfileError

#: The shipped OSM table.
OSM_TABLE = Path(__file__).with_name("tags.yaml")


@dataclass(frozen=True)
class Rule:
    """One row of a tag table: ``category`` when every tag of ``tags`` matches."""

    category: str
    tags: tuple[tuple[str, frozenset[str] | None], ...]  # None: any value

    def matches(self, tags: Mapping[str, str], prefix: bool = False) -> bool:
        """Tell whether ``tags`` satisfy the rule.

        A value such as ``"1;2"`` (or Amap's ``"060200|060400"``) matches when one of
        its parts does; with ``prefix`` a part matches when it starts with an allowed
        value (Amap type codes).
        """
        for key, allowed in self.tags:
            value = tags.get(key)
            if value is None or value == "":
                return False
            if allowed is None:
                continue
            parts = [p.strip() for p in re.split(r"[;|]", str(value))]
            if prefix:
                if not any(p.startswith(a) for p in parts for a in allowed):
                    return False
            elif not any(p in allowed for p in parts):
                return False
        return True


@dataclass(frozen=True)
class TagTable:
    """Ordered rules, the keys whose unmatched values are counted, and the source file."""

    rules: tuple[Rule, ...]
    keys: tuple[str, ...]
    source: str

    def category(self, tags: Mapping[str, str], prefix: bool = False) -> str | None:
        """Return the category of the first matching rule, ``None`` when none matches."""
        for rule in self.rules:
            if rule.matches(tags, prefix):
                return rule.category
        return None

    def unmapped_label(self, tags: Mapping[str, str]) -> str | None:
        """``"key=value"`` of the first counted key an unmatched element carries, if any."""
        for key in self.keys:
            if tags.get(key):
                return f"{key}={tags[key]}"
        return None


def _values(value: Any, where: str) -> frozenset[str] | None:
    if value == "*":
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return frozenset([str(value)])
    if isinstance(value, bool):  # YAML reads a bare yes as True
        return frozenset(["yes" if value else "no"])
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return frozenset(str(v) for v in value)
    raise ProfileError(f"{where}: expected a value, a list of values or \"*\", found {value!r}")


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict) or set(raw) != {"category", "tags"}:
        raise ProfileError(f"{where}: expected {{category: NAME, tags: {{key: value}}}}, "
                           f"found {raw!r}")
    tags = raw["tags"]
    if not isinstance(raw["category"], str) or not isinstance(tags, dict) or not tags:
        raise ProfileError(f"{where}: 'category' must be a name and 'tags' a non-empty mapping")
    return Rule(raw["category"], tuple((str(k), _values(v, f"{where}, tag '{k}'"))
                                       for k, v in tags.items()))


def load_tag_table(table: str | Path | Mapping[str, Any] | None = None,
                   default: Path = OSM_TABLE) -> TagTable:
    """Read a tag table (a YAML file, an already-parsed mapping, or ``None`` for ``default``).

    Raises
    ------
    zonekit.errors.ProfileError
        Unreadable YAML, or a rule that is not ``{category: NAME, tags: {key: value}}``;
        the message names the file and the rule's position.
    """
    import yaml

    if isinstance(table, Mapping):
        doc, source = dict(table), "tags"
    else:
        path = Path(table) if table is not None else default
        source = str(path)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ProfileError(f"{path}: cannot read the tag table ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise ProfileError(f"{source}: expected a mapping with a 'rules' list")
    rules = tuple(_rule(r, f"{source}, rules[{i}]") for i, r in enumerate(doc["rules"]))
    keys = doc.get("keys") or sorted({k for r in rules for k, _ in r.tags})
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ProfileError(f"{source}, key 'keys': expected a list of tag keys, found {keys!r}")
    return TagTable(rules, tuple(keys), source)
