"""Property-based fuzzing of the readers through ``zonekit zones``.

Random bytes as a layer file, random column types and values in a layer, random mapping
YAML: every run ends with exit 0 and complete results, or exit 2 and a message naming a
file or layer; never a traceback, never a changed input. Kept small (a few seconds per
test): each example is a whole CLI run.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from corpus_round2 import write  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()
FUZZ = settings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FEW = settings(FUZZ, max_examples=4)  # per file format


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _run_and_judge(folder: Path, *extra: str) -> None:
    """Run ``zones`` on ``folder``; assert a clean outcome and unchanged inputs."""
    before = _snapshot(folder)
    out = folder.parent / "out"
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(out), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert result.output.startswith("Error: ") and len(result.output) > 20
        assert not out.exists()
    else:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        table = pd.read_csv(out / "zones.csv", encoding="utf-8-sig")
        park = table.loc[table["zone_id"] == "park"].iloc[0]
        assert park["enterprises"] == summary["enterprises"]
        assert np.isclose(park["revenue_yi"], summary["total_revenue_yi"], equal_nan=True)
    assert _snapshot(folder) == before


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".csv", ".xlsx", ".zip"])
@FEW
@given(payload=st.binary(min_size=0, max_size=600))
def test_random_bytes_as_a_layer_file(tiny_park, suffix: str, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "park"
        folder.mkdir()
        write(tiny_park, folder, enterprises=None)
        (folder / f"enterprises{suffix}").write_bytes(payload)
        _run_and_judge(folder)


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "合计", "in_use", "A1", "E1", "1001", "NaN", "1e20", "是", "-1"]),
)


@FUZZ
@given(data=st.data())
def test_random_column_types_and_values(tiny_park, data) -> None:
    layer = data.draw(st.sampled_from(["zones", "parcels", "enterprises"]), label="layer")
    gdf = tiny_park[layer].copy()
    column = data.draw(st.sampled_from([c for c in gdf.columns if c != "geometry"]),
                       label="column")
    values = data.draw(st.lists(_VALUES, min_size=len(gdf), max_size=len(gdf)), label="values")
    kinds = {type(v) for v in values if v is not None}
    gdf[column] = pd.Series(values, index=gdf.index, dtype=object if len(kinds) != 1 else None)
    if len(kinds) > 1:  # GeoPackage columns hold one type: the mixture arrives as text
        gdf[column] = gdf[column].map(lambda v: None if v is None else str(v))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "park"
        folder.mkdir()
        write(tiny_park, folder, **{layer: gdf})
        _run_and_judge(folder)


_KEYS = ["file", "sheet", "layer", "columns", "units", "values", "defaults", "position",
         "key", "crs", "revenue", "status", "name", "亿元", "x"]
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8),
                     st.sampled_from(_KEYS + ["in_use", "万元", "gcj02", "EPSG:4548"]))
_YAML = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)),
    max_leaves=8)


@FUZZ
@given(blocks=st.dictionaries(st.sampled_from(["zones", "parcels", "enterprises", "roads",
                                               "other"]), _YAML, min_size=1, max_size=2))
def test_random_mapping_yaml(tiny_park, blocks) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "park"
        folder.mkdir()
        write(tiny_park, folder)
        mapping = Path(tmp) / "mapping.yaml"
        mapping.write_text(yaml.safe_dump(blocks, allow_unicode=True), encoding="utf-8")
        _run_and_judge(folder, "--mapping", str(mapping))
