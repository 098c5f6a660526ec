"""Partitioned runs on a LocalCluster give the one-run answers (zonekit.analysis.scale.evaluation).

Generated provinces (benchmarks/scale_data.py): a dozen parks of a few hundred firms, cut
into partitions of whole parks; a street grid with population cells for the circles.
Everything is compared with one ordinary run over all the data: ids, statuses, classes,
ranks, counts and flags exactly, floats to 1e-9 relative. The million-enterprise check
runs with ``ZONEKIT_SLOW=1`` (about 40 s more) and in ``benchmarks/bench_scale.py``.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="dask.distributed not installed: "
                    "pip install 'zonekit[scale]' to test partitioned runs")
pytest.importorskip("dask_geopandas", reason="dask-geopandas not installed: "
                    "pip install 'zonekit[scale]' to test partitioned runs")
pytest.importorskip("pyarrow", reason="pyarrow not installed: pip install 'zonekit[scale]'")

import geopandas as gpd  # noqa: E402
from scale_fixtures import assert_bench_same, assert_same, scale_data, single_run  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from zonekit.analysis.mujun import evaluation as mujun  # noqa: E402
from zonekit.analysis.network.engine import nearest_times  # noqa: E402
from zonekit.analysis.network.graph import build_network  # noqa: E402
from zonekit.analysis.network.snapping import snap_points  # noqa: E402
from zonekit.analysis.network.travel import load_travel_profile  # noqa: E402
from zonekit.analysis.scale import circles as dc  # noqa: E402
from zonekit.analysis.scale import evaluation as dz  # noqa: E402
from zonekit.analysis.scale import partitions as pt  # noqa: E402
from zonekit.cli.app import app  # noqa: E402
from zonekit.errors import CRSError, SchemaError  # noqa: E402

YEAR = 2024


@pytest.fixture(scope="module")
def client():
    """Two in-process workers (threads): quick to start, reliable in CI."""
    with dz.open_client(workers=2, processes=False) as c:
        yield c


@pytest.fixture(scope="module")
def province() -> dict[str, gpd.GeoDataFrame]:
    return scale_data().make_parks(12, 250, seed=3)


@pytest.fixture(scope="module")
def parts(province) -> pt.Parts:
    return pt.split_layers(province["zones"], province["parcels"], province["enterprises"], 5)


def _profile(**evaluation) -> mujun.MujunProfile:
    prof = mujun.load_mujun_profile()
    return replace(prof, evaluation=replace(prof.evaluation, **evaluation))


SPECS = mujun.load_mujun_profile().evaluation.indicators
VARIANTS = {
    "shipped": {},
    "mean-no-cap": {"cap": None, "indicators": tuple(
        replace(s, benchmark="mean", multiple=1.2) for s in SPECS)},
    "median-zero": {"missing": "zero", "indicators": tuple(
        replace(s, benchmark="median") for s in SPECS)},
    "minmax-thresholds": {"scoring": "minmax", "class_method": "thresholds",
                          "class_thresholds": (("A", 60.0), ("B", 40.0), ("C", 20.0), ("D", 0.0))},
    "scope-equal-share": {"scope_graded": ("industrial",), "scope_separately": (),
                          "land_share": "equal"},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_evaluation_equals_single_run(client, province, parts, variant) -> None:
    prof = _profile(**VARIANTS[variant])
    res = dz.evaluate(parts, prof, client, year=YEAR, collect=True)
    want = single_run(province["zones"], province["parcels"], province["enterprises"], prof, YEAR)
    assert_same(res.enterprises.loc[want.enterprises.index], want.enterprises, "enterprises")
    assert_same(res.parcels.loc[want.parcels.index], want.parcels, "parcels")
    assert_same(res.zones, want.zones, "zone_intensity")
    assert_same(res.zone_table, want.zone_table, "zone_table")
    assert_bench_same(res.bench_enterprises, want.bench_enterprises)
    assert_bench_same(res.bench_parcels, want.bench_parcels)
    assert res.summary["graded_enterprises"] == int((want.enterprises["grade_status"]
                                                     == "graded").sum())
    assert res.summary["low_efficiency_parcels"] == int(want.parcels["low_efficiency"].sum())
    # the run's classes differ from those each park alone would give: benchmarks are global
    assert set(res.enterprises["class"]) >= {"A", "D", "not graded"}


@pytest.mark.parametrize("denominator", ["all", "industrial"])
def test_denominators_and_absolute_tax_line(client, province, parts, denominator) -> None:
    prof = mujun.load_mujun_profile()
    prof = replace(prof, low_efficiency=replace(prof.low_efficiency, tax_per_mu_below_wan=3.0))
    res = dz.evaluate(parts, prof, client, year=YEAR, denominator=denominator, collect=True)
    want = single_run(province["zones"], province["parcels"], province["enterprises"], prof, YEAR,
                      denominator)
    assert_same(res.parcels.loc[want.parcels.index], want.parcels, "parcels")
    assert_same(res.zones, want.zones, "zone_intensity")
    assert_same(res.zone_table, want.zone_table, "zone_table")


def test_parks_sum_to_the_zone_total(client, parts) -> None:
    res = dz.evaluate(parts, mujun.load_mujun_profile(), client, year=YEAR)
    assert len(res.parks) == 12
    zone_rows = res.zones[~res.zones["zone_id"].isin(["park", "(no zone)", "(unassigned)"])]
    assert res.parks["revenue_yi"].sum() == pytest.approx(zone_rows["revenue_yi"].sum())
    classes = [c for c in res.parks if c.startswith("enterprises_")]
    assert res.parks[classes].to_numpy().sum() + res.zones.loc[
        res.zones["zone_id"].isin(["(no zone)", "(unassigned)"]), "enterprises"].sum() == \
        res.summary["enterprises"]


def test_year_column_selects_the_latest_year(client, province) -> None:
    ents = province["enterprises"].assign(year=YEAR)
    older = ents.assign(year=YEAR - 1, revenue_wan=ents["revenue_wan"] * 0.5)
    both = pd.concat([older, ents], ignore_index=True)
    parts = pt.split_layers(province["zones"], province["parcels"], both, 3)
    res = dz.evaluate(parts, mujun.load_mujun_profile(), client, collect=True)
    assert res.summary["data_year"] == YEAR
    latest = both.loc[both["year"] == YEAR]
    want = single_run(province["zones"], province["parcels"], latest, mujun.load_mujun_profile(),
                      YEAR)
    assert_same(res.enterprises.loc[want.enterprises.index], want.enterprises, "enterprises")


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask's parquet reader
def test_geoparquet_parts_through_the_cli(province, tmp_path) -> None:
    """`zonekit scale intensity` on files, with a LocalCluster of worker processes."""
    folder = tmp_path / "parts"
    scale_data().write_province(province, folder, 4)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["scale", "intensity", "--parts", str(folder), "--out",
                                      str(out), "--workers", "1", "--data-year", str(YEAR)])
    assert result.exit_code == 0, result.output
    import dask_geopandas

    ents = dask_geopandas.read_parquet(out / "enterprises").compute().set_index("ent_id")
    parcels = dask_geopandas.read_parquet(out / "parcels").compute().set_index("parcel_id")
    concat = {name: pd.concat([gpd.read_parquet(f) for f in sorted((folder / name).glob("*"))],
                              ignore_index=True) for name in pt.LAYERS}
    want = single_run(concat["zones"], concat["parcels"], concat["enterprises"],
                      mujun.load_mujun_profile(), YEAR)
    w = want.enterprises.set_index("ent_id")
    assert_same(ents.loc[w.index, ["class", "rank", "grade_status", "total_score"]],
                w[["class", "rank", "grade_status", "total_score"]], "enterprises from files")
    wp = want.parcels.set_index("parcel_id")
    assert_same(parcels.loc[wp.index, ["class", "low_efficiency", "reasons"]],
                wp[["class", "low_efficiency", "reasons"]], "parcels from files")
    zones = pd.read_csv(out / "zones.csv", encoding="utf-8-sig")
    np.testing.assert_allclose(zones["revenue_yi"], want.zones["revenue_yi"], rtol=1e-4)
    assert (out / "parks.csv").exists() and (out / "summary.json").exists()


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask's parquet reader
def test_dask_geopandas_frames(client, province, tmp_path) -> None:
    """Partitions given as dask-geopandas frames are computed on the workers."""
    import dask_geopandas

    scale_data().write_province(province, tmp_path, 3)
    read = {name: dask_geopandas.read_parquet(sorted((tmp_path / name).glob("*.parquet")))
            for name in pt.LAYERS}
    parts = pt.from_dask(read["zones"], read["parcels"], read["enterprises"])
    assert len(parts) == 3
    res = dz.evaluate(parts, mujun.load_mujun_profile(), client, year=YEAR, collect=True)
    concat = {name: pd.concat([gpd.read_parquet(f) for f in sorted((tmp_path / name).glob("*"))],
                              ignore_index=True) for name in pt.LAYERS}
    want = single_run(concat["zones"], concat["parcels"], concat["enterprises"],
                      mujun.load_mujun_profile(), YEAR)
    got = res.enterprises.set_index("ent_id").loc[want.enterprises["ent_id"]]
    assert_same(got.reset_index()[want.enterprises.columns].set_axis(want.enterprises.index),
                want.enterprises, "enterprises from dask frames")
    assert_same(res.zones, want.zones, "zones from dask frames")
    with pytest.raises(SchemaError, match="partitioned alike"):
        pt.from_dask(read["zones"], read["parcels"], read["enterprises"].repartition(npartitions=1))


def test_checks_stop_before_the_work(client, province, parts) -> None:
    prof = mujun.load_mujun_profile()
    p0, p1 = parts.parts[0], parts.parts[1]
    moved = pt.Parts(parts.zones, [
        replace(p0, enterprises=pd.concat([p0.enterprises, p1.enterprises.iloc[:3]])),
        replace(p1, enterprises=p1.enterprises.iloc[3:]), *parts.parts[2:]])
    with pytest.raises(SchemaError, match="same partition as their parcel"):
        dz.evaluate(moved, prof, client, year=YEAR)
    twice = pt.Parts(parts.zones, [p0, replace(p1, parcels=pd.concat([p1.parcels,
                                                                      p0.parcels.iloc[:2]]))])
    with pytest.raises(SchemaError, match="several partitions"):
        dz.evaluate(twice, prof, client, year=YEAR)
    bad = p0.parcels.copy()
    bad.loc[bad.index[:2], "status"] = "demolished"
    with pytest.raises(SchemaError, match="demolished"):
        dz.evaluate(pt.Parts(parts.zones, [replace(p0, parcels=bad)]), prof, client, year=YEAR)
    wgs = pt.Parts(parts.zones, [replace(p0, parcels=p0.parcels.to_crs(4326),
                                         enterprises=p0.enterprises.to_crs(4326))])
    with pytest.raises(CRSError):
        dz.evaluate(wgs, prof, client, year=YEAR)


@pytest.fixture(scope="module")
def city() -> dict[str, gpd.GeoDataFrame]:
    return scale_data().make_city(30, facilities=60, seed=5)


def _single_minutes(city, spec: dc.PartitionCircleSpec) -> pd.DataFrame:
    net = build_network(city["roads"], spec.profile)
    so = snap_points(net, city["population"], spec.max_snap_m)
    sf = snap_points(net, city["facilities"], spec.max_snap_m)
    return nearest_times(net, so, sf, city["facilities"]["category"], spec.limit_minutes)


def _assert_minutes(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns) and got.index.equals(want.index)
    assert np.array_equal(got.isna().to_numpy(), want.isna().to_numpy())
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize(("mode", "limit", "tile_m"), [
    ("walk", 10.0, 800.0), ("bike", 5.0, 1000.0),
    ("drive", {"clinic": 3.0, "grocery": 2.0, "park": 4.0, "school": 3.0}, 1500.0)])
def test_circles_equal_single_run(client, city, mode, limit, tile_m) -> None:
    spec = dc.PartitionCircleSpec(load_travel_profile(mode), limit, max_snap_m=120.0)
    res = dc.circles(city["population"], city["roads"], city["facilities"], spec, client,
                     tile_m=tile_m, weight_col="population")
    want = _single_minutes(city, spec)
    _assert_minutes(res["minutes"], want)
    summary = res["summary"]
    assert summary["parts"] > 1 and summary["origins"] == len(city["population"])
    for cat, cov in summary["coverage"].items():
        assert cov["origins_within"] == int(want[f"minutes_{cat}"].notna().sum())


def test_circles_by_area_then_tiles(client, city) -> None:
    """Two overlapping areas (first wins) and tiles for the origins in neither."""
    x0, y0, x1, y1 = city["roads"].total_bounds
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    import shapely

    areas = gpd.GeoDataFrame(geometry=[shapely.box(x0, y0, mx + 300, my),
                                       shapely.box(mx, y0, x1, my + 500)], crs=city["roads"].crs)
    spec = dc.PartitionCircleSpec(load_travel_profile("walk"), 8.0)
    res = dc.circles(city["population"], city["roads"], city["facilities"], spec, client,
                     tile_m=1200.0, areas=areas)
    _assert_minutes(res["minutes"], _single_minutes(city, spec))
    assert res["summary"]["parts_with_origins"] >= 3


def test_circles_from_geoparquet_files(client, city, tmp_path) -> None:
    scale_data().write_city(city, tmp_path, tiles=3)
    spec = dc.PartitionCircleSpec(load_travel_profile("walk"), 10.0)
    res = dc.circles(tmp_path / "population", tmp_path / "roads", tmp_path / "facilities",
                     spec, client, tile_m=900.0, out=tmp_path / "out", id_col="cell_id",
                     collect=False)
    got = pd.concat([gpd.read_parquet(f) for f in (tmp_path / "out" / "origins").glob("*")])
    got = got.set_index("cell_id").sort_index()
    want = _single_minutes(city, spec).set_axis(city["population"]["cell_id"]).sort_index()
    assert got.index.equals(want.index)  # every origin once
    _assert_minutes(got[want.columns], want)
    assert res["summary"]["origins"] == len(want)


def test_scale_circles_command_through_the_api(client, city, tmp_path) -> None:
    """`zonekit scale circles --minutes --origin-id` (zk.scale_circles) on a running cluster."""
    scale_data().write_city(city, tmp_path, tiles=3)
    out = tmp_path / "out"
    args = ["scale", "circles", "--origins", str(tmp_path / "population"), "--roads",
            str(tmp_path / "roads"), "--facilities", str(tmp_path / "facilities"),
            "--minutes", "10", "--origin-id", "cell_id", "--tile-km", "0.9",
            "--scheduler", client.scheduler.address, "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = pd.concat([gpd.read_parquet(f) for f in (out / "origins").glob("*")])
    spec = dc.PartitionCircleSpec(load_travel_profile("walk"), 10.0)
    want = _single_minutes(city, spec).set_axis(city["population"]["cell_id"]).sort_index()
    _assert_minutes(got.set_index("cell_id").sort_index()[want.columns], want)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "scale circles" and summary["origins"] == len(want)
    again = CliRunner().invoke(app, args)  # run_folder: earlier results kept without --force
    assert again.exit_code == 2 and "--force" in again.output


def test_circles_buffer_is_needed(client, city, monkeypatch) -> None:
    """With a buffer half as wide, trips are cut: the test above would notice."""
    spec = dc.PartitionCircleSpec(load_travel_profile("walk"), 10.0)
    full = dc.reach_m
    monkeypatch.setattr(dc, "reach_m", lambda s, v: full(s, v) / 4)
    res = dc.circles(city["population"], city["roads"], city["facilities"], spec, client,
                     tile_m=600.0)
    want = _single_minutes(city, spec)
    assert not np.array_equal(res["minutes"].isna().to_numpy(), want.isna().to_numpy()) or \
        not np.allclose(res["minutes"].fillna(-1), want.fillna(-1))


@pytest.mark.skipif(os.environ.get("ZONEKIT_SLOW") != "1",
                    reason="a million enterprises (~40 s): set ZONEKIT_SLOW=1; "
                    "benchmarks/bench_scale.py checks it too")
def test_a_million_enterprises(client) -> None:
    data = scale_data().make_parks(200, 5000, seed=0)
    parts = pt.split_layers(data["zones"], data["parcels"], data["enterprises"], 20)
    res = dz.evaluate(parts, mujun.load_mujun_profile(), client, year=YEAR, collect=True)
    want = single_run(data["zones"], data["parcels"], data["enterprises"],
                      mujun.load_mujun_profile(), YEAR)
    assert len(want.enterprises) == 1_000_000
    assert_same(res.enterprises.loc[want.enterprises.index], want.enterprises, "enterprises")
    assert_same(res.parcels.loc[want.parcels.index], want.parcels, "parcels")
    assert_same(res.zones, want.zones, "zone_intensity")


def test_scale_needs_no_dask_for_help() -> None:
    """`zonekit --help` must not import dask (the default path stays light)."""
    import subprocess
    import sys

    code = ("import sys, zonekit.cli.app; print(any(m.split('.')[0] in "
            "('dask', 'distributed', 'pyarrow') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parents[3], check=True)
    assert out.stdout.strip() == "False"
