"""Shared fixtures: a tiny park built in code, paths to the sample and real data.

``tests/`` mirrors the code: ``tests/zones``, ``tests/analysis/<subpackage>``, ``tests/maps``,
``tests/api``, ``tests/cli``, ``tests/zonekit`` (top-level modules), ``tests/qgis`` (the
provider), ``tests/data`` (the sample generator), ``tests/bad_inputs`` (the bad-input
corpora) and ``tests/project`` (lint, packaging, notebooks, benchmarks). Fixture modules used
by several packages (``circles_fixtures``, ``intensity_fixtures``, ``scale_fixtures``) stay
here and are importable everywhere (``pythonpath`` in pyproject.toml). The folders are not
packages, so every test file name is unique.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

REPO = Path(__file__).resolve().parents[1]
# Real reference data lives beside the checkout (../shared), never inside the repo.
REAL_DATA = Path(os.environ.get("ZONEKIT_REAL_DATA", REPO.parent / "shared" / "data" / "real"))
SAMPLE = REPO / "data" / "sample"
X0, Y0 = 487_000.0, 4_470_000.0  # central Miyun in EPSG:4548


@pytest.fixture
def tiny_park() -> dict[str, gpd.GeoDataFrame]:
    """Two zones, four parcels, five enterprises in EPSG:4548 (hand-computable).

    Zone A: 1 km × 1 km; zone B: 1 km × 0.5 km. Parcels: A1 (200 m × 200 m industrial, in
    use), A2 (100 m × 100 m industrial, idle), A3 (100 × 100 green), B1 (200 × 100
    commercial, under construction).
    """
    zones = gpd.GeoDataFrame({
        "zone_id": ["A", "B"], "name_zh": ["高端智造区", "滨河工业开发区"],
        "name_en": ["Manufacturing", "Binhe"], "kind": ["core_zone", "municipal_block"],
    }, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 500)],
        crs="EPSG:4548")
    parcels = gpd.GeoDataFrame({
        "parcel_id": ["A1", "A2", "A3", "B1"], "zone_id": ["A", "A", "A", "B"],
        "land_use": ["1001", "1001", "1402", "0901"],
        "land_use_name": ["工业用地", "工业用地", "防护绿地", "商业用地"],
        "floor_area_m2": [40_000.0, 5_000.0, 0.0, 30_000.0],
        "status": ["in_use", "idle", "in_use", "under_construction"],
        "lease_end_year": [2050, None, None, 2060],
    }, geometry=[box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300),
                 box(X0 + 400, Y0 + 100, X0 + 500, Y0 + 200),
                 box(X0 + 600, Y0 + 600, X0 + 700, Y0 + 700),
                 box(X0 + 1100, Y0 + 100, X0 + 1300, Y0 + 200)], crs="EPSG:4548")
    enterprises = gpd.GeoDataFrame({
        "ent_id": ["E1", "E2", "E3", "E4", "E5"],
        "parcel_id": ["A1", "A1", "A2", "B1", None],
        "name": ["甲", "乙", "丙", "丁", "戊"],
        "industry": ["新能源智能汽车", "生命健康", "先进装备", "科技服务", "商贸服务"],
        "revenue_wan": [100_000.0, 20_000.0, 0.0, 5_000.0, 1_000.0],
        "tax_wan": [5_000.0, 1_000.0, 0.0, 200.0, 50.0],
        "employees": [400, 100, 0, 50, 10],
        "energy_tce": [2_000.0, 300.0, 0.0, 10.0, 1.0],
        "rnd_wan": [4_000.0, 2_000.0, 0.0, 100.0, 0.0],
        "patents": [10, 5, 0, 1, 0],
        "founded_year": [2010, 2015, 2018, 2022, 2023],
        "high_tech": [True, True, False, True, False],
        "specialized": [True, False, False, False, False],
        "listed": [True, False, False, False, False],
    }, geometry=[Point(X0 + 150, Y0 + 150), Point(X0 + 250, Y0 + 250),
                 Point(X0 + 450, Y0 + 150), Point(X0 + 1200, Y0 + 150),
                 Point(X0 + 800, Y0 + 800)], crs="EPSG:4548")
    return {"zones": zones, "parcels": parcels, "enterprises": enterprises}


@pytest.fixture
def tiny_park_dir(tmp_path: Path, tiny_park: dict[str, gpd.GeoDataFrame]) -> Path:
    """The tiny park written as a folder of GeoPackages, one per layer."""
    folder = tmp_path / "park"
    folder.mkdir()
    for name, gdf in tiny_park.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return folder


@pytest.fixture
def real_data() -> Path:
    """Real reference data in ../shared/data/real (skips when absent, e.g. on users' machines)."""
    if not REAL_DATA.exists():
        pytest.skip(f"real reference data not found at {REAL_DATA} "
                    "(only on the project's machines)")
    return REAL_DATA


@pytest.fixture
def sample_dir() -> Path:
    """The bundled sample park's folder (skips when it has not been generated)."""
    if not (SAMPLE / "park.gpkg").exists():
        pytest.skip("data/sample/park.gpkg missing: run `make sample`")
    return SAMPLE
