"""Tests for the glossary of land terms (zonekit.analysis.land.glossary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonekit.analysis.land import glossary as gl

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "park.gpkg"


def test_every_term_has_distinct_names_definitions_and_columns() -> None:
    table = gl.glossary_table()
    assert table["key"].is_unique and table["name_zh"].is_unique and table["name_en"].is_unique
    assert (table["definition_zh"].str.len() > 10).all()
    assert (table["columns"].str.len() > 0).all()
    assert gl.term("built_land").name_zh == "建设用地（已建）"
    assert "built_land_km2" in gl.term("construction_land").columns[0]  # the charging demand
    with pytest.raises(KeyError, match="known: zone_area"):
        gl.term("land")


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
def test_the_three_land_figures_of_the_sample_reconcile() -> None:
    from zonekit.analysis.indicators import load_targets
    from zonekit.analysis.mujun import evaluation as mujun
    from zonekit.analysis.mujun import pipeline as efficiency
    from zonekit.api.data import load_park
    from zonekit.zones.landuse import CONSTRUCTION_CLASSES, land_use_class

    park = load_park(layers=("zones", "parcels", "enterprises"))
    res = efficiency.run(park.zones, park.parcels, park.enterprises, mujun.load_mujun_profile(),
                         load_targets(), park.year)
    fig = {f["key"]: f["km2"] for f in res.summary["land_figures"]}
    assert fig["built_land"] == pytest.approx(18.11, abs=0.01)  # zone table
    assert fig["enterprise_land"] == pytest.approx(15.63, abs=0.01)  # 各产业 合计
    # the charging circle's demand: every construction-land parcel, under construction too
    cls = land_use_class(park.parcels["land_use"])
    demand = park.parcels.geometry.area[cls.isin(CONSTRUCTION_CLASSES)].sum() / 1e6
    assert fig["construction_land"] == pytest.approx(demand, abs=1e-4)  # rounded to 4 places
    assert fig["construction_land"] == pytest.approx(
        fig["built_land"] + fig["land_under_construction"], abs=2e-4)
    assert fig["enterprise_land"] < fig["built_land"] < fig["construction_land"] \
        < fig["zone_area"]
