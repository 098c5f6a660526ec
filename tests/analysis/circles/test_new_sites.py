"""New charging sites for a planner's own station layer (analysis/circles/new_sites.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

import zonekit as zk


def test_new_sites_for_stations_without_an_id_column(sample_dir: Path, tmp_path: Path):
    """A station layer with no id column (facility_id not given) still gets its new sites."""
    fac = gpd.read_file(sample_dir / "park.gpkg", layer="facilities")
    stations = fac.loc[fac["category"] == "charging_station", ["category", "geometry"]]
    stations.to_file(tmp_path / "stations.gpkg", engine="pyogrio")
    r = zk.circles("charging", facilities=tmp_path / "stations.gpkg", new_sites=2, jobs=1)
    siting = r.summary["siting"]
    assert len(r.tables["sites"]) >= 1 and siting
    scenarios = set(r.coverage["scenario"].astype(str))
    assert len(scenarios) > 1  # the coverage after the new sites, beside the existing
