"""Validate layers against the layer model, repairing what can be repaired.

Validation collects every problem of a layer before reporting, so a planner sees the full
list in one run. Problems are of two kinds: *errors* (invalid values: the run stops, or the
rows are dropped with ``drop_invalid``) and *notes* (repairs made, rows that join to
nothing): both are kept in a :class:`Findings` object that the CLI prints and writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonekit.errors import SchemaError, format_rows, where
from zonekit.zones.schema import Column, Layer

if TYPE_CHECKING:
    import geopandas as gpd

_TRUE = {"true", "t", "yes", "y", "1", "是", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "0.0", ""}


@dataclass
class Problem:
    """Rows of one layer that fail one check."""

    layer: str
    source: str
    column: str | None
    message: str
    rows: list[object] = field(default_factory=list)

    def __str__(self) -> str:
        loc = where(self.source, self.layer, self.column)
        rows = f" (rows: {format_rows(self.rows)})" if self.rows else ""
        return f"{loc}: {self.message}{rows}"


@dataclass
class Findings:
    """What validation found: errors that stop a run, notes that do not, dropped rows."""

    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    dropped: list[pd.DataFrame] = field(default_factory=list)
    #: Rows of the layer :func:`validate_layer` checked that fail a check (a mask in its
    #: row order, for :func:`drop_error_rows`); kept here, not in the layer's ``attrs``,
    #: which GeoParquet and pickling need to hold only plain values. Not carried by
    #: :meth:`extend`: it belongs to one layer.
    invalid_rows: np.ndarray | None = field(default=None, repr=False)

    def extend(self, other: Findings) -> None:
        """Add another :class:`Findings` to this one (errors, notes, dropped rows)."""
        self.errors += other.errors
        self.notes += other.notes
        self.dropped += other.dropped

    def raise_if_errors(self) -> None:
        """Raise one :class:`SchemaError` listing every error."""
        if self.errors:
            lines = "\n".join(f"  - {p}" for p in self.errors)
            advice = ("Fix the rows above, or pass drop_invalid=True to continue without them "
                      "(they are then listed in dropped.csv)."
                      if any(p.rows for p in self.errors) else "Fix the layers above.")
            raise SchemaError(
                f"{len(self.errors)} problem(s) in the input data:\n{lines}\n{advice}")

    def dropped_table(self) -> pd.DataFrame:
        """All dropped rows: layer, row id and reason."""
        if not self.dropped:
            return pd.DataFrame(columns=["layer", "row_id", "reason"])
        return pd.concat(self.dropped, ignore_index=True)

    def as_dict(self) -> dict[str, list[str]]:
        """Plain-text form for ``summary.json``."""
        return {"errors": [str(p) for p in self.errors], "notes": [str(p) for p in self.notes]}


def default_note(col: Column) -> str:
    """Return the note for a column the layer lacks and gets by default."""
    value = "blank" if col.default.value is None else repr(col.default.value)
    return f"not in the layer, default {value} used ({col.default.meaning})"


def _row_ids(gdf: pd.DataFrame, mask: np.ndarray, id_column: str | None) -> list[object]:
    if id_column and id_column in gdf.columns:
        return gdf.loc[mask, id_column].tolist()
    return [f"#{i}" for i in np.flatnonzero(mask)]


def _coerce(series: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray]:
    """Convert a column to its model type; return it and a mask of unparseable values."""
    missing = series.isna().to_numpy()
    if col.kind in ("int", "float"):
        values = pd.to_numeric(series, errors="coerce")
        if col.kind == "int":  # beyond 2**53 floats are no longer whole numbers (and 1e20 no int)
            values = values.astype(float).where(lambda v: ~(v.abs() > 2.0**53))
        bad = values.isna().to_numpy() & ~missing
        if col.kind == "int":
            return values.round().astype("Int64"), bad
        return values.astype(float), bad
    if col.kind == "bool":
        text = series.astype(str).str.strip().str.lower()
        is_true = text.isin(_TRUE).to_numpy()
        is_false = (text.isin(_FALSE) | series.isna()).to_numpy()
        return pd.Series(is_true, index=series.index), ~(is_true | is_false)
    codes, index, name = None, series.index, series.name
    if isinstance(series.dtype, pd.StringDtype):
        # text columns: each distinct value once (a road class column holds a handful in
        # millions of rows), the rows sharing its str object; not for object columns,
        # where factorize would take True and 1 for one value
        codes, uniques = pd.factorize(series)
        series = pd.Series(uniques, dtype=series.dtype)
    text = series.astype("string").str.strip()
    if col.kind == "str":
        # Numeric ids read as floats ("12.0") come back as their integer text.
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    if codes is None:
        return text.astype(object).where(~missing, None), np.zeros(len(missing), bool)
    values = np.append(text.astype(object).to_numpy(), None)[codes]  # code -1: missing
    return pd.Series(values, index=index, dtype=object, name=name), np.zeros(len(missing), bool)


# Long on purpose: the checks of one layer in the order the model lists them, each a
# short block, so that every problem of a file is reported in one run.
def _missing_columns(gdf: gpd.GeoDataFrame, layer: str, source: str,
                     missing: list[str]) -> Problem:
    """Say which required columns are missing; a mapped one by the source column it names.

    Internal columns (``_maxspeed_text``: a name zonekit gives while reading) are not shown.
    """
    from zonekit.zones.mapping import ABSENT_ATTR

    found = ", ".join(str(c) for c in gdf.columns
                      if c != gdf.geometry.name and not str(c).startswith("_")) or "none"
    absent = gdf.attrs.get(ABSENT_ATTR, {})
    mapped = [f"column '{absent[c]}' (mapped onto {c})" for c in missing if c in absent]
    plain = [c for c in missing if c not in absent]
    parts = []
    if mapped:
        parts.append(f"the mapping takes {', '.join(mapped)}, but the file has no such column")
    if plain:
        parts.append(f"required column(s) missing: {', '.join(plain)}")
    return Problem(layer, source, ", ".join(absent.get(c, c) for c in missing),
                   f"{'; '.join(parts)} (found: {found}). Rename them, or map your names with "
                   "mapping=FILE")


def validate_layer(
    gdf: gpd.GeoDataFrame, spec: Layer, source: str, allow_empty: bool = False,
    known_bad: np.ndarray | None = None,
) -> tuple[gpd.GeoDataFrame, Findings]:
    """Check and normalise one layer against its model.

    Parameters
    ----------
    gdf
        The layer as read.
    spec
        Its layer model.
    source
        File name (and layer) for messages.
    allow_empty
        Accept empty geometries (rows of a table that could not be placed, already listed).
    known_bad
        Rows whose geometry was already reported (e.g. NaN coordinates) and removed: they
        count as invalid, without a second "empty geometry" problem.

    Returns
    -------
    A new GeoDataFrame with columns converted to model types and invalid geometries
    repaired, and the :class:`Findings`. Rows with errors are still present; the caller
    decides whether to stop or drop them (:func:`drop_error_rows`).
    """
    findings = Findings()
    out = gdf.copy()
    for col in spec.defaults_for(out.columns):
        out[col.name] = col.default.value
        findings.notes.append(Problem(spec.name, source, col.name, default_note(col)))
    missing_cols = [c for c in spec.required_columns if c not in out.columns]
    if missing_cols:
        findings.errors.append(_missing_columns(out, spec.name, source, missing_cols))
        return out, findings
    bad_rows = np.zeros(len(out), bool)
    for col in spec.columns:
        if col.name not in out.columns:
            continue
        raw = gdf[col.name] if col.name in gdf.columns else out[col.name]  # as read, for messages
        values, bad, problems = _check_column(out, raw, col, spec, source)
        out[col.name] = values
        findings.errors += problems
        bad_rows |= bad
    if spec.name == "roads" and "oneway" in out.columns:
        unknown, problems = oneway_problems(out["oneway"], source)
        findings.errors += problems
        bad_rows |= unknown
    known = np.zeros(len(out), bool) if known_bad is None else np.asarray(known_bad, bool)
    geom_bad, geom_findings, out = _check_geometry(out, spec, source, allow_empty, known)
    findings.extend(geom_findings)
    findings.invalid_rows = bad_rows | geom_bad | known
    return out, findings


def _check_column(out: gpd.GeoDataFrame, raw: pd.Series, col: Column, spec: Layer,
                  source: str) -> tuple[pd.Series, np.ndarray, list[Problem]]:
    """Convert one column to its model type; return it, its bad rows and their problems.

    ``raw`` is the column as read (shown in messages); ``out`` gives the row ids.
    """
    values, unparseable = _coerce(out[col.name], col)
    problems: list[Problem] = []
    bad_rows = np.zeros(len(out), bool)

    def report(mask: np.ndarray, message: str, rows: list | None = None) -> None:
        nonlocal bad_rows
        problems.append(Problem(spec.name, source, col.name, message,
                                _row_ids(out, mask, spec.id_column) if rows is None else rows))
        bad_rows |= mask

    if unparseable.any():
        report(unparseable, f"expected {col.kind} values ({col.description}), found "
                            f"{sorted(map(str, raw[unparseable].unique()))[:5]}")
    isna = pd.isna(values).to_numpy() if col.kind != "bool" else np.zeros(len(out), bool)
    if not col.nullable and col.kind != "bool" and (isna & ~unparseable).any():
        report(isna & ~unparseable, f"missing values ({col.description})")
    if col.choices is not None:
        mask = ~isna & ~values.isin(col.choices).to_numpy()
        if mask.any():
            found = sorted(map(str, values[mask].unique()))[:5]
            report(mask, f"expected one of {', '.join(col.choices)}, found {', '.join(found)}")
    numeric = col.kind in ("int", "float")
    if col.minimum is not None and numeric:
        mask = values.to_numpy(dtype=float, na_value=np.nan) < col.minimum
        if mask.any():
            report(mask, f"values below {col.minimum:g} ({col.description})")
    if col.maximum is not None and numeric:
        mask = values.to_numpy(dtype=float, na_value=np.nan) > col.maximum
        if mask.any():
            report(mask, f"absurd values above {col.maximum:,.0f} ({col.description}): "
                         "check the unit (元 vs 万元?)")
    if col.unique:
        mask = values.duplicated(keep=False).to_numpy() & ~isna
        if mask.any():
            report(mask, f"duplicate ids ({mask.sum()} rows share {values[mask].nunique()} ids)",
                   sorted(set(values[mask].tolist()), key=str))
    return values, bad_rows, problems


def oneway_problems(values: pd.Series, source: str) -> tuple[np.ndarray, list[Problem]]:
    """Describe one-way codes the network builder cannot read, with the likely convention.

    NavInfo (四维图新) road data code the direction as 0 (not surveyed), 1 (both ways),
    2 (one-way, digitised direction), 3 (one-way, against it): there 1 means two-way, the
    opposite of OSM, so such codes are never guessed but mapped by the user.
    """
    from zonekit.zones.schema import ONEWAY_WORDS

    text = values.astype("string").str.strip().str.lower()
    unknown = text.notna().to_numpy() & ~text.isin(list(ONEWAY_WORDS)).to_numpy()
    if not unknown.any():
        return unknown, []
    found = sorted(set(values[unknown].astype(str)))
    hint = ("expected yes/no, true/false, 1/0/-1, T/F, FT/TF/B, reverse, 单行/双向/正向/反向")
    if {"2", "3"} & set(text[unknown]):
        hint = ("2/3 look like NavInfo (四维图新) direction codes (0 not surveyed, 1 both ways, "
                "2 one-way in the digitised direction, 3 one-way against it), in which 1 "
                "means two-way: say so in the mapping, values: {oneway: {0: no, 1: no, "
                "2: yes, 3: '-1'}}")
    if "n" in set(text[unknown]):
        hint += ("; N (Esri/HERE: closed to traffic both ways) is not a direction: remove "
                 "those roads, or map N in the mapping's values block")
    return unknown, [Problem("roads", source, "oneway", f"unknown one-way codes "
                             f"{', '.join(found[:8])}: {hint}", [f"#{i}" for i in
                                                                 np.flatnonzero(unknown)])]


def _check_geometry(
    gdf: gpd.GeoDataFrame, spec: Layer, source: str, allow_empty: bool,
    known_bad: np.ndarray,
) -> tuple[np.ndarray, Findings, gpd.GeoDataFrame]:
    import shapely

    findings = Findings()
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    reported = empty & known_bad
    empty &= ~known_bad
    if empty.any() and not allow_empty:
        findings.errors.append(Problem(spec.name, source, "geometry", "empty or missing geometry",
                                       _row_ids(gdf, empty, spec.id_column)))
    expected = {"polygon": ("Polygon", "MultiPolygon"), "point": ("Point",),
                "line": ("LineString", "MultiLineString")}[spec.geometry]
    # geometry type names from GEOS's type ids, vectorised (no per-feature Python objects)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"], dtype=object)
    ids = shapely.get_type_id(geoms)
    types = np.where(ids >= 0, names[np.clip(ids, 0, None)], None)
    types[empty | reported] = None
    wrong = ~empty & ~reported & ~np.isin(types, expected)
    if wrong.any():
        findings.errors.append(Problem(spec.name, source, "geometry",
            f"expected {' or '.join(expected)} geometries, found {sorted(set(types[wrong]))}",
            _row_ids(gdf, wrong, spec.id_column)))
    bad = (empty & (not allow_empty)) | wrong | reported
    if spec.geometry == "polygon":
        invalid = ~bad & ~shapely.is_valid(geoms)
        if invalid.any():
            repaired = shapely.make_valid(geoms[invalid])
            # make_valid may return collections: keep only the polygonal parts.
            repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
            geoms = geoms.copy()
            geoms[invalid] = repaired
            reasons = [shapely.is_valid_reason(g) for g in gdf.geometry.to_numpy()[invalid]]
            findings.notes.append(Problem(spec.name, source, "geometry",
                f"invalid polygons repaired with make_valid (e.g. {reasons[0]})",
                _row_ids(gdf, invalid, spec.id_column)))
            gdf = gdf.set_geometry(shapely.from_wkb(shapely.to_wkb(geoms)), crs=gdf.crs)
        zero = ~bad & (shapely.area(gdf.geometry.to_numpy()) <= 0)
        if zero.any():
            findings.errors.append(Problem(spec.name, source, "geometry", "zero-area polygons",
                                           _row_ids(gdf, zero, spec.id_column)))
            bad |= zero
    return bad, findings, gdf


def _polygonal(geom: object) -> object:
    import shapely

    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def drop_error_rows(
    gdf: gpd.GeoDataFrame, findings: Findings, spec: Layer
) -> gpd.GeoDataFrame:
    """Drop rows flagged by validation and record them (row id and reasons) in ``findings``.

    ``gdf`` and ``findings`` are what :func:`validate_layer` returned for one layer.
    """
    bad = findings.invalid_rows
    if bad is None or not bad.any():
        return gdf
    ids = _row_ids(gdf, bad, spec.id_column)
    reasons = {}
    for problem in findings.errors:
        if problem.layer == spec.name:
            for rid in problem.rows:
                reasons.setdefault(rid, []).append(f"{problem.column}: {problem.message}")
    findings.dropped.append(pd.DataFrame({
        "layer": spec.name, "row_id": ids,
        "reason": ["; ".join(reasons.get(i, ["invalid"])) for i in ids],
    }))
    findings.errors = [p for p in findings.errors if p.layer != spec.name or not p.rows]
    findings.invalid_rows = None  # the mask was of the rows before dropping
    return gdf.loc[~bad].copy()


def refuse_if_all_dropped(name: str, gdf: gpd.GeoDataFrame, findings: Findings,
                          source: str) -> None:
    """Stop when dropping invalid rows left a layer with no rows at all.

    An analysis of nothing would write empty or misleading results; the message gives the
    reasons the rows were dropped, most frequent first.
    """
    if len(gdf) or not findings.dropped:
        return
    table = findings.dropped_table()
    table = table[table["layer"] == name]
    if table.empty:
        return
    reasons = table["reason"].value_counts()
    listed = "; ".join(f"{r} ({n} rows)" for r, n in reasons.head(5).items())
    raise SchemaError(
        f"{source}: every row of layer '{name}' ({len(table)}) is invalid, so dropping invalid "
        f"rows (drop_invalid) would leave nothing to analyse. Reasons: {listed}. Nothing was "
        "written; fix the layer first."
    )
