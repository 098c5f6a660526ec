"""Partitions of a province and zone tables from partial sums (no dask needed).

zonekit.analysis.scale.partitions and zonekit.analysis.land.zone_parts: the parts keep parks whole
and firms beside their parcels; zone tables from per-part sums equal the one-piece ones.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scale_fixtures import assert_same, scale_data

from zonekit.analysis.land import zone_parts as zs
from zonekit.analysis.land.intensity import zone_intensity
from zonekit.analysis.land.measures import zone_table
from zonekit.analysis.scale import partitions as pt
from zonekit.errors import DataFileError

try:
    import pyarrow  # noqa: F401
except ImportError:  # the in-memory tests still run
    pyarrow = None
needs_pyarrow = pytest.mark.skipif(pyarrow is None, reason="GeoParquet needs pyarrow "
                                   "(pip install 'zonekit[scale]')")


@pytest.fixture(scope="module")
def province():
    return scale_data().make_parks(6, 120, seed=7)


def test_split_keeps_parks_whole_and_firms_with_parcels(province) -> None:
    parts = pt.split_layers(province["zones"], province["parcels"], province["enterprises"], 4)
    assert len(parts) == 4
    assert sum(len(p.enterprises) for p in parts.parts) == len(province["enterprises"])
    assert sum(len(p.parcels) for p in parts.parts) == len(province["parcels"])
    for p in parts.parts:
        parks = set(p.parcels["park_id"].dropna())
        ids = set(p.parcels["parcel_id"])
        known = p.enterprises["parcel_id"].isin(set(province["parcels"]["parcel_id"]))
        assert p.enterprises.loc[known, "parcel_id"].isin(ids).all()
        assert p.enterprises.loc[known, "park_id"].isin(parks).all()


@pytest.mark.parametrize("denominator", ["built", "all", "industrial"])
def test_zone_tables_from_parts(province, denominator) -> None:
    parts = pt.split_layers(province["zones"], province["parcels"], province["enterprises"], 3)
    combined = zs.combine_zone_parts([zs.zone_parts(p.parcels, p.enterprises)
                                      for p in parts.parts])
    z, pa, e = province["zones"], province["parcels"], province["enterprises"]
    assert_same(zs.zone_table_from_parts(z, combined, denominator),
                zone_table(z, pa, e, denominator), "zone_table")
    assert_same(zs.zone_intensity_from_parts(z, combined, denominator),
                zone_intensity(z, pa, e, denominator), "zone_intensity")


@needs_pyarrow
def test_write_and_find_parts(province, tmp_path) -> None:
    parts = pt.split_layers(province["zones"], province["parcels"], province["enterprises"], 2)
    pt.write_parts(parts, tmp_path)
    found = pt.find_parts(tmp_path)
    assert [p.name for p in found.parts] == [p.name for p in parts.parts]
    loaded = pt.load_part(found.parts[0])
    assert len(loaded[1]) == len(parts.parts[0].enterprises)
    info = pt.inspect_part("part-0000", loaded)
    assert info.problems == [] and info.rows == (len(loaded[0]), len(loaded[1]))
    (tmp_path / "enterprises" / "part-0001.parquet").rename(tmp_path / "enterprises" / "x.parquet")
    with pytest.raises(DataFileError, match="same names"):
        pt.find_parts(tmp_path)


@needs_pyarrow
def test_layer_reads_by_box(province, tmp_path) -> None:
    ents = province["enterprises"]
    scale_data().write_layer(ents, tmp_path / "e", (ents.index % 3).to_numpy())
    layer = pt.PartitionLayer.of(tmp_path / "e")
    assert layer.rows() == len(ents) and layer.crs() == ents.crs
    x0, y0, x1, y1 = ents.total_bounds
    box = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    got = pt.resolve(layer.slice(box))
    inside = ents.cx[box[0]:box[2], box[1]:box[3]]
    assert sorted(got["ent_id"]) == sorted(inside["ent_id"])
    mem = pt.PartitionLayer.of(ents).slice(box)
    assert sorted(mem["ent_id"]) == sorted(inside["ent_id"])
    assert isinstance(mem, pd.DataFrame)


@needs_pyarrow
def test_scale_partition_command_on_the_sample(tmp_path) -> None:
    """`zonekit scale partition` on the bundled sample writes GeoParquet parts (issue #24)."""
    pytest.importorskip("dask_geopandas", reason="zonekit scale needs dask")
    import json

    from typer.testing import CliRunner

    from zonekit.cli.app import app

    out = tmp_path / "parts"
    result = CliRunner().invoke(app, ["scale", "partition", "--parts", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "3 partitions written" in result.output
    found = pt.find_parts(out)
    assert len(found) == 3
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["synthetic"] and len(summary["partitions"]) == 3
