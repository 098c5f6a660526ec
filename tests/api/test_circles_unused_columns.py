"""Columns of the user's origins and facilities that a run does not read are named.

The results carry the ids, categories and weights; a planner's other fields (小区名称, 户数 …)
are named in the run's notes (console and summary.json), not dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import zonekit as zk


def test_unused_columns_of_user_layers_are_named(tmp_path: Path) -> None:
    park = zk.load_park()
    park.roads.to_file(tmp_path / "roads.gpkg")
    fac = park.facilities[["fac_id", "category", "geometry"]].assign(名称="x")
    fac.to_file(tmp_path / "poi.gpkg")
    homes = park.parcels[park.parcels["land_use"].astype(str).str.startswith("07")]
    homes = homes[["parcel_id", "geometry"]].assign(小区名称="A", 户数=3)
    homes.to_file(tmp_path / "homes.gpkg")
    c = zk.circles("service", roads=tmp_path / "roads.gpkg", facilities=tmp_path / "poi.gpkg",
                   origins=tmp_path / "homes.gpkg", origin_id="parcel_id", facility_id="fac_id",
                   weight_col="户数", mode="walk", minutes=15)
    notes = [n for n in c.summary.get("input_notes", []) + c.summary.get("notes", [])
             if "not used" in n]
    origins = next(n for n in notes if n.startswith("origins"))
    assert origins.endswith(": 小区名称")  # 户数 (weights) and parcel_id (ids) are used
    facilities = next(n for n in notes if n.startswith("facilities"))
    assert facilities.endswith(": 名称")  # fac_id and category are used
