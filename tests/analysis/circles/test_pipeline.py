"""Service circles: profile, one-way directions, bad inputs, OSM form vs centrelines."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from circles_fixtures import CRS, X0, Y0, hand_oneway, planner_grid, points_near

from zonekit.analysis.circles.kinds import (
    charging_circle,
    circle_network,
    industry_circle,
    service_circle,
)
from zonekit.analysis.circles.origins import gcj02_hint, layer_origins, residential_parcels
from zonekit.analysis.circles.profile import load_circles_profile
from zonekit.errors import ProfileError, SchemaError

PROFILE = load_circles_profile()
NAMES = PROFILE.names_zh
SERVICE = PROFILE.circle("service")


def pts(xy, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=shapely.points(xy[:, 0] + X0, xy[:, 1] + Y0), crs=CRS)


def facilities(xy, categories) -> gpd.GeoDataFrame:
    return pts(xy, fac_id=[f"F{i}" for i in range(len(xy))], category=list(categories))


# --- profile --------------------------------------------------------------------------


def test_shipped_profile_has_per_category_thresholds():
    lim = SERVICE.limits_minutes()
    assert lim["convenience_store"] == 5 and lim["fresh_market"] == 8 and lim["fitness"] == 15
    assert len(set(lim.values())) == 3  # not one number for all
    assert SERVICE.limits_metres()["convenience_store"] == 300
    assert set(SERVICE.basics) == {"convenience_store", "breakfast", "pharmacy", "laundry",
                                   "hairdresser", "fresh_market", "supermarket", "repair",
                                   "fitness"}
    assert SERVICE.mode == "walk" and PROFILE.circle("charging").mode == "drive"
    ind = PROFILE.circle("industry")
    assert ind.chain(None).name == "新能源智能汽车" and abs(sum(ind.weights.values()) - 1) < 1e-9
    charging = PROFILE.circle("charging")
    assert charging.target_share == 0.9 and charging.fast_power_kw == 60
    assert NAMES["pilot_base"] == "中试基地"


def test_profile_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("circles:\n  service:\n    categories:\n      bakery: {minutes: 5}\n",
                   encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad\.yaml.*categories\.bakery.*'bakery'.*"
                                           r"known categories.*convenience_store"):
        load_circles_profile(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("circles: [service: {\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken\.yaml.*not valid YAML"):
        load_circles_profile(broken)
    typo = tmp_path / "typo.yaml"
    typo.write_text("circles:\n  service:\n    categories:\n      pharmacy: {minutes: soon}\n",
                    encoding="utf-8")
    with pytest.raises(ProfileError, match=r"typo\.yaml.*pharmacy.*minutes.*'soon'"):
        load_circles_profile(typo)
    basics = tmp_path / "basics.yaml"
    basics.write_text("circles:\n  service:\n    basics: [bakery]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="basics.*'bakery'.*known categories"):
        load_circles_profile(basics)
    ok = tmp_path / "ok.yaml"
    ok.write_text("circles:\n  service:\n    categories:\n      fresh_market: {minutes: 10}\n",
                  encoding="utf-8")
    merged = load_circles_profile(ok).circle("service").limits_minutes()
    assert merged["fresh_market"] == 10 and merged["convenience_store"] == 5
    with pytest.raises(ProfileError, match="unknown industry chain '造船'"):
        PROFILE.circle("industry").chain("造船")


# --- directions, pieces, unreachable points -------------------------------------------


def test_drive_times_respect_one_way_from_origin_to_facility():
    net = circle_network(hand_oneway(), "drive")
    spec = PROFILE.circle("charging")
    south, north = (400, 10), (400, 390)  # both on the one-way street B → C (northwards)
    o = layer_origins(pts([south, north]))
    fac = facilities([north, south], ["a", "b"])
    res = service_circle(net, o, fac, spec, {"a": 60.0, "b": 60.0}, NAMES)
    seconds = res.origins[["minutes_a", "minutes_b"]].to_numpy() * 60
    # south → north along the one-way street: 380 m at 20 km/h
    assert seconds[0, 0] == pytest.approx(380 / (20 / 3.6), abs=1e-6)
    # north → south must go round C → D → A → B: 10 + 1,200 + 10 m
    assert seconds[1, 1] == pytest.approx(1220 / (20 / 3.6), abs=1e-6)
    walk = service_circle(circle_network(hand_oneway(), "walk"), o, fac, spec,
                          {"a": 60.0, "b": 60.0}, NAMES)
    assert walk.origins.loc[1, "minutes_b"] * 60 == pytest.approx(380 / (4.5 / 3.6), abs=1e-6)


def test_pieces_far_points_and_empty_category_are_reported():
    _, plain = planner_grid(8, island=True)
    net = circle_network(plain, "walk")
    origins = points_near(plain, 40, seed=1, far=3)
    island = plain.geometry.to_numpy()[-1].interpolate(0.5, normalized=True)
    origins = pd.concat([origins, gpd.GeoDataFrame({"pid": ["ISL"]}, geometry=[island],
                                                   crs=CRS)], ignore_index=True)
    fac = points_near(plain, 12, seed=2, far=2, prefix="F")
    fac["category"] = ["pharmacy"] * len(fac)
    o = layer_origins(origins, "pid")
    res = service_circle(net, o, fac, SERVICE, {"pharmacy": 8.0, "fitness": 15.0}, NAMES,
                         id_col="pid")
    t = res.origins
    assert (~t["reachable"]).sum() == 3 and t["minutes_pharmacy"][~t["reachable"]].isna().all()
    assert not t.loc[t["origin_id"] == "ISL", "on_main_network"].iloc[0]
    assert res.summary["network"]["pieces"] == 2
    assert sorted(res.summary["facilities_unreachable"]) == ["F0012", "F0013"]
    assert res.summary["empty_categories"] == ["fitness"]
    cov = res.coverage.set_index("category")
    assert cov.loc["fitness", "share"] == 0 and t["minutes_fitness"].isna().all()
    assert t["missing"].str.contains("fitness").all() and not t["complete"].any()
    assert res.facilities.loc[~res.facilities["reachable"], "reason"].str.contains("250 m").all()


def test_metres_measure_is_network_distance():
    net = circle_network(hand_oneway(), "walk", measure="metres")
    o = layer_origins(pts([(0, -20)]))  # 20 m south of A
    fac = facilities([(400, 100)], ["a"])  # on B → C, 100 m north of B
    res = service_circle(net, o, fac, SERVICE, {"a": 1000.0}, NAMES, measure="metres")
    assert res.origins.loc[0, "metres_a"] == pytest.approx(20 + 400 + 100, abs=1e-6)
    short = service_circle(net, o, fac, SERVICE, {"a": 519.0}, NAMES, measure="metres")
    assert np.isnan(short.origins.loc[0, "metres_a"])


# --- planner's OSM-form layer and the same streets as centrelines --------------------


def test_osm_form_layer_gives_the_same_answers_as_centrelines():
    osm, plain = planner_grid(80, seed=3)
    assert len(osm) > 20_000 and osm["highway"].astype(str).str.startswith("[").any()
    origins = layer_origins(points_near(plain, 400, seed=4, far=5), "pid")
    fac = points_near(plain, 60, seed=5, prefix="F")
    fac["category"] = np.where(np.arange(60) % 2, "pharmacy", "supermarket")
    limits = {"pharmacy": 8.0, "supermarket": 15.0}
    for mode in ("walk", "drive"):
        a = service_circle(circle_network(osm, mode), origins, fac, SERVICE, limits, NAMES,
                           id_col="pid")
        b = service_circle(circle_network(plain, mode), origins, fac, SERVICE, limits, NAMES,
                           id_col="pid")
        cols = ["minutes_pharmacy", "minutes_supermarket"]
        pd.testing.assert_frame_equal(a.origins[cols], b.origins[cols], atol=1e-9, rtol=0)
        assert a.origins[cols].notna().sum().min() > 50


# --- GCJ-02, industry, charging, parcels ------------------------------------------------


def test_gcj02_facilities_are_flagged():
    from zonekit.zones.coords import wgs84_to_gcj02

    _, plain = planner_grid(6, spacing_m=1000.0)  # arterials 1 km apart, as in a park
    net = circle_network(plain, "walk")
    fac = points_near(plain, 40, seed=7, spread_m=5)
    assert gcj02_hint(fac, net.edge_tree) is None
    ll = fac.to_crs(4326)
    lon, lat = wgs84_to_gcj02(ll.geometry.x.to_numpy(), ll.geometry.y.to_numpy())
    amap = gpd.GeoDataFrame(geometry=shapely.points(lon, lat), crs=4326).to_crs(CRS)
    assert 500 < fac.distance(amap).median() < 560  # the GCJ-02 offset in Miyun
    hint = gcj02_hint(amap, net.edge_tree)  # default: median > 150 m
    assert hint is not None and hint["coords"] == "gcj02" and "coords='gcj02'" in hint["message"]
    assert hint["median_snap_m"] > 150 and hint["median_snap_corrected_m"] < 10


def test_industry_circle_scores_exclude_the_enterprise_itself():
    _, plain = planner_grid(10, island=False)
    net = circle_network(plain, "drive")
    ents = points_near(plain, 6, seed=8, prefix="E").rename(columns={"pid": "ent_id"})
    ents["industry"] = ["新能源智能汽车"] * 5 + ["生命健康"]
    ents["name"] = [f"企业{i}" for i in range(6)]
    fac = facilities([(200, 200)], ["tech_platform"])
    spec = PROFILE.circle("industry")
    limits = spec.limits_minutes()
    res = industry_circle(net, ents, fac, spec, spec.chain(None), limits, NAMES)
    t = res.origins
    assert len(t) == 5 and (t["peers_within"] == 4).all()  # four others, never itself
    assert (t["minutes_same_chain"] > 0).all()
    # same chain 0.3 + tech platform 0.2 present; pilot base, incubator, logistics absent
    assert t["score"].to_numpy() == pytest.approx(np.full(5, 0.5))
    assert set(t["missing"]) == {"pilot_base,incubator,logistics"}
    zones = res.extra["zones"].set_index("zone_id")
    assert zones.loc["park", "enterprises"] == 5 and zones.loc["park", "mean_score"] == 0.5
    alone = industry_circle(net, ents.iloc[[0, 5]], fac, spec, spec.chain(None), limits, NAMES)
    assert alone.origins["peers_within"].tolist() == [0]


def test_charging_circle_shares_and_fast_only():
    _, plain = planner_grid(12, island=False)
    net = circle_network(plain, "drive")
    spec = PROFILE.circle("charging")
    o = layer_origins(points_near(plain, 80, seed=9), "pid")
    st = points_near(plain, 3, seed=10, prefix="S")
    st["category"], st["power_kw"] = "charging_station", [120.0, 7.0, 60.0]
    ents = points_near(plain, 30, seed=11, prefix="E").assign(employees=10)
    res = charging_circle(net, o, st, spec, 2.0, NAMES, enterprises=ents, id_col="pid")
    cov = res.coverage.set_index("measure")["share"]
    assert set(cov.index) == {"origins", "enterprises", "employees", "road_length_km"}
    assert 0 < cov["road_length_km"] < 1 and cov["enterprises"] == cov["employees"]
    fast = charging_circle(net, o, st, spec, 2.0, NAMES, enterprises=ents, id_col="pid",
                           fast_only=True)
    assert fast.summary["stations"] == 2 and res.summary["fast_stations"] == 2
    assert (fast.coverage["share"].to_numpy() <= res.coverage["share"].to_numpy() + 1e-12).all()
    roads = res.extra["roads"]
    assert roads["length_m"].sum() == pytest.approx(net.edge_length_m.sum())
    assert roads.loc[roads["covered"], "length_m"].sum() / 1e3 == pytest.approx(
        res.coverage.set_index("measure").loc["road_length_km", "covered"])


def test_residential_parcels_and_user_layer_ids():
    parcels = gpd.GeoDataFrame({
        "parcel_id": ["R1", "I1", "R2"], "land_use": ["0701", "1001", "070101"],
    }, geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                 shapely.box(X0 + 200, Y0, X0 + 300, Y0 + 100),
                 shapely.Polygon([(X0, Y0 + 200), (X0 + 100, Y0 + 200), (X0 + 100, Y0 + 210),
                                  (X0 + 10, Y0 + 210), (X0 + 10, Y0 + 300), (X0, Y0 + 300)])],
        crs=CRS)
    o = residential_parcels(parcels)
    assert o.points["origin_id"].tolist() == ["R1", "R2"] and o.kind == "residential_parcels"
    assert o.shapes.geom_type.tolist() == ["Polygon", "Polygon"]
    assert parcels.geometry[2].covers(o.points.geometry[1])  # L-shape: a point inside
    with pytest.raises(SchemaError, match="no residential parcels"):
        residential_parcels(parcels.iloc[[1]])
    dup = pts([(0, 0), (1, 1)], code=["A", "A"])
    with pytest.raises(SchemaError, match="column 'code'.*unique.*A"):
        layer_origins(dup, "code")
