"""Per-zone land measures on a hand-computed fixture (analysis.land)."""

from __future__ import annotations

import pytest

from zonekit.analysis.land.measures import park_summary, zone_table
from zonekit.errors import CRSError


def _table(tiny_park, denominator="built"):
    return zone_table(tiny_park["zones"], tiny_park["parcels"], tiny_park["enterprises"],
                      denominator).set_index("zone_id")


def test_hand_computed_built_land(tiny_park) -> None:
    t = _table(tiny_park)
    # A1 (in use, 40,000 m²) + A2 (idle, 10,000 m²); green A3 and B1 (in construction) excluded.
    assert t.loc["A", "built_land_km2"] == pytest.approx(0.05)
    assert t.loc["B", "built_land_km2"] == pytest.approx(0.0)
    assert t.loc["park", "revenue_yi"] == pytest.approx(12.6)
    assert t.loc["park", "land_output_yi_per_km2"] == pytest.approx(12.6 / 0.05)
    assert t.loc["park", "output_per_employee_wan"] == pytest.approx(126_000 / 560)
    assert t.loc["A", "enterprises"] == 3  # two firms on A1 are both counted, once each


def test_unassigned_enterprises_kept_in_total(tiny_park) -> None:
    t = _table(tiny_park)
    assert t.loc["(unassigned)", "revenue_yi"] == pytest.approx(0.1)
    zones_sum = t.drop(index="park")[["revenue_yi", "enterprises", "employees"]].sum()
    assert zones_sum["revenue_yi"] == pytest.approx(t.loc["park", "revenue_yi"])
    assert zones_sum["enterprises"] == t.loc["park", "enterprises"]


@pytest.mark.parametrize(("denominator", "land_km2"), [
    ("built", 0.05), ("all", 1.5), ("industrial", 0.05)])
def test_denominator_choice(tiny_park, denominator, land_km2) -> None:
    t = _table(tiny_park, denominator)
    assert t.loc["park", "land_km2"] == pytest.approx(land_km2)
    assert t.loc["park", "land_output_yi_per_km2"] == pytest.approx(12.6 / land_km2)
    assert (t["denominator"] == denominator).all()


def test_industrial_excludes_commercial(tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    parcels.loc[3, "status"] = "in_use"  # B1 commercial becomes built
    t = zone_table(tiny_park["zones"], parcels, tiny_park["enterprises"], "built")
    ti = zone_table(tiny_park["zones"], parcels, tiny_park["enterprises"], "industrial")
    assert park_summary(t)["built_land_km2"] == pytest.approx(0.07)
    assert park_summary(ti)["land_km2"] == pytest.approx(0.05)


def test_degrees_refused(tiny_park) -> None:
    with pytest.raises(CRSError, match="projected"):
        zone_table(tiny_park["zones"].to_crs(4326), tiny_park["parcels"].to_crs(4326),
                   tiny_park["enterprises"])


def test_parcel_without_zone_keeps_its_land_in_totals(tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    parcels["zone_id"] = parcels["zone_id"].astype(object)
    parcels.loc[1, "zone_id"] = None  # A2, idle industrial, 0.01 km²
    t = zone_table(tiny_park["zones"], parcels, tiny_park["enterprises"]).set_index("zone_id")
    assert t.loc["(no zone)", "built_land_km2"] == pytest.approx(0.01)
    assert t.loc["park", "built_land_km2"] == pytest.approx(0.05)
