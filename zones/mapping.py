"""Mapping files: from a planner's own field names and units to the layer model.

A mapping is YAML with one block per layer (see the README)::

    enterprises:
      file: 企业名录.xlsx          # optional; else found in --data
      sheet: 2024                 # workbooks
      columns: {统一社会信用代码: ent_id, 企业名称: name, 地块编号: parcel_id, 营业收入: revenue}
      units: {revenue: 亿元}      # converted to the model's 万元 / m² / tce on reading
      values: {status: {在用: in_use}}   # value spellings
      defaults: {status: in_use}  # columns the source lacks
      position: {x: lon, y: lat, crs: gcj02}   # tables: coordinates, or else
      key: parcel_id              # … placed on the parcel with this key

Shipped mappings (``sandiao``: 三调 land-use fields; ``osmnx``: osmnx edges) can be named
instead of a file. The mapping used is written into every ``summary.json``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zonekit.errors import ProfileError
from zonekit.zones.schema import LAYERS

#: Unit → factor to the model unit, per model column suffix.
UNITS: dict[str, dict[str, float]] = {
    "_wan": {"元": 1e-4, "千元": 0.1, "万元": 1.0, "百万元": 100.0, "亿元": 1e4},
    "_m2": {"m2": 1.0, "m²": 1.0, "平方米": 1.0, "亩": 10_000 / 15, "公顷": 1e4, "ha": 1e4,
            "hm2": 1e4, "km2": 1e6, "平方公里": 1e6},
    "_tce": {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0, "万吨标准煤": 1e4},
}
_KEYS = {"file", "sheet", "layer", "columns", "units", "values", "defaults", "position", "key",
         "crs"}
SHIPPED = Path(__file__).with_name("mappings")
#: ``DataFrame.attrs`` key under which :func:`apply_mapping` leaves its notes.
NOTES_ATTR = "zonekit_mapping_notes"
#: ``DataFrame.attrs`` key: model column → the source column the mapping names, absent.
ABSENT_ATTR = "zonekit_mapping_absent"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerMapping:
    """How one of the user's layers maps onto a model layer."""

    layer: str
    file: Path | None = None
    sheet: str | int | None = None
    source_layer: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    position: dict[str, str] = field(default_factory=dict)
    key: str = "parcel_id"
    crs: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: per-layer blocks and where it came from."""

    layers: dict[str, LayerMapping]
    source: str
    raw: dict[str, Any] = field(default_factory=dict)

    def for_layer(self, name: str) -> LayerMapping | None:
        """Return the block for model layer ``name``, if any."""
        return self.layers.get(name)


def model_column(target: str, layer: str) -> str:
    """Resolve a mapping target: ``revenue`` → ``revenue_wan`` when the model has a unit suffix."""
    names = [c.name for c in LAYERS[layer].columns]
    if target in names:
        return target
    for suffix in UNITS:
        if f"{target}{suffix}" in names:
            return f"{target}{suffix}"
    return target


def load_mapping(spec: str | Path | None) -> Mapping | None:
    """Read a mapping file, or a shipped mapping by name (``sandiao``, ``osmnx``).

    Raises
    ------
    zonekit.errors.ProfileError
        Malformed YAML, unknown layers, keys, columns or units, naming the file and key.
    """
    if spec is None:
        return None
    import yaml

    path = Path(spec)
    if not path.exists() and (SHIPPED / f"{spec}.yaml").exists():
        path = SHIPPED / f"{spec}.yaml"
    if not path.exists():
        shipped = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
        raise ProfileError(f"{spec}: mapping file not found (shipped mappings: {shipped})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: expected a mapping of layer names to blocks, "
                           f"found {type(raw).__name__}")
    _refuse_cycles(raw, path, [])
    layers = {}
    for name, block in raw.items():
        layers[name] = _layer_mapping(path, name, block)
    return Mapping(layers=layers, source=str(path), raw=raw)


def _refuse_cycles(node: Any, path: Path, trail: list[Any]) -> None:
    """Refuse YAML whose aliases make a structure contain itself (``&a {x: *a}``)."""
    if not isinstance(node, (dict, list)):
        return
    if any(node is seen for seen in trail):
        raise ProfileError(f"{path}: a YAML alias refers to a block that contains it "
                           "(an alias cycle); write the values out instead of using *alias")
    trail.append(node)
    for child in (node.values() if isinstance(node, dict) else node):
        _refuse_cycles(child, path, trail)
    trail.pop()


#: Keys whose value must be a table (YAML mapping), and, for ``values``, of tables.
_TABLE_KEYS = ("columns", "units", "values", "defaults", "position")


def _check_structure(path: Path, name: str, block: dict[str, Any]) -> None:
    """Each key of a layer block has the shape the reader expects, else a clear error."""
    where_ = f"{path}, layer '{name}'"
    for key in _TABLE_KEYS:
        value = block.get(key)
        if value is not None and not isinstance(value, dict):
            raise ProfileError(f"{where_}, key '{key}': expected a table such as "
                               f"{_EXAMPLES[key]}, found {value!r}")
    for col, spellings in (block.get("values") or {}).items():
        if not isinstance(spellings, dict):
            raise ProfileError(f"{where_}, key 'values', column '{col}': expected a table of "
                               f"spellings such as {{在用: in_use}}, found {spellings!r}")
    for key in ("file", "layer", "key", "crs"):
        if block.get(key) is not None and not isinstance(block[key], str):
            raise ProfileError(f"{where_}, key '{key}': expected text, found {block[key]!r}")
    if block.get("sheet") is not None and not isinstance(block["sheet"], (str, int)):
        raise ProfileError(f"{where_}, key 'sheet': expected a sheet name or number, "
                           f"found {block['sheet']!r}")
    targets: dict[str, list[str]] = {}
    for source, target in (block.get("columns") or {}).items():
        targets.setdefault(model_column(str(target), name), []).append(str(source))
    twice = {t: s for t, s in targets.items() if len(s) > 1}
    if twice:
        listed = "; ".join(f"{', '.join(s)} → {t}" for t, s in sorted(twice.items()))
        raise ProfileError(f"{where_}, key 'columns': several source columns map to one "
                           f"field ({listed}); keep one source per field")


_EXAMPLES = {
    "columns": "{企业名称: name}", "units": "{revenue: 亿元}",
    "values": "{status: {在用: in_use}}", "defaults": "{status: in_use}",
    "position": "{x: lon, y: lat, crs: gcj02}",
}


def _layer_mapping(path: Path, name: str, block: Any) -> LayerMapping:
    if name not in LAYERS or name == "population":
        raise ProfileError(f"{path}: unknown layer '{name}'; expected one of "
                           f"{', '.join(n for n in LAYERS if n != 'population')}")
    if not isinstance(block, dict):
        raise ProfileError(f"{path}, layer '{name}': expected a block of keys, found {block!r}")
    unknown = set(block) - _KEYS
    if unknown:
        raise ProfileError(f"{path}, layer '{name}': unknown key(s) {', '.join(sorted(unknown))}; "
                           f"expected some of {', '.join(sorted(_KEYS))}")
    _check_structure(path, name, block)
    columns = {str(k): model_column(str(v), name) for k, v in (block.get("columns") or {}).items()}
    model = {c.name for c in LAYERS[name].columns}
    bad = sorted(v for v in columns.values() if v not in model)
    if bad:
        raise ProfileError(f"{path}, layer '{name}', key 'columns': unknown model column(s) "
                           f"{', '.join(bad)}; expected some of {', '.join(sorted(model))}")
    units = {}
    for col, unit in (block.get("units") or {}).items():
        target = model_column(str(col), name)
        table = next((t for s, t in UNITS.items() if target.endswith(s)), None)
        if table is None or str(unit) not in table:
            allowed = ", ".join(table) if table else "none (this column has no unit)"
            raise ProfileError(f"{path}, layer '{name}', key 'units': unit {unit!r} for "
                               f"'{col}' not understood; allowed: {allowed}")
        units[target] = str(unit)
    base = path.parent
    return LayerMapping(
        layer=name,
        file=(base / block["file"]) if block.get("file") else None,
        sheet=block.get("sheet"), source_layer=block.get("layer"), columns=columns,
        units=units,
        values={model_column(str(k), name): dict(v)
                for k, v in (block.get("values") or {}).items()},
        defaults={model_column(str(k), name): v for k, v in (block.get("defaults") or {}).items()},
        position=dict(block.get("position") or {}), key=str(block.get("key", "parcel_id")),
        crs=block.get("crs"),
    )


def apply_mapping(df: pd.DataFrame, mapping: LayerMapping | None) -> pd.DataFrame:
    """Rename, convert units, map values and fill defaults (a new frame; input untouched)."""
    if mapping is None:
        return df
    out, notes = _rename(df, mapping)
    for col, unit in mapping.units.items():
        if col in out.columns:
            factor = next(t for s, t in UNITS.items() if col.endswith(s))[unit]
            out[col] = pd.to_numeric(out[col], errors="coerce") * factor
    for col, spellings in mapping.values.items():
        if col in out.columns:
            out[col] = out[col].map(lambda v, s=spellings: s.get(v, s.get(str(v), v)))
    for col, value in mapping.defaults.items():
        if col not in out.columns:
            out[col] = value
        else:
            out[col] = out[col].fillna(value)
    if notes:
        out.attrs[NOTES_ATTR] = notes
    # model columns the mapping takes from a column the file lacks: messages name the source
    absent = {v: k for k, v in mapping.columns.items() if k not in df.columns and v not in out}
    if absent:
        out.attrs[ABSENT_ATTR] = absent
    return out


def _rename(df: pd.DataFrame, mapping: LayerMapping) -> tuple[pd.DataFrame, list[str]]:
    """Rename the mapped columns; a column the layer already has under a target name yields.

    Two columns of one name would break every later step, and the mapping states which
    column the user means: the mapped one replaces the existing one (a note says so).
    """
    renamed = {k: v for k, v in mapping.columns.items() if k in df.columns and k != v}
    targets = set(renamed.values())
    if len(targets) < len(renamed):
        twice = sorted({v for v in renamed.values() if list(renamed.values()).count(v) > 1})
        raise ProfileError(f"mapping layer '{mapping.layer}', key 'columns': several columns "
                           f"map onto {', '.join(twice)}; keep one")
    clash = [c for c in df.columns if c in targets and c not in renamed]
    notes = [f"column '{c}' replaced by the mapped column "
             f"'{next(k for k, v in renamed.items() if v == c)}' (mapping layer "
             f"'{mapping.layer}')" for c in clash]
    for note in notes:
        logger.info(note)
    return df.drop(columns=clash).rename(columns=renamed), notes
