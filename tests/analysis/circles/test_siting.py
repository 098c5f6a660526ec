"""Siting: the coverage matrix against the engine, MCLP and set covering against brute force."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from circles_fixtures import CRS, X0, Y0, planner_grid, points_near

from zonekit.analysis.circles.kinds import circle_network
from zonekit.analysis.circles.siting import (
    candidate_grid,
    coverage_pairs,
    make_solver,
    site_facilities,
    site_table,
)
from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.snapping import snap_points


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_coverage_pairs_match_the_engine_target_by_target(mode):
    _, plain = planner_grid(10, seed=1)
    net = circle_network(plain, mode)
    o = snap_points(net, points_near(plain, 70, seed=2, far=2))
    t = snap_points(net, points_near(plain, 12, seed=3, far=1, prefix="T"))
    limit = 3.0 if mode == "drive" else 6.0
    pairs = coverage_pairs(net, o, t, limit)
    got = np.full((len(o), len(t)), np.nan)
    got[pairs["origin"], pairs["target"]] = pairs["minutes"]
    for j in range(len(t)):
        label = np.where(np.arange(len(t)) == j, "a", "b")
        ref = nearest_times(net, o, t, label, limit)["minutes_a"].to_numpy()
        np.testing.assert_allclose(got[:, j], ref, atol=1e-9, equal_nan=True)
    assert np.isfinite(got).sum() > 50 and np.isnan(got[-2:]).all()  # far origins: none


def _pairs(a: np.ndarray) -> pd.DataFrame:
    i, j = np.nonzero(a)
    return pd.DataFrame({"origin": i, "target": j, "minutes": 1.0})


def _brute(a, w, covered, k):
    best = 0.0
    for combo in itertools.combinations(range(a.shape[1]), k):
        best = max(best, w[covered | a[:, list(combo)].any(axis=1)].sum())
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mclp_and_set_cover_are_optimal(seed):
    rng = np.random.default_rng(seed)
    a = rng.random((40, 9)) < 0.2
    w = rng.integers(1, 30, 40).astype(float)
    covered = rng.random(40) < 0.2
    total = w.sum()
    res = site_facilities(_pairs(a), w, covered, 9, 3, 0.8)
    pick = res.chosen["mclp"]
    assert len(pick) == 3
    assert w[covered | a[:, pick].any(axis=1)].sum() == pytest.approx(_brute(a, w, covered, 3))
    assert res.summary["mclp"]["share_after"] * total == pytest.approx(_brute(a, w, covered, 3))
    assert np.all(np.diff(res.gains["mclp"]) <= 1e-9)  # greedy order: biggest gain first
    # fewest sites reaching 80 %
    need = 0.8 * total
    fewest = next((p for p in range(10) if _brute(a, w, covered, p) >= need - 1e-9), None)
    if fewest is None:
        assert not res.summary["target_reachable"]
    else:
        got = res.chosen["set_cover"]
        assert len(got) == fewest and w[covered | a[:, got].any(axis=1)].sum() >= need - 1e-9


def test_set_cover_of_everything_and_degenerate_targets():
    a = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], bool)
    w = np.ones(5)
    full = site_facilities(_pairs(a), w, np.zeros(5, bool), 3, 1, 1.0)
    assert not full.summary["target_reachable"]  # row 4 is out of reach of every site
    assert sorted(full.chosen["set_cover"].tolist()) == [0, 1, 2]
    assert full.summary["set_cover"]["share_after"] == pytest.approx(0.8)
    met = site_facilities(_pairs(a), w, np.array([1, 1, 1, 1, 0], bool), 3, 2, 0.8)
    assert met.summary["set_cover"]["sites"] == 0 and met.summary["target_reachable"]
    a2 = np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1]], bool)
    exact = site_facilities(_pairs(a2), np.ones(4), np.zeros(4, bool), 3, 0, 1.0)
    assert sorted(exact.chosen["set_cover"].tolist()) == [1, 2] and "mclp" not in exact.chosen
    assert exact.summary["set_cover"]["method"].startswith("LSCP")


def test_highs_and_cbc_agree():
    rng = np.random.default_rng(5)
    a = rng.random((60, 12)) < 0.15
    w = rng.integers(1, 20, 60).astype(float)
    h = site_facilities(_pairs(a), w, np.zeros(60, bool), 12, 4, 0.7, solver="highs")
    c = site_facilities(_pairs(a), w, np.zeros(60, bool), 12, 4, 0.7, solver="cbc")
    assert h.summary["mclp"]["share_after"] == pytest.approx(c.summary["mclp"]["share_after"])
    assert h.summary["set_cover"]["sites"] == c.summary["set_cover"]["sites"]
    assert make_solver("highs", 5).name == "HiGHS"


def test_candidate_grid_on_suitable_land_near_roads_and_site_table():
    _, plain = planner_grid(12, seed=4, island=False)
    net = circle_network(plain, "drive")
    parcels = gpd.GeoDataFrame({
        "parcel_id": ["I", "G"], "land_use": ["1001", "1402"],
    }, geometry=[shapely.box(X0, Y0, X0 + 600, Y0 + 600),
                 shapely.box(X0 + 700, Y0, X0 + 1300, Y0 + 600)], crs=CRS)
    cand = candidate_grid(parcels, net, 50.0, 15.0, ("industrial",), 10_000)
    assert len(cand) > 10 and cand["candidate_id"].is_unique
    assert parcels.geometry[0].covers(cand.union_all())
    assert (cand.distance(plain.union_all()) <= 15.0 + 1e-6).all()
    few = candidate_grid(parcels, net, 50.0, 15.0, ("industrial",), 20)
    assert len(few) <= 20 and few["spacing_m"].iloc[0] > 50
    res = site_facilities(_pairs(np.eye(len(few), dtype=bool)), np.ones(len(few)),
                          np.zeros(len(few), bool), len(few), 2, 0.5)
    table = site_table(few, res, float(len(few)), 0.0)
    assert set(table["solution"]) == {"mclp", "set_cover"}
    assert table.loc[table["solution"] == "mclp", "rank"].tolist() == [1, 2]
    assert table["share_after"].max() <= 1.0 and table.crs == few.crs


def test_sites_say_where_they_are():
    from zonekit.analysis.circles.site_descriptions import locate, pct_text, siting_answer
    from zonekit.zones.coords import wgs84_to_gcj02

    pts = gpd.GeoSeries([shapely.Point(X0 + 50, Y0 + 50), shapely.Point(X0 + 50, Y0 + 900),
                         shapely.Point(X0 + 5000, Y0)], crs=CRS)
    zones = gpd.GeoDataFrame({"zone_id": ["A"], "name_zh": ["甲区"]},
                             geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    roads = gpd.GeoDataFrame({"name": ["幸福路", None, "  "]}, geometry=[
        shapely.LineString([(X0, Y0 + 80), (X0 + 500, Y0 + 80)]),      # 30 m from the first
        shapely.LineString([(X0, Y0 + 10), (X0 + 500, Y0 + 10)]),      # nearer, unnamed
        shapely.LineString([(X0, Y0 + 950), (X0 + 500, Y0 + 950)])], crs=CRS)
    out = locate(pts, zones, roads, road_max_m=200.0)
    assert out["zone_id"].tolist() == ["A", "A", "(outside every zone)"]
    assert out["zone_name_zh"].tolist() == ["甲区", "甲区", ""]
    assert out["road_name"].tolist() == ["幸福路", "(unnamed)", "(unnamed)"]  # blank names skipped
    assert out["road_distance_m"].iloc[0] == pytest.approx(30.0)
    wgs = pts.to_crs(4326)
    assert out["lon_wgs84"].to_numpy() == pytest.approx(wgs.x.to_numpy(), abs=1e-6)
    glon, glat = wgs84_to_gcj02(wgs.x.to_numpy(), wgs.y.to_numpy())
    assert out["lat_gcj02"].to_numpy() == pytest.approx(glat, abs=1e-6)
    assert pct_text(0.99996) == "99.996 %" and pct_text(1.0) == "100 %"
    text = siting_answer({"share_before": 0.8333, "mclp": {"sites": 3, "share_after": 1.0}},
                         "built_land_km2", "km2", 5, "minutes")
    assert text["mclp"]["sentence"] == ("3 new sites bring 5-minute coverage of construction "
                                        "land incl. land under construction from 83.3 % to 100 %")
    assert "建设用地（含在建）" in text["demand_optimised"]["note_zh"]
