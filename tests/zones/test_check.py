"""Tests for ``zonekit check`` on rasters (zonekit.zones.check)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zonekit.zones.check import check_data

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.mark.skipif(not (SAMPLE / "population.tif").exists(), reason="sample not generated yet")
@pytest.mark.parametrize("data", [None, SAMPLE, SAMPLE / "park.gpkg"])
def test_sample_population_raster_is_found_and_read(data) -> None:
    import rasterio

    with rasterio.open(SAMPLE / "population.tif") as src:
        persons = float(np.ma.sum(src.read(1, masked=True)))
    report = check_data(data)
    line = next(x for x in report.lines() if "population" in x)
    # before: "population: not found" (no --data) and "0 rows … CRS None" (--data folder)
    assert line.startswith("✓ population:") and "not found" not in line
    assert "0 rows" not in line and "CRS None" not in line
    assert "CRS EPSG:4548" in line and f"{persons:,.0f} persons" in line
    assert "100 × 100 m" in line
    assert report.ok


def test_raster_without_crs_is_a_failure(tmp_path: Path) -> None:
    import rasterio
    from rasterio.transform import from_origin

    folder = tmp_path / "park"
    folder.mkdir()
    with rasterio.open(folder / "population.tif", "w", driver="GTiff", width=2, height=2,
                       count=1, dtype="float32", transform=from_origin(0, 2, 1, 1)) as dst:
        dst.write(np.ones((1, 2, 2), "float32"))
    report = check_data(folder)
    pop = next(r for r in report.layers if r.name == "population")
    assert "has no CRS" in pop.failure
    assert not report.ok
