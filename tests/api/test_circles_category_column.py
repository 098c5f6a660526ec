"""A service run on the user's facilities reads their ``category`` column.

When no ``category_col=`` is given, the column `zonekit osm facilities` and `zonekit poi`
write is used, instead of folding every facility into one category named after the kind.
"""

from __future__ import annotations

from pathlib import Path

import zonekit as zk


def test_service_reads_the_category_column_of_user_facilities(tmp_path: Path) -> None:
    park = zk.load_park()
    park.roads.to_file(tmp_path / "roads.gpkg")
    fac = park.facilities[["fac_id", "category", "geometry"]]
    fac.to_file(tmp_path / "poi.gpkg")
    homes = park.parcels[park.parcels["land_use"].astype(str).str.startswith("07")]
    homes[["parcel_id", "geometry"]].to_file(tmp_path / "homes.gpkg")
    c = zk.circles("service", roads=tmp_path / "roads.gpkg", facilities=tmp_path / "poi.gpkg",
                   origins=tmp_path / "homes.gpkg", origin_id="parcel_id", facility_id="fac_id",
                   mode="walk", minutes=15)
    computed = {cat["id"] for cat in c.summary["categories"]}
    given = set(fac["category"].astype(str))
    assert "service" not in computed
    assert computed and computed <= given
    notes = c.summary.get("input_notes", []) + c.summary.get("notes", [])
    assert any("column 'category'" in note for note in notes)
