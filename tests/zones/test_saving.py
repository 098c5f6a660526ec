"""Every loaded layer and result table saves: GeoParquet, GeoPackage, pickle (issue #26 item 3)."""

from __future__ import annotations

import pickle
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app

LAYERS = ("zones", "parcels", "enterprises", "facilities", "roads")


@pytest.fixture(scope="module")
def sample_tables() -> dict[str, pd.DataFrame]:
    """Name → every layer of the sample park and every table of its results."""
    park = zk.load_park()
    tables = {f"park.{n}": getattr(park, n) for n in LAYERS}
    results = {"zones": zk.measure_zones(park), "intensity": zk.intensity(park),
               "indicators": zk.indicators(park), "circles": zk.circles("service", park=park)}
    for name, result in results.items():
        for field, value in vars(result).items():
            if isinstance(value, pd.DataFrame):
                tables[f"{name}.{field}"] = value
        for key, value in getattr(result, "tables", {}).items():
            if isinstance(value, pd.DataFrame):
                tables[f"{name}.tables[{key}]"] = value
    return tables


def test_every_layer_and_result_table_round_trips(sample_tables: dict[str, pd.DataFrame],
                                                  tmp_path: Path) -> None:
    assert len(sample_tables) > 10
    for name, table in sample_tables.items():
        back = pickle.loads(pickle.dumps(table))
        pd.testing.assert_frame_equal(back, table, obj=name)
        pq = tmp_path / f"{name}.parquet"
        table.to_parquet(pq)
        assert len(pd.read_parquet(pq)) == len(table), name
        if isinstance(table, gpd.GeoDataFrame) and table.geometry.notna().any():
            gpkg = tmp_path / f"{name}.gpkg"
            table.to_file(gpkg, driver="GPKG")
            assert len(gpd.read_file(gpkg)) == len(table), name


def test_scale_partition_reads_plain_geoparquet(tmp_path: Path) -> None:
    pytest.importorskip("dask_geopandas", reason="zonekit scale needs dask: "
                        "pip install 'zonekit[scale]'")
    park = zk.load_park()
    files = {}
    for name in ("zones", "parcels", "enterprises"):
        files[name] = tmp_path / f"{name}.parquet"
        getattr(park, name).to_parquet(files[name])  # no bbox covering column
    args = [f"--{n}={p}" for n, p in files.items()]
    done = CliRunner().invoke(app, ["scale", "partition", *args, "--out", str(tmp_path / "p")])
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "p" / "parcels").glob("*.parquet"))) == 4


def test_a_part_of_plain_geoparquet_is_the_part_of_one_with_bbox(tmp_path: Path) -> None:
    from zonekit.analysis.scale.partitions import resolve

    parcels = zk.load_park().parcels
    x0, y0, x1, y1 = parcels.total_bounds
    west = (x0, y0, (x0 + x1) / 2, y1)
    parcels.to_parquet(plain := tmp_path / "plain.parquet")
    parcels.to_parquet(covered := tmp_path / "covered.parquet", write_covering_bbox=True)
    got = resolve(("parquet", [plain], west))
    want = resolve(("parquet", [covered], west))
    assert 0 < len(got) < len(parcels)
    assert sorted(got["parcel_id"]) == sorted(want["parcel_id"])
