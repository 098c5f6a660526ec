"""Small hand-built parks for the intensity, 亩均, renewal and indicator tests.

Coordinates are metres in EPSG:4548, so areas are exact: every parcel is a rectangle.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

CRS = "EPSG:4548"
X0, Y0 = 500_000.0, 4_470_000.0


def rect(x: float, y: float, w: float, h: float):
    """Return a w × h metre rectangle at (x, y) metres from the fixture origin."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def zones() -> gpd.GeoDataFrame:
    """Two 1 km² zones side by side."""
    return gpd.GeoDataFrame({
        "zone_id": ["Z1", "Z2"], "name_zh": ["高端智造区", "生命健康区"],
        "name_en": ["Z1", "Z2"], "kind": ["core_zone", "core_zone"],
    }, geometry=[rect(0, 0, 1000, 1000), rect(1000, 0, 1000, 1000)], crs=CRS)


def parcels() -> gpd.GeoDataFrame:
    """Six parcels; areas in m²: P1 20,000 P2 20,000 P3 10,000 P4 20,000 P5 30,000 P6 10,000."""
    return gpd.GeoDataFrame({
        "parcel_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "zone_id": ["Z1", "Z1", "Z1", "Z2", "Z2", "Z2"],
        "land_use": ["1001", "1001", "0901", "1001", "1001", "1401"],
        "floor_area_m2": [10_000.0, 40_000.0, 30_000.0, 8_000.0, np.nan, 0.0],
        "status": ["in_use", "in_use", "in_use", "idle", "under_construction", "in_use"],
    }, geometry=[rect(0, 0, 100, 200), rect(100, 0, 100, 200), rect(200, 0, 100, 100),
                 rect(1000, 0, 100, 200), rect(1100, 0, 150, 200), rect(1300, 0, 100, 100)],
        crs=CRS)


def enterprises(year: int = 2024) -> gpd.GeoDataFrame:
    """Six firms: E2 and E3 share P2, E5 has no parcel, E6 sits on the idle P4."""
    data = pd.DataFrame({
        "ent_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
        "parcel_id": ["P1", "P2", "P2", "P3", None, "P4"],
        "name": ["甲", "乙", "丙", "丁", "戊", "己"],
        "industry": ["先进装备", "新能源智能汽车", "新能源智能汽车", "科技服务", "生命健康",
                     "先进装备"],
        "revenue_wan": [10_000.0, 50_000.0, 30_000.0, 20_000.0, 5_000.0, 100.0],
        "tax_wan": [300.0, 3_000.0, 1_000.0, 1_500.0, 200.0, 0.0],
        "employees": [100, 300, 100, 50, 20, 5],
        "energy_tce": [2_000.0, 5_000.0, 3_000.0, np.nan, 100.0, 50.0],
        "rnd_wan": [300.0, 2_500.0, 600.0, 1_000.0, 400.0, 0.0],
        "patents": [2, 40, 10, 5, 3, 0],
        "founded_year": [2010, 2015, 2018, 2023, 2012, 2005],
        "high_tech": [False, True, True, True, False, False],
        "specialized": [True, False, True, False, False, False],
        "listed": [False, True, False, False, False, False],
        "year": year,
    })
    data["employees"] = data["employees"].astype("Int64")
    data["patents"] = data["patents"].astype("Int64")
    data["founded_year"] = data["founded_year"].astype("Int64")
    pts = [rect(50, 100, 0, 0).centroid] * len(data)
    return gpd.GeoDataFrame(data, geometry=pts, crs=CRS)
